// What the mover's peer tests and benchmark set up on vcsim: a session of its own for each job,
// a VM's disk written as a flat image, and the job that copies it.

import { randomBytes } from 'node:crypto';
import type { MoverJob } from '../../../src/mover/protocol.js';
import { VimClient } from '../../../src/providers/vmware/client.js';
import { SoapTransport, sdkUrl } from '../../../src/providers/vmware/soap.js';
import { trustingAgent } from '../../../src/providers/vmware/tls.js';
import { field, items, str, type MoRef } from '../../../src/providers/vmware/values.js';
import { flatDescriptor, putDatastoreFile, quietLog, type Admin } from './admin.js';

export interface JobSession {
  /** The `vmware_soap_session` cookie's value. */
  value: string;
  alive(): Promise<boolean>;
  close(): void;
}

/** A session of its own for a job (the reconciler clones one; a login is the same to the mover). */
export async function jobSession(a: Admin): Promise<JobSession> {
  const agent = trustingAgent({ fingerprint: a.vcsim.fingerprint }, { maxSockets: 1, connectTimeoutMs: 10_000 });
  const transport = new SoapTransport({ url: sdkUrl(a.vcsim.endpoint), agent, log: quietLog, timeoutMs: 30_000 });
  const client = new VimClient(transport, { username: 'user', password: async () => 'pass' }, quietLog);
  await client.session();
  const value = transport.sessionCookie!.slice('vmware_soap_session='.length);
  const probe = new VimClient(new SoapTransport({ url: sdkUrl(a.vcsim.endpoint), agent, log: quietLog, timeoutMs: 30_000 }), null, quietLog);
  probe.adoptSession(value);
  return { value, alive: () => probe.sessionAlive(), close: () => agent.destroy() };
}

/** The VM's instance UUID and its first disk. */
export async function vmFacts(a: Admin, vm: MoRef): Promise<{ uuid: string; disk: { key: number; name: string } }> {
  const [found] = await a.client.retrieve({ propSet: [{ type: 'VirtualMachine', paths: ['config.instanceUuid', 'config.hardware.device'] }], objectSet: [{ obj: vm }] });
  const disk = items(found!.props.get('config.hardware.device')).find((d) => d.type === 'VirtualDisk')!;
  return { uuid: str(found!.props.get('config.instanceUuid'))!, disk: { key: Number(str(field(disk, 'key'))), name: str(field(disk, 'backing.fileName'))! } };
}

/** Writes a flat disk image over a VM's first disk (descriptor and extent); random data with a zero stretch unless given. */
export async function writeDisk(a: Admin, vmName: string, size: number, image?: Buffer): Promise<Buffer> {
  const data = image ?? randomBytes(size);
  if (!image) data.fill(0, Math.floor(size / 4), Math.floor(size / 2));
  await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${vmName}/disk1.vmdk`, Buffer.from(flatDescriptor([{ file: 'disk1-flat.vmdk', size }])));
  await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${vmName}/disk1-flat.vmdk`, data);
  return data;
}

/** A job of one pass over a VM's first disk, written to device `disk0`. */
export async function jobFor(a: Admin, vm: MoRef, op: string, pass: MoverJob['pass'], capacity: number, session: string, changeId?: string): Promise<MoverJob> {
  const { uuid, disk } = await vmFacts(a, vm);
  return {
    version: 1,
    op,
    pass,
    vcenter: { url: `${a.vcsim.endpoint}/sdk`, fingerprint: a.vcsim.fingerprint, session },
    datacenter: '/DC0',
    vm: { moref: vm.value, uuid },
    disks: [{ name: disk.name, key: disk.key, capacity, device: 'disk0', ...(changeId !== undefined ? { change_id: changeId } : {}) }],
  };
}
