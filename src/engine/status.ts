// Observed and decided state: what the status branch holds (DESIGN §2), in memory. The store
// (src/store) reads and writes it; the engine (decide) maps one StatusState to the next.
// Times are epoch milliseconds; null means "never" / "not set".

import type { InstanceRecord } from '../model/instance.js';
import type { Placement } from '../placement/index.js';

/** The newest status format this Ferry writes. Older ones are upgraded on read; newer ones refused. */
export const STATUS_FORMAT = 'ferry.dev/status/v4';

export type BatchStatusCode = 'Defined' | 'Running' | 'Stopped' | 'Finished' | 'Error';

/** Queue entry status codes (DESIGN §3.1); ENTRY_STATUS_TEXT has migration-manager's display strings. */
export type EntryStatusCode =
  | 'blocked'
  | 'waiting'
  | 'creating'
  | 'background_import'
  | 'idle'
  | 'final_import'
  | 'post_import'
  | 'worker_done'
  | 'finished'
  | 'error'
  | 'canceled'
  | 'conflict';

export const ENTRY_STATUS_TEXT: Readonly<Record<EntryStatusCode, string>> = {
  blocked: 'Blocked',
  waiting: 'Waiting',
  creating: 'Creating new VM',
  background_import: 'Performing background import tasks',
  idle: 'Idle',
  final_import: 'Performing final import tasks',
  post_import: 'Performing post-import tasks',
  worker_done: 'Worker tasks complete',
  finished: 'Finished',
  error: 'Error',
  canceled: 'Canceled',
  conflict: 'Conflict',
};

export type ImportStage = 'background' | 'final' | 'complete';

/** live: the source runs (background syncs, then a short final sync with the VM off in a window). offline: the source is off (one full copy). */
export type MigrationMode = 'live' | 'offline';

/** What kind of provider call an operation is. */
export type OperationKind =
  | 'create_instance'
  | 'import_disks'
  | 'cancel_operation'
  | 'power_off_source'
  | 'power_on_source'
  | 'post_import'
  | 'finalize_instance'
  | 'delete_instance';

/**
 * A provider call the engine decided on and recorded before it ran (write-ahead intent). Its id is
 * the idempotency key: `${attempt}/${step}` — the same id never does the work twice.
 */
export interface Operation {
  id: string;
  kind: OperationKind;
  /** For import_disks: which pass. */
  mode?: 'background' | 'final' | 'offline';
  /** When it was decided (the tick's `now`). */
  decided_at: number;
  /** The reconciler that claimed it; another one leaves it alone until the claim is older than CLAIM_TTL_MS. */
  claimed_by: string;
  claimed_at: number;
}

/** How long a claimed operation the provider has not heard of belongs to its claimant. */
export const CLAIM_TTL_MS = 5 * 60_000;

/** The source VM as it was when the batch claimed it: the final checks compare against it (§4.4). */
export interface EntryBaseline {
  uuid: string;
  source_specific_id: string;
  name: string;
  location: string;
  /** A stable digest of the disk list (names, capacities, flags) as migration-manager compares it. */
  disks_digest: string;
}

export interface TransitionRecord {
  at: number;
  /** The entry's attempt the transition belongs to (a retry or a window's end starts a new one). */
  attempt: number;
  from: EntryStatusCode | null;
  to: EntryStatusCode;
  message: string;
  /**
   * A back-and-forth that repeats (Idle ⇄ background import, pass after pass) is kept as its two
   * transitions with how many more times each happened and when it last did (./entry-history.ts).
   */
  repeats?: { times: number; last_at: number };
}

/** A transition an entry no longer holds: older than its last ENTRY_HISTORY_LIMIT, or of an entry a reset removed. */
export interface ArchivedTransition extends TransitionRecord {
  batch: string;
}

/**
 * The instances a batch holds while it is Defined (migration-manager's batch assignment): those
 * its include expression matched when it was first seen or last edited, and those a later sync
 * made match. One that a later sync moved out of the expression stays: when the batch starts, its
 * entry is a Conflict ("Instance no longer matches batch expression").
 */
export interface BatchAssignment {
  /** The expression the assignment was computed for; an edit recomputes it. */
  include_expression: string;
  /** Instance UUIDs, sorted. */
  instances: string[];
}

