// The checkpoint of one disk of one op: an append-only file in the state directory, a header
// line (what the pass copies), then one line per chunk written, synced and verified, then a done
// line. A restarted mover reads it back to the first line that does not parse (a write cut by
// the crash) and verifies those chunks on the device before it goes on.

import { appendFile, mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MoverDiskCopy } from './protocol.js';
import type { Range } from './plan.js';

export interface CheckpointHeader {
  version: 1;
  op: string;
  pass: string;
  disk: string;
  device: string;
  capacity: number;
  chunk_bytes: number;
  /** What the bytes are read from beyond the disk's name: the warm pass's snapshot ('' otherwise). */
  source: string;
  copy: MoverDiskCopy;
  change_id: string | null;
  fallback_reason?: string;
  /** The plan, as [start, length] pairs. */
  ranges: [number, number][];
}

export interface CheckpointChunk {
  start: number;
  length: number;
  /** SHA-256 (hex) of the chunk's bytes. */
  sha256: string;
}

export interface CheckpointState {
  header: CheckpointHeader;
  chunks: CheckpointChunk[];
  done: { sha256: string; bytes: number } | null;
}

/** An op id as one file name (ids hold `/` and `#`). */
function opDirectory(stateDir: string, op: string): string {
  return join(stateDir, encodeURIComponent(op));
}

export function checkpointPath(stateDir: string, op: string, device: string): string {
  return join(opDirectory(stateDir, op), `${device}.jsonl`);
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/** The checkpoint of a disk, or null when there is none (or its header does not parse). */
export async function readCheckpoint(path: string): Promise<CheckpointState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const lines = text.split('\n');
  const header = parseLine(lines[0] ?? '') as CheckpointHeader | undefined;
  if (header?.version !== 1 || !Array.isArray(header.ranges)) return null;
  const chunks: CheckpointChunk[] = [];
  let done: CheckpointState['done'] = null;
  for (const line of lines.slice(1)) {
    const entry = parseLine(line) as { s?: unknown; n?: unknown; h?: unknown; done?: { sha256: string; bytes: number } } | undefined;
    if (entry === undefined) break;
    if (entry.done) {
      done = entry.done;
      break;
    }
    if (typeof entry.s !== 'number' || typeof entry.n !== 'number' || typeof entry.h !== 'string') break;
    chunks.push({ start: entry.s, length: entry.n, sha256: entry.h });
  }
  return { header, chunks, done };
}

/** Appends lines to a checkpoint and syncs them (a chunk is recorded only once it is on the device). */
export class CheckpointWriter {
  private constructor(private readonly path: string) {}

  /** Starts a checkpoint (replacing any) with its header. */
  static async create(path: string, header: CheckpointHeader): Promise<CheckpointWriter> {
    await mkdir(join(path, '..'), { recursive: true });
    const writer = new CheckpointWriter(path);
    await writer.write(`${JSON.stringify(header)}\n`, 'w');
    return writer;
  }

  /**
   * Continues a checkpoint whose first `keep` chunks were verified: rewritten with them alone
   * when the rest was not (so the file never holds a chunk the device does not).
   */
  static async resume(path: string, state: CheckpointState, keep: number): Promise<CheckpointWriter> {
    const writer = new CheckpointWriter(path);
    if (keep < state.chunks.length || state.done !== null) {
      await writer.write(`${JSON.stringify(state.header)}\n${state.chunks.slice(0, keep).map(chunkLine).join('')}`, 'w');
    }
    return writer;
  }

  async chunks(chunks: readonly CheckpointChunk[]): Promise<void> {
    if (chunks.length > 0) await this.write(chunks.map(chunkLine).join(''), 'a');
  }

  async done(sha256: string, bytes: number): Promise<void> {
    await this.write(`${JSON.stringify({ done: { sha256, bytes } })}\n`, 'a');
  }

  private async write(text: string, flag: 'w' | 'a'): Promise<void> {
    if (flag === 'a') {
      await appendFile(this.path, text);
    } else {
      const handle = await open(this.path, 'w');
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
    }
    const handle = await open(this.path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

function chunkLine(chunk: CheckpointChunk): string {
  return `${JSON.stringify({ s: chunk.start, n: chunk.length, h: chunk.sha256 })}\n`;
}

/** Removes an op's checkpoints (the op succeeded: nothing to resume). */
export async function removeCheckpoints(stateDir: string, op: string): Promise<void> {
  await rm(opDirectory(stateDir, op), { recursive: true, force: true });
}

export function rangesOf(plan: readonly Range[]): [number, number][] {
  return plan.map((r) => [r.start, r.length]);
}
