// The mover's side of vSphere: the job's session adopted (never a login), the VM checked, and the
// calls the passes make — change tracking (QueryChangedDiskAreas), the warm pass's snapshot and
// its export lease. Every call here is safe to repeat, so a broken call is retried; the session
// is logged out when the pass ends.

import type https from 'node:https';
import { sleep, VimClient, type VimLog } from '../providers/vmware/client.js';
import type { DatastoreAccess } from '../providers/vmware/disk-data.js';
import { isFault, VimFault } from '../providers/vmware/faults.js';
import { SoapTransport, sdkUrl } from '../providers/vmware/soap.js';
import { trustingAgent } from '../providers/vmware/tls.js';
import { bool, field, int, items, moref, morefXml, str, type MoRef } from '../providers/vmware/values.js';
import { child, children, escapeXml, type XmlElement } from '../providers/vmware/xml.js';
import type { Retry } from './copy.js';
import { isTransient, MoverError } from './failure.js';
import type { Range } from './plan.js';
import type { MoverJob } from './protocol.js';

const CALL_TIMEOUT_MS = 120_000;

export interface Vsphere {
  client: VimClient;
  transport: SoapTransport;
  agent: https.Agent;
  datastore: DatastoreAccess;
  vm: MoRef;
  /** Retries a call that failed on the wire, with back-off. */
  call<T>(what: string, work: () => Promise<T>, signal: AbortSignal): Promise<T>;
  close(): Promise<void>;
}

export interface VmDisk {
  key: number;
  fileName: string;
  changeId: string | null;
  controllerKey: number;
  unitNumber: number;
}

export async function connect(job: MoverJob, log: VimLog, retry: Retry, onNotice: (message: string) => void): Promise<Vsphere> {
  const trust = job.vcenter.fingerprint !== undefined ? { fingerprint: job.vcenter.fingerprint } : {};
  const agent = trustingAgent(trust, { maxSockets: 8, connectTimeoutMs: 30_000 });
  const url = sdkUrl(job.vcenter.url);
  const transport = new SoapTransport({ url, agent, log, timeoutMs: CALL_TIMEOUT_MS });
  const client = new VimClient(transport, null, log);
  client.adoptSession(job.vcenter.session);
  const base = new URL(url.href);
  base.pathname = '/';
  const call = async <T>(what: string, work: () => Promise<T>, signal: AbortSignal): Promise<T> => {
    for (let failures = 0; ; failures++) {
      try {
        return await work();
      } catch (error) {
        if (!isTransient(error) || signal.aborted || failures >= retry.attempts) throw error;
        const delay = retry.firstDelayMs * 2 ** failures;
        onNotice(`${what}: ${(error as Error).message}: trying again in ${Math.round(delay / 1000)} s`);
        await sleep(delay, signal);
      }
    }
  };
  return {
    client,
    transport,
    agent,
    datastore: { base, agent, cookie: () => transport.sessionCookie, timeoutMs: CALL_TIMEOUT_MS },
    vm: { type: 'VirtualMachine', value: job.vm.moref },
    call,
    async close() {
      try {
        await client.logout();
      } finally {
        agent.destroy();
      }
    },
  };
}

async function properties(vs: Vsphere, obj: MoRef, type: string, paths: string[]): Promise<Map<string, XmlElement>> {
  const [found] = await vs.client.retrieve({ propSet: [{ type, paths }], objectSet: [{ obj }] });
  if (!found) throw new MoverError('source-not-found', `${type} ${obj.value} is not on vCenter any more: check the source`);
  const missing = found.missing.find((m) => m.fault.fault === 'ManagedObjectNotFound');
  if (missing) throw new MoverError('source-not-found', `${type} ${obj.value} is not on vCenter any more: check the source`);
  return found.props;
}

export interface VmState {
  poweredOn: boolean;
  disks: VmDisk[];
  snapshots: { name: string; snapshot: MoRef }[];
}

/** The disks of a `config.hardware.device` list, and its controllers' keys → `VirtualLsiLogicController0` style names (type and bus number). */
export function readDevices(devices: XmlElement | undefined): { disks: VmDisk[]; controllers: Map<number, string> } {
  const disks: VmDisk[] = [];
  const controllers = new Map<number, string>();
  for (const device of items(devices)) {
    const key = int(field(device, 'key'));
    if (key === undefined) continue;
    const bus = int(field(device, 'busNumber'));
    if (bus !== undefined && device.type) controllers.set(key, `${device.type}${bus}`);
    if (device.type !== 'VirtualDisk') continue;
    const changeId = str(field(device, 'backing.changeId')) ?? '';
    disks.push({
      key,
      fileName: str(field(device, 'backing.fileName')) ?? '',
      changeId: changeId === '' ? null : changeId,
      controllerKey: int(field(device, 'controllerKey')) ?? -1,
      unitNumber: int(field(device, 'unitNumber')) ?? -1,
    });
  }
  return { disks, controllers };
}

