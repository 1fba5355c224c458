// The writer: a disk's plan copied chunk by chunk onto a real file, read back and checkpointed;
// zeros left unwritten where the device already reads zero; a broken source retried; a run cut
// short resumed from its checkpoint, a chunk the device no longer holds copied again.

import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkpointPath, readCheckpoint, type CheckpointHeader } from '../../src/mover/checkpoint.js';
import { copyDisk, Throttle, type ChunkSource } from '../../src/mover/copy.js';
import { Device } from '../../src/mover/device.js';
import { chunksOf, type Range } from '../../src/mover/plan.js';
import { grainSource } from '../../src/mover/sources.js';
import { ProviderError } from '../../src/providers/ports.js';

const CHUNK = 64 * 1024;
const never = new AbortController().signal;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-mover-copy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The plan's chunks from `image`; `fail(index)` may throw instead of giving chunk `index`. Records where each open started. */
function memorySource(image: Buffer, plan: Range[], fail: (index: number) => Error | null = () => null): ChunkSource & { opened: number[] } {
  const chunks = [...chunksOf(plan, CHUNK)];
  const opened: number[] = [];
  return {
    opened,
    async *open(from) {
      opened.push(from);
      for (let i = from; i < chunks.length; i++) {
        const error = fail(i);
        if (error) throw error;
        yield image.subarray(chunks[i]!.start, chunks[i]!.start + chunks[i]!.length);
      }
    },
  };
}

function header(plan: Range[], capacity: number): CheckpointHeader {
  return { version: 1, op: 'op-1', pass: 'full', disk: '[ds] vm/vm.vmdk', device: 'disk0', capacity, chunk_bytes: CHUNK, source: '', copy: 'full', change_id: null, ranges: plan.map((r) => [r.start, r.length]) };
}

async function copy(target: string, image: Buffer, plan: Range[], source: ChunkSource, notices: string[] = []) {
  const path = checkpointPath(dir, 'op-1', 'disk0');
  const device = await Device.open(target, image.length);
  try {
    return await copyDisk({
      device,
      plan,
      header: header(plan, image.length),
      checkpointPath: path,
      previous: await readCheckpoint(path),
      source,
      signal: never,
      retry: { attempts: 3, firstDelayMs: 1 },
      throttle: new Throttle(0),
      onProgress: () => undefined,
      onNotice: (message) => notices.push(message),
    });
  } finally {
    await device.close();
  }
}

