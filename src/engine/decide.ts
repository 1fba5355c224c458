// decide: (desired, status, observations, now) → (new status, actions). Pure and deterministic:
// no I/O, no clock but `now`, no randomness, the input never mutated. Every action returned is
// already recorded in the new status as its entry's operation (write-ahead): the reconcile loop
// commits the status first and only then runs the actions.

import { advanceEntry } from './advance.js';
import { assignBatches } from './assignments.js';
import { compileBatch } from './compiled.js';
import type { Change, DecideInput, Decision } from './decision.js';
import { effectiveBatch } from './effective-batch.js';
import { EvaluationBudgetError } from './evaluation.js';
import { runLifecycle, setBatch, settleBatches } from './lifecycle.js';
import { checkModifications, startedSpecOf } from './modification.js';
import { applyResolutions } from './resolutions.js';
import { recordTargets } from './target-records.js';
import { ENTRY_STATUS_TEXT, isCommitted, STATUS_FORMAT, type EntryStatusCode, type QueueEntry, type StatusState } from './status.js';
import { TickContext } from './tick.js';
import { WINDOW_MARGIN_MS } from './windows.js';

export type { Change, DecideInput, Decision } from './decision.js';

export function decide(input: DecideInput): Decision {
  try {
    return decideWithinBudgets(input);
  } catch (error) {
    // An expression or scriptlet that ran out of budget: nothing is decided, the problem says why.
    if (!(error instanceof EvaluationBudgetError)) throw error;
    return { status: input.status, actions: [], changes: [], problems: [error.problem], wakeAt: null };
  }
}

function decideWithinBudgets(input: DecideInput): Decision {
  const ctx = new TickContext(input);
  const { desired, compiled } = input;
  const modifications = checkModifications(desired, input.status, { now: input.now, compiled });

  for (const batch of desired.batches) {
    const name = batch.meta.name;
    const compiledBatch = compiled.batches.get(name) ?? compileBatch(batch);
    ctx.runs.set(name, { name, effective: effectiveBatch(compiledBatch, ctx.batches[name]?.started_spec ?? null, modifications.refused.get(name)), mode: 'hold' });
  }
  for (const name in ctx.batches) if (!ctx.runs.has(name)) ctx.runs.set(name, { name, effective: null, mode: 'pause' });
  for (const entry of Object.values(ctx.entries)) {
    if (!ctx.runs.has(entry.batch)) ctx.runs.set(entry.batch, { name: entry.batch, effective: null, mode: 'pause' });
  }

  ctx.assignments = assignBatches(ctx);
  applyResolutions(ctx);
  // Entries a batch start creates now are placed from the next tick on (as migration-manager's
  // start leaves them Waiting "Performing initial migration checks").
  const existing = orderEntries(Object.values(ctx.entries));
  runLifecycle(ctx);
  for (const uuid of existing) {
    const entry = ctx.entries[uuid];
    if (entry !== undefined) advanceEntry(ctx, entry);
  }
  settleBatches(ctx);
  acceptSpecs(ctx);
  timeWakes(ctx);

  const changes = [...ctx.changes, ...recordChanges(ctx, input.status)];
  const status: StatusState = {
    format: STATUS_FORMAT,
    desired_commit: input.desiredCommit,
    updated_at: input.now,
    inventory: ctx.inventory,
    targets: recordTargets(desired, input.status.targets, input.observations.targets, ctx.entries, input.now),
    assignments: definedAssignments(ctx),
    archive: ctx.archive,
    batches: ctx.batches,
    entries: ctx.entries,
    ledger: ctx.ledger,
    // Only `ferry pause` and `ferry resume` change these; the reconciler honours them (runLifecycle).
    pauses: input.status.pauses,
  };
  return { status, actions: ctx.actions, changes, problems: modifications.problems, wakeAt: ctx.wakeTime };
}

/** Only the batches still Defined hold an assignment; one that started holds entries. */
function definedAssignments(ctx: TickContext): StatusState['assignments'] {
  const out: StatusState['assignments'] = {};
  for (const name in ctx.assignments) if ((ctx.batches[name]?.status ?? 'Defined') === 'Defined') out[name] = ctx.assignments[name]!;
  return out;
}

/**
 * Entries further along go first, so they get the import slots before entries that have not
 * started; then by batch, name and UUID, so the order (and with it every limit) is deterministic.
 */
