// Batch lifecycle from `spec.state` (research §1.3 with the §9 fixes): starting claims the
// instances of the current inventory that the batch holds (its assignment, ./assignments.ts) or
// that match, and have no entry anywhere (batches starting in the same tick claim in name order);
// one it holds that no longer matches starts as a Conflict, once; a Stopped batch restarts even
// when it has nothing new to claim; stopping pauses, and so does an operator's pause (`ferry
// pause`, recorded on the status branch): a paused batch is driven as if it were `state:
// stopped` until it is resumed, when it restarts like a Stopped batch set running; a batch is
// Finished when all its entries are Finished or Canceled; it is in Error while its default target
// does not answer.

import { defaultPlacement } from '../placement/index.js';
import { LINE_TERMINATOR } from '../text/control.js';
import { blockReason, effectiveName } from './blocking.js';
import { EntryWork } from './entry-work.js';
import { matchesInstance } from './evaluation.js';
import { disksDigest } from './final-checks.js';
import { at, MSG } from './messages.js';
import { startedSpecOf } from './modification.js';
import { footprint } from './occupancy.js';
import { computePlacement } from './placing.js';
import { isCommitted, pauseOf, type BatchStatus, type Pause, type QueueEntry } from './status.js';
import type { BatchRun, TickContext } from './tick.js';
import { windowEnded } from './windows.js';

export function setBatch(ctx: TickContext, name: string, fields: Partial<BatchStatus>): void {
  const current = ctx.batches[name] ?? { name, status: 'Defined', message: 'Defined', start_date: null, desired_commit: null, started_spec: null };
  let differs = ctx.batches[name] === undefined;
  for (const key in fields) {
    if (!Object.is((current as unknown as Record<string, unknown>)[key], (fields as Record<string, unknown>)[key])) differs = true;
  }
  if (differs) ctx.batches[name] = { ...current, ...fields };
}