describe('copying a disk onto a device', () => {
  it('writes every byte, and reports the SHA-256 of what the device holds', async () => {
    const image = randomBytes(5 * CHUNK + 512);
    const target = join(dir, 'disk0.img');
    writeFileSync(target, '');
    const plan = [{ start: 0, length: image.length }];
    const result = await copy(target, image, plan, memorySource(image, plan));
    expect(readFileSync(target).equals(image)).toBe(true);
    expect(result).toEqual({ sha256: sha256(image), bytes: image.length });
    expect((await readCheckpoint(checkpointPath(dir, 'op-1', 'disk0')))!.done).toEqual(result);
  });

  it('leaves zero chunks unwritten where the device reads zero, and zeroes them where it does not', async () => {
    const image = Buffer.alloc(16 * CHUNK);
    image.fill(7, 3 * CHUNK, 4 * CHUNK);
    const plan = [{ start: 0, length: image.length }];
    const sparse = join(dir, 'sparse.img');
    writeFileSync(sparse, '');
    await copy(sparse, image, plan, memorySource(image, plan));
    expect(readFileSync(sparse).equals(image)).toBe(true);
    // Only the one chunk of data took room in the (sparse) file.
    expect(statSync(sparse).blocks * 512).toBeLessThanOrEqual(2 * CHUNK);

    rmSync(join(dir, 'op-1'), { recursive: true });
    const dirty = join(dir, 'dirty.img');
    writeFileSync(dirty, randomBytes(image.length));
    await copy(dirty, image, plan, memorySource(image, plan));
    expect(readFileSync(dirty).equals(image)).toBe(true);
  });

  it('copies only the ranges of a plan, and hashes them in plan order', async () => {
    const image = randomBytes(8 * CHUNK);
    const target = join(dir, 'disk0.img');
    const before = Buffer.alloc(image.length, 1);
    writeFileSync(target, before);
    const plan = [{ start: CHUNK + 100, length: 2 * CHUNK }, { start: 6 * CHUNK, length: 512 }];
    const result = await copy(target, image, plan, memorySource(image, plan));
    const expected = Buffer.from(before);
    for (const r of plan) image.copy(expected, r.start, r.start, r.start + r.length);
    expect(readFileSync(target).equals(expected)).toBe(true);
    expect(result.sha256).toBe(sha256(Buffer.concat(plan.map((r) => image.subarray(r.start, r.start + r.length)))));
    expect(result.bytes).toBe(2 * CHUNK + 512);
  });

  it('opens a source that broke on the wire again at the next chunk', async () => {
    const image = randomBytes(6 * CHUNK);
    const target = join(dir, 'disk0.img');
    writeFileSync(target, '');
    const plan = [{ start: 0, length: image.length }];
    let broke = false;
    const source = memorySource(image, plan, (i) => (i === 4 && !broke ? ((broke = true), new ProviderError('unreachable', 'the download broke (ECONNRESET)')) : null));
    const notices: string[] = [];
    await copy(target, image, plan, source, notices);
    expect(source.opened).toEqual([0, 4]);
    expect(readFileSync(target).equals(image)).toBe(true);
    expect(notices.join('\n')).toContain('trying again');
  });

  it('gives up after the bounded number of failures in a row', async () => {
    const image = randomBytes(2 * CHUNK);
    const target = join(dir, 'disk0.img');
    writeFileSync(target, '');
    const plan = [{ start: 0, length: image.length }];
    const source = memorySource(image, plan, (i) => (i === 1 ? new ProviderError('timeout', 'no data for 120 s') : null));
    await expect(copy(target, image, plan, source)).rejects.toMatchObject({ code: 'timeout' });
    expect(source.opened).toEqual([0, 1, 1, 1]);
  });

  it('resumes after its last verified chunk, and copies again from a chunk the device lost', async () => {
    const image = randomBytes(40 * CHUNK);
    const target = join(dir, 'disk0.img');
    writeFileSync(target, '');
    const plan = [{ start: 0, length: image.length }];
    // A first run that stops for good at chunk 35 (a failure that is not retried).
    await expect(copy(target, image, plan, memorySource(image, plan, (i) => (i === 35 ? new Error('stopped') : null)))).rejects.toThrow('stopped');
    const recorded = (await readCheckpoint(checkpointPath(dir, 'op-1', 'disk0')))!.chunks.length;
    expect(recorded).toBeGreaterThan(0);

    const resumed = memorySource(image, plan);
    const notices: string[] = [];
    expect((await copy(target, image, plan, resumed, notices)).sha256).toBe(sha256(image));
    expect(resumed.opened).toEqual([recorded]);
    expect(notices.join('\n')).toContain(`resuming at chunk ${recorded}`);
    expect(readFileSync(target).equals(image)).toBe(true);

    // The device loses chunk 2 after a run that is cut again: the copy goes on from there.
    rmSync(join(dir, 'op-1'), { recursive: true });
    writeFileSync(target, '');
    await expect(copy(target, image, plan, memorySource(image, plan, (i) => (i === 35 ? new Error('stopped') : null)))).rejects.toThrow('stopped');
    const damaged = readFileSync(target);
    damaged[2 * CHUNK + 5]! ^= 0xff;
    writeFileSync(target, damaged);
    const again = memorySource(image, plan);
    const said: string[] = [];
    expect((await copy(target, image, plan, again, said)).sha256).toBe(sha256(image));
    expect(again.opened).toEqual([2]);
    expect(said.join('\n')).toContain(`no longer holds the chunk at byte ${2 * CHUNK}`);
    expect(readFileSync(target).equals(image)).toBe(true);
  });
});

describe('a disk from a stream of grains', () => {
  async function collect(source: ChunkSource, from = 0): Promise<Buffer> {
    const out: Buffer[] = [];
    for await (const chunk of source.open(from, never)) out.push(Buffer.from(chunk));
    return Buffer.concat(out);
  }
  const grains = (list: { offset: number; data: Uint8Array }[]) => async () =>
    (async function* () {
      yield* list;
    })();

  it('fills the gaps between grains with zeros, grains straddling chunks included', async () => {
    const a = randomBytes(100);
    const b = randomBytes(CHUNK);
    const capacity = 3 * CHUNK;
    const source = grainSource(grains([{ offset: 10, data: a }, { offset: CHUNK + CHUNK / 2, data: b }]), capacity, CHUNK);
    const expected = Buffer.alloc(capacity);
    a.copy(expected, 10);
    b.copy(expected, CHUNK + CHUNK / 2);
    expect((await collect(source)).equals(expected)).toBe(true);
    expect((await collect(source, 2)).equals(expected.subarray(2 * CHUNK))).toBe(true);
  });

  it('refuses grains out of order', async () => {
    const source = grainSource(grains([{ offset: CHUNK, data: randomBytes(10) }, { offset: 0, data: randomBytes(10) }]), 2 * CHUNK, CHUNK);
    await expect(collect(source)).rejects.toMatchObject({ code: 'source-unreadable' });
  });
});
