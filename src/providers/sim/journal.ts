// Persistence of a simulated world: a snapshot (the state file) plus an append-only journal of the
// commands applied since. Every command is appended and fsynced before the call returns, so a
// SIGKILL at any moment leaves a world that replays to exactly what the callers were told. When
// the journal outgrows the snapshot (or 1 MiB) the world is compacted: a new snapshot is written
// to a temporary file, fsynced and renamed over the old one; journal entries carry sequence
// numbers, so entries the new snapshot already holds are skipped if the journal was not yet
// truncated when the process died.
//
//   world.json          {format, journal_seq, state}
//   world.json.journal  one {"s": seq, "c": command} per line
//   world.json.lock     the pid of the process that has the world open for writing

import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WORLD_FORMAT, type WorldState } from './state.js';
import type { Command } from './world.js';
import { cleanUpAfter } from '../../util/first-failure.js';
import { alive } from '../../util/process.js';

const MIN_COMPACTION_BYTES = 1024 * 1024;

export interface LoadedWorld {
  state: WorldState;
  /** Commands recorded after the snapshot, in order, to replay. */
  commands: Command[];
  /** The sequence number of the last command (snapshot or journal). */
  seq: number;
  snapshotBytes: number;
  /** Bytes of the journal that hold complete entries (a torn last line is not counted). */
  journalBytes: number;
}

export class WorldFileError extends Error {}

/** Reads the world's files without changing them; undefined when there is no world yet. */
export function loadWorldFile(path: string): LoadedWorld | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  let snapshot: { format?: unknown; journal_seq?: unknown; state?: WorldState };
  try {
    snapshot = JSON.parse(text) as typeof snapshot;
  } catch (error) {
    throw new WorldFileError(`${path}: the simulated world's state file is not valid JSON (${(error as Error).message})`);
  }
  if (snapshot.format !== WORLD_FORMAT || !snapshot.state || typeof snapshot.journal_seq !== 'number') {
    throw new WorldFileError(`${path}: not a simulated world this Ferry reads (format ${JSON.stringify(snapshot.format)}, expected ${WORLD_FORMAT}); delete it to start the simulation again`);
  }
  const commands: Command[] = [];
  let seq = snapshot.journal_seq;
  let journalBytes = 0;
  const journalPath = `${path}.journal`;
  if (existsSync(journalPath)) {
    const journal = readFileSync(journalPath, 'utf8');
    const complete = journal.slice(0, journal.lastIndexOf('\n') + 1);
    journalBytes = Buffer.byteLength(complete);
    for (const [i, line] of complete.split('\n').entries()) {
      if (line === '') continue;
      let entry: { s: number; c: Command };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        throw new WorldFileError(`${journalPath}:${i + 1}: a damaged journal entry; the simulated world cannot be rebuilt`);
      }
      if (entry.s <= snapshot.journal_seq) continue;
      commands.push(entry.c);
      seq = entry.s;
    }
  }
  return { state: snapshot.state, commands, seq, snapshotBytes: Buffer.byteLength(text), journalBytes };
}

/** The files of a world open for writing: holds the lock and the journal open for appending. */
export class WorldFile {
  private journal: number;
  private seq: number;
  private snapshotBytes: number;
  private journalBytes: number;

  private constructor(readonly path: string, loaded: LoadedWorld | undefined) {
    mkdirSync(dirname(path), { recursive: true });
    acquireLock(path);
    this.seq = loaded?.seq ?? 0;
    this.snapshotBytes = loaded?.snapshotBytes ?? 0;
    this.journalBytes = loaded?.journalBytes ?? 0;
    let journal: number | undefined;
    try {
      journal = openSync(`${path}.journal`, 'a+');
      // A line torn by a crash is dropped, so the next entry starts on a line of its own.
      if (fstatSync(journal).size > this.journalBytes) ftruncateSync(journal, this.journalBytes);
    } catch (error) {
      cleanUpAfter(error, () => journal !== undefined && closeSync(journal), () => releaseLock(path));
    }
    this.journal = journal;
  }

  static open(path: string, loaded: LoadedWorld | undefined): WorldFile {
    return new WorldFile(path, loaded);
  }

