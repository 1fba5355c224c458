// Copying one disk's plan onto its device, chunk by chunk: each chunk is written (a zero chunk
// only where the device does not already read zero), read back and compared with what was
// written, and recorded in the checkpoint with its SHA-256 once synced. A checkpoint left by an earlier run of the same op is
// verified on the device first, chunk by chunk; the copy goes on after the last chunk that still
// matches. A source that breaks on the wire is opened again at the next chunk, with back-off,
// a bounded number of times in a row.

import { createHash } from 'node:crypto';
import { sleep } from '../providers/vmware/client.js';
import { CheckpointWriter, type CheckpointChunk, type CheckpointHeader, type CheckpointState } from './checkpoint.js';
import type { Device } from './device.js';
import { isTransient, MoverError } from './failure.js';
import { chunksOf, type Range } from './plan.js';

/** Where a disk's bytes come from: the plan's chunks from chunk `from` on, each exactly its length. */
export interface ChunkSource {
  open(from: number, signal: AbortSignal): AsyncIterable<Uint8Array>;
}

export interface Retry {
  /** Failures in a row (without a chunk copied in between) before the copy gives up. */
  attempts: number;
  /** The first wait; each next one doubles. */
  firstDelayMs: number;
}

export interface CopyDiskOptions {
  device: Device;
  plan: readonly Range[];
  header: CheckpointHeader;
  checkpointPath: string;
  /** A checkpoint of the same op, disk and plan left by an earlier run, or null. */
  previous: CheckpointState | null;
  source: ChunkSource;
  signal: AbortSignal;
  retry: Retry;
  /** Shared by every disk of the pass: limits the rate of reads. */
  throttle: Throttle;
  /** Bytes of this disk's plan on the device so far. */
  onProgress(bytes: number): void;
  /** Something the operator should know (a retry, a chunk copied again). */
  onNotice(message: string): void;
}

export interface DiskCopyResult {
  sha256: string;
  bytes: number;
}

/** Written chunks are synced and recorded every this many chunks (64 MiB of 4 MiB chunks) or seconds, and at the end. */
const SYNC_CHUNKS = 16;
const SYNC_MS = 2000;

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

let zeros = Buffer.alloc(0);

function isZero(data: Uint8Array): boolean {
  if (zeros.length < data.length) zeros = Buffer.alloc(data.length);
  return Buffer.from(data.buffer, data.byteOffset, data.length).equals(zeros.subarray(0, data.length));
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

/**
 * Asks the source for the next chunk while the current one is written: the network and the
 * device work at the same time (one chunk ahead, so memory stays at two chunks).
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = iterator.next();
      // A failure of the read ahead is seen when its chunk is reached, not as an unhandled rejection.
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await iterator.return?.().catch(() => undefined);
  }
}

/** Spaces reads out to at most `bytesPerSecond` on average (0: no limit). */
export class Throttle {
  private readonly started = Date.now();
  private bytes = 0;

  constructor(private readonly bytesPerSecond: number) {}

  async take(bytes: number, signal: AbortSignal): Promise<void> {
    if (this.bytesPerSecond <= 0) return;
    this.bytes += bytes;
    const ahead = this.started + (this.bytes / this.bytesPerSecond) * 1000 - Date.now();
    if (ahead > 0) await sleep(ahead, signal);
  }
}

/** How many of a checkpoint's chunks the device still holds, and their bytes hashed in order. */
async function verifyPrevious(options: CopyDiskOptions, chunks: readonly Range[], hash: ReturnType<typeof createHash>): Promise<number> {
  const previous = options.previous;
  if (previous === null) return 0;
  let verified = 0;
  for (const recorded of previous.chunks) {
    const planned = chunks[verified];
    if (!planned || planned.start !== recorded.start || planned.length !== recorded.length) break;
    const data = await options.device.read(recorded.start, recorded.length);
    if (sha256(data) !== recorded.sha256) {
      options.onNotice(`the device no longer holds the chunk at byte ${recorded.start} that the checkpoint recorded: copying again from there`);
      break;
    }
    hash.update(data);
    verified++;
  }
  return verified;
}

export async function copyDisk(options: CopyDiskOptions): Promise<DiskCopyResult> {
  const { device, signal } = options;
  const chunks = [...chunksOf(options.plan, options.header.chunk_bytes)];
  const hash = createHash('sha256');
  let next = await verifyPrevious(options, chunks, hash);
  let done = chunks.slice(0, next).reduce((sum, c) => sum + c.length, 0);
  const previous = options.previous;
  if (previous !== null && next > 0) options.onNotice(`resuming at chunk ${next} of ${chunks.length} (${done} bytes verified on the device)`);
  const checkpoint =
    previous !== null ? await CheckpointWriter.resume(options.checkpointPath, previous, next) : await CheckpointWriter.create(options.checkpointPath, options.header);
  options.onProgress(done);

  let pending: CheckpointChunk[] = [];
  let lastSync = Date.now();
  const flush = async () => {
    await device.sync();
    await checkpoint.chunks(pending);
    pending = [];
    lastSync = Date.now();
  };

  const put = async (chunk: Range, data: Uint8Array) => {
    const expected = sha256(data);
    if (!(isZero(data) && isZero(await device.read(chunk.start, chunk.length)))) {
      await device.write(chunk.start, data);
      if (!same(data, await device.read(chunk.start, chunk.length))) {
        options.onNotice(`the device read back different bytes at byte ${chunk.start}: writing the chunk again`);
        await device.write(chunk.start, data);
        if (!same(data, await device.read(chunk.start, chunk.length))) {
          throw new MoverError('device-verify-failed', `device ${device.path} does not hold what was written at byte ${chunk.start} (read back twice): check the Incus storage pool`);
        }
      }
    }
    hash.update(data);
    pending.push({ start: chunk.start, length: chunk.length, sha256: expected });
    done += chunk.length;
    if (pending.length >= SYNC_CHUNKS || Date.now() - lastSync >= SYNC_MS) await flush();
    options.onProgress(done);
  };

  let failures = 0;
  while (next < chunks.length) {
    try {
      for await (const data of readAhead(options.source.open(next, signal))) {
        const chunk = chunks[next];
        if (chunk === undefined || data.length !== chunk.length) {
          throw new Error(`the source gave ${data.length} bytes for chunk ${next} of ${chunks.length} (${chunk?.length ?? 0} bytes expected)`);
        }
        await put(chunk, data);
        next++;
        failures = 0;
        await options.throttle.take(data.length, signal);
        if (next === chunks.length) break;
      }
      if (next < chunks.length) throw new Error(`the source ended at chunk ${next} of ${chunks.length}`);
    } catch (error) {
      if (!isTransient(error) || signal.aborted || ++failures > options.retry.attempts) throw error;
      const delay = options.retry.firstDelayMs * 2 ** (failures - 1);
      options.onNotice(`${(error as Error).message}: trying again in ${Math.round(delay / 1000)} s (${failures} of ${options.retry.attempts})`);
      await sleep(delay, signal);
    }
  }
  await flush();
  const result = { sha256: hash.digest('hex'), bytes: done };
  await checkpoint.done(result.sha256, result.bytes);
  return result;
}
