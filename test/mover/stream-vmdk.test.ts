// The stream-optimized VMDK decoder on handmade streams: what it yields from a well-formed one
// (NFC layout: grains, grain tables, the directory, the footer, the end marker) and where it stops
// a damaged one. qemu-img's streams are the peer suite's (test/peers/qemu/).

import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openStreamVmdk, type Grain } from '../../src/mover/stream-vmdk.js';

const SECTOR = 512;
const GRAIN = 128; // sectors
const GD_AT_END = 0xffffffffffffffffn;

interface HeaderFields {
  magic: string;
  version: number;
  flags: number;
  capacity: number;
  grainSize: number;
  descriptorOffset: number;
  descriptorSize: number;
  gtes: number;
  gdOffset: bigint;
  overHead: number;
  newline: string;
  compression: number;
}

const HEADER: HeaderFields = {
  magic: 'KDMV',
  version: 3,
  flags: 0x30001,
  capacity: 4 * GRAIN + 3, // four grains and a partial fifth
  grainSize: GRAIN,
  descriptorOffset: 1,
  descriptorSize: 1,
  gtes: 512,
  gdOffset: GD_AT_END,
  overHead: 2,
  newline: '\n \r\n',
  compression: 1,
};

function header(patch: Partial<HeaderFields> = {}): Buffer {
  const h = { ...HEADER, ...patch };
  const b = Buffer.alloc(SECTOR);
  b.write(h.magic, 0, 'latin1');
  b.writeUInt32LE(h.version, 4);
  b.writeUInt32LE(h.flags, 8);
  b.writeBigUInt64LE(BigInt(h.capacity), 12);
  b.writeBigUInt64LE(BigInt(h.grainSize), 20);
  b.writeBigUInt64LE(BigInt(h.descriptorOffset), 28);
  b.writeBigUInt64LE(BigInt(h.descriptorSize), 36);
  b.writeUInt32LE(h.gtes, 44);
  b.writeBigUInt64LE(h.gdOffset, 56);
  b.writeBigUInt64LE(BigInt(h.overHead), 64);
  b.write(h.newline, 73, 'latin1');
  b.writeUInt16LE(h.compression, 77);
  return b;
}

const descriptor = () => Buffer.concat([Buffer.from('# Disk DescriptorFile\ncreateType="streamOptimized"\n'), Buffer.alloc(SECTOR - 51)]);

function padded(b: Buffer): Buffer {
  return Buffer.concat([b, Buffer.alloc((SECTOR - (b.length % SECTOR)) % SECTOR)]);
}

/** A grain marker and its compressed data; `size` overrides the compressed size it states. */
function grain(lba: number, data: Buffer, options: { compressed?: Buffer; size?: number } = {}): Buffer {
  const compressed = options.compressed ?? deflateSync(data);
  const size = options.size ?? compressed.length;
  const marker = Buffer.alloc(12);
  marker.writeBigUInt64LE(BigInt(lba), 0);
  marker.writeUInt32LE(size, 8);
  return padded(Buffer.concat([marker, compressed]));
}

function marker(type: number, sectors: number): Buffer {
  const b = Buffer.alloc(SECTOR);
  b.writeBigUInt64LE(BigInt(sectors), 0);
  b.writeUInt32LE(type, 12);
  return b;
}

const eos = () => marker(0, 0);
const table = () => Buffer.concat([marker(1, 4), Buffer.alloc(4 * SECTOR)]);
const directory = () => Buffer.concat([marker(2, 1), Buffer.alloc(SECTOR)]);
const footer = (patch: Partial<HeaderFields> = {}) => Buffer.concat([marker(3, 1), header(patch)]);

