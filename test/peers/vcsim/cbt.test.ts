// What Ferry's vcsim adds for the mover: change ids on the disks of tracked VMs (at a snapshot and
// at power-on), QueryChangedDiskAreas answered from the blocks the test writes, and NFC exports
// of disks as stream-optimized VMDKs (decoded with the mover's own decoder).

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStreamVmdk } from '../../../src/mover/stream-vmdk.js';
import { send } from '../../../src/providers/vmware/http.js';
import { bool, int, items, moref, morefXml, str, type MoRef } from '../../../src/providers/vmware/values.js';
import { child, children, escapeXml } from '../../../src/providers/vmware/xml.js';
import { admin, createSnapshot, flatDescriptor, powerOff, powerOn, putDatastoreFile, reconfigure, vmsByName, type Admin } from './admin.js';
import { startVcsim, type Vcsim } from './peer-env.js';

const BLOCK = 64 * 1024;
/** vcsim answers at most this much disk per QueryChangedDiskAreas call, so the tests page. */
const PAGE = 1024 * 1024;
const CHANGE_ID = /^52( [0-9a-f]{2}){7}-[0-9a-f]{2}( [0-9a-f]{2}){7}\/\d+$/;

let vcsim: Vcsim;
let a: Admin;
let vms: Map<string, MoRef>;

beforeAll(async () => {
  vcsim = await startVcsim(['-cbt-page', String(PAGE)]);
  a = await admin(vcsim);
  vms = await vmsByName(a);
});

afterAll(async () => {
  await a?.close();
  await vcsim?.stop();
});

interface Disk {
  key: number;
  changeId: string | undefined;
}

async function disks(obj: MoRef): Promise<Disk[]> {
  const [found] = await a.client.retrieve({ propSet: [{ type: obj.type, paths: ['config.hardware.device'] }], objectSet: [{ obj }] });
  return items(found?.props.get('config.hardware.device'))
    .filter((device) => device.type === 'VirtualDisk')
    .map((device) => ({ key: int(child(device, 'key'))!, changeId: str(child(child(device, 'backing'), 'changeId')) }));
}

async function currentSnapshot(vm: MoRef): Promise<MoRef> {
  const [found] = await a.client.retrieve({ propSet: [{ type: 'VirtualMachine', paths: ['snapshot.currentSnapshot'] }], objectSet: [{ obj: vm }] });
  return moref(found!.props.get('snapshot.currentSnapshot'))!;
}

async function snapshot(vm: MoRef, name: string): Promise<MoRef> {
  await createSnapshot(a, vm, name);
  return currentSnapshot(vm);
}

async function setTracking(vm: MoRef, on: boolean): Promise<void> {
  await reconfigure(a, vm, `<changeTrackingEnabled>${on}</changeTrackingEnabled>`);
}

interface Area {
  start: number;
  length: number;
}

async function changedAreasPage(vm: MoRef, snap: MoRef | null, key: number, startOffset: number, changeId: string): Promise<{ startOffset: number; length: number; areas: Area[] }> {
  const response = await a.transport.call(
    'QueryChangedDiskAreas',
    `${morefXml('_this', vm)}${snap ? morefXml('snapshot', snap) : ''}<deviceKey>${key}</deviceKey><startOffset>${startOffset}</startOffset><changeId>${escapeXml(changeId)}</changeId>`,
  );
  const info = child(response, 'returnval');
  return {
    startOffset: int(child(info, 'startOffset'))!,
    length: int(child(info, 'length'))!,
    areas: children(info, 'changedArea').map((area) => ({ start: int(child(area, 'start'))!, length: int(child(area, 'length'))! })),
  };
}

