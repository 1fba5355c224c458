// Resolution documents (DESIGN §1): one-shot operations on an entry or a batch, applied once per
// id and content hash and recorded in the ledger with their outcome. migration-manager's queue
// cancel, retry and resolve, and batch reset (research §1.5, §4.3). A resolution whose entry is
// still busy (an operation or clean-up in flight) waits, unrecorded, until it can apply.

import type { Resolution } from '../model/desired.js';
import { blockReason, effectiveName } from './blocking.js';
import { owesPowerOn } from './entry-cleanup.js';
import { EntryWork } from './entry-work.js';
import { disksDigest } from './final-checks.js';
import { setBatch } from './lifecycle.js';
import { MSG, plural } from './messages.js';
import { computePlacement } from './placing.js';
import { ENTRY_STATUS_TEXT, isCommitted, type QueueEntry } from './status.js';
import type { TickContext } from './tick.js';

type Outcome = { kind: 'applied' | 'rejected'; message: string } | { kind: 'deferred' };

const applied = (message: string): Outcome => ({ kind: 'applied', message });
const rejected = (message: string): Outcome => ({ kind: 'rejected', message });
const DEFERRED: Outcome = { kind: 'deferred' };

export function applyResolutions(ctx: TickContext): void {
  const pending = ctx.input.desired.resolutions
    .filter((r) => ctx.ledger[r.id]?.hash !== r.hash)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const resolution of pending) {
    const outcome = apply(ctx, resolution);
    if (outcome.kind === 'deferred') continue;
    ctx.ledger[resolution.id] = {
      id: resolution.id,
      hash: resolution.hash,
      action: resolution.action,
      batch: resolution.batch,
      instance: resolution.instance,
      applied_at: ctx.now,
      outcome: outcome.kind,
      message: outcome.message,
      desired_commit: ctx.input.desiredCommit,
    };
    ctx.changes.push({
      kind: 'resolution',
      batch: resolution.batch,
      ...(resolution.instance !== null ? { instance: resolution.instance } : {}),
      to: outcome.kind === 'applied' ? 'Applied' : 'Rejected',
      message: `${resolution.action} (${resolution.id}): ${outcome.message}`,
    });
  }
}

function apply(ctx: TickContext, r: Resolution): Outcome {
  if (!ctx.runs.has(r.batch) && ctx.batches[r.batch] === undefined) return rejected(`batch "${r.batch}" does not exist`);
  if (r.action === 'reset') return reset(ctx, r);
  if (r.instance === null) return rejected(`a ${r.action} resolution must name an instance`);
  const found = findEntry(ctx, r.batch, r.instance);
  if (typeof found === 'string') return rejected(found);
  const w = new EntryWork(ctx, ctx.runs.get(r.batch), found);
  switch (r.action) {
    case 'cancel':
      return cancel(w, r);
    case 'retry':
      return retry(w, r);
    case 'resolve':
      return resolve(w, r);
  }
}

/** The batch's entry for an instance named by UUID, location or name; a sentence when there is none. */
function findEntry(ctx: TickContext, batch: string, ref: string): QueueEntry | string {
  const entries = ctx.entriesOf(batch);
  const exact = entries.find((e) => e.uuid === ref) ?? entries.find((e) => e.location === ref);
  if (exact) return exact;
  const named = entries.filter((e) => e.name === ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) return `${named.length} entries of batch "${batch}" are named "${ref}" (${named.map((e) => e.location).join(', ')}); name the instance by its location or UUID`;
  const elsewhere = Object.values(ctx.entries).find((e) => e.uuid === ref || e.location === ref || e.name === ref);
  if (elsewhere) return `instance "${ref}" has no entry in batch "${batch}"; its entry is in batch "${elsewhere.batch}"`;
  return `instance "${ref}" has no entry in batch "${batch}" (no queued instance has that name, location or UUID)`;
}

function mayHaveTargetInstance(e: QueueEntry): boolean {
  return !((e.status === 'blocked' || e.status === 'waiting') && e.operation === null);
}

/** Cancels an entry: its transfer is stopped, its source powered back on if Ferry powered it off, and with cleanup its target instance deleted. */
export function cancelEntry(w: EntryWork, cleanup: boolean, message: string, removeEntry = false): void {
  const e = w.entry;
  const owed = e.cleanup?.delete_target ?? null;
  const deleteTarget = owed ?? (cleanup && mayHaveTargetInstance(e) ? w.currentTargetRef() : null);
  const remove = removeEntry || (e.cleanup?.remove_entry ?? false);
  w.to('canceled', message, {
    import_stage: 'background',
    window: null,
    cleanup: deleteTarget !== null || remove ? { delete_target: deleteTarget, remove_entry: remove } : null,
  });
}

function cancel(w: EntryWork, r: Resolution): Outcome {
  const e = w.entry;
  if (e.status === 'finished') return rejected(`${e.name} is Finished: a finished migration cannot be canceled`);
  const was = ENTRY_STATUS_TEXT[e.status];
  cancelEntry(w, r.cleanup, `${MSG.canceled} by resolution ${r.id}`);
  const owed = [
    w.entry.operation !== null ? 'its operation in flight is stopped first' : null,
    owesPowerOn(w.entry) ? 'its source VM is powered back on' : null,
    w.entry.cleanup?.delete_target ? 'its target instance is deleted' : null,
  ].filter((x) => x !== null);
  return applied(`${e.name} canceled (it was ${was})${owed.length ? `; ${owed.join(', ')}` : ''}`);
}

