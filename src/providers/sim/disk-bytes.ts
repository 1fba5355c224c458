// The bytes of a simulated disk, for transfers between the simulator and a real system (a sim
// source feeding a real Incus, a real vCenter feeding a sim target). The simulator models content
// as a number (the bytes ever written to the disk, `written`); here that number becomes bytes: a
// pseudo-random stream determined by the VM, the disk and `written`, so equal content means equal
// bytes and any write changes them. Tests compute the same bytes to check a copy byte for byte.

import { createHash } from 'node:crypto';

const CHUNK = 1 << 16;

function seedOf(vm: string, disk: string, written: number): Uint32Array {
  const digest = createHash('sha256').update(`${vm}\0${disk}\0${written}`).digest();
  return new Uint32Array(digest.buffer, digest.byteOffset, 4).slice();
}

/** Fills `out` from a xoshiro128** state (advanced in place): fast, and the same everywhere. */
function fill(state: Uint32Array, out: Uint8Array): void {
  const words = new Uint32Array(out.buffer, out.byteOffset, out.byteLength >>> 2);
  let [a, b, c, d] = [state[0]!, state[1]!, state[2]!, state[3]!];
  if ((a | b | c | d) === 0) a = 1;
  for (let i = 0; i < words.length; i++) {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9);
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    words[i] = r >>> 0;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * The disk's bytes, `size` of them, in chunks of 64 KiB. Stops early when `signal` aborts
 * (throwing its reason), like a connection that drops.
 */
export async function* simDiskChunks(vm: string, disk: string, written: number, size: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const state = seedOf(vm, disk, written);
  let left = size;
  while (left > 0) {
    signal?.throwIfAborted();
    const buffer = new Uint8Array(CHUNK);
    fill(state, buffer);
    const n = Math.min(left, CHUNK);
    left -= n;
    yield n === CHUNK ? buffer : buffer.subarray(0, n);
  }
}

/** SHA-256 (hex) of the bytes simDiskChunks yields, for checking a copy without keeping it. */
export async function simDiskDigest(vm: string, disk: string, written: number, size: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of simDiskChunks(vm, disk, written, size)) hash.update(chunk);
  return hash.digest('hex');
}