/** Every changed area of the disk, paged as a caller must; areas that meet across pages are joined. */
async function changedAreas(vm: MoRef, snap: MoRef | null, key: number, capacity: number, changeId: string): Promise<{ areas: Area[]; pages: number }> {
  const areas: Area[] = [];
  let pages = 0;
  for (let offset = 0; offset < capacity; pages++) {
    const page = await changedAreasPage(vm, snap, key, offset, changeId);
    expect(page.startOffset).toBe(offset);
    expect(page.length).toBeGreaterThan(0);
    for (const area of page.areas) {
      expect(area.start).toBeGreaterThanOrEqual(offset);
      expect(area.start + area.length).toBeLessThanOrEqual(offset + page.length);
      const last = areas.at(-1);
      if (last && last.start + last.length === area.start) last.length += area.length;
      else areas.push({ ...area });
    }
    offset += page.length;
  }
  return { areas, pages };
}

/** The areas of the given 64 KiB blocks, adjacent blocks joined, the last one cut at the capacity. */
function blockAreas(blocks: number[], capacity: number): Area[] {
  const areas: Area[] = [];
  for (const block of [...new Set(blocks)].sort((x, y) => x - y)) {
    const start = block * BLOCK;
    const length = Math.min(BLOCK, capacity - start);
    const last = areas.at(-1);
    if (last && last.start + last.length === start) last.length += length;
    else areas.push({ start, length });
  }
  return areas;
}

function nonZeroBlocks(data: Buffer): number[] {
  const blocks: number[] = [];
  for (let block = 0; block * BLOCK < data.length; block++) {
    if (data.subarray(block * BLOCK, (block + 1) * BLOCK).some((byte) => byte !== 0)) blocks.push(block);
  }
  return blocks;
}

async function writeDisk(vm: string, data: Buffer): Promise<void> {
  await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${vm}/disk1.vmdk`, Buffer.from(flatDescriptor([{ file: 'disk1-flat.vmdk', size: data.length }])));
  await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${vm}/disk1-flat.vmdk`, data);
}

/** A disk image of odd size with random data in some places and zeros elsewhere. */
function sparseImage(size: number, dataBlocks: number[]): Buffer {
  const image = Buffer.alloc(size);
  for (const block of dataBlocks) randomBytes(Math.min(BLOCK, size - block * BLOCK)).copy(image, block * BLOCK);
  return image;
}

/** Overwrites `length` bytes at `offset` with random bytes; returns the 64 KiB blocks it touched. */
function scribble(image: Buffer, offset: number, length: number): number[] {
  randomBytes(length).copy(image, offset);
  const blocks: number[] = [];
  for (let block = Math.floor(offset / BLOCK); block * BLOCK < offset + length; block++) blocks.push(block);
  return blocks;
}

function faultOf(promise: Promise<unknown>): Promise<{ code: string; fault: string; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected a fault');
    },
    (error: { code: string; fault: string; message: string }) => error,
  );
}