function retry(w: EntryWork, r: Resolution): Outcome {
  const ctx = w.ctx;
  const e = w.entry;
  if (e.status !== 'canceled') return rejected(`${e.name} is ${ENTRY_STATUS_TEXT[e.status]}: only a Canceled entry can be retried (cancel it first)`);
  if (e.operation !== null || owesPowerOn(e) || e.cleanup) return DEFERRED;
  const effective = w.run?.effective;
  if (!effective) return rejected(`batch "${r.batch}" is no longer in the repository`);
  // The previous attempt's target instance would take the name: delete it first (it carries this entry's markers).
  const target = ctx.target(e.placement.target_name);
  if (target === undefined || !target.reachable || !ctx.targetContacted(e.placement.target_name)) return DEFERRED;
  const leftover = target.projects[e.placement.target_project]?.instances[e.name];
  if (leftover !== undefined && leftover.entry === e.uuid && leftover.attempt === e.attempt_id) {
    w.patch({ cleanup: { delete_target: w.currentTargetRef(), remove_entry: false }, message: `Retry requested by resolution ${r.id}: deleting the target instance of attempt ${e.attempt} first` });
    return DEFERRED;
  }
  const instance = ctx.instance(e.uuid);
  const fields = { ...w.newAttempt(), import_stage: 'background' as const, window: null, source_powered_off: false };
  if (!instance) {
    w.to('blocked', `${MSG.notInInventory} (source ${e.source})`, fields);
    return applied(`${e.name} queued again, but it is no longer in the inventory of source ${e.source}: Blocked`);
  }
  const placed = computePlacement(effective, instance, ctx.compiled.networkOverrides);
  const reason = blockReason(instance, effective.batch);
  const refreshed = {
    ...fields,
    name: effectiveName(instance),
    location: instance.location,
    mode: instance.running ? ('live' as const) : ('offline' as const),
    placement: placed.ok ? placed.placement : e.placement,
    baseline: { uuid: instance.uuid, source_specific_id: instance.source_specific_id, name: instance.name, location: instance.location, disks_digest: disksDigest(instance.disks) },
  };
  if (reason) {
    w.to('blocked', reason.message, refreshed);
    return applied(`${e.name} queued again as attempt ${refreshed.attempt}, Blocked: ${reason.message}`);
  }
  if (!placed.ok) {
    w.to('blocked', `Placement scriptlet failed: ${placed.error}`, refreshed);
    return applied(`${e.name} queued again as attempt ${refreshed.attempt}, Blocked: its placement scriptlet failed`);
  }
  w.to('waiting', `Retry requested by resolution ${r.id}`, refreshed);
  return applied(`${e.name} queued again as attempt ${refreshed.attempt}`);
}

function resolve(w: EntryWork, r: Resolution): Outcome {
  const e = w.entry;
  if (e.status !== 'conflict') return rejected(`${e.name} is ${ENTRY_STATUS_TEXT[e.status]}: resolve applies to Conflict entries`);
  if (e.operation !== null) return DEFERRED;
  const message = `${MSG.conflictResolved} by resolution ${r.id}`;
  if (e.message.startsWith(MSG.preparationFailed)) {
    // The mover could not prepare the guest, and the source ran again while the entry waited in
    // Conflict: the copy is refreshed (a delta pass in the next window) before the post-import
    // step prepares the guest again, with the overrides as they are now.
    w.to('idle', message, { window: null, import_stage: 'final' });
    return applied(`${e.name} waits for a window again: a final pass refreshes its copy, then the guest is prepared again`);
  }
  switch (e.import_stage) {
    case 'complete':
      // The checks run again: if nothing changed, it is a Conflict again.
      w.to('worker_done', `${message}; re-running the final checks`);
      return applied(`${e.name}: the final checks run again`);
    case 'final':
      w.to('idle', message, { window: null });
      return applied(`${e.name} waits for a window again (its copy on the target is kept)`);
    case 'background':
      w.to('waiting', message);
      return applied(`${e.name} is queued again`);
  }
}

function reset(ctx: TickContext, r: Resolution): Outcome {
  const record = ctx.batches[r.batch];
  const entries = ctx.entriesOf(r.batch);
  if ((record === undefined || record.status === 'Defined') && entries.length === 0) return applied(`batch "${r.batch}" has not started: nothing to reset`);
  const committed = entries.filter((e) => isCommitted(e) && !e.cleanup?.remove_entry);
  if (committed.length > 0 && !r.force) {
    const names = committed.slice(0, 5).map((e) => e.name).join(', ');
    return rejected(`reset refused: ${plural(committed.length, 'entry', 'entries')} ${committed.length === 1 ? 'has' : 'have'} begun the final import or the post-migration steps (${names}${committed.length > 5 ? ', …' : ''}); add force: true to reset anyway (their source VMs are powered back on and their target instances deleted)`);
  }
  let finished = 0;
  for (const entry of entries) {
    const w = new EntryWork(ctx, ctx.runs.get(r.batch), entry);
    if (entry.status === 'finished') {
      finished++;
      w.patch({ cleanup: { delete_target: null, remove_entry: true } });
    } else {
      cancelEntry(w, true, `${MSG.reset} by resolution ${r.id}`, true);
    }
  }
  setBatch(ctx, r.batch, {
    status: 'Defined',
    message: entries.length > 0 ? `Reset by resolution ${r.id}: removing ${plural(entries.length, 'entry', 'entries')}` : 'Defined',
    start_date: null,
    started_spec: null,
  });
  const run = ctx.runs.get(r.batch);
  if (run) run.mode = 'hold';
  const kept = finished > 0 ? `; ${finished} finished target instance${finished === 1 ? ' is' : 's are'} kept` : '';
  return applied(`batch "${r.batch}" reset: ${plural(entries.length, 'entry', 'entries')} removed once cleaned up${kept}`);
}