/** One queue entry: one instance claimed by one batch (migration-manager's queue row, plus Ferry's bookkeeping). */
export interface QueueEntry {
  /** The instance's UUID (the key: one entry per instance across all batches). */
  uuid: string;
  batch: string;
  source: string;
  /** Inventory path and effective name (overrides applied). */
  location: string;
  name: string;
  status: EntryStatusCode;
  message: string;
  import_stage: ImportStage;
  mode: MigrationMode;
  /** Target placement, including `running` (the power state the target should end in). */
  placement: Placement;
  /** The assigned migration window (only once the cutover begins), by name within the batch. */
  window: string | null;
  /** Attempt counter; a new attempt starts whenever a fresh target instance will be created. */
  attempt: number;
  /** `${uuid}#${attempt}`: goes on the target instance as `user.ferry.attempt`, prefixes operation ids. */
  attempt_id: string;
  /** Post-migration / final-restart retries used in this attempt. */
  retries: number;
  /** Background passes done in this attempt (for operation ids). */
  syncs: number;
  last_background_sync: number | null;
  /** Whether Ferry powered the source VM off and owes a power-on if the cutover is abandoned. */
  source_powered_off: boolean;
  /** The batch-start "no longer matches the include expression" conflict was raised (raised once). */
  expression_conflict_raised: boolean;
  baseline: EntryBaseline;
  /** The provider call in flight, if any. */
  operation: Operation | null;
  created_at: number;
  updated_at: number;
  /** The last transitions, newest last (at most ENTRY_HISTORY_LIMIT), for `ferry explain`. */
  history: TransitionRecord[];
  /**
   * Operations decided for this entry so far, over all its attempts: numbers the operation ids
   * (`${attempt_id}/${step}-${steps}`) so that no id is ever used twice. Absent means 0.
   */
  steps?: number;
  /** Clean-up the entry still owes before it moves on; absent or null when it owes none. */
  cleanup?: EntryCleanup | null;
}

/** A target instance an entry has to delete: the provider deletes it only when it carries these markers. */
export interface TargetInstanceRef {
  target: string;
  project: string;
  name: string;
  /** The attempt id on the instance (`user.ferry.attempt`): the attempt that created it, possibly an earlier one. */
  attempt_id: string;
}

/**
 * Clean-up owed after a cancel with cleanup, a reset, a failed creation or a window that ended
 * after the final import. It runs one operation at a time, after any power-on the entry owes.
 */
export interface EntryCleanup {
  delete_target: TargetInstanceRef | null;
  /** A reset: drop the entry once it owes nothing else. */
  remove_entry: boolean;
}

export const ENTRY_HISTORY_LIMIT = 10;

export interface BatchStatus {
  name: string;
  status: BatchStatusCode;
  message: string;
  start_date: number | null;
  /** The desired-state commit the engine last acted on for this batch. */
  desired_commit: string | null;
  /**
   * What the batch looked like when it started, for the modification rules of started batches
   * (migration-manager §1.4/§2.6): include expression, default placement, migration network, and
   * the windows and constraints as they were last accepted.
   */
  started_spec: StartedSpec | null;
  /**
   * The last attempt number of each instance (by UUID) whose entry a reset removed: a later entry
   * for that instance continues the count, so attempt ids and operation ids never repeat.
   */
  retired_attempts?: Record<string, number>;
}

export interface StartedSpec {
  include_expression: string;
  placement: { target: string; target_project: string; storage_pool: string };
  migration_network: { target: string; target_project: string; network: string; nictype: string; vlan_id: string }[];
  placement_scriptlet: string | null;
  windows: { name: string; start: number | null; end: number | null; lockout: number | null; capacity: number }[];
  constraints: { name: string; include_expression: string; max_concurrent_instances: number; min_instance_boot_time_ms: number | null }[];
}

export type ResolutionOutcome = 'applied' | 'rejected';

/** A resolution the engine has acted on: applied once, by path#name and content hash. */
export interface LedgerEntry {
  id: string;
  hash: string;
  action: 'resolve' | 'retry' | 'cancel' | 'reset';
  batch: string;
  instance: string | null;
  applied_at: number;
  outcome: ResolutionOutcome;
  message: string;
  desired_commit: string | null;
}

/** A network as a source reports it (migration-manager's network record, trimmed). */
export interface NetworkRecord {
  uuid: string;
  source_specific_id: string;
  source: string;
  type: 'standard' | 'distributed' | 'nsx-distributed' | 'nsx';
  location: string;
  properties: Record<string, unknown>;
}

export interface SourceInventory {
  synced_at: number;
  instances: InstanceRecord[];
  networks: NetworkRecord[];
}