/** Every snapshot of a VM's snapshot tree (`snapshot.rootSnapshotList` and their children). */
function snapshotTree(trees: XmlElement[], out: { name: string; snapshot: MoRef }[] = []): { name: string; snapshot: MoRef }[] {
  for (const tree of trees) {
    const snapshot = moref(child(tree, 'snapshot'));
    const name = str(child(tree, 'name'));
    if (snapshot && name !== undefined) out.push({ name, snapshot });
    snapshotTree(children(tree, 'childSnapshotList'), out);
  }
  return out;
}

/** The VM as the pass needs it; refuses a VM whose UUID is not the job's (a moref reused by another VM). */
export async function readVm(vs: Vsphere, job: MoverJob, signal: AbortSignal): Promise<VmState> {
  const props = await vs.call(
    'reading the VM',
    () => properties(vs, vs.vm, 'VirtualMachine', ['runtime.powerState', 'config.instanceUuid', 'config.uuid', 'config.hardware.device', 'snapshot']),
    signal,
  );
  const uuids = [str(props.get('config.instanceUuid')), str(props.get('config.uuid'))].map((u) => u?.toLowerCase());
  if (!uuids.includes(job.vm.uuid.toLowerCase())) {
    throw new MoverError('vm-mismatch', `VM ${job.vm.moref} on vCenter is not the job's VM (UUID differs): the reconciler writes a new job after its next sync`);
  }
  return {
    poweredOn: str(props.get('runtime.powerState')) === 'poweredOn',
    disks: readDevices(props.get('config.hardware.device')).disks,
    snapshots: snapshotTree(children(props.get('snapshot'), 'rootSnapshotList')),
  };
}

/**
 * The areas of a disk changed since `changeId` (QueryChangedDiskAreas on the powered-off VM, no
 * snapshot), asked page by page until the capacity is covered.
 */
export async function changedAreas(vs: Vsphere, deviceKey: number, changeId: string, capacity: number, signal: AbortSignal): Promise<Range[]> {
  const areas: Range[] = [];
  let offset = 0;
  while (offset < capacity) {
    const body = `${morefXml('_this', vs.vm)}<deviceKey>${deviceKey}</deviceKey><startOffset>${offset}</startOffset><changeId>${escapeXml(changeId)}</changeId>`;
    const info = child(await vs.call('QueryChangedDiskAreas', () => vs.transport.call('QueryChangedDiskAreas', body), signal), 'returnval');
    const start = int(child(info, 'startOffset')) ?? offset;
    const length = int(child(info, 'length')) ?? 0;
    for (const area of children(info, 'changedArea')) {
      areas.push({ start: int(child(area, 'start')) ?? 0, length: int(child(area, 'length')) ?? 0 });
    }
    if (length <= 0) break;
    offset = start + length;
  }
  return areas;
}

/** Whether a QueryChangedDiskAreas failure means "copy the whole disk" rather than "fail the pass". */
export function refusesChangeId(error: unknown): error is VimFault {
  return error instanceof VimFault && !['NotAuthenticated', 'NoPermission', 'RequestCanceled'].includes(error.fault);
}

async function task(vs: Vsphere, method: string, body: string, signal: AbortSignal): Promise<void> {
  const created = moref(child(await vs.transport.call(method, body), 'returnval'));
  if (!created) throw new MoverError('vsphere-error', `${method}: vCenter's answer names no task; the reconciler retries the pass`);
  await vs.client.waitForTask(created, { timeoutMs: 30 * 60_000, signal, pollMs: 500 });
}

/** The VM's snapshot of that name, made (without memory, not quiesced) when it has none. */
export async function ensureSnapshot(vs: Vsphere, job: MoverJob, name: string, signal: AbortSignal): Promise<MoRef> {
  const existing = (await readVm(vs, job, signal)).snapshots.find((s) => s.name === name);
  if (existing) return existing.snapshot;
  await task(vs, 'CreateSnapshot_Task', `${morefXml('_this', vs.vm)}<name>${escapeXml(name)}</name><description>Ferry mover, warm copy</description><memory>false</memory><quiesce>false</quiesce>`, signal);
  const made = (await readVm(vs, job, signal)).snapshots.find((s) => s.name === name);
  if (!made) throw new MoverError('vsphere-error', `snapshot ${name} was made but the VM does not list it; the reconciler retries the pass`);
  return made.snapshot;
}

