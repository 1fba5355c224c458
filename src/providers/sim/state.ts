// The simulated world as data: one JSON-serialisable value, so it can be persisted, reloaded and
// replayed. Times are the virtual clock's epoch milliseconds; sizes are bytes. It is the live
// world: operations that ended and the calls already logged leave it for the history when a
// persisted world is compacted (history.ts), and only a compact record of each ended operation
// stays behind, so that its id still answers.
//
// Disk content is modelled by a number per disk: the bytes ever written to it (`written`). A
// running VM writes at its source's dirty rate, so the number grows with virtual time; a target
// disk records the number it was copied at. A copy equals its source exactly when the numbers are
// equal, which only a pass that started with the VM off (and nothing written since) achieves.

import type { SimulatedOperation, SimulationEvent } from '../../model/desired.js';
import type { InstanceRecord } from '../../model/instance.js';
import type { OperationState } from '../../engine/observations.js';
import type { OperationKind } from '../../engine/status.js';

export interface WorldState {
  /** Where the clock started (relative event times count from here). */
  start: number;
  now: number;
  /** A counter for tie-breaks and session ids: the order things were started in. */
  seq: number;
  sources: Record<string, SourceState>;
  targets: Record<string, TargetState>;
  /** Operations running, and those that ended since the world was last compacted (or whose shared session still runs), by id. */
  ops: Record<string, OpState>;
  /** The two newest operations of each entry that ended and left `ops`, by id: with `ops`, the idempotency record (World.retire). */
  ended: Record<string, EndedOp>;
  /** Shared offline transfer sessions that have not ended. */
  sessions: Record<string, SessionState>;
  /** Scripted events, sorted by time then document order. */
  events: EventState[];
  faults: FaultState[];
  /** Append-only: every call the providers received since the world was last compacted, and whether it did anything. */
  log: LogEntry[];
  /** Calls logged before that, now in the history. */
  archived_calls: number;
  /** Operations that left `ops` for the history. */
  archived_ops: number;
}

export interface SourceState {
  name: string;
  dirty_rate: number;
  background_import: boolean;
  offline_sessions: 'shared' | 'separate';
  unreachable_until: number | null;
  /** VMs by key: the UUID the inventory file gave them (a changed UUID does not change the key). */
  vms: Record<string, VmState>;
}

export interface VmState {
  key: string;
  /** The VM as vCenter reports it now (power, UUID, name, disks, config). */
  record: InstanceRecord;
  /** `written` is exact as of this time; a running VM has written more since. */
  since: number;
  /** Bytes ever written, per disk of record.disks (same order). */
  written: number[];
  /** A digest of the inventory file's record when last merged, to notice an edit of the file (absent in older worlds). */
  seeded?: string;
  /**
   * Change tracking was turned on (an enable_change_tracking event) and takes effect at the VM's
   * next power-on, as in vSphere; until then `record.background_import` stays false.
   */
  tracking_pending?: boolean;
}

/** Ferry's markers on a target instance. */
export const ENTRY_KEY = 'user.ferry.entry';
export const ATTEMPT_KEY = 'user.ferry.attempt';

export interface TargetState {
  name: string;
  /** The Target's `transfer: mover` (absent: stream, and in older worlds). */
  transfer?: 'mover';
  import_rate: number;
  create_time_ms: number;
  post_import_time_ms: number;
  agent_start_time_ms: number;
  unreachable_until: number | null;
  projects: string[];
  storage_pools: string[];
  networks: string[];
  /** What the repository listed when the world last merged it: edits are applied as differences. */
  seeded: { projects: string[]; storage_pools: string[]; networks: string[]; instances: string[] };
  /** Instances by project, then by name. */
  instances: Record<string, Record<string, InstanceState>>;
}

export interface TargetDiskState {
  pool: string;
  capacity: number;
  /** The source's `written` this disk holds a copy of; null: nothing complete (new, or a pass broke off). */
  content: number | null;
  /**
   * A mover's warm pass of a VM that tracked the disk's changes: the change id it recorded (the
   * source's `written` at its snapshot), from which a delta pass copies only what changed. Null or
   * absent: none (a stream copy, a full or delta pass, a disk without tracking).
   */
  change_id?: number | null;
}

export interface NicState {
  hardware_address: string;
  network: string;
  nictype: string;
  vlan_id: string;
}

export interface InstanceState {
  name: string;
  project: string;
  config: Record<string, string>;
  running: boolean;
  disks: Record<string, TargetDiskState>;
  nics: NicState[];
  /** The network used while migrating (null: the project's default profile). */
  migration_network: string | null;
  /** The source VM it was created for (source and VM key); null for an instance that is not Ferry's. */
  origin: { source: string; vm: string } | null;
  created_at: number;
  /** The Ferry operation working on the instance right now, if any. */
  busy: string | null;
}

export interface TransferDisk {
  name: string;
  /** Bytes this pass moves for the disk. */
  bytes: number;
  /** The source's `written` when the pass took its snapshot: what the target holds when it ends. */
  content: number;
  /** Mover: the change id the disk records when the pass ends (warm passes of tracked disks), else null. */
  change_id?: number | null;
  /** Mover, delta pass: why the disk is copied whole instead of by changed areas. */
  whole?: string;
}

