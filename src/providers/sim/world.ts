// The simulated world in memory: its state, the indexes that make lookups cheap, and `apply`,
// the one way to change it. `apply` is deterministic — the same commands on the same state give
// the same world — which is what lets a persisted world be rebuilt by replaying its journal.
// No I/O and no real clock here.

import type { Action } from '../../engine/actions.js';
import type { OperationKind } from '../../engine/status.js';
import type { SimulatedOperation } from '../../model/desired.js';
import { ProviderError } from '../ports.js';
import { DueQueue } from './due-queue.js';
import { callPower } from './source-calls.js';
import { guestOutcome, type EndedOp, type LogEntry, type LogOutcome, type OpState, type SourceState, type TargetState, type VmState, type WorldState } from './state.js';
import { callCreate, callDelete, callFinalize, callPostImport } from './target-calls.js';
import { advance } from './timeline.js';
import { callCancel, callImport, transferDone } from './transfer-calls.js';

export type Command =
  | { c: 'call'; action: Action }
  | { c: 'advance'; to: number }
  /** A scripted crash event fired: recorded before the process is killed, so it fires once. */
  | { c: 'crash'; event: string }
  /** Config keys set on a target instance by a byte transfer from a real source (disk digests, the import record). */
  | { c: 'config'; target: string; project: string; name: string; set: Record<string, string> };

export interface CommandResult {
  /** The call was refused: thrown to the caller after the command is recorded. */
  error?: ProviderError;
}

/** The source, target or `transfers` that answers for an action. */
export function ownerOf(action: Action): string {
  switch (action.kind) {
    case 'power_off_source':
    case 'power_on_source':
      return action.source;
    case 'import_disks':
    case 'cancel_operation':
      return TRANSFERS;
    default:
      return action.target;
  }
}

export const TRANSFERS = 'transfers';

/** What leaves the live world for the history when it is compacted. */
export interface Retired {
  /** In the order they ended. */
  ops: OpState[];
  calls: LogEntry[];
}

export class World {
  /** Per source: current UUID → VM key. */
  private readonly uuids = new Map<string, Map<string, string>>();
  /** Running operations by completion time. */
  private readonly due = new DueQueue();
  /** The ids of the ended records per entry, oldest first; built at the first compaction. */
  private endedByEntry: Map<string, string[]> | null = null;
  /** The transfer in flight per VM (`source`\0`key`), running or stopping. */
  private readonly transfers = new Map<string, string>();

  constructor(readonly state: WorldState) {
    this.reindex();
    for (const op of Object.values(state.ops)) if (op.state === 'running') this.track(op);
  }

  /** Rebuilds the VM indexes after the repository was merged in (VMs added or removed). */
  reindex(): void {
    this.uuids.clear();
    for (const source of Object.values(this.state.sources)) this.indexSource(source);
  }

  get now(): number {
    return this.state.now;
  }

  apply(command: Command): CommandResult {
    switch (command.c) {
      case 'advance':
        advance(this, command.to);
        return {};
      case 'crash': {
        const event = this.state.events.find((e) => e.id === command.event);
        if (event) {
          event.applied = true;
          event.outcome = `crashed the process at ${event.event.type === 'crash' ? event.event.step : '?'}`;
        }
        return {};
      }
      case 'call':
        return this.call(command.action);
      case 'config': {
        const instance = this.state.targets[command.target]?.instances[command.project]?.[command.name];
        if (instance) Object.assign(instance.config, command.set);
        return {};
      }
    }
  }

  /** Whether an operation id was ever called (running, ended, or ended and retired). */
  knows(id: string): boolean {
    return this.state.ops[id] !== undefined || this.state.ended[id] !== undefined;
  }

  private call(action: Action): CommandResult {
    if (this.knows(action.op)) {
      this.log(action.op, action.kind, 'repeat');
      return {};
    }
    switch (action.kind) {
      case 'power_off_source':
      case 'power_on_source':
        return callPower(this, action);
      case 'create_instance':
        return callCreate(this, action);
      case 'post_import':
        return callPostImport(this, action);
      case 'finalize_instance':
        return callFinalize(this, action);
      case 'delete_instance':
        return callDelete(this, action);
      case 'import_disks':
        return callImport(this, action);
      case 'cancel_operation':
        return callCancel(this, action);
    }
  }

  log(op: string, kind: OperationKind, outcome: LogOutcome): void {
    this.state.log.push({ op, kind, at: this.now, outcome });
  }