function orderEntries(entries: QueueEntry[]): string[] {
  const rank = (e: QueueEntry): number => {
    if (e.operation !== null || e.cleanup || isCommitted(e)) return 0;
    switch (e.status) {
      case 'idle':
        return e.import_stage === 'final' ? 1 : 2;
      case 'background_import':
        return 2;
      case 'creating':
      case 'waiting':
        return 3;
      default:
        return 4;
    }
  };
  const keyed = entries.map((e) => ({ uuid: e.uuid, rank: rank(e), batch: e.batch, name: e.name }));
  keyed.sort((a, b) => a.rank - b.rank || cmp(a.batch, b.batch) || cmp(a.name, b.name) || cmp(a.uuid, b.uuid));
  return keyed.map((k) => k.uuid);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A started batch's protected parts, as accepted this tick, become the reference for the next change. */
function acceptSpecs(ctx: TickContext): void {
  for (const run of ctx.runs.values()) {
    const record = ctx.batches[run.name];
    if (!run.effective || record === undefined || record.status === 'Defined' || record.started_spec === null) continue;
    const accepted = startedSpecOf(run.effective.batch);
    if (JSON.stringify(accepted) !== JSON.stringify(record.started_spec)) setBatch(ctx, run.name, { started_spec: accepted });
  }
}

const TIME_DRIVEN = new Set<EntryStatusCode>(['waiting', 'creating', 'background_import', 'idle', 'final_import', 'post_import', 'worker_done']);

/** The window boundaries that can change a decision: starts, ends, lockouts and the last moment a cutover still fits. */
function timeWakes(ctx: TickContext): void {
  for (const run of ctx.runs.values()) {
    if (!run.effective || run.mode === 'hold') continue;
    // Only entries that time can move: a Conflict, Error or Blocked entry waits for a change to
    // the repository or the target, not for a window boundary — unless it still holds a window
    // (its end powers the source back on) or owes work.
    const open = ctx.entriesOf(run.name).some((e) => TIME_DRIVEN.has(e.status) || (e.status !== 'finished' && (e.window !== null || e.source_powered_off)) || e.operation !== null || (e.cleanup ?? null) !== null);
    if (!open) continue;
    const boots = new Set<number>([0]);
    for (const c of run.effective.batch.constraints) boots.add(c.min_instance_boot_time_ms ?? 0);
    for (const window of run.effective.batch.migration_windows) {
      if (window.start !== null) ctx.wakeAt(window.start + 1);
      if (window.lockout !== null) ctx.wakeAt(window.lockout + 1);
      if (window.end !== null) {
        ctx.wakeAt(window.end + 1);
        for (const boot of boots) ctx.wakeAt(window.end - boot - WINDOW_MARGIN_MS);
      }
    }
  }
}

/** One change per batch and entry that differs from the previous status, and the touched batches' desired commit. */
function recordChanges(ctx: TickContext, previous: StatusState): Change[] {
  const entryChanges: Change[] = [];
  const touched = new Set<string>();
  for (const uuid in ctx.entries) {
    const now = ctx.entries[uuid]!;
    const was = previous.entries[uuid];
    if (now === was) continue;
    touched.add(now.batch);
    entryChanges.push({
      kind: 'entry',
      batch: now.batch,
      instance: now.name,
      uuid,
      ...(was === undefined ? {} : was.status !== now.status ? { from: ENTRY_STATUS_TEXT[was.status] } : {}),
      to: ENTRY_STATUS_TEXT[now.status],
      message: now.message,
    });
  }
  for (const uuid in previous.entries) {
    if (ctx.entries[uuid] !== undefined) continue;
    const was = previous.entries[uuid]!;
    touched.add(was.batch);
    entryChanges.push({ kind: 'entry', batch: was.batch, instance: was.name, uuid, from: ENTRY_STATUS_TEXT[was.status], to: 'Removed', message: 'Removed by the batch reset' });
  }
  entryChanges.sort((a, b) => cmp(a.batch, b.batch) || cmp(a.instance!, b.instance!) || cmp(a.uuid!, b.uuid!));

  for (const name of touched) if (ctx.batches[name] !== undefined) setBatch(ctx, name, { desired_commit: ctx.input.desiredCommit });
  const batchChanges: Change[] = [];
  for (const name of Object.keys(ctx.batches).sort()) {
    const now = ctx.batches[name]!;
    const was = previous.batches[name];
    if (now === was) continue;
    if (was !== undefined && was.status === now.status && was.message === now.message && !touched.has(name)) {
      // Only bookkeeping changed (the accepted spec, retired attempts): still worth a commit.
      batchChanges.push({ kind: 'batch', batch: name, to: now.status, message: 'accepted the batch\'s current settings' });
      continue;
    }
    if (was !== undefined && was.status === now.status && was.message === now.message) continue;
    batchChanges.push({ kind: 'batch', batch: name, ...(was !== undefined && was.status !== now.status ? { from: was.status } : {}), to: now.status, message: now.message });
  }
  return [...batchChanges, ...entryChanges];
}
