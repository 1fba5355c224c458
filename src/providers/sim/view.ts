// The simulated world as an operator reads it (`ferry sim show`): the clock, the VMs of the
// simulated vCenter, the instances of the simulated Incus, the operations with their times, the
// scripted events and the execution log. Plain data, times as epoch milliseconds; filters narrow it
// to one source, target or VM. Ended operations and logged calls are mostly in the history: the
// newest are read from its tail; a filter, or asking for all of them, reads it through, a line at
// a time.

import type { History } from './history.js';
import { historyOf, loadWorldFile } from './journal.js';
import type { LogEntry, LogOutcome, OpState, VmState, WorldState } from './state.js';
import { ATTEMPT_KEY, ENTRY_KEY } from './state.js';
import { nextEventAt } from './timeline.js';
import { moverPass } from './mover-pass.js';
import { transferDone } from './transfer-calls.js';
import { World } from './world.js';

/** The world as its files hold it now (snapshot plus journal replayed), read without taking the lock; its history is read when looked at. */
export function readWorld(path: string): { state: WorldState; nextEventAt: number | null; history: History } | undefined {
  const loaded = loadWorldFile(path);
  if (loaded === undefined) return undefined;
  const model = new World(loaded.state);
  for (const command of loaded.commands) model.apply(command);
  return { state: model.state, nextEventAt: nextEventAt(model), history: historyOf(path, loaded) };
}

export interface WorldFilter {
  source?: string;
  target?: string;
  /** A VM by name, location or UUID (current or from the inventory). */
  vm?: string;
  /** Only operations still running. */
  active?: boolean;
  /** The newest ended operations, and execution-log entries, to keep; 0: all. */
  last?: number;
}

export interface VmView {
  source: string;
  name: string;
  uuid: string;
  location: string;
  running: boolean;
  disks: number;
  capacity: number;
  /** The transfer of this VM in flight, if any: its operation, mode (a mover's pass: `warm (mover)`…) and bytes moved. */
  transfer: { id: string; mode: string; done: number; total: number } | null;
}

export interface InstanceView {
  target: string;
  project: string;
  name: string;
  running: boolean;
  /** Ferry's markers; null on an instance that is not Ferry's. */
  entry: string | null;
  attempt: string | null;
  /** The VM it was created for (its name now). */
  vm: string | null;
  /** The operation working on it. */
  busy: string | null;
  disks: number;
  created_at: number;
}

export interface OperationView {
  id: string;
  kind: string;
  state: string;
  /** What it works on: a VM (`source/name`) or an instance (`target/project/name`). */
  on: string;
  started_at: number;
  /** When it ended, or null while it runs. */
  ended_at: number | null;
  /** When a running operation ends on its own, if it does. */
  ends_at: number | null;
  /** Transfers: bytes moved of the total. */
  progress: { done: number; total: number } | null;
  message: string;
}

export interface EventView {
  id: string;
  name: string | null;
  type: string;
  at: number;
  applied: boolean;
  outcome: string;
}

export interface JournalView {
  at: number;
  op: string;
  kind: string;
  outcome: LogOutcome;
}

export interface WorldView {
  start: number;
  now: number;
  next_event_at: number | null;
  vms: VmView[];
  instances: InstanceView[];
  /** The running operations and the newest ended ones (`last`), in the order they started. */
  operations: OperationView[];
  /** Operations that match the filter, before `last` kept the newest ended ones. */
  operations_total: number;
  events: EventView[];
  journal: JournalView[];
  /** Execution-log entries that match the filter, before `last` kept the newest. */
  journal_total: number;
}

/** A filter that names something the world does not have: the names it has, for the message. */
export class UnknownInWorld extends Error {
  constructor(readonly what: 'source' | 'target' | 'vm', readonly ref: string, readonly known: string[]) {
    super(`the simulated world has no ${what} "${ref}"`);
  }
}

