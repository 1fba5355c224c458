// The simulated world's history: the operations that ended and the calls of the execution log,
// moved out of the live world each time a persisted world is compacted, so that opening and
// closing the world cost what the live campaign costs, not its past. Two append-only streams of
// JSON Lines, each cut into segments; only the newest segments of each are kept (HISTORY_LIMITS):
//
//   world.json.history/operations-000001.jsonl   one operation per line, in the order they left
//   world.json.history/calls-000001.jsonl        one call per line, in the order they were made
//
// The snapshot records where each stream ended when it was written (its mark). A writer first
// cuts what lies beyond the mark — records of a compaction that died before its snapshot landed,
// which the replayed world still holds and will retire again — and readers stop at it. Opening
// and closing a world never read the history; `ferry sim show` and the inspection helpers do.

import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { cleanUpAfter } from '../../util/first-failure.js';
import { LineWriter, linesBackward, linesOf, parseLine, WorldFileError } from './jsonl.js';
import type { LogEntry, OpState } from './state.js';

export interface HistoryLimits {
  /** A segment is closed, and the next begun, once it holds this many bytes. */
  segmentBytes: number;
  /** Segments kept per stream, the newest. */
  retainedSegments: number;
}

/** 16 MiB segments, 32 of them per stream: at most about 512 MiB of each. */
export const HISTORY_LIMITS: HistoryLimits = { segmentBytes: 16 * 1024 * 1024, retainedSegments: 32 };

export interface StreamMark {
  segment: number;
  /** Bytes of that segment that belong to the history. */
  bytes: number;
}

export interface HistoryMark {
  operations: StreamMark;
  calls: StreamMark;
}

type Stream = keyof HistoryMark;
const STREAMS: readonly Stream[] = ['operations', 'calls'];

export function emptyHistoryMark(): HistoryMark {
  return { operations: { segment: 1, bytes: 0 }, calls: { segment: 1, bytes: 0 } };
}

/** The history's directory beside the world's state file. */
export function historyDir(worldPath: string): string {
  return `${worldPath}.history`;
}

function segmentPath(dir: string, stream: Stream, segment: number): string {
  return join(dir, `${stream}-${String(segment).padStart(6, '0')}.jsonl`);
}

/** The segments of a stream on disk, oldest first. */
function segmentsOf(dir: string, stream: Stream): number[] {
  if (!existsSync(dir)) return [];
  const pattern = new RegExp(`^${stream}-(\\d+)\\.jsonl$`);
  const segments: number[] = [];
  for (const name of readdirSync(dir)) {
    const match = pattern.exec(name);
    if (match) segments.push(Number(match[1]));
  }
  return segments.sort((a, b) => a - b);
}

/** Appends to the history of a world open for writing. */
export class HistoryWriter {
  private mark: HistoryMark;

  constructor(private readonly dir: string, mark: HistoryMark, private readonly limits: HistoryLimits = HISTORY_LIMITS) {
    this.mark = { operations: { ...mark.operations }, calls: { ...mark.calls } };
    for (const stream of STREAMS) this.cutBeyondMark(stream);
  }

  /** Appends the records, fsynced, and returns where the history ends now. */
  append(ops: readonly OpState[], calls: readonly LogEntry[]): HistoryMark {
    this.mark = { operations: this.appendTo('operations', ops), calls: this.appendTo('calls', calls) };
    return this.mark;
  }