  /** Records a new operation: running (until `ends_at`), or already ended when given a final state. */
  startOp(fields: Pick<OpState, 'id' | 'kind' | 'owner' | 'entry'> & Partial<OpState>, logged: LogOutcome | null = 'executed'): OpState {
    const op: OpState = {
      state: 'running',
      message: '',
      seq: this.state.seq++,
      started_at: this.now,
      ends_at: null,
      ended_at: null,
      doomed: null,
      instance: null,
      transfer: null,
      start: false,
      ...fields,
    };
    this.state.ops[op.id] = op;
    if (logged !== null) this.log(op.id, op.kind, logged);
    if (op.state === 'running') this.track(op);
    else op.ended_at = this.now;
    return op;
  }

  private track(op: OpState): void {
    if (op.ends_at !== null) this.due.push({ at: op.ends_at, seq: op.seq, id: op.id });
    if (op.transfer) this.transfers.set(`${op.transfer.source}\0${op.transfer.vm}`, op.id);
  }

  /** The running operation that completes first, if any waits on the clock. */
  nextDue(): OpState | undefined {
    const entry = this.due.peek((e) => {
      const op = this.state.ops[e.id];
      return op !== undefined && op.state === 'running' && op.ends_at === e.at;
    });
    return entry ? this.state.ops[entry.id] : undefined;
  }

  /** The transfer of a VM still in flight (running, or stopping with its session), if any. */
  transferOf(source: string, vm: string): OpState | undefined {
    const id = this.transfers.get(`${source}\0${vm}`);
    return id !== undefined ? this.state.ops[id] : undefined;
  }

  endOp(op: OpState, state: 'succeeded' | 'failed' | 'canceled', message: string): void {
    op.state = state;
    op.message = message;
    op.ended_at = this.now;
    op.ends_at = null;
    if (op.transfer && this.transfers.get(`${op.transfer.source}\0${op.transfer.vm}`) === op.id) this.transfers.delete(`${op.transfer.source}\0${op.transfer.vm}`);
    if (op.instance) {
      const instance = this.instance(op.instance.target, op.instance.project, op.instance.name);
      if (instance?.busy === op.id) instance.busy = null;
    }
  }

  /**
   * Takes the operations that ended out of the live world, leaving a compact record of each (those
   * a shared session still lists stay until it ends), and the execution log. Of an entry's ended
   * operations, only the records of the newest ENDED_KEPT_PER_ENTRY stay: the ids a reconciler
   * can still ask about (the entry's operation, and for a cancel the operation it stops — a
   * later operation of the entry was committed to the status before it was called, so the status
   * has moved past the older ones). Otherwise it changes nothing an operation id answers, and the
   * live world grows with the campaign's entries, not with what they did.
   */
  retire(): Retired {
    const ops: OpState[] = [];
    for (const id in this.state.ops) {
      const op = this.state.ops[id]!;
      if (op.state === 'running') continue;
      if (op.transfer?.session != null && this.state.sessions[op.transfer.session] !== undefined) continue;
      ops.push(op);
    }
    ops.sort((a, b) => a.ended_at! - b.ended_at! || a.seq - b.seq);
    const byEntry = this.endedIndex();
    for (const op of ops) {
      delete this.state.ops[op.id];
      this.state.ended[op.id] = endedRecord(op);
      const key = entryKey(op.id);
      let ids = byEntry.get(key);
      if (!ids) byEntry.set(key, (ids = []));
      insertByEnd(ids, op.id, this.state.ended);
      while (ids.length > ENDED_KEPT_PER_ENTRY) delete this.state.ended[ids.shift()!];
    }
    const calls = this.state.log;
    this.state.log = [];
    this.state.archived_calls += calls.length;
    this.state.archived_ops += ops.length;
    return { ops, calls };
  }

  private endedIndex(): Map<string, string[]> {
    if (this.endedByEntry === null) {
      this.endedByEntry = new Map();
      for (const id in this.state.ended) {
        const key = entryKey(id);
        const ids = this.endedByEntry.get(key);
        if (ids) insertByEnd(ids, id, this.state.ended);
        else this.endedByEntry.set(key, [id]);
      }
    }
    return this.endedByEntry;
  }

  source(name: string): SourceState | undefined {
    return this.state.sources[name];
  }

  target(name: string): TargetState | undefined {
    return this.state.targets[name];
  }

