// Reading a powered-off VM's disk through the datastore's /folder interface: a disk image written
// into vcsim's datastore (HTTP PUT, as a descriptor and flat extents) read back byte for byte.

import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiskData } from '../../../src/providers/ports.js';
import { openFlatDisk, readFlatRange } from '../../../src/providers/vmware/disk-data.js';
import { openVmwareSource, type VmwareSource } from '../../../src/providers/vmware/index.js';
import type { MoRef } from '../../../src/providers/vmware/values.js';
import { admin, flatDescriptor, powerOff, putDatastoreFile, quietLog, vmsByName, type Admin } from './admin.js';
import { sourceFor, startVcsim, type Vcsim } from './peer-env.js';

let vcsim: Vcsim;
let a: Admin;
let provider: VmwareSource;
let vms: Map<string, MoRef>;
const uuids = new Map<string, string>();
const never = new AbortController().signal;

beforeAll(async () => {
  vcsim = await startVcsim();
  a = await admin(vcsim);
  vms = await vmsByName(a);
  provider = await openVmwareSource(sourceFor(vcsim), { log: quietLog, env: { VC_PASSWORD: 'pass' } });
  for (const instance of (await provider.inventory()).instances) uuids.set(instance.name, instance.uuid);
});

afterAll(async () => {
  await provider?.close();
  await a?.close();
  await vcsim?.stop();
});

async function collect(data: DiskData): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of data.stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Writes a disk image over a VM's disk: its descriptor and flat extents of the given sizes. */
async function writeDisk(vm: string, extents: number[], createType = 'vmfs'): Promise<Buffer> {
  const images = extents.map((size) => randomBytes(size));
  const files = extents.map((size, i) => ({ file: extents.length === 1 ? 'disk1-flat.vmdk' : `disk1-s00${i + 1}.vmdk`, size }));
  await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${vm}/disk1.vmdk`, Buffer.from(flatDescriptor(files, createType)));
  for (const [i, { file }] of files.entries()) await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${vm}/${file}`, images[i]!);
  return Buffer.concat(images);
}

describe('reading disks through /folder', () => {
  it('streams a powered-off VM disk byte for byte, with its exact size', async () => {
    const name = 'DC0_H0_VM0';
    await powerOff(a, vms.get(name)!);
    const written = await writeDisk(name, [5 * 1024 * 1024 + 7 * 512]);
    const data = await provider.readDisk(uuids.get(name)!, `[LocalDS_0] ${name}/disk1.vmdk`, 'offline', never);
    expect(data.size).toBe(written.length);
    const read = await collect(data);
    expect(read.length).toBe(written.length);
    expect(sha256(read)).toBe(sha256(written));
  });

  it('joins the extents of a split disk in order', async () => {
    const name = 'DC0_H0_VM1';
    await powerOff(a, vms.get(name)!);
    const written = await writeDisk(name, [1024 * 1024, 3 * 512, 2 * 1024 * 1024], 'twoGbMaxExtentFlat');
    const data = await provider.readDisk(uuids.get(name)!, `[LocalDS_0] ${name}/disk1.vmdk`, 'final', never);
    expect(data.size).toBe(written.length);
    expect(sha256(await collect(data))).toBe(sha256(written));
  });

  it('reads byte ranges of a split disk, across its extents (what the mover reads)', async () => {
    const name = 'DC0_H0_VM1';
    const written = await writeDisk(name, [1024 * 1024, 3 * 512, 2 * 1024 * 1024], 'twoGbMaxExtentFlat');
    const access = { base: new URL(vcsim.endpoint), agent: a.agent, cookie: () => a.transport.sessionCookie, timeoutMs: 30_000 };
    const flat = await openFlatDisk(access, 'DC0', `[LocalDS_0] ${name}/disk1.vmdk`, never);
    expect(flat.size).toBe(written.length);
    for (const [start, length] of [
      [0, 10],
      [1024 * 1024 - 100, 100 + 3 * 512 + 100],
      [1024 * 1024 + 512, 512],
      [written.length - 7, 7],
      [0, written.length],
    ] as const) {
      const chunks: Buffer[] = [];
      for await (const chunk of readFlatRange(access, flat, start, length, never)) chunks.push(Buffer.from(chunk));
      expect(Buffer.concat(chunks).equals(written.subarray(start, start + length))).toBe(true);
    }
    await expect(async () => {
      for await (const chunk of readFlatRange(access, flat, written.length - 1, 2, never)) void chunk;
    }).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('fails a stream whose extent file is shorter than its descriptor says', async () => {
    const name = 'DC0_H0_VM1';
    await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${name}/disk1.vmdk`, Buffer.from(flatDescriptor([{ file: 'disk1-flat.vmdk', size: 1024 * 1024 }])));
    await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${name}/disk1-flat.vmdk`, randomBytes(1000 * 512));
    const data = await provider.readDisk(uuids.get(name)!, `[LocalDS_0] ${name}/disk1.vmdk`, 'offline', never);
    await expect(collect(data)).rejects.toMatchObject({ code: 'disk-size-mismatch' });
  });

  it('refuses a running VM for a final or offline copy, and any background read', async () => {
    const name = 'DC0_C0_RP0_VM0';
    const disk = `[LocalDS_0] ${name}/disk1.vmdk`;
    await expect(provider.readDisk(uuids.get(name)!, disk, 'offline', never)).rejects.toMatchObject({ code: 'vm-running' });
    await expect(provider.readDisk(uuids.get(name)!, disk, 'final', never)).rejects.toMatchObject({ code: 'vm-running' });
    await expect(provider.readDisk(uuids.get(name)!, disk, 'background', never)).rejects.toMatchObject({ code: 'not-supported' });
  });

  it('says what is wrong with a disk that holds no descriptor, or a disk the VM does not have', async () => {
    const name = 'DC0_C0_RP0_VM1';
    await powerOff(a, vms.get(name)!);
    await expect(provider.readDisk(uuids.get(name)!, `[LocalDS_0] ${name}/disk1.vmdk`, 'offline', never)).rejects.toMatchObject({
      code: 'disk-unreadable',
      message: `disk [LocalDS_0] ${name}/disk1.vmdk: its file is empty, not a VMDK descriptor`,
    });
    await expect(provider.readDisk(uuids.get(name)!, `[LocalDS_0] ${name}/disk9.vmdk`, 'offline', never)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('stops the stream when the transfer is canceled', async () => {
    const name = 'DC0_H0_VM0';
    const stop = new AbortController();
    const data = await provider.readDisk(uuids.get(name)!, `[LocalDS_0] ${name}/disk1.vmdk`, 'offline', stop.signal);
    let read = 0;
    await expect(
      (async () => {
        for await (const chunk of data.stream) {
          read += chunk.byteLength;
          stop.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 'canceled' });
    expect(read).toBeLessThan(data.size);
  });
});