/** Sets every batch's mode for this tick and starts the batches that should start. */
export function runLifecycle(ctx: TickContext): void {
  const starting: BatchRun[] = [];
  for (const run of [...ctx.runs.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const status = ctx.batches[run.name]?.status ?? 'Defined';
    if (run.effective === null) {
      run.mode = status === 'Defined' ? 'hold' : 'pause';
      if (status === 'Running' || status === 'Error') {
        setBatch(ctx, run.name, { status: 'Stopped', message: 'The batch\'s document was removed from the repository: its entries are paused (restore the document, or reset the batch before removing it)' });
      }
      continue;
    }
    const state = run.effective.batch.state;
    const pause = pauseOf(ctx.input.status.pauses, run.name);
    if (pause !== null && state === 'running') {
      // The operator's brake: the path of `state: stopped`, with the pause as the reason.
      run.mode = status === 'Defined' ? 'hold' : 'pause';
      const why = pausedMessage(pause, ctx.input.status.pauses.campaign !== null, status === 'Defined');
      if (status === 'Running' || status === 'Error') setBatch(ctx, run.name, { status: 'Stopped', message: why });
      else if (status === 'Defined' || status === 'Stopped') setBatch(ctx, run.name, { message: why });
    } else if (state === 'running') {
      if (status === 'Defined' || status === 'Stopped') {
        run.mode = status === 'Defined' ? 'hold' : 'pause';
        if (mayStart(ctx, run, status)) starting.push(run);
      } else {
        run.mode = 'run';
      }
    } else if (state === 'stopped') {
      run.mode = status === 'Defined' ? 'hold' : 'pause';
      if (status === 'Running' || status === 'Error') setBatch(ctx, run.name, { status: 'Stopped', message: 'Stopped: nothing new starts; work past the point of no return completes' });
    } else {
      // A started batch cannot go back to defined except by a reset (a positioned problem says so).
      run.mode = status === 'Defined' ? 'hold' : 'pause';
    }
  }
  if (starting.length > 0) startBatches(ctx, starting);
}

/** A paused batch's message: who paused what, when and why, and what it means. */
function pausedMessage(pause: Pause, campaign: boolean, defined: boolean): string {
  const who = `${campaign ? 'The campaign was paused' : 'Paused'} by ${pause.by} at ${at(pause.at)}: ${pause.reason.replace(LINE_TERMINATOR, ' ')}`;
  return defined
    ? `${who} — it starts when resumed ("ferry resume")`
    : `${who} — nothing new starts; work past the point of no return completes; "ferry resume" lets it go on`;
}

function mayStart(ctx: TickContext, run: BatchRun, status: BatchStatus['status']): boolean {
  const removing = ctx.entriesOf(run.name).filter((e) => e.cleanup?.remove_entry).length;
  const refuse = (message: string) => {
    setBatch(ctx, run.name, { message });
    return false;
  };
  if (removing > 0) return refuse(`Waiting for the reset's clean-up of ${removing} entr${removing === 1 ? 'y' : 'ies'} before starting`);
  const windows = run.effective!.batch.migration_windows;
  if (windows.length > 0 && windows.every((w) => windowEnded(w, ctx.now))) return refuse('Cannot start: every migration window has ended; add a window');
  if (status === 'Defined' && !ctx.hasSourceInventory()) return refuse('Waiting for the first source inventory before starting');
  return true;
}

interface Claim {
  uuid: string;
  source: string;
  /** Held by the batch's assignment, but no longer matching its include expression. */
  stale: boolean;
}

function startBatches(ctx: TickContext, starting: BatchRun[]): void {
  const claims = new Map<string, Claim[]>(starting.map((run) => [run.name, []]));
  const includes = starting.map((run) => ({ include: run.effective!.include, claimed: claims.get(run.name)!, held: new Set(ctx.assignments[run.name]?.instances ?? []) }));
  for (const item of ctx.inventoryInstances()) {
    if (ctx.entries[item.uuid] !== undefined) continue;
    const view = ctx.view(item.uuid)!;
    // Each instance is evaluated only until a batch claims it.
    for (const { include, claimed, held } of includes) {
      const matches = matchesInstance(include, view, () => ctx.instance(item.uuid)?.location ?? item.uuid);
      if (matches || held.has(item.uuid)) {
        claimed.push({ ...item, stale: !matches });
        break;
      }
    }
  }
  for (const run of starting) {
    const status = ctx.batches[run.name]?.status ?? 'Defined';
    const claimed = claims.get(run.name)!;
    if (status === 'Defined' && claimed.length === 0) {
      setBatch(ctx, run.name, { message: 'Cannot start: no instance of the inventory matches the include expression, or every match already belongs to another batch' });
      continue;
    }
    const force = run.effective!.batch.defaults.force_conflict_resolution;
    for (const item of claimed) {
      const entry = newEntry(ctx, run, item.uuid, item.source);
      ctx.addEntry(item.stale && !force ? noLongerMatching(entry) : entry);
    }
    for (const item of claimed) ctx.occupancy.move(null, footprint(ctx.entries[item.uuid]!));
    if (status === 'Stopped') raiseExpressionConflicts(ctx, run, new Set(claimed.map((c) => c.uuid)));
    const previous = ctx.batches[run.name];
    setBatch(ctx, run.name, {
      status: 'Running',
      message: 'Running',
      start_date: ctx.now,
      started_spec: previous?.started_spec ?? startedSpecOf(run.effective!.batch),
    });
    run.mode = 'run';
  }
}

function newEntry(ctx: TickContext, run: BatchRun, uuid: string, source: string): QueueEntry {
  const effective = run.effective!;
  const instance = ctx.instance(uuid)!;
  const attempt = ctx.retiredAttempt(uuid) + 1;
  const reason = blockReason(instance, effective.batch);
  const placed = computePlacement(effective, instance, ctx.compiled.networkOverrides);
  const placement = placed.ok ? placed.placement : defaultPlacement(instance, effective.batch.defaults, ctx.compiled.networkOverrides);
  const [status, message] = reason !== null
    ? (['blocked', reason.message] as const)
    : !placed.ok
      ? (['blocked', `Placement scriptlet failed: ${placed.error}`] as const)
      : (['waiting', MSG.initialChecks] as const);
  return {
    uuid,
    batch: run.name,
    source,
    location: instance.location,
    name: effectiveName(instance),
    status,
    message,
    import_stage: 'background',
    mode: instance.running ? 'live' : 'offline',
    placement,
    window: null,
    attempt,
    attempt_id: `${uuid}#${attempt}`,
    retries: 0,
    syncs: 0,
    last_background_sync: null,
    source_powered_off: false,
    expression_conflict_raised: false,
    baseline: {
      uuid: instance.uuid,
      source_specific_id: instance.source_specific_id,
      name: instance.name,
      location: instance.location,
      disks_digest: disksDigest(instance.disks),
    },
    operation: null,
    created_at: ctx.now,
    updated_at: ctx.now,
    history: [{ at: ctx.now, attempt, from: null, to: status, message }],
    steps: 0,
    cleanup: null,
  };
}

/**
 * An instance the batch held while Defined that a later sync moved out of its include expression:
 * its entry starts as a Conflict (migration-manager's batch start), raised once — a resolve lets
 * it migrate — and never with force_conflict_resolution.
 */
function noLongerMatching(entry: QueueEntry): QueueEntry {
  const message = `${MSG.expressionConflict}: it was in the batch while the batch was Defined, and a source sync changed it since. Change the instance or the expression back, or cancel the entry; then add a Resolution with action: resolve to keep it in the batch`;
  return { ...entry, status: 'conflict', message, expression_conflict_raised: true, history: [{ ...entry.history[0]!, to: 'conflict', message }] };
}

/**
 * On restart, an entry not yet past the point of no return whose instance no longer matches the
 * include expression becomes a Conflict — once (migration-manager raises it once; resolve sends
 * it on), and never with force_conflict_resolution.
 */
function raiseExpressionConflicts(ctx: TickContext, run: BatchRun, fresh: ReadonlySet<string>): void {
  const effective = run.effective!;
  if (effective.batch.defaults.force_conflict_resolution) return;
  for (const entry of ctx.entriesOf(run.name)) {
    if (fresh.has(entry.uuid) || entry.expression_conflict_raised || entry.operation !== null || entry.cleanup) continue;
    const eligible = entry.status === 'blocked' || entry.status === 'waiting' || entry.status === 'background_import' || (entry.status === 'idle' && !isCommitted(entry));
    if (!eligible) continue;
    const present = ctx.instance(entry.uuid) !== undefined;
    if (present && ctx.matches(effective.include, entry.uuid)) continue;
    const w = new EntryWork(ctx, run, entry);
    const why = present ? MSG.expressionConflict : `${MSG.expressionConflict}: ${MSG.notInInventory.toLowerCase()}`;
    w.to('conflict', `${why}. Change the instance or the expression back, or cancel the entry; then add a Resolution with action: resolve to keep it in the batch`, {
      expression_conflict_raised: true,
      import_stage: entry.status === 'background_import' ? 'background' : entry.import_stage,
    });
  }
}

/** After the entries moved: Finished when every entry is Finished or Canceled; Error while the default target does not answer. */
export function settleBatches(ctx: TickContext): void {
  for (const run of ctx.runs.values()) {
    const record = ctx.batches[run.name];
    if (record === undefined) continue;
    const entries = ctx.entriesOf(run.name);
    if (record.status === 'Defined') {
      if (entries.length === 0 && record.message.startsWith('Reset')) setBatch(ctx, run.name, { message: 'Defined' });
      continue;
    }
    if (run.mode !== 'run' || run.effective === null) continue;
    const done = entries.length > 0 && entries.every((e) => e.status === 'finished' || e.status === 'canceled') && entries.some((e) => e.status === 'finished');
    if (done) {
      setBatch(ctx, run.name, { status: 'Finished', message: 'Finished' });
      continue;
    }
    const targetName = run.effective.batch.defaults.placement.target;
    const target = ctx.target(targetName);
    if (target !== undefined && !target.reachable) {
      setBatch(ctx, run.name, { status: 'Error', message: `Target ${targetName} does not answer (${target.message}); its entries wait until it does` });
    } else if (record.status !== 'Running' && (target !== undefined || record.status === 'Finished')) {
      setBatch(ctx, run.name, { status: 'Running', message: entries.length === 0 ? 'Running: every entry was removed' : 'Running' });
    }
  }
}