function pattern(sectors: number, seed: number): Buffer {
  const b = Buffer.alloc(sectors * SECTOR);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** The bytes as a stream of chunks of `chunk` bytes. */
async function* chunks(parts: Buffer[], chunk = 700): AsyncGenerator<Uint8Array> {
  const all = Buffer.concat(parts);
  for (let at = 0; at < all.length; at += chunk) yield all.subarray(at, at + chunk);
}

async function decode(parts: Buffer[], signal?: AbortSignal): Promise<{ capacity: number; grainSize: number; grains: Grain[] }> {
  const vmdk = await openStreamVmdk(chunks(parts), signal);
  const grains: Grain[] = [];
  for await (const g of vmdk.grains) grains.push({ offset: g.offset, data: Uint8Array.from(g.data) });
  return { capacity: vmdk.capacity, grainSize: vmdk.grainSize, grains };
}

const front = () => [header(), descriptor()];
// Comparing 64 KiB buffers element by element is slow; their base64 text is not.
const base64Of = (data: Uint8Array) => Buffer.from(data).toString('base64');
const base64 = (g: Grain) => [g.offset, base64Of(g.data)];
/** A grain that does not compress: 129 sectors in the stream. */
const noisy = grain(0, randomBytes(GRAIN * SECTOR));
const at = (sector: number) => sector * SECTOR;

describe('decoding a stream-optimized VMDK', () => {
  it('yields each grain at its disk offset and ends at the end-of-stream marker', async () => {
    const first = pattern(GRAIN, 1);
    const third = pattern(GRAIN, 3);
    const last = pattern(3, 5);
    const decoded = await decode([...front(), grain(0, first), grain(2 * GRAIN, third), grain(4 * GRAIN, last), table(), directory(), footer({ gdOffset: 40n }), eos(), Buffer.from('ignored')]);
    expect(decoded.capacity).toBe((4 * GRAIN + 3) * SECTOR);
    expect(decoded.grainSize).toBe(GRAIN * SECTOR);
    expect(decoded.grains.map(base64)).toEqual([
      [0, base64Of(first)],
      [at(2 * GRAIN), base64Of(third)],
      [at(4 * GRAIN), base64Of(last)],
    ]);
  });

  it('cuts a last grain padded past the disk back to the disk, when the padding is zeros', async () => {
    const full = Buffer.concat([pattern(3, 7), Buffer.alloc((GRAIN - 3) * SECTOR)]);
    const { grains } = await decode([...front(), grain(4 * GRAIN, full), eos()]);
    expect(grains.map(base64)).toEqual([[at(4 * GRAIN), base64Of(pattern(3, 7))]]);
  });

  it('reads a file whose tables are in front (as qemu-img writes) to its end, without an end marker', async () => {
    const tablesInFront = header({ gdOffset: 1n, overHead: 2 });
    expect((await decode([tablesInFront, descriptor()])).grains).toEqual([]);
    const { grains } = await decode([tablesInFront, descriptor(), grain(0, pattern(GRAIN, 1)), grain(GRAIN, pattern(GRAIN, 2))]);
    expect(grains.map(base64)).toEqual([
      [0, base64Of(pattern(GRAIN, 1))],
      [at(GRAIN), base64Of(pattern(GRAIN, 2))],
    ]);
  });

  it('stops reading its source when the caller stops', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield* chunks([...front(), grain(0, pattern(GRAIN, 1)), grain(GRAIN, pattern(GRAIN, 2)), eos()]);
      } finally {
        closed = true;
      }
    }
    const vmdk = await openStreamVmdk(source());
    for await (const g of vmdk.grains) {
      expect(g.offset).toBe(0);
      break;
    }
    expect(closed).toBe(true);
  });

  it('stops with canceled when the signal aborts', async () => {
    const stop = new AbortController();
    stop.abort();
    await expect(decode([...front(), eos()], stop.signal)).rejects.toMatchObject({ code: 'canceled' });
  });
});