describe('change tracking', () => {
  const name = 'DC0_H0_VM0';
  const capacity = 3 * 1024 * 1024 + 5 * 512; // the last block is partial
  const image = sparseImage(capacity, [0, 2, 3, 20, 48]);
  let vm: MoRef;
  let key: number;
  let poweredOnId: string;
  let warm: MoRef;
  let warmId: string;
  let cutover: MoRef;
  let cutoverId: string;
  let changed: number[];

  beforeAll(async () => {
    vm = vms.get(name)!;
    await powerOff(a, vm);
    await writeDisk(name, image);
    key = (await disks(vm))[0]!.key;
  });

  it('gives no change id while tracking is off, even across a snapshot and a power cycle', async () => {
    const other = vms.get('DC0_H0_VM1')!;
    await powerOff(a, other);
    await powerOn(a, other);
    const snap = await snapshot(other, 'untracked');
    expect((await disks(other)).map((d) => d.changeId)).toEqual([undefined]);
    expect((await disks(snap)).map((d) => d.changeId)).toEqual([undefined]);
    const fault = await faultOf(changedAreasPage(other, snap, (await disks(other))[0]!.key, 0, '*'));
    expect(fault.fault).toBe('FileFault');
  });

  it('gives a disk a change id when the tracked VM powers on, not when tracking is switched on', async () => {
    await setTracking(vm, true);
    expect((await disks(vm))[0]!.changeId).toBeUndefined();
    await powerOn(a, vm);
    poweredOnId = (await disks(vm))[0]!.changeId!;
    expect(poweredOnId).toMatch(CHANGE_ID);
  });

  it("gives a snapshot's disk a new change id of the same tracking file, in the snapshot's config too", async () => {
    warm = await snapshot(vm, 'warm');
    warmId = (await disks(warm))[0]!.changeId!;
    expect(warmId).toMatch(CHANGE_ID);
    expect(warmId).not.toBe(poweredOnId);
    expect(warmId.split('/')[0]).toBe(poweredOnId.split('/')[0]);
    expect((await disks(vm))[0]!.changeId).toBe(warmId);
  });

  it('answers every area that is not zero for change id "*", page by page', async () => {
    const { areas, pages } = await changedAreas(vm, warm, key, capacity, '*');
    expect(areas).toEqual(blockAreas(nonZeroBlocks(image), capacity));
    expect(pages).toBe(Math.ceil(capacity / PAGE));
  });

  it('answers no area between two epochs whose data is the same', async () => {
    expect((await changedAreas(vm, warm, key, capacity, poweredOnId)).areas).toEqual([]);
  });

  it('answers exactly the blocks written since a change id, joined where they meet, across pages', async () => {
    changed = [
      ...scribble(image, 100_000, 10), // inside block 1
      ...scribble(image, 16 * BLOCK - 100, 200), // blocks 15 and 16, across the first page boundary
      ...scribble(image, 30 * BLOCK + 65_000, 1000), // blocks 30 and 31
      ...scribble(image, capacity - 512, 512), // the partial last block
    ];
    await writeDisk(name, image);
    cutover = await snapshot(vm, 'cutover');
    cutoverId = (await disks(cutover))[0]!.changeId!;
    expect((await changedAreas(vm, cutover, key, capacity, warmId)).areas).toEqual(blockAreas(changed, capacity));
    // The older snapshot still answers as of when it was taken.
    expect((await changedAreas(vm, warm, key, capacity, poweredOnId)).areas).toEqual([]);
  });

  it('answers the disk as it is now for a powered-off VM without a snapshot, and refuses that while it runs', async () => {
    const fault = await faultOf(changedAreasPage(vm, null, key, 0, cutoverId));
    expect(fault).toMatchObject({ fault: 'InvalidPowerState' });
    const late = scribble(image, 40 * BLOCK, 4096);
    await writeDisk(name, image);
    await powerOff(a, vm);
    expect((await changedAreas(vm, null, key, capacity, cutoverId)).areas).toEqual(blockAreas(late, capacity));
    expect((await changedAreas(vm, null, key, capacity, warmId)).areas).toEqual(blockAreas([...changed, ...late], capacity));
  });

  it('faults on a change id the disk does not know, and on a malformed one', async () => {
    const unknown = `${warmId.split('/')[0]}/999`;
    expect(await faultOf(changedAreasPage(vm, cutover, key, 0, unknown))).toMatchObject({ fault: 'FileFault' });
    expect(await faultOf(changedAreasPage(vm, cutover, key, 0, `52 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00/1`))).toMatchObject({ fault: 'FileFault' });
    expect(await faultOf(changedAreasPage(vm, cutover, key, 0, 'last week'))).toMatchObject({ fault: 'InvalidArgument', message: expect.stringContaining('changeId') });
    expect(await faultOf(changedAreasPage(vm, cutover, key + 1000, 0, warmId))).toMatchObject({ fault: 'InvalidArgument' });
    expect(await faultOf(changedAreasPage(vm, cutover, key, capacity, warmId))).toMatchObject({ fault: 'InvalidArgument' });
  });

  it('forgets the change ids when tracking is switched off: the disk loses its id and the old ids fault', async () => {
    await setTracking(vm, false);
    await powerOn(a, vm);
    expect((await disks(vm))[0]!.changeId).toBeUndefined();
    await setTracking(vm, true);
    const restarted = await snapshot(vm, 'restarted');
    const fresh = (await disks(restarted))[0]!.changeId!;
    expect(fresh.split('/')[0]).not.toBe(warmId.split('/')[0]);
    expect(await faultOf(changedAreasPage(vm, restarted, key, 0, warmId))).toMatchObject({ fault: 'FileFault' });
  });
});

