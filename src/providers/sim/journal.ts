// Persistence of a simulated world: a snapshot (the state file) plus an append-only journal of the
// commands applied since, and the history the world's ended operations and logged calls moved to.
// Every command is appended and fsynced before the call returns, so a SIGKILL at any moment leaves
// a world that replays to exactly what the callers were told. When the journal outgrows the
// snapshot (or 1 MiB), and when the world closes, it is compacted: what ended leaves for the
// history (appended and fsynced first), then a new snapshot is written to a temporary file,
// fsynced and renamed over the old one, and the journal emptied. Journal entries carry sequence
// numbers, so entries the new snapshot already holds are skipped if the journal was not yet
// truncated when the process died; the snapshot records where the history ended, so history
// written by a compaction that died before its snapshot landed is cut again.
//
//   world.json          the snapshot (snapshot.ts)
//   world.json.journal  one {"s": seq, "c": command} per line
//   world.json.history/ ended operations and logged calls (history.ts)
//   world.json.lock     the pid of the process that has the world open for writing

import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cleanUpAfter } from '../../util/first-failure.js';
import { crashPoint } from './crash.js';
import { emptyHistoryMark, History, historyDir, HistoryWriter, type HistoryMark } from './history.js';
import { linesOf, parseLine, WorldFileError } from './jsonl.js';
import { readSnapshot, writeSnapshot } from './snapshot.js';
import type { WorldState } from './state.js';
import type { Command, Retired } from './world.js';
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
  /** Where the history ended when the snapshot was written. */
  history: HistoryMark;
  /** The snapshot was of an older format: compact to write it in this one. */
  upgraded: boolean;
}

/** Reads the world's files without changing them (the history is not read); undefined when there is no world yet. */
export function loadWorldFile(path: string): LoadedWorld | undefined {
  if (!existsSync(path)) return undefined;
  const snapshot = readSnapshot(path);
  const commands: Command[] = [];
  let seq = snapshot.journal_seq;
  let journalBytes = 0;
  const journalPath = `${path}.journal`;
  if (existsSync(journalPath)) {
    // A last line without its newline was torn by a crash: it is not an entry.
    for (const line of linesOf(journalPath)) {
      journalBytes = line.end;
      if (line.text === '') continue;
      const entry = parseLine<{ s: number; c: Command }>(journalPath, line, 'a journal entry of the simulated world');
      if (entry.s <= snapshot.journal_seq) continue;
      commands.push(entry.c);
      seq = entry.s;
    }
  }
  return { state: snapshot.state, commands, seq, snapshotBytes: snapshot.bytes, journalBytes, history: snapshot.history, upgraded: snapshot.upgraded };
}

/** The history of a world as its snapshot knows it. */
export function historyOf(path: string, loaded: LoadedWorld): History {
  return new History(historyDir(path), loaded.history);
}

/** The files of a world open for writing: holds the lock and the journal open for appending. */
export class WorldFile {
  private journal: number;
  private seq: number;
  private snapshotBytes: number;
  private journalBytes: number;
  private readonly historyWriter: HistoryWriter;
  private historyMark: HistoryMark;

  private constructor(readonly path: string, loaded: LoadedWorld | undefined) {
    mkdirSync(dirname(path), { recursive: true });
    acquireLock(path);
    this.seq = loaded?.seq ?? 0;
    this.snapshotBytes = loaded?.snapshotBytes ?? 0;
    this.journalBytes = loaded?.journalBytes ?? 0;
    this.historyMark = loaded?.history ?? emptyHistoryMark();
    let journal: number | undefined;
    try {
      journal = openSync(`${path}.journal`, 'a+');
      // A line torn by a crash is dropped, so the next entry starts on a line of its own.
      if (fstatSync(journal).size > this.journalBytes) ftruncateSync(journal, this.journalBytes);
      // History beyond the snapshot's mark is cut: the replayed world still holds those records.
      this.historyWriter = new HistoryWriter(historyDir(path), this.historyMark);
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

  /** The history written so far. */
  get history(): History {
    return new History(historyDir(this.path), this.historyMark);
  }

  /**
   * Moves what the world retired to the history, writes the live state as the new snapshot
   * (atomically) and empties the journal.
   */
  compact(state: WorldState, retired: Retired): void {
    this.historyMark = this.historyWriter.append(retired.ops, retired.calls);
    // Killed here, the old snapshot and the journal still hold what was just written: it is cut.
    crashPoint('sim:compact:history');
    this.snapshotBytes = writeSnapshot(this.path, { journal_seq: this.seq, history: this.historyMark }, state);
    if (this.journalBytes > 0) {
      ftruncateSync(this.journal, 0);
      fsyncSync(this.journal);
    }
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
 * Forgets a world: its snapshot, journal, history, a stale lock and temporary files. Refused while a live
 * process has it open. Returns the files removed.
 */
export function removeWorldFiles(path: string): string[] {
  const holder = worldHolder(path);
  if (holder !== null) throw new WorldFileError(`${path}: the simulated world is open in process ${holder}; stop that apply first`);
  const directory = dirname(path);
  const base = basename(path);
  const removed: string[] = [];
  for (const name of existsSync(directory) ? readdirSync(directory) : []) {
    if (name === `${base}.history`) {
      rmSync(join(directory, name), { recursive: true, force: true });
      removed.push(join(directory, name));
      continue;
    }
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
