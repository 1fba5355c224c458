// The simulated world's files are JSON Lines, read and written piecewise: a world of 200,000 VMs,
// or its history, is larger than the longest string V8 can make, so no file is ever one string.
// Reads and writes are synchronous (opening and compacting a world are), a chunk at a time.

import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

const CHUNK_BYTES = 1024 * 1024;

/** A file of the simulated world that cannot be used: damaged, of another format, or held by another process. */
export class WorldFileError extends Error {}

/** Parses one line of a world file; a line that is not JSON is damage, reported at its place. */
export function parseLine<T>(path: string, line: Line, what: string): T {
  try {
    return JSON.parse(line.text) as T;
  } catch (error) {
    throw new WorldFileError(`${path}:${line.number}: ${what} is damaged (${(error as Error).message})`);
  }
}

/** Writes values as JSON Lines to an open file, a chunk at a time. Call `flush` at the end. */
export class LineWriter {
  private parts: string[] = [];
  private pending = 0;
  /** Bytes written so far. */
  bytes = 0;

  constructor(private readonly fd: number) {}

  /** Bytes written and waiting to be, as far as deciding where to cut a file goes (characters, not bytes, for the waiting part). */
  get size(): number {
    return this.bytes + this.pending;
  }

  write(value: unknown): void {
    const line = `${JSON.stringify(value)}\n`;
    this.parts.push(line);
    this.pending += line.length;
    if (this.pending >= CHUNK_BYTES) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const chunk = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    for (let written = 0; written < chunk.length; ) written += writeSync(this.fd, chunk, written, chunk.length - written);
    this.bytes += chunk.length;
  }
}

export interface Line {
  text: string;
  /** 1-based. */
  number: number;
  /** The byte offset just past the line's newline. */
  end: number;
}

export interface LineOptions {
  /** Read no further than this byte offset (a line boundary). Default: the file's size. */
  limit?: number;
  /** Also yield a last line without its newline (a file written whole); otherwise it is torn and dropped. */
  unterminated?: boolean;
}

/** The lines of a file in order, without their newlines (empty lines included). */
export function* linesOf(path: string, options: LineOptions = {}): Generator<Line> {
  const fd = openSync(path, 'r');
  try {
    const limit = Math.min(options.limit ?? Infinity, fstatSync(fd).size);
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    // The start of a line that runs on into the next chunk.
    let pending: Buffer[] = [];
    let position = 0;
    let number = 0;
    while (position < limit) {
      const read = readSync(fd, chunk, 0, Math.min(CHUNK_BYTES, limit - position), position);
      if (read === 0) break;
      let start = 0;
      for (let newline = chunk.indexOf(10, 0); newline >= 0 && newline < read; newline = chunk.indexOf(10, start)) {
        const text = pending.length === 0 ? chunk.toString('utf8', start, newline) : Buffer.concat([...pending, chunk.subarray(start, newline)]).toString('utf8');
        pending = [];
        yield { text, number: ++number, end: position + newline + 1 };
        start = newline + 1;
      }
      if (start < read) pending.push(Buffer.from(chunk.subarray(start, read)));
      position += read;
    }
    if (options.unterminated && pending.length > 0) yield { text: Buffer.concat(pending).toString('utf8'), number: ++number, end: position };
  } finally {
    closeSync(fd);
  }
}

/** The complete lines of a file up to `limit` (a line boundary), newest first; empty lines are skipped. */
export function* linesBackward(path: string, limit: number): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    let position = Math.min(limit, fstatSync(fd).size);
    // A line's end, read before its start (it runs back into the previous chunk).
    let tail: Buffer[] = [];
    while (position > 0) {
      const size = Math.min(CHUNK_BYTES, position);
      position -= size;
      const chunk = Buffer.allocUnsafe(size);
      readSync(fd, chunk, 0, size, position);
      let end = size;
      while (end > 0) {
        const newline = chunk.lastIndexOf(10, end - 1);
        if (newline < 0) break;
        const text = tail.length === 0 ? chunk.toString('utf8', newline + 1, end) : Buffer.concat([chunk.subarray(newline + 1, end), ...tail]).toString('utf8');
        tail = [];
        if (text !== '') yield text;
        end = newline;
      }
      if (end > 0) tail.unshift(chunk.subarray(0, end));
    }
    if (tail.length > 0) {
      const text = Buffer.concat(tail).toString('utf8');
      if (text !== '') yield text;
    }
  } finally {
    closeSync(fd);
  }
}