/** An instance of a target project, as observed: its Ferry markers say which entry and attempt made it. */
export interface TargetInstanceRecord {
  running: boolean;
  /** `user.ferry.entry` (the instance UUID it migrates), null when the instance has no Ferry markers. */
  entry: string | null;
  /** `user.ferry.attempt` (the entry's attempt id), null without markers. */
  attempt: string | null;
}

/** A target project as observed: its storage pools, networks and instances by name. */
export interface TargetProjectRecord {
  pools: string[];
  networks: string[];
  instances: Record<string, TargetInstanceRecord>;
}

/**
 * What the reconciler last observed of a target, so that a pull request is planned without
 * contacting it (docs/security.md): its projects' pools and networks, and the instances that
 * block a name — those not made by the current attempt of an entry (foreign instances, leftovers
 * of earlier attempts). The instances of current attempts follow from the entries and are left
 * out, so the record changes only when the target's layout does.
 */
export interface TargetRecord {
  /** The tick that first saw this layout (later ticks that see the same one keep the record). */
  recorded_at: number;
  projects: Record<string, TargetProjectRecord>;
}

/**
 * An operator's emergency brake (`ferry pause`), committed to the status branch so that every
 * reconciler honours it at its next tick, before it acts: the batch is driven as if it were
 * `state: stopped` until `ferry resume`.
 */
export interface Pause {
  /** Who paused: the Git author identity of the pause commit, `Name <email>`. */
  by: string;
  /** When, by the clock of the machine that paused (epoch ms). */
  at: number;
  /** Why, as the operator wrote it: untrusted text, rendered through src/text. */
  reason: string;
}

export interface Pauses {
  /** The whole campaign: every batch is paused. */
  campaign: Pause | null;
  /** Single batches, by name. */
  batches: Record<string, Pause>;
}

export interface StatusState {
  format: typeof STATUS_FORMAT;
  /** The desired-state commit of the last tick. */
  desired_commit: string | null;
  /** The `now` of the last tick. */
  updated_at: number | null;
  /** Source inventory snapshots, by source name. */
  inventory: Record<string, SourceInventory>;
  /** The last observed layout of each target, by target name. */
  targets: Record<string, TargetRecord>;
  /** The instances each Defined batch holds, by batch name. */
  assignments: Record<string, BatchAssignment>;
  /** Transitions entries no longer hold, by instance UUID, oldest first: with `history` of the entries, the whole life of every entry. */
  archive: Record<string, ArchivedTransition[]>;
  batches: Record<string, BatchStatus>;
  /** Queue entries by instance UUID. */
  entries: Record<string, QueueEntry>;
  /** Applied resolutions by id (`file#name`). */
  ledger: Record<string, LedgerEntry>;
  /** What operators paused (`ferry pause`); the engine carries it over unchanged. */
  pauses: Pauses;
}

/** The pause that holds a batch: the campaign's first, else the batch's own; null when it is not paused. */
export function pauseOf(pauses: Pauses, batch: string): Pause | null {
  return pauses.campaign ?? pauses.batches[batch] ?? null;
}

export function emptyStatus(): StatusState {
  return { format: STATUS_FORMAT, desired_commit: null, updated_at: null, inventory: {}, targets: {}, assignments: {}, archive: {}, batches: {}, entries: {}, ledger: {}, pauses: { campaign: null, batches: {} } };
}

const MIGRATING = new Set<EntryStatusCode>(['creating', 'background_import', 'idle', 'final_import', 'post_import', 'worker_done']);

/** Migrating entries hold target resources (migration-manager's IsMigrating). */
export function isMigrating(entry: Pick<QueueEntry, 'status'>): boolean {
  return MIGRATING.has(entry.status);
}

/** Past the point of no return: the source was powered off for the cutover (migration-manager's IsCommitted). */
export function isCommitted(entry: Pick<QueueEntry, 'status' | 'import_stage'>): boolean {
  switch (entry.status) {
    case 'final_import':
    case 'post_import':
    case 'worker_done':
      return true;
    case 'idle':
    case 'conflict':
      return entry.import_stage === 'complete';
    default:
      return false;
  }
}

/** Entries in their final steps count against a constraint's max_concurrent_instances. */
export function isInFinalSteps(entry: Pick<QueueEntry, 'status'>): boolean {
  return entry.status === 'final_import' || entry.status === 'post_import' || entry.status === 'worker_done';
}
