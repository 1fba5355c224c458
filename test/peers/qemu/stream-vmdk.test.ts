// The mover's stream-optimized VMDK decoder against qemu-img, which writes the format as VMware
// specifies it (`-O vmdk -o subformat=streamOptimized`): random and sparse disks of odd sizes
// decode to the same bytes qemu-img's own conversion back to raw gives.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStreamVmdk } from '../../../src/mover/stream-vmdk.js';
import { qemuPeer, type QemuPeer } from './peer-env.js';

const run = promisify(execFile);
const KiB = 1024;
const MiB = 1024 * KiB;

let qemu: QemuPeer;
let dir: string;

beforeAll(async () => {
  qemu = qemuPeer();
  dir = await mkdtemp(join(tmpdir(), 'ferry-stream-vmdk-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A disk of `size` bytes, zeros except the given ranges, which hold random bytes. */
function disk(size: number, data: [offset: number, length: number][]): Buffer {
  const image = Buffer.alloc(size);
  for (const [offset, length] of data) randomBytes(length).copy(image, offset);
  return image;
}

/** Decodes a stream-optimized VMDK file read in chunks of `chunk` bytes into a disk image. */
async function decode(file: string, chunk: number): Promise<{ image: Buffer; grainSize: number; offsets: number[] }> {
  const vmdk = await openStreamVmdk(createReadStream(file, { highWaterMark: chunk }));
  const image = Buffer.alloc(vmdk.capacity);
  const offsets: number[] = [];
  for await (const grain of vmdk.grains) {
    expect(grain.data.length % 512).toBe(0);
    expect(grain.data.length).toBeLessThanOrEqual(vmdk.grainSize);
    expect(grain.offset % vmdk.grainSize).toBe(0);
    image.set(grain.data, grain.offset);
    offsets.push(grain.offset);
  }
  return { image, grainSize: vmdk.grainSize, offsets };
}

const cases: { name: string; image: () => Buffer; chunk: number }[] = [
  { name: 'one sector of random bytes', image: () => disk(512, [[0, 512]]), chunk: 64 * KiB },
  { name: 'random bytes, 1 MiB and 3 sectors', image: () => disk(MiB + 3 * 512, [[0, MiB + 3 * 512]]), chunk: 64 * KiB },
  // qemu-img writes no end-of-stream marker: this file ends right after its last grain, the others on zero padding.
  { name: 'random bytes, exactly 2 MiB', image: () => disk(2 * MiB, [[0, 2 * MiB]]), chunk: 64 * KiB },
  { name: 'random bytes, 3 MiB and 7 sectors, read 1000 bytes at a time', image: () => disk(3 * MiB + 7 * 512, [[0, 3 * MiB + 7 * 512]]), chunk: 1000 },
  {
    name: 'a sparse 40 MiB and 5 sectors disk: scattered data, a grain with one sector, a run across grains, the last sector',
    image: () =>
      disk(40 * MiB + 5 * 512, [
        [0, 4 * KiB],
        [100_000, 300_000],
        [5 * MiB + 512, 512],
        [33 * MiB, 64 * KiB],
        [40 * MiB + 4 * 512, 512],
      ]),
    chunk: 16 * KiB,
  },
  { name: 'a disk of zeros', image: () => disk(2 * MiB, []), chunk: 64 * KiB },
];

describe('decoding qemu-img stream-optimized VMDKs', () => {
  it.each(cases)('decodes $name to what qemu-img converts back to raw', async ({ name, image, chunk }) => {
    const base = join(dir, name.replace(/\W+/g, '-'));
    const original = image();
    await writeFile(`${base}.raw`, original);
    await run(qemu.qemuImg, ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', `${base}.raw`, `${base}.vmdk`]);
    await run(qemu.qemuImg, ['convert', '-f', 'vmdk', '-O', 'raw', `${base}.vmdk`, `${base}.back.raw`]);
    const qemuRaw = await readFile(`${base}.back.raw`);

    const { image: decoded, grainSize, offsets } = await decode(`${base}.vmdk`, chunk);
    expect(grainSize).toBe(64 * KiB);
    expect(decoded.length).toBe(original.length);
    expect(decoded.equals(qemuRaw)).toBe(true);
    expect(decoded.equals(original)).toBe(true);
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    expect(new Set(offsets).size).toBe(offsets.length);
    if (original.every((byte) => byte === 0)) expect(offsets).toEqual([]);
  });
});
