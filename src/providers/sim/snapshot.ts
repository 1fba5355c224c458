// The snapshot of a simulated world (world.json): JSON Lines, one record per line, written and read
// a chunk at a time, so no world is ever one string — V8's longest string is shorter than the
// world of a 200,000-VM campaign.
//
//   {"format":"ferry.dev/sim-world/v2","journal_seq":N,"history":{…marks}}   the header
//   {"world":{"start":…,"now":…,"seq":…,"archived_calls":…,"archived_ops":…}}
//   {"source":{…, "vms":{}}}              then {"vm":[source, VM]} for each of its VMs
//   {"target":{…, "instances":{…: {}}}}   then {"instance":[target, instance]} for each instance
//   {"op":…} {"session":…} {"event":…} {"fault":…} {"call":…}
//   {"ended":[id, owner, state, ended_at, message, target?, source?, done?, total?, guest?]}   a tuple:
//                                         there is one for every operation the world ever ended (the
//                                         last one, a guest preparation's outcome, is newer: a line
//                                         without it reads as it always did)
//   {"end":N}                             the number of records: a snapshot without it is damaged
//
// A file of format v1 (the whole state as one JSON value) is read and upgraded: its ended
// operations and log leave for the history at the next compaction, which opening it for writing
// does at once.

import { closeSync, fsyncSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { cleanUpAfter } from '../../util/first-failure.js';
import { emptyHistoryMark, type HistoryMark } from './history.js';
import { LineWriter, linesOf, parseLine, WorldFileError, type Line } from './jsonl.js';
import type { EndedOp, EventState, FaultState, GuestOutcome, InstanceState, LogEntry, OpState, SessionState, SourceState, TargetState, VmState, WorldState } from './state.js';

export const WORLD_FORMAT = 'ferry.dev/sim-world/v2';
const WORLD_FORMAT_V1 = 'ferry.dev/sim-world/v1';

export interface SnapshotHeader {
  /** The last journal entry the snapshot holds. */
  journal_seq: number;
  /** Where the history ended when the snapshot was written. */
  history: HistoryMark;
}

export interface Snapshot extends SnapshotHeader {
  state: WorldState;
  bytes: number;
  /** Read from an older format: the next compaction writes it in this one. */
  upgraded: boolean;
}

type Scalars = Pick<WorldState, 'start' | 'now' | 'seq' | 'archived_calls' | 'archived_ops'>;

/** An ended operation's record, positionally; the optional tail is absent from the end when empty. */
type EndedLine = [string, string, EndedOp['state'], number, string, (string | null)?, (string | null)?, (number | null)?, (number | null)?, (GuestOutcome | null)?];

type SnapshotRecord =
  | { world: Scalars }
  | { source: SourceState }
  | { vm: [string, VmState] }
  | { target: TargetState }
  | { instance: [string, InstanceState] }
  | { op: OpState }
  | { ended: EndedLine }
  | { session: SessionState }
  | { event: EventState }
  | { fault: FaultState }
  | { call: LogEntry }
  | { end: number };

/**
 * Writes the snapshot atomically (temporary file, fsync, rename, fsync of the directory) and
 * returns its size in bytes: the file is the old one or the new one. When a step fails, the
 * temporary file is removed and that step's failure, naming its file, is thrown.
 */
export function writeSnapshot(path: string, header: SnapshotHeader, state: WorldState): number {
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w');
  let bytes = 0;
  try {
    bytes = writeRecords(fd, header, state);
    fsyncSync(fd);
  } catch (error) {
    (error as NodeJS.ErrnoException).path ??= temporary;
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
  return bytes;
}

function writeRecords(fd: number, header: SnapshotHeader, state: WorldState): number {
  const out = new LineWriter(fd);
  out.write({ format: WORLD_FORMAT, journal_seq: header.journal_seq, history: header.history });
  let records = 0;
  const write = (record: SnapshotRecord) => {
    out.write(record);
    records++;
  };
  write({ world: { start: state.start, now: state.now, seq: state.seq, archived_calls: state.archived_calls, archived_ops: state.archived_ops } });
  for (const source of Object.values(state.sources)) {
    write({ source: { ...source, vms: {} } });
    for (const vm of Object.values(source.vms)) write({ vm: [source.name, vm] });
  }
  for (const target of Object.values(state.targets)) {
    const projects = Object.fromEntries(Object.keys(target.instances).map((project) => [project, {}]));
    write({ target: { ...target, instances: projects } });
    for (const project of Object.values(target.instances)) for (const instance of Object.values(project)) write({ instance: [target.name, instance] });
  }
  for (const op of Object.values(state.ops)) write({ op });
  for (const id in state.ended) write({ ended: endedLine(id, state.ended[id]!) });
  for (const session of Object.values(state.sessions)) write({ session });
  for (const event of state.events) write({ event });
  for (const fault of state.faults) write({ fault });
  for (const call of state.log) write({ call });
  out.write({ end: records });
  out.flush();
  return out.bytes;
}

/** Reads a snapshot a line at a time; a snapshot of format v1 is upgraded. */
export function readSnapshot(path: string): Snapshot {
  const what = "the simulated world's state file";
  const lines = linesOf(path, { unterminated: true });
  const first = lines.next();
  if (first.done) throw new WorldFileError(`${path}: ${what} is empty; delete it to start the simulation again`);
  const header = parseLine<{ format?: unknown; journal_seq?: unknown; history?: HistoryMark; state?: WorldState }>(path, first.value, what);
  if (header.format === WORLD_FORMAT_V1 && header.state && typeof header.journal_seq === 'number') {
    return { journal_seq: header.journal_seq, history: emptyHistoryMark(), state: upgradeV1(header.state), bytes: first.value.end, upgraded: true };
  }
  if (header.format !== WORLD_FORMAT || typeof header.journal_seq !== 'number' || !header.history) {
    throw new WorldFileError(`${path}: not a simulated world this Ferry reads (format ${JSON.stringify(header.format)}, expected ${WORLD_FORMAT}); delete it to start the simulation again`);
  }
  const state: WorldState = { start: 0, now: 0, seq: 0, sources: {}, targets: {}, ops: {}, ended: {}, sessions: {}, events: [], faults: [], log: [], archived_calls: 0, archived_ops: -1 };
  let records = 0;
  let last: Line = first.value;
  for (const line of lines) {
    last = line;
    const record = parseLine<Record<string, unknown>>(path, line, what);
    if ('end' in record) {
      if (record.end !== records) break;
      // A snapshot from before the count kept every ended operation's record: they are the count.
      if (state.archived_ops < 0) state.archived_ops = Object.keys(state.ended).length;
      return { journal_seq: header.journal_seq, history: header.history, state, bytes: line.end, upgraded: false };
    }
    if (!addRecord(state, record as SnapshotRecord)) throw new WorldFileError(`${path}:${line.number}: ${what} holds a record out of place or of a kind this Ferry does not know (${Object.keys(record).join(', ')})`);
    records++;
  }
  throw new WorldFileError(`${path}:${last.number}: ${what} ends early (damaged); delete it to start the simulation again`);
}

/** Puts a record in its place; false for one of no known kind, or out of place. */
function addRecord(state: WorldState, record: SnapshotRecord): boolean {
  if ('world' in record) Object.assign(state, record.world);
  else if ('source' in record) state.sources[record.source.name] = record.source;
  else if ('vm' in record) {
    const source = state.sources[record.vm[0]];
    if (!source) return false;
    source.vms[record.vm[1].key] = record.vm[1];
  } else if ('target' in record) state.targets[record.target.name] = record.target;
  else if ('instance' in record) {
    const [name, instance] = record.instance;
    const target = state.targets[name];
    if (!target) return false;
    (target.instances[instance.project] ??= {})[instance.name] = instance;
  } else if ('op' in record) state.ops[record.op.id] = record.op;
  else if ('ended' in record) {
    const [id, owner, endedState, ended_at, message, target, source, done, total, guest] = record.ended;
    const ended: EndedOp = { owner, state: endedState, message, ended_at };
    if (done != null && total != null) ended.progress = { done, total };
    if (source != null) ended.source = source;
    if (target != null) ended.target = target;
    if (guest != null) ended.guest = guest;
    state.ended[id] = ended;
  }
  else if ('session' in record) state.sessions[record.session.id] = record.session;
  else if ('event' in record) state.events.push(record.event);
  else if ('fault' in record) state.faults.push(record.fault);
  else if ('call' in record) state.log.push(record.call);
  else return false;
  return true;
}

function endedLine(id: string, ended: EndedOp): EndedLine {
  const line: EndedLine = [
    id, ended.owner, ended.state, ended.ended_at, ended.message,
    ended.target ?? null, ended.source ?? null, ended.progress?.done ?? null, ended.progress?.total ?? null, ended.guest ?? null,
  ];
  while (line.length > 5 && line.at(-1) === null) line.pop();
  return line;
}

/** A v1 world: everything it ever did is still live; the next compaction moves what ended to the history. */
function upgradeV1(state: WorldState & { format?: string }): WorldState {
  const upgraded = { ...state, ended: {}, archived_calls: 0, archived_ops: 0 };
  delete upgraded.format;
  return upgraded;
}