  private appendTo(stream: Stream, records: readonly unknown[]): StreamMark {
    if (records.length === 0) return { ...this.mark[stream] };
    // What an append that failed half-way left is not history.
    this.cutBeyondMark(stream);
    let { segment, bytes } = this.mark[stream];
    mkdirSync(this.dir, { recursive: true });
    let created = false;
    let fd = -1;
    let writer: LineWriter | null = null;
    const finish = () => {
      writer!.flush();
      bytes += writer!.bytes;
      fsyncSync(fd);
      closeSync(fd);
    };
    try {
      for (const record of records) {
        if (writer !== null && bytes + writer.size >= this.limits.segmentBytes) {
          finish();
          fd = -1;
          writer = null;
          segment++;
          bytes = 0;
        } else if (writer === null && bytes >= this.limits.segmentBytes) {
          segment++;
          bytes = 0;
        }
        if (writer === null) {
          const path = segmentPath(this.dir, stream, segment);
          created ||= !existsSync(path);
          fd = openSync(path, 'a');
          writer = new LineWriter(fd);
        }
        writer.write(record);
      }
      finish();
      fd = -1;
    } catch (error) {
      // The first failure, naming its segment, is the one reported; what it left is cut next time.
      (error as NodeJS.ErrnoException).path ??= segmentPath(this.dir, stream, segment);
      cleanUpAfter(error, () => fd >= 0 && closeSync(fd));
    }
    if (created) fsyncDirectory(this.dir);
    for (const old of segmentsOf(this.dir, stream)) if (old <= segment - this.limits.retainedSegments) unlinkSync(segmentPath(this.dir, stream, old));
    return { segment, bytes };
  }

  private cutBeyondMark(stream: Stream): void {
    const mark = this.mark[stream];
    for (const segment of segmentsOf(this.dir, stream)) {
      const path = segmentPath(this.dir, stream, segment);
      if (segment > mark.segment) {
        unlinkSync(path);
      } else if (segment === mark.segment) {
        const size = statSync(path).size;
        if (size > mark.bytes) {
          const fd = openSync(path, 'r+');
          try {
            ftruncateSync(fd, mark.bytes);
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
        } else {
          // Shorter than recorded (cut by hand): go on from where it ends.
          mark.bytes = size;
        }
      }
    }
  }
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The history of a world up to a mark, read a line at a time. */
export class History {
  constructor(readonly dir: string, readonly mark: HistoryMark) {}

  /** Ended operations, oldest first. */
  operations(): Generator<OpState> {
    return this.forward<OpState>('operations');
  }

  /** Ended operations, newest first: stop early to read only the tail. */
  operationsNewestFirst(): Generator<OpState> {
    return this.backward<OpState>('operations');
  }

  /** Calls of the execution log, oldest first. */
  calls(): Generator<LogEntry> {
    return this.forward<LogEntry>('calls');
  }

  callsNewestFirst(): Generator<LogEntry> {
    return this.backward<LogEntry>('calls');
  }

  private *forward<T>(stream: Stream): Generator<T> {
    const mark = this.mark[stream];
    for (const segment of segmentsOf(this.dir, stream)) {
      if (segment > mark.segment) break;
      const path = segmentPath(this.dir, stream, segment);
      const lines = readable(() => linesOf(path, segment === mark.segment ? { limit: mark.bytes } : {}));
      for (const line of lines) if (line.text !== '') yield parseLine<T>(path, line, 'a line of the simulated world\'s history');
    }
  }

  private *backward<T>(stream: Stream): Generator<T> {
    const mark = this.mark[stream];
    for (const segment of segmentsOf(this.dir, stream).reverse()) {
      if (segment > mark.segment) continue;
      const path = segmentPath(this.dir, stream, segment);
      const limit = segment === mark.segment ? mark.bytes : Infinity;
      for (const text of readable(() => linesBackward(path, limit))) {
        try {
          yield JSON.parse(text) as T;
        } catch (error) {
          throw new WorldFileError(`${path}: a line of the simulated world's history is damaged (${(error as Error).message})`);
        }
      }
    }
  }
}

/**
 * The lines of a segment, or none when it is gone: an apply running meanwhile may delete the
 * oldest segments, and a reader does not hold the lock.
 */
function* readable<T>(open: () => Generator<T>): Generator<T> {
  const lines = open();
  let first: IteratorResult<T>;
  try {
    first = lines.next();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (first.done) return;
  yield first.value;
  yield* lines;
}