  /** A VM by its current UUID, or by its key (the UUID it had in the inventory file). */
  vm(source: string, uuid: string): VmState | undefined {
    const vms = this.state.sources[source]?.vms;
    if (!vms) return undefined;
    const key = this.uuids.get(source)?.get(uuid) ?? uuid;
    return vms[key];
  }

  instance(target: string, project: string, name: string) {
    return this.state.targets[target]?.instances[project]?.[name];
  }

  private indexSource(source: SourceState): void {
    const index = new Map<string, string>();
    for (const vm of Object.values(source.vms)) index.set(vm.record.uuid, vm.key);
    this.uuids.set(source.name, index);
  }

  changeUuid(source: string, vm: VmState, uuid: string): void {
    const index = this.uuids.get(source)!;
    index.delete(vm.record.uuid);
    vm.record.uuid = uuid;
    index.set(uuid, vm.key);
  }

  /**
   * Takes one of the pending scripted failures for this kind of call and VM, if any: a fault for
   * this VM first, then one for every VM. Returns the failure message the operation will report.
   */
  takeFault(operation: keyof typeof FAULT_MESSAGES, source: string, vm: string | null): string | null {
    return this.takeAnyFault(operation, source, vm) ? FAULT_MESSAGES[operation] : null;
  }

  /**
   * Takes a pending `prepare` or `readiness` fault as takeFault does; whether there was one (the
   * caller says what failed: it depends on the guest, ./guest-preparation.ts).
   */
  takeGuestFault(operation: 'prepare' | 'readiness', source: string, vm: string): boolean {
    return this.takeAnyFault(operation, source, vm);
  }

  private takeAnyFault(operation: SimulatedOperation, source: string, vm: string | null): boolean {
    const matches = (fault: WorldState['faults'][number], specific: boolean) =>
      fault.operation === operation && fault.remaining > 0
      && (specific ? fault.vm !== null && fault.vm === vm && (fault.source === null || fault.source === source) : fault.vm === null && (fault.source === null || fault.source === source));
    const fault = this.state.faults.find((f) => matches(f, true)) ?? this.state.faults.find((f) => matches(f, false));
    if (!fault) return false;
    fault.remaining--;
    return true;
  }
}

/**
 * Ended records kept per entry: its newest operation and the one before it (a cancel's and the
 * operation it stops). Older ones no reconciler asks about (see World.retire).
 */
export const ENDED_KEPT_PER_ENTRY = 2;

/**
 * The entry an operation id belongs to: Ferry's ids are `ENTRY#ATTEMPT/STEP…` (engine/entry-work.ts);
 * an id of another shape is its own entry, so its record is never dropped.
 */
function entryKey(id: string): string {
  const hash = id.indexOf('#');
  return hash < 0 ? id : id.slice(0, hash);
}

/**
 * Puts an id in a list kept in the order the operations ended. Retirement order is not quite that
 * order (an operation of a shared session leaves when its session ends), so it is sorted here;
 * the list is short and the id nearly always goes last.
 */
function insertByEnd(ids: string[], id: string, ended: Readonly<Record<string, EndedOp>>): void {
  const at = ended[id]!.ended_at;
  let i = ids.length;
  while (i > 0 && ended[ids[i - 1]!]!.ended_at > at) i--;
  ids.splice(i, 0, id);
}

function endedRecord(op: OpState): EndedOp {
  const ended: EndedOp = { owner: op.owner, state: op.state as EndedOp['state'], message: op.message, ended_at: op.ended_at! };
  if (op.transfer) {
    ended.progress = { done: transferDone(op, op.ended_at!), total: op.transfer.total };
    ended.source = op.transfer.source;
  }
  if (op.instance) ended.target = op.instance.target;
  const guest = guestOutcome(op);
  if (guest) ended.guest = guest;
  return ended;
}

/** The failures of the faults whose message does not depend on the guest. */
const FAULT_MESSAGES: Record<Exclude<SimulatedOperation, 'prepare' | 'readiness'>, string> = {
  transfer: 'the disk transfer failed (simulated fault)',
  create: 'creating the instance failed (simulated fault)',
  start: 'the instance failed to start (simulated fault)',
  post_import: 'the post-import steps failed (simulated fault)',
};

/** A refusal the caller sees as an exception; the world records it like any call. */
export function refuse(code: string, message: string): CommandResult {
  return { error: new ProviderError(code, message) };
}