export async function snapshotDevices(vs: Vsphere, snapshot: MoRef, signal: AbortSignal): Promise<{ disks: VmDisk[]; controllers: Map<number, string> }> {
  const props = await vs.call('reading the snapshot', () => properties(vs, snapshot, 'VirtualMachineSnapshot', ['config.hardware.device']), signal);
  return readDevices(props.get('config.hardware.device'));
}

export async function removeSnapshot(vs: Vsphere, snapshot: MoRef, signal: AbortSignal): Promise<void> {
  await task(vs, 'RemoveSnapshot_Task', `${morefXml('_this', snapshot)}<removeChildren>false</removeChildren><consolidate>true</consolidate>`, signal);
}

export interface LeaseDisk {
  /** HttpNfcLeaseDeviceUrl.key: `/vm-42/VirtualLsiLogicController0:0` on vCenter. */
  key: string;
  url: URL;
  /** SHA-1 thumbprint of the host serving it, when not vCenter itself. */
  thumbprint: string;
}

export interface Lease {
  lease: MoRef;
  disks: LeaseDisk[];
}

/** ExportSnapshot, then waits until the lease is ready and says where each disk is served. */
export async function exportSnapshot(vs: Vsphere, snapshot: MoRef, signal: AbortSignal): Promise<Lease> {
  const lease = moref(child(await vs.transport.call('ExportSnapshot', morefXml('_this', snapshot)), 'returnval'));
  if (!lease) throw new MoverError('vsphere-error', "ExportSnapshot: vCenter's answer names no lease; the reconciler retries the pass");
  const end = Date.now() + 10 * 60_000;
  for (;;) {
    const props = await vs.call('reading the export lease', () => properties(vs, lease, 'HttpNfcLease', ['state', 'info', 'error']), signal);
    const state = str(props.get('state'));
    if (state === 'error') {
      const message = str(child(props.get('error'), 'localizedMessage')) ?? 'no reason given';
      throw new MoverError('export-failed', `vCenter could not export the snapshot (${message}); the reconciler retries the pass`);
    }
    if (state === 'ready') {
      const disks: LeaseDisk[] = [];
      for (const device of children(props.get('info'), 'deviceUrl')) {
        if (bool(child(device, 'disk')) !== true) continue;
        const url = new URL(str(child(device, 'url')) ?? '');
        if (url.hostname === '*') url.hostname = vs.datastore.base.hostname;
        disks.push({ key: str(child(device, 'key')) ?? '', url, thumbprint: str(child(device, 'sslThumbprint')) ?? '' });
      }
      return { lease, disks };
    }
    if (Date.now() > end) throw new MoverError('export-failed', 'the export lease did not become ready within 10 minutes; the reconciler retries the pass');
    await sleep(1000, signal);
  }
}

export async function leaseProgress(vs: Vsphere, lease: MoRef, percent: number): Promise<void> {
  await vs.transport.call('HttpNfcLeaseProgress', `${morefXml('_this', lease)}<percent>${Math.max(0, Math.min(100, Math.floor(percent)))}</percent>`);
}

export async function leaseComplete(vs: Vsphere, lease: MoRef): Promise<void> {
  await vs.transport.call('HttpNfcLeaseComplete', morefXml('_this', lease));
}

export async function leaseAbort(vs: Vsphere, lease: MoRef): Promise<void> {
  await vs.transport.call('HttpNfcLeaseAbort', morefXml('_this', lease)).catch((error: unknown) => {
    if (!isFault(error, 'ManagedObjectNotFound')) throw error;
  });
}

/**
 * The lease disk that serves a VM disk: by its controller and unit (vCenter's keys,
 * `/vm-42/VirtualLsiLogicController0:0`), else by its place among the disks (vcsim's `…/disk:N`).
 */
export function leaseDiskFor(lease: Lease, devices: { disks: VmDisk[]; controllers: Map<number, string> }, disk: VmDisk): LeaseDisk | null {
  const controller = devices.controllers.get(disk.controllerKey);
  if (controller !== undefined) {
    const exact = lease.disks.find((d) => d.key.endsWith(`/${controller}:${disk.unitNumber}`));
    if (exact) return exact;
  }
  const index = devices.disks.findIndex((d) => d.key === disk.key);
  return lease.disks.length === devices.disks.length ? (lease.disks[index] ?? null) : null;
}
