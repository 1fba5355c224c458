// Where a disk's chunks come from. Ranged: byte ranges of the flat extents over the datastore
// interface (full and delta passes). Grains: a stream-optimized VMDK decoded grain by grain, the
// gaps between grains being zeros (warm pass).

import { readFlatRange, type DatastoreAccess, type FlatDisk } from '../providers/vmware/disk-data.js';
import type { ChunkSource } from './copy.js';
import { MoverError } from './failure.js';
import { chunksOf, type Range } from './plan.js';
import type { Grain } from './stream-vmdk.js';

/** Collects a stream of byte pieces into buffers of the given lengths, in order. */
async function* cut(pieces: AsyncIterable<Uint8Array>, lengths: Iterable<number>): AsyncGenerator<Buffer> {
  const iterator = pieces[Symbol.asyncIterator]();
  let piece: Uint8Array = new Uint8Array(0);
  try {
    for (const length of lengths) {
      const chunk = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        if (piece.length === 0) {
          const next = await iterator.next();
          if (next.done) throw new Error(`a range ended ${length - filled} bytes early`);
          piece = next.value;
          continue;
        }
        const take = Math.min(piece.length, length - filled);
        chunk.set(piece.subarray(0, take), filled);
        piece = piece.subarray(take);
        filled += take;
      }
      yield chunk;
    }
  } finally {
    await iterator.return?.();
  }
}

/** A flat disk read by range: one request per range of the plan (from the resume point on). */
export function rangedSource(access: DatastoreAccess, flat: FlatDisk, plan: readonly Range[], chunkBytes: number): ChunkSource {
  return {
    async *open(from, signal) {
      let index = 0;
      for (const range of plan) {
        const lengths = [...chunksOf([range], chunkBytes)].map((c) => c.length);
        if (index + lengths.length <= from) {
          index += lengths.length;
          continue;
        }
        const skip = Math.max(0, from - index);
        const start = range.start + skip * chunkBytes;
        const length = range.start + range.length - start;
        yield* cut(readFlatRange(access, flat, start, length, signal), lengths.slice(skip));
        index += lengths.length;
      }
    },
  };
}

/**
 * A whole disk (plan [0, capacity)) from a stream of grains in increasing offset order, opened
 * anew (`grains()`) for each attempt; the grains before the resume point are read and dropped.
 */
export function grainSource(grains: (signal: AbortSignal) => Promise<AsyncIterable<Grain>>, capacity: number, chunkBytes: number): ChunkSource {
  return {
    async *open(from, signal) {
      const iterator = (await grains(signal))[Symbol.asyncIterator]();
      let pending: Grain | null = null;
      let cursor = 0;
      try {
        for (const chunk of chunksOf([{ start: from * chunkBytes, length: capacity - from * chunkBytes }], chunkBytes)) {
          const end = chunk.start + chunk.length;
          const data = Buffer.alloc(chunk.length);
          for (;;) {
            if (pending === null) {
              const next = await iterator.next();
              if (next.done) break;
              pending = next.value;
              if (pending.offset < cursor) {
                throw new MoverError('source-unreadable', `the exported disk's grains are out of order (byte ${pending.offset} after byte ${cursor}); the reconciler retries the pass`);
              }
              cursor = pending.offset + pending.data.length;
              if (cursor > capacity) throw new MoverError('source-unreadable', `the exported disk has data past its capacity (${capacity} bytes)`);
            }
            if (pending.offset >= end) break;
            const skip = Math.max(0, chunk.start - pending.offset);
            const at = Math.max(0, pending.offset - chunk.start);
            const take = Math.min(pending.data.length - skip, chunk.length - at);
            if (take > 0) data.set(pending.data.subarray(skip, skip + take), at);
            if (pending.offset + pending.data.length > end) break;
            pending = null;
          }
          yield data;
        }
      } finally {
        await iterator.return?.();
      }
    },
  };
}
