// Decoding a stream-optimized VMDK as it arrives: the format of a disk exported over NFC (an
// HttpNfcLease device URL) and of `qemu-img -O vmdk -o subformat=streamOptimized`. VMware's
// "Virtual Disk Format" spec: a 512-byte header (`KDMV`, hosted sparse version 1–3, flags saying
// compressed grains and markers), metadata up to `overHead`, then sector-aligned pieces, each
// starting with a marker — a grain (its first sector and compressed size, then zlib data), a grain
// table, the grain directory, the footer, and the end-of-stream marker (a file qemu-img wrote keeps
// its tables in front of the grains and simply ends). The tables only repeat where the grains are,
// so they are skipped: each grain is yielded where it belongs on the disk, and whatever no grain
// covers reads as zeros.
//
// Memory stays bounded whatever the stream says: one grain (at most MAX_GRAIN_BYTES) and the
// chunk being read. Anything that does not fit the format fails with `vmdk-invalid` and the byte
// offset in the stream where it was found.

import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import { ProviderError } from '../providers/ports.js';
import { abortReason } from '../providers/vmware/http.js';

export interface Grain {
  /** Byte offset on the disk. */
  offset: number;
  /** A multiple of 512 bytes, at most one grain. */
  data: Uint8Array;
}

export interface StreamVmdk {
  /** The disk's size in bytes. */
  capacity: number;
  /** Bytes. */
  grainSize: number;
  /** The grains in stream order (increasing offsets); iterate once. Ends at the end-of-stream marker. */
  grains: AsyncGenerator<Grain>;
}

export class StreamVmdkError extends ProviderError {
  constructor(
    /** Where in the stream (bytes from its start) the problem is. */
    readonly offset: number,
    what: string,
  ) {
    super('vmdk-invalid', `stream-optimized VMDK, byte ${offset}: ${what}`);
    this.name = 'StreamVmdkError';
  }
}

const SECTOR = 512;
const MAGIC = 0x564d444b; // "KDMV"
const FLAG_NEWLINE_TEST = 1 << 0;
const FLAG_COMPRESSED = 1 << 16;
const FLAG_MARKERS = 1 << 17;
const COMPRESSION_DEFLATE = 1;
/** VMware writes 64 KiB grains; anything past 1 MiB is refused rather than buffered. */
const MAX_GRAIN_BYTES = 1024 * 1024;
/** zlib never grows data by more than a few bytes per 64 KiB (stored blocks). */
const COMPRESSION_SLACK = 4096;
const MARKER_EOS = 0;
const MARKER_GT = 1;
const MARKER_GD = 2;
const MARKER_FOOTER = 3;
const GD_AT_END = 0xffffffffffffffffn;

const inflateAsync = promisify(inflate);

/**
 * Reads a stream-optimized VMDK's header and returns its geometry and a generator of its grains.
 * The header is read before this resolves; the grains as the caller iterates.
 */