export interface TransferState {
  source: string;
  /** The VM's key. */
  vm: string;
  mode: 'background' | 'final' | 'offline';
  /** Copied by a mover inside the target instance (absent: streamed). */
  transport?: 'mover';
  rate: number;
  total: number;
  disks: TransferDisk[];
  /** The shared offline session it belongs to, if any. */
  session: string | null;
  /** Canceled while its session still runs: it stops moving data and waits for the session to end. */
  stopping_since: number | null;
}

export interface OpState {
  id: string;
  kind: OperationKind;
  /** The source or target that runs it, or `transfers`. */
  owner: string;
  /** The entry (instance UUID) it is for. */
  entry: string;
  state: OperationState;
  message: string;
  seq: number;
  started_at: number;
  /** When a running operation completes on its own; null while it waits for something else. */
  ends_at: number | null;
  ended_at: number | null;
  /** A scripted fault: the failure it reports when it would have completed. */
  doomed: string | null;
  /** Of a guest preparation: the doomed failure is the operator's to settle (reported as a Conflict). Absent: no. */
  conflict?: true;
  /** A guest preparation: what the entry's history keeps once it succeeded. Absent: nothing prepared. */
  record?: string;
  /** A copy whose readiness check finds the guest would not boot on Incus (`code: sentence`), said once it succeeded. */
  guest_not_ready?: string;
  /** The target instance it works on. */
  instance: { target: string; project: string; name: string } | null;
  transfer: TransferState | null;
  /** finalize_instance: whether it starts the instance. */
  start: boolean;
}

/**
 * What an ended operation's id still answers once the operation left the live world: its outcome
 * as `operation(id)` reports it, and the source and target a lookup must reach.
 */
export interface EndedOp {
  owner: string;
  state: 'succeeded' | 'failed' | 'canceled';
  message: string;
  ended_at: number;
  /** Transfers: bytes moved of the total. */
  progress?: { done: number; total: number };
  /** The source a transfer copied from. */
  source?: string;
  /** The target of the instance it worked on. */
  target?: string;
  /** What the guest preparation or readiness check said (OpState's fields, as its outcome reports them). */
  guest?: GuestOutcome;
}

/** The guest preparation's part of an ended operation's outcome (OperationObservation's fields). */
export interface GuestOutcome {
  conflict?: true;
  record?: string;
  guest_not_ready?: string;
}

/**
 * What an operation's guest preparation or readiness check reports, given how it ended: a record or
 * a not-ready guest only once it succeeded, a Conflict only once it failed. Undefined: nothing.
 */
export function guestOutcome(op: Pick<OpState, 'state' | 'conflict' | 'record' | 'guest_not_ready'>): GuestOutcome | undefined {
  if (op.state === 'failed' && op.conflict) return { conflict: true };
  if (op.state !== 'succeeded' || (op.record === undefined && op.guest_not_ready === undefined)) return undefined;
  return { ...(op.record !== undefined ? { record: op.record } : {}), ...(op.guest_not_ready !== undefined ? { guest_not_ready: op.guest_not_ready } : {}) };
}

export interface SessionState {
  id: string;
  source: string;
  ops: string[];
}

export interface EventState {
  /** The event's name, or a digest of its content when unnamed. */
  id: string;
  event: SimulationEvent;
  /** The VM it concerns, resolved against the inventory: source and key. */
  vm: { source: string; key: string } | null;
  applied: boolean;
  /** What applying it did, for inspection. */
  outcome: string;
}

export interface FaultState {
  operation: SimulatedOperation;
  /** The VM's key, or null for every VM. */
  vm: string | null;
  source: string | null;
  remaining: number;
}

export type LogOutcome = 'executed' | 'repeat' | 'refused';

export interface LogEntry {
  op: string;
  kind: OperationKind;
  at: number;
  outcome: LogOutcome;
}

/** A VM's bytes written to disk `index` as of `now`. */
export function writtenAt(source: SourceState, vm: VmState, index: number, now: number): number {
  const base = vm.written[index] ?? 0;
  if (!vm.record.running || now <= vm.since || source.dirty_rate === 0) return base;
  const total = vm.record.disks.reduce((sum, disk) => sum + disk.capacity, 0);
  const share = total > 0 ? vm.record.disks[index]!.capacity / total : 1 / vm.record.disks.length;
  return base + Math.floor((source.dirty_rate * share * (now - vm.since)) / 1000);
}

/**
 * Powers the VM on or off (its writes counted up to now first). A power-on starts the change
 * tracking an enable_change_tracking event asked for: from then on each supported disk has a change id.
 */
export function setPower(source: SourceState, vm: VmState, on: boolean, now: number): void {
  checkpoint(source, vm, now);
  vm.record.running = on;
  if (on && vm.tracking_pending) {
    delete vm.tracking_pending;
    vm.record.background_import = true;
    for (const disk of vm.record.disks) disk.background_import_verified = disk.supported;
  }
}

/** Brings `written` up to `now`, before the VM's power, rate or disks change. */
export function checkpoint(source: SourceState, vm: VmState, now: number): void {
  vm.written = vm.record.disks.map((_, i) => writtenAt(source, vm, i, now));
  vm.since = now;
}