export function worldView(state: WorldState, next: number | null, filter: WorldFilter = {}, history: History | null = null): WorldView {
  if (filter.source !== undefined && state.sources[filter.source] === undefined) throw new UnknownInWorld('source', filter.source, Object.keys(state.sources));
  if (filter.target !== undefined && state.targets[filter.target] === undefined) throw new UnknownInWorld('target', filter.target, Object.keys(state.targets));
  const vmByKey = new Map<string, { source: string; vm: VmState }>();
  for (const source of Object.values(state.sources)) {
    for (const vm of Object.values(source.vms)) {
      vmByKey.set(`${source.name}\0${vm.key}`, { source: source.name, vm });
      vmByKey.set(`${source.name}\0${vm.record.uuid}`, { source: source.name, vm });
    }
  }
  let only: { source: string; vm: VmState } | undefined;
  if (filter.vm !== undefined) {
    const ref = filter.vm;
    for (const found of vmByKey.values()) {
      if (filter.source !== undefined && found.source !== filter.source) continue;
      const { vm } = found;
      if (vm.key === ref || vm.record.uuid === ref || vm.record.name === ref || vm.record.location === ref) {
        only = found;
        break;
      }
    }
    if (only === undefined) throw new UnknownInWorld('vm', ref, [...new Set([...vmByKey.values()].map((v) => v.vm.record.name))]);
  }
  const isOnly = (source: string, key: string) => only === undefined || (only.source === source && only.vm.key === key);

  const inFlight = new Map<string, VmView['transfer']>();
  for (const op of Object.values(state.ops)) {
    if (op.transfer && op.state === 'running') {
      const mode = op.transfer.transport === 'mover' ? `${moverPass(op.transfer.mode)} (mover)` : op.transfer.mode;
      inFlight.set(`${op.transfer.source}\0${op.transfer.vm}`, { id: op.id, mode, done: transferDone(op, state.now), total: op.transfer.total });
    }
  }

  // With --target, the VMs are those that have an instance on that target.
  const onTarget = new Set<string>();
  if (filter.target !== undefined) {
    for (const project of Object.values(state.targets[filter.target]!.instances)) {
      for (const instance of Object.values(project)) if (instance.origin) onTarget.add(`${instance.origin.source}\0${instance.origin.vm}`);
    }
  }
  const vms: VmView[] = [];
  for (const source of Object.values(state.sources)) {
    if (filter.source !== undefined && source.name !== filter.source) continue;
    for (const vm of Object.values(source.vms)) {
      if (!isOnly(source.name, vm.key)) continue;
      if (filter.target !== undefined && !onTarget.has(`${source.name}\0${vm.key}`)) continue;
      vms.push({
        source: source.name,
        name: vm.record.name,
        uuid: vm.record.uuid,
        location: vm.record.location,
        running: vm.record.running,
        disks: vm.record.disks.length,
        capacity: vm.record.disks.reduce((sum, d) => sum + d.capacity, 0),
        transfer: inFlight.get(`${source.name}\0${vm.key}`) ?? null,
      });
    }
  }
  vms.sort((a, b) => compare(a.source, b.source) || compare(a.name, b.name) || compare(a.uuid, b.uuid));

  const instances: InstanceView[] = [];
  for (const target of Object.values(state.targets)) {
    if (filter.target !== undefined && target.name !== filter.target) continue;
    for (const project of Object.keys(target.instances).sort()) {
      for (const instance of Object.values(target.instances[project]!)) {
        if (only !== undefined && (instance.origin === null || !isOnly(instance.origin.source, instance.origin.vm))) continue;
        if (filter.source !== undefined && instance.origin?.source !== filter.source) continue;
        const origin = instance.origin ? vmByKey.get(`${instance.origin.source}\0${instance.origin.vm}`) : undefined;
        instances.push({
          target: target.name,
          project,
          name: instance.name,
          running: instance.running,
          entry: instance.config[ENTRY_KEY] ?? null,
          attempt: instance.config[ATTEMPT_KEY] ?? null,
          vm: origin ? origin.vm.record.name : null,
          busy: instance.busy,
          disks: Object.keys(instance.disks).length,
          created_at: instance.created_at,
        });
      }
    }
  }
  instances.sort((a, b) => compare(a.target, b.target) || compare(a.project, b.project) || compare(a.name, b.name));

  const opOf = (op: OpState): { source: string; vm: VmState } | undefined => {
    if (op.transfer) return vmByKey.get(`${op.transfer.source}\0${op.transfer.vm}`);
    if (op.kind === 'power_off_source' || op.kind === 'power_on_source') return vmByKey.get(`${op.owner}\0${op.entry}`);
    if (op.instance) {
      const origin = state.targets[op.instance.target]?.instances[op.instance.project]?.[op.instance.name]?.origin;
      if (origin) return vmByKey.get(`${origin.source}\0${origin.vm}`);
    }
    // The entry is the UUID the inventory gave the VM: its key.
    for (const source of Object.keys(state.sources)) {
      const found = vmByKey.get(`${source}\0${op.entry}`);
      if (found) return found;
    }
    return undefined;
  };
  const selected = (op: OpState): boolean => {
    const vm = opOf(op);
    if (only !== undefined) return vm !== undefined && isOnly(vm.source, vm.vm.key);
    if (filter.source !== undefined && (vm === undefined || vm.source !== filter.source)) return false;
    if (filter.target !== undefined && op.instance?.target !== filter.target) return false;
    return true;
  };
  const last = filter.last ?? 0;
  const narrowed = only !== undefined || filter.source !== undefined || filter.target !== undefined;
  const running: OpState[] = [];
  const endedLive: OpState[] = [];
  for (const op of Object.values(state.ops)) {
    if (selected(op)) (op.state === 'running' ? running : endedLive).push(op);
  }
  // The order operations leave the live world in, as the history keeps them.
  endedLive.sort((a, b) => a.ended_at! - b.ended_at! || a.seq - b.seq);
  let ended: OpState[] = [];
  let endedTotal = 0;
  // The ids whose calls the journal shows: every operation that matches, not only those listed.
  let journalOps: Set<string> | null = null;
  if (filter.active) {
    journalOps = new Set(running.map((op) => op.id));
  } else if (!narrowed && last > 0) {
    ended = newest(last, [...endedLive].reverse(), history?.operationsNewestFirst());
    endedTotal = endedLive.length + state.archived_ops;
  } else {
    const kept = new Newest<OpState>(last);
    if (narrowed) journalOps = new Set(running.map((op) => op.id));
    for (const op of chain(history?.operations(), endedLive)) {
      if (narrowed && !selected(op)) continue;
      kept.push(op);
      journalOps?.add(op.id);
      endedTotal++;
    }
    ended = kept.list;
  }
  const operations: OperationView[] = [];
  for (const op of [...running, ...ended].sort((a, b) => a.seq - b.seq)) {
    const vm = opOf(op);
    const on = op.instance ? `${op.instance.target}/${op.instance.project}/${op.instance.name}` : vm ? `${vm.source}/${vm.vm.record.name}` : op.entry;
    operations.push({
      id: op.id,
      kind: op.kind,
      state: op.state === 'running' && op.transfer?.stopping_since != null ? 'stopping' : op.state,
      on,
      started_at: op.started_at,
      ended_at: op.ended_at,
      ends_at: op.ends_at,
      progress: op.transfer ? { done: transferDone(op, state.now), total: op.transfer.total } : null,
      message: op.message,
    });
  }

  const events: EventView[] = [];
  for (const event of state.events) {
    if (only !== undefined && (event.vm === null || !isOnly(event.vm.source, event.vm.key))) continue;
    events.push({ id: event.id, name: event.event.name ?? null, type: event.event.type, at: event.event.at, applied: event.applied, outcome: event.outcome });
  }

  let journal: LogEntry[];
  let journalTotal: number;
  if (journalOps === null && last > 0) {
    journal = newest(last, [...state.log].reverse(), history?.callsNewestFirst());
    journalTotal = state.archived_calls + state.log.length;
  } else {
    const kept = new Newest<LogEntry>(last);
    journalTotal = 0;
    for (const call of chain(history?.calls(), state.log)) {
      if (journalOps !== null && !journalOps.has(call.op)) continue;
      kept.push(call);
      journalTotal++;
    }
    journal = kept.list;
  }

  return {
    start: state.start,
    now: state.now,
    next_event_at: next,
    vms,
    instances,
    operations,
    operations_total: running.length + endedTotal,
    events,
    journal: journal.map((e) => ({ at: e.at, op: e.op, kind: e.kind, outcome: e.outcome })),
    journal_total: journalTotal,
  };
}

/**
 * The newest `limit` items, oldest first, from sources given newest first (the live world's,
 * then the history's tail), reading no further than needed.
 */
function newest<T>(limit: number, ...sources: (Iterable<T> | undefined)[]): T[] {
  const out: T[] = [];
  for (const source of sources) {
    if (out.length >= limit) break;
    for (const item of source ?? []) {
      out.push(item);
      if (out.length >= limit) break;
    }
  }
  return out.reverse();
}

function* chain<T>(...sources: (Iterable<T> | undefined)[]): Generator<T> {
  for (const source of sources) if (source) yield* source;
}

/** Keeps the newest `limit` items pushed (0: all), oldest first. */
class Newest<T> {
  private items: T[] = [];

  constructor(private readonly limit: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.limit > 0 && this.items.length >= 2 * this.limit) this.items.splice(0, this.items.length - this.limit);
  }

  get list(): T[] {
    return this.limit > 0 ? this.items.slice(-this.limit) : this.items;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