export async function openStreamVmdk(stream: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<StreamVmdk> {
  const reader = new StreamReader(stream, signal);
  try {
    const header = parseHeader(await reader.read(SECTOR, 'the header'), 0);
    await reader.skip(header.overHead * SECTOR - SECTOR, 'the metadata before the first grain');
    return { capacity: header.capacity * SECTOR, grainSize: header.grainSize * SECTOR, grains: grainsOf(reader, header) };
  } catch (error) {
    await reader.close();
    throw error;
  }
}

interface Header {
  capacity: number;
  grainSize: number;
  numGTEsPerGT: number;
  overHead: number;
  /** Whether the grain directory is at the end (a stream), not in front of the grains (a file qemu-img wrote). */
  directoryAtEnd: boolean;
}

function parseHeader(bytes: Uint8Array, at: number): Header {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string): never => {
    throw new StreamVmdkError(at, what);
  };
  if (view.getUint32(0, true) !== MAGIC) fail('not a VMDK (no KDMV magic)');
  const version = view.getUint32(4, true);
  if (version < 1 || version > 3) fail(`sparse extent version ${version} is not one of 1, 2, 3`);
  const flags = view.getUint32(8, true);
  if ((flags & FLAG_COMPRESSED) === 0 || (flags & FLAG_MARKERS) === 0) {
    fail(`flags 0x${flags.toString(16)} do not say compressed grains with markers: not a stream-optimized VMDK`);
  }
  const capacity = u64(view, 12, at, 'capacity');
  const grainSize = u64(view, 20, at, 'grain size');
  const descriptorOffset = u64(view, 28, at, 'descriptor offset');
  const descriptorSize = u64(view, 36, at, 'descriptor size');
  const numGTEsPerGT = view.getUint32(44, true);
  const directoryAtEnd = view.getBigUint64(56, true) === GD_AT_END;
  const overHead = u64(view, 64, at, 'overhead');
  if (capacity === 0 || capacity * SECTOR > Number.MAX_SAFE_INTEGER) fail(`capacity ${capacity} sectors is out of range`);
  if (grainSize < 8 || (grainSize & (grainSize - 1)) !== 0 || grainSize * SECTOR > MAX_GRAIN_BYTES) {
    fail(`grain size ${grainSize} sectors is not a power of two from 8 to ${MAX_GRAIN_BYTES / SECTOR}`);
  }
  if (numGTEsPerGT === 0 || numGTEsPerGT > 1 << 20) fail(`${numGTEsPerGT} grain table entries per table is out of range`);
  if (overHead < 1 || overHead * SECTOR > Number.MAX_SAFE_INTEGER) fail(`overhead ${overHead} sectors is out of range`);
  if (descriptorSize > 0 && (descriptorOffset < 1 || descriptorOffset + descriptorSize > overHead)) {
    fail(`the descriptor (sectors ${descriptorOffset}+${descriptorSize}) is not inside the ${overHead} sectors before the grains`);
  }
  if ((flags & FLAG_NEWLINE_TEST) !== 0 && String.fromCharCode(...bytes.subarray(73, 77)) !== '\n \r\n') {
    fail('the newline detection characters are altered (the file went through a text-mode transfer)');
  }
  const compression = view.getUint16(77, true);
  if (compression !== COMPRESSION_DEFLATE) fail(`compression algorithm ${compression} is not deflate (1)`);
  return { capacity, grainSize, numGTEsPerGT, overHead, directoryAtEnd };
}

function u64(view: DataView, offset: number, at: number, what: string): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new StreamVmdkError(at + offset, `${what} ${value} is out of range`);
  return Number(value);
}