describe('refusing a damaged stream-optimized VMDK, with where', () => {
  const cases: { name: string; parts: () => Buffer[]; offset: number; message: RegExp }[] = [
    { name: 'a file that is no VMDK', parts: () => [Buffer.from('# Disk DescriptorFile'.padEnd(SECTOR))], offset: 0, message: /no KDMV magic/ },
    { name: 'an unknown version', parts: () => [header({ version: 4 }), descriptor(), eos()], offset: 0, message: /version 4/ },
    { name: 'a sparse VMDK without markers', parts: () => [header({ flags: 0x10001 }), descriptor(), eos()], offset: 0, message: /not a stream-optimized VMDK/ },
    { name: 'a grain size that is no power of two', parts: () => [header({ grainSize: 96 }), descriptor(), eos()], offset: 0, message: /grain size 96/ },
    { name: 'a grain size past 1 MiB', parts: () => [header({ grainSize: 4096 }), descriptor(), eos()], offset: 0, message: /grain size 4096/ },
    { name: 'a capacity of zero', parts: () => [header({ capacity: 0 }), descriptor(), eos()], offset: 0, message: /capacity 0/ },
    { name: 'a compression that is not deflate', parts: () => [header({ compression: 0 }), descriptor(), eos()], offset: 0, message: /compression algorithm 0/ },
    { name: 'newline characters a text transfer altered', parts: () => [header({ newline: '\n \n\n' }), descriptor(), eos()], offset: 0, message: /text-mode transfer/ },
    { name: 'a descriptor outside the metadata', parts: () => [header({ descriptorSize: 4 }), descriptor(), eos()], offset: 0, message: /descriptor/ },
    { name: 'a stream cut inside its metadata', parts: () => [header({ overHead: 8 }), descriptor()], offset: at(2), message: /ends before the metadata/ },
    { name: 'a grain off a grain boundary', parts: () => [...front(), grain(5, pattern(GRAIN, 1)), eos()], offset: at(2), message: /not on a grain boundary/ },
    { name: 'a grain past the disk', parts: () => [...front(), grain(5 * GRAIN, pattern(GRAIN, 1)), eos()], offset: at(2), message: /past the disk's/ },
    {
      name: 'a grain that goes back',
      parts: () => [...front(), grain(GRAIN, pattern(1, 1)), grain(0, pattern(1, 2)), eos()],
      offset: at(3),
      message: /after the grain before it/,
    },
    {
      name: 'the same grain twice',
      parts: () => [...front(), grain(GRAIN, pattern(1, 1)), grain(GRAIN, pattern(1, 2)), eos()],
      offset: at(3),
      message: /after the grain before it/,
    },
    { name: 'a compressed size larger than a grain needs', parts: () => [...front(), grain(0, pattern(1, 1), { size: 1 << 20 }), eos()], offset: at(2), message: /compressed bytes/ },
    { name: 'a grain that does not inflate', parts: () => [...front(), grain(0, pattern(1, 1), { compressed: Buffer.from('not zlib at all') }), eos()], offset: at(2), message: /does not decompress/ },
    { name: 'a grain that inflates past a grain', parts: () => [...front(), grain(0, pattern(GRAIN + 1, 1)), eos()], offset: at(2), message: /inflates past 65536 bytes/ },
    { name: 'a grain of part of a sector', parts: () => [...front(), grain(0, Buffer.alloc(100, 1)), eos()], offset: at(2), message: /not whole sectors/ },
    { name: 'a last grain with data past the disk', parts: () => [...front(), grain(4 * GRAIN, pattern(4, 1)), eos()], offset: at(2), message: /past the end of the disk/ },
    { name: 'a grain cut short', parts: () => [...front(), noisy.subarray(0, 1000)], offset: at(2) + 1000, message: /ends before grain at sector 0/ },
    { name: 'an unknown marker', parts: () => [...front(), marker(7, 0), eos()], offset: at(2), message: /unknown marker type 7/ },
    { name: 'a grain table marker of the wrong size', parts: () => [...front(), marker(1, 9), Buffer.alloc(9 * SECTOR), eos()], offset: at(2), message: /grain table marker says 9 sectors, not 4/ },
    { name: 'a grain directory marker of the wrong size', parts: () => [...front(), marker(2, 3), Buffer.alloc(3 * SECTOR), eos()], offset: at(2), message: /grain directory marker says 3 sectors, not 1/ },
    { name: 'a footer of another disk', parts: () => [...front(), footer({ capacity: 99 }), eos()], offset: at(3), message: /footer's geometry/ },
    { name: 'an end marker with a size', parts: () => [...front(), marker(0, 2)], offset: at(2), message: /end-of-stream marker with 2 sectors/ },
    { name: 'a stream without its end marker', parts: () => [...front(), noisy], offset: at(2) + noisy.length, message: /no end-of-stream marker/ },
    { name: 'an NFC stream of zeros without its end marker', parts: () => [...front()], offset: at(2), message: /no end-of-stream marker/ },
  ];

  it.each(cases)('refuses $name', async ({ parts, offset, message }) => {
    const failure = await decode(parts()).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'vmdk-invalid', offset });
    expect((failure as Error).message).toMatch(message);
    expect((failure as Error).message).toMatch(new RegExp(`^stream-optimized VMDK, byte ${offset}: `));
  });
});