describe('exporting a snapshot over NFC', () => {
  const name = 'DC0_H0_VM1';

  async function exportSnapshot(snap: MoRef): Promise<{ lease: MoRef; urls: { url: string; disk: boolean }[] }> {
    const lease = moref(child(await a.transport.call('ExportSnapshot', morefXml('_this', snap)), 'returnval'))!;
    const [found] = await a.client.retrieve({ propSet: [{ type: 'HttpNfcLease', paths: ['state', 'info'] }], objectSet: [{ obj: lease }] });
    expect(str(found!.props.get('state'))).toBe('ready');
    const urls = children(found!.props.get('info'), 'deviceUrl').map((device) => ({ url: str(child(device, 'url'))!, disk: bool(child(device, 'disk')) ?? false }));
    return { lease, urls };
  }

  async function download(url: string): Promise<{ status: number; body: AsyncIterable<Uint8Array> }> {
    const controller = new AbortController();
    const response = await send({ method: 'GET', url: new URL(url), headers: {}, agent: a.agent, signal: controller.signal, what: `GET ${url}` });
    return { status: response.statusCode ?? 0, body: response };
  }

  it('serves a disk as a stream-optimized VMDK that decodes to the disk, zero grains left out', async () => {
    const vm = vms.get(name)!;
    const capacity = 5 * 1024 * 1024 + 3 * 512;
    const image = sparseImage(capacity, [0, 1, 7, 40, 80]);
    await writeDisk(name, image);
    const snap = await snapshot(vm, 'export');
    const { lease, urls } = await exportSnapshot(snap);
    const disk = urls.find((u) => u.disk)!;
    expect(disk.url).toMatch(/\/nfc\/.+\/disk1\.vmdk$/);

    const { status, body } = await download(disk.url);
    expect(status).toBe(200);
    const vmdk = await openStreamVmdk(body);
    expect(vmdk).toMatchObject({ capacity, grainSize: BLOCK });
    const decoded = Buffer.alloc(capacity);
    const offsets: number[] = [];
    for await (const grain of vmdk.grains) {
      decoded.set(grain.data, grain.offset);
      offsets.push(grain.offset);
    }
    expect(decoded.equals(image)).toBe(true);
    expect(offsets).toEqual(nonZeroBlocks(image).map((block) => block * BLOCK));

    await a.transport.call('HttpNfcLeaseComplete', morefXml('_this', lease));
    expect((await download(disk.url)).status).toBe(404);
  });

  it('serves the disk as it is when the export is read: vcsim snapshots are not frozen copies', async () => {
    const vm = vms.get(name)!;
    const image = sparseImage(1024 * 1024, [3]);
    await writeDisk(name, image);
    const snap = await snapshot(vm, 'moving');
    const { urls } = await exportSnapshot(snap);
    scribble(image, 9 * BLOCK, 512);
    await writeDisk(name, image);
    const vmdk = await openStreamVmdk((await download(urls.find((u) => u.disk)!.url)).body);
    const decoded = Buffer.alloc(vmdk.capacity);
    for await (const grain of vmdk.grains) decoded.set(grain.data, grain.offset);
    expect(decoded.equals(image)).toBe(true);
  });
});