async function* grainsOf(reader: StreamReader, header: Header): AsyncGenerator<Grain> {
  const grainBytes = header.grainSize * SECTOR;
  const capacityBytes = header.capacity * SECTOR;
  const tableSectors = Math.ceil((header.numGTEsPerGT * 4) / SECTOR);
  const tables = Math.ceil(Math.ceil(header.capacity / header.grainSize) / header.numGTEsPerGT);
  const directorySectors = Math.ceil((tables * 4) / SECTOR);
  let next = 0; // the lowest sector the next grain may start at
  try {
    for (;;) {
      // qemu-img writes its tables in front and ends the file after the last grain, without an
      // end-of-stream marker. An NFC stream keeps its tables for the end: it needs the marker,
      // and one cut short is found.
      if (!header.directoryAtEnd && (await reader.ended())) return;
      const at = reader.offset;
      const marker = await reader.read(SECTOR, 'a marker (the stream has no end-of-stream marker)');
      const view = new DataView(marker.buffer, marker.byteOffset, SECTOR);
      const value = u64(view, 0, at, 'marker value');
      const size = view.getUint32(8, true);
      const fail = (what: string): never => {
        throw new StreamVmdkError(at, what);
      };
      if (size > 0) {
        const lba = value;
        if (lba % header.grainSize !== 0) fail(`grain at sector ${lba} is not on a grain boundary (${header.grainSize} sectors)`);
        if (lba >= header.capacity) fail(`grain at sector ${lba} is past the disk's ${header.capacity} sectors`);
        if (lba < next) fail(`grain at sector ${lba} comes after the grain before it, which ends at sector ${next}`);
        if (size > grainBytes + COMPRESSION_SLACK) fail(`grain at sector ${lba} says ${size} compressed bytes, more than a ${grainBytes}-byte grain needs`);
        const compressed = new Uint8Array(12 + size + ((SECTOR - ((12 + size) % SECTOR)) % SECTOR));
        compressed.set(marker.subarray(0, Math.min(SECTOR, compressed.length)));
        if (compressed.length > SECTOR) compressed.set(await reader.read(compressed.length - SECTOR, `grain at sector ${lba}`), SECTOR);
        const data = await decompress(compressed.subarray(12, 12 + size), grainBytes, at, lba);
        if (data.length === 0 || data.length % SECTOR !== 0) fail(`grain at sector ${lba} decompresses to ${data.length} bytes, not whole sectors`);
        const offset = lba * SECTOR;
        let end = offset + data.length;
        if (end > capacityBytes) {
          // A last grain padded to full size: what lies past the disk must be zeros.
          if (data.subarray(capacityBytes - offset).some((byte) => byte !== 0)) fail(`grain at sector ${lba} holds data past the end of the disk`);
          end = capacityBytes;
        }
        next = lba + header.grainSize;
        yield { offset, data: data.subarray(0, end - offset) };
        continue;
      }
      const type = view.getUint32(12, true);
      switch (type) {
        case MARKER_EOS:
          if (value !== 0) fail(`end-of-stream marker with ${value} sectors`);
          return;
        case MARKER_GT:
          if (value !== tableSectors) fail(`grain table marker says ${value} sectors, not ${tableSectors}`);
          break;
        case MARKER_GD:
          if (value !== directorySectors) fail(`grain directory marker says ${value} sectors, not ${directorySectors}`);
          break;
        case MARKER_FOOTER: {
          if (value !== 1) fail(`footer marker says ${value} sectors, not 1`);
          const footerAt = reader.offset;
          const footer = parseHeader(await reader.read(SECTOR, 'the footer'), footerAt);
          if (footer.capacity !== header.capacity || footer.grainSize !== header.grainSize) {
            throw new StreamVmdkError(footerAt, `the footer's geometry (${footer.capacity} sectors, grains of ${footer.grainSize}) differs from the header's`);
          }
          continue;
        }
        default:
          fail(`unknown marker type ${type}`);
      }
      await reader.skip(value * SECTOR, type === MARKER_GT ? 'a grain table' : 'the grain directory');
    }
  } finally {
    await reader.close();
  }
}

async function decompress(compressed: Uint8Array, grainBytes: number, at: number, lba: number): Promise<Uint8Array> {
  try {
    return await inflateAsync(compressed, { maxOutputLength: grainBytes });
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? `it inflates past ${grainBytes} bytes` : (error as Error).message;
    throw new StreamVmdkError(at, `grain at sector ${lba} does not decompress (${why})`);
  }
}

/** Exact-length reads over a stream of chunks, counting bytes from its start. */
class StreamReader {
  offset = 0;
  private readonly source: AsyncIterator<Uint8Array>;
  private chunk: Uint8Array = new Uint8Array(0);
  private closed = false;

  constructor(
    stream: AsyncIterable<Uint8Array>,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.source = stream[Symbol.asyncIterator]();
  }

  /** The next `length` bytes; fails with where the stream ended if it ends first. */
  async read(length: number, what: string): Promise<Uint8Array> {
    if (this.chunk.length >= length) return this.take(length);
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (this.chunk.length === 0) await this.more(what);
      const part = this.take(Math.min(length - filled, this.chunk.length));
      out.set(part, filled);
      filled += part.length;
    }
    return out;
  }

  async skip(length: number, what: string): Promise<void> {
    for (let left = length; left > 0; ) {
      if (this.chunk.length === 0) await this.more(what);
      left -= this.take(Math.min(left, this.chunk.length)).length;
    }
  }

  /** Whether the stream has no more bytes. */
  async ended(): Promise<boolean> {
    while (this.chunk.length === 0) {
      if (this.signal?.aborted) throw abortReason(this.signal, 'reading the stream-optimized VMDK');
      const next = await this.source.next();
      if (next.done) return true;
      this.chunk = next.value;
    }
    return false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.source.return?.();
  }

  private take(length: number): Uint8Array {
    const part = this.chunk.subarray(0, length);
    this.chunk = this.chunk.subarray(length);
    this.offset += length;
    return part;
  }

  private async more(what: string): Promise<void> {
    if (await this.ended()) throw new StreamVmdkError(this.offset, `the stream ends before ${what}`);
  }
}