  append(command: Command): void {
    const line = `${JSON.stringify({ s: this.seq + 1, c: command })}\n`;
    try {
      writeFully(this.journal, line, `${this.path}.journal`);
      fsyncSync(this.journal);
    } catch (error) {
      // Not even part of the entry stays: the journal holds what the callers were told.
      cleanUpAfter(error, () => ftruncateSync(this.journal, this.journalBytes));
    }
    this.seq++;
    this.journalBytes += Buffer.byteLength(line);
  }

  get wantsCompaction(): boolean {
    return this.journalBytes > Math.max(MIN_COMPACTION_BYTES, this.snapshotBytes);
  }

  /** Writes the whole state as the new snapshot (atomically) and empties the journal. */
  compact(state: WorldState): void {
    const text = JSON.stringify({ format: WORLD_FORMAT, journal_seq: this.seq, state });
    writeAtomically(this.path, text);
    if (this.journalBytes > 0) {
      ftruncateSync(this.journal, 0);
      fsyncSync(this.journal);
    }
    this.snapshotBytes = Buffer.byteLength(text);
    this.journalBytes = 0;
  }

  /** Closes the journal and releases the lock, even when closing fails. */
  close(): void {
    try {
      closeSync(this.journal);
    } catch (error) {
      cleanUpAfter(error, () => releaseLock(this.path));
    }
    releaseLock(this.path);
  }
}

/**
 * Writes all of `text` or throws (a write on a filling disk can take part of it and fail on the
 * rest); the error names the file.
 */
function writeFully(fd: number, text: string, path: string): void {
  const bytes = Buffer.from(text);
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
  } catch (error) {
    const system = error as NodeJS.ErrnoException;
    system.path ??= path;
    throw error;
  }
}

/**
 * Temporary file, fsync, rename, fsync of the directory: the file is the old one or the new one.
 * When a step fails, the temporary file is removed and that step's failure is thrown.
 */
export function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w');
  try {
    writeFully(fd, text, temporary);
    fsyncSync(fd);
  } catch (error) {
    cleanUpAfter(error, () => closeSync(fd), () => unlinkSync(temporary));
  }
  try {
    closeSync(fd);
    renameSync(temporary, path);
  } catch (error) {
    cleanUpAfter(error, () => unlinkSync(temporary));
  }
  const directory = openSync(dirname(path), 'r');
  try {
    fsyncSync(directory);
  } catch (error) {
    cleanUpAfter(error, () => closeSync(directory));
  }
  closeSync(directory);
}

/** The live process that has the world open for writing, or null (no lock, or one a dead process left). */
export function worldHolder(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(`${path}.lock`, 'utf8');
  } catch {
    return null;
  }
  const holder = Number(text);
  return Number.isInteger(holder) && holder > 0 && alive(holder) ? holder : null;
}

/**
 * Forgets a world: its snapshot, journal, a stale lock and temporary files. Refused while a live
 * process has it open. Returns the files removed.
 */
export function removeWorldFiles(path: string): string[] {
  const holder = worldHolder(path);
  if (holder !== null) throw new WorldFileError(`${path}: the simulated world is open in process ${holder}; stop that apply first`);
  const directory = dirname(path);
  const base = basename(path);
  const removed: string[] = [];
  for (const name of existsSync(directory) ? readdirSync(directory) : []) {
    if (name !== base && name !== `${base}.journal` && name !== `${base}.lock` && !name.startsWith(`${base}.tmp-`)) continue;
    unlinkSync(join(directory, name));
    removed.push(join(directory, name));
  }
  return removed;
}

function acquireLock(path: string): void {
  const lock = `${path}.lock`;
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number(readFileSync(lock, 'utf8'));
  if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
    throw new WorldFileError(`${path}: the simulated world is open in process ${holder}${holder === process.pid ? ' (this one)' : ''}; one process at a time may run it`);
  }
  // The holder died (a crash): the world is consistent on disk, take it over.
  writeFileSync(lock, String(process.pid));
}

function releaseLock(path: string): void {
  try {
    unlinkSync(`${path}.lock`);
  } catch {
    // Already gone: nothing to release.
  }
}
