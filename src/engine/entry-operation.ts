// An entry's operation in flight, as the providers report it: still running (wait; progress in
// the message; cancel a transfer that no longer fits — DESIGN §3.2), ended (apply its outcome),
// or unknown to every provider (it never ran: dispatch it again if this reconciler holds the
// claim, or forget it when it is no longer wanted).

import type { EntryWork, StepResult } from './entry-work.js';
import { bytes, MSG } from './messages.js';
import type { OperationObservation } from './observations.js';
import { canceledOperationId, claimable, operationObservable } from './operations.js';
import { CLAIM_TTL_MS, type Operation } from './status.js';
import { heldWindowEnded } from './entry-windows.js';

const WINDOW_ENDED = 'the migration window ended';

export function handleOperation(w: EntryWork): StepResult {
  const op = w.entry.operation!;
  if (op.kind === 'cancel_operation') return handleCancel(w, op);
  const ctx = w.ctx;
  if (!operationObservable(ctx, w.entry, op)) return 'wait';
  const observed = ctx.observations.operations[op.id];

  if (observed === undefined) {
    if (!claimable(op, ctx.reconciler, ctx.now, ctx.goneClaimants)) {
      ctx.wakeAt(op.claimed_at + CLAIM_TTL_MS);
      return 'wait';
    }
    if (interruption(w, op) !== null) {
      // It never ran, and it is no longer wanted: forget it and decide afresh.
      w.patch({ operation: null });
      return 'continue';
    }
    w.redispatch(op);
    return 'wait';
  }

  if (observed.state === 'running') {
    const reason = interruption(w, op);
    if (reason !== null && op.kind === 'import_disks') {
      stopTransfer(w, op, reason);
      return 'wait';
    }
    if (reason === WINDOW_ENDED && (op.kind === 'post_import' || op.kind === 'finalize_instance')) {
      // The source VM comes back when the window ends, not when the guest's work does (DESIGN §3,
      // migration-manager's resetQueueEntry): the entry starts over now, powering the source on
      // first; the operation is left to the target's clean-up, whose delete stops it.
      w.patch({ operation: null });
      return 'continue';
    }
    if (reason === null) progress(w, op, observed);
    return 'wait';
  }

  w.patch({ operation: null });
  applyOutcome(w, op, observed);
  return 'continue';
}

/** Why an operation no longer fits the entry, or null. Only transfers can be stopped; the others are waited for. */
function interruption(w: EntryWork, op: Operation): string | null {
  const e = w.entry;
  const mode = w.run?.mode ?? 'pause';
  const vm = w.ctx.observations.vms[e.uuid];
  switch (op.kind) {
    case 'import_disks': {
      if (op.mode === 'final') {
        if (e.status !== 'final_import') return 'the entry is no longer importing';
        if (heldWindowEnded(w.run, e.window, w.now)) return WINDOW_ENDED;
        if (vm && vm.running) return 'the source VM was powered on during the final import';
        return null;
      }
      if (e.status !== 'background_import') return 'the entry is no longer importing';
      if (mode !== 'run') return 'the batch is stopped';
      if (op.mode === 'background' && vm && !vm.running) return 'the source VM was powered off: switching to an offline copy';
      if (op.mode === 'offline' && vm && vm.running) return 'the source VM was started: switching to a live migration';
      return null;
    }
    case 'create_instance':
      return e.status === 'creating' ? null : 'the entry is no longer being created';
    // A cutover step that never ran (a crash between its commit and its call, a call that did not
    // get through) is not started once the entry's window has ended: that would power a source VM
    // off, or go on with the cutover, outside the window. One in flight is waited for.
    case 'power_off_source':
      if (e.status !== 'final_import' && e.status !== 'worker_done') return 'the cutover was abandoned';
      return heldWindowEnded(w.run, e.window, w.now) ? WINDOW_ENDED : null;
    case 'post_import':
      if (e.status !== 'post_import') return 'the entry left its post-import step';
      return heldWindowEnded(w.run, e.window, w.now) ? WINDOW_ENDED : null;
    case 'finalize_instance':
      if (e.status !== 'worker_done') return 'the entry left its final step';
      return heldWindowEnded(w.run, e.window, w.now) ? WINDOW_ENDED : null;
    default:
      return null;
  }
}

function stopTransfer(w: EntryWork, op: Operation, reason: string): void {
  const e = w.entry;
  const what = op.mode === 'final' ? 'final import' : op.mode === 'offline' ? 'offline copy' : 'background import';
  if (op.mode === 'final' && e.status === 'final_import' && reason.startsWith('the source VM was powered on')) {
    finalSyncAgain(w, `Stopping the final import: ${reason}`);
  } else if (e.status === 'background_import' || e.status === 'final_import') {
    // A canceled or failed entry keeps the message that says why.
    w.say(`Stopping the ${what}: ${reason}`);
  }
  w.cancel(op);
}

/**
 * DESIGN §3.2: the source VM was started during the committed final import: it is powered off
 * again and the final sync restarts, as a retry; past post_migration_retries the entry is an
 * Error and the VM keeps running.
 */
function finalSyncAgain(w: EntryWork, lead: string): void {
  const retries = w.entry.retries + 1;
  const limit = w.run?.effective?.batch.config.post_migration_retries ?? 0;
  if (retries > limit) {
    w.to('error', `The source VM was powered on during the final import ${retries} time${retries === 1 ? '' : 's'} (post_migration_retries is ${limit}); the migration stopped and the source VM keeps running`, { retries });
  } else {
    w.patch({ retries, message: `${lead}; it will be powered off again and the final sync restarted (retry ${retries} of ${limit})` });
  }
}

function progress(w: EntryWork, op: Operation, observed: OperationObservation): void {
  if (op.kind !== 'import_disks') return;
  const base = op.mode === 'final' ? MSG.finalImport : op.mode === 'offline' ? MSG.offlineCopy : MSG.backgroundImport;
  const p = observed.progress;
  // Nothing moved yet: keep the message (a change right after dispatch would only cost a commit).
  if (!p || p.total <= 0 || p.done <= 0) return;
  w.say(`${base}: ${Math.floor((p.done / p.total) * 100)}% (${bytes(p.done)} of ${bytes(p.total)})`);
}

function handleCancel(w: EntryWork, op: Operation): StepResult {
  const ctx = w.ctx;
  if (!operationObservable(ctx, w.entry, op)) return 'wait';
  const stopped = ctx.observations.operations[canceledOperationId(op.id)];
  const cancel = ctx.observations.operations[op.id];
  const gone = stopped !== undefined ? stopped.state !== 'running' : cancel !== undefined && cancel.state !== 'running';
  if (gone) {
    w.patch({ operation: null });
    return 'continue';
  }
  if (cancel === undefined) {
    if (claimable(op, ctx.reconciler, ctx.now, ctx.goneClaimants)) w.redispatch(op);
    else ctx.wakeAt(op.claimed_at + CLAIM_TTL_MS);
    return 'wait';
  }
  if (cancel.state === 'failed') w.say(`Stopping the transfer failed (${cancel.message}); waiting for it to end`);
  return 'wait';
}

function applyOutcome(w: EntryWork, op: Operation, observed: OperationObservation): void {
  const e = w.entry;
  const ok = observed.state === 'succeeded';
  const detail = observed.message || (observed.state === 'canceled' ? 'it was canceled' : 'no detail given');
  switch (op.kind) {
    case 'create_instance':
      if (e.status !== 'creating') return;
      if (ok) {
        w.to('idle', MSG.created, { import_stage: 'background' });
      } else {
        // migration-manager retries a failed creation on the next tick; whatever the failed attempt
        // left on the target is deleted first (it carries that attempt's markers).
        w.to('waiting', `Creating the target instance failed: ${detail}; retrying with a new attempt`, {
          ...w.newAttempt(),
          cleanup: { delete_target: w.currentTargetRef(), remove_entry: e.cleanup?.remove_entry ?? false },
        });
      }
      return;
    case 'import_disks':
      if (op.mode === 'final') {
        if (e.status !== 'final_import') return;
        if (ok && w.ctx.observations.vms[e.uuid]?.running === true) {
          // Started while the sync ran and seen only now that it is done (both between two
          // ticks): the copy misses what the VM wrote since. As if seen during the sync.
          finalSyncAgain(w, 'The final import completed, but the source VM was powered on during it');
          return;
        }
        if (ok) w.to('idle', 'Final import complete; waiting to begin post-import tasks', { import_stage: 'complete' });
        else w.to('error', `The final import failed: ${detail}`);
        return;
      }
      if (e.status !== 'background_import') return;
      if (ok && observed.guest_not_ready !== undefined) {
        // The readiness check before the cutover: the copy is kept, the source VM keeps running.
        w.to('conflict', `${MSG.guestNotReady}: ${observed.guest_not_ready}. The source VM keeps running and the copy is kept; fix the guest (or give the target a virtio_win_image, or prepare it by hand and set guest_preparation: skip in its InstanceOverride), then add a Resolution with action: resolve: the cutover's final pass copies what changed, and the guest is checked again when it is prepared`, {
          import_stage: 'final',
          last_background_sync: w.now,
        });
        return;
      }
      if (ok) {
        w.to('idle', op.mode === 'offline' ? MSG.offlineCopyDone : MSG.waitWindow, {
          import_stage: 'final',
          last_background_sync: w.now,
        });
      } else {
        w.to('error', `The ${op.mode === 'offline' ? 'offline copy' : 'background import'} failed: ${detail}`);
      }
      return;
    case 'power_off_source':
      if (!ok && (e.status === 'final_import' || e.status === 'worker_done')) w.to('error', `Powering off the source VM failed: ${detail}`);
      return;
    case 'power_on_source':
      if (ok) w.patch({ source_powered_off: false });
      else w.say(`Powering the source VM back on failed: ${detail}; trying again`);
      return;
    case 'post_import':
      if (e.status !== 'post_import') return;
      if (ok) w.to('worker_done', observed.record !== undefined ? `${MSG.starting}; ${observed.record}` : MSG.starting);
      else if (observed.conflict === true) {
        w.to('conflict', `${MSG.preparationFailed}: ${detail}. Fix the source VM and start the entry over (action: retry), or prepare the guest by hand and set guest_preparation: skip in its InstanceOverride; then add a Resolution with action: resolve (in its next window a final pass refreshes the copy and the guest is prepared again)`);
      } else w.to('error', `The post-import tasks failed: ${detail}`);
      return;
    case 'finalize_instance': {
      if (e.status !== 'worker_done') return;
      if (ok) {
        w.to('finished', MSG.finished, { window: null });
        return;
      }
      if (heldWindowEnded(w.run, e.window, w.now)) {
        // No retries once the window is over: the status step starts the migration over.
        w.say(`${MSG.finalizeFailed}: ${detail}`);
        return;
      }
      const limit = w.run?.effective?.batch.config.post_migration_retries ?? 0;
      if (e.retries < limit) {
        w.patch({ retries: e.retries + 1, message: `${MSG.finalizeFailed}: ${detail}; retrying (${e.retries + 1} of ${limit})` });
      } else {
        // The §9 fix: once the retries are used up the entry is a Conflict, and it says so.
        w.to('conflict', `${MSG.finalizeFailed} after ${limit} retr${limit === 1 ? 'y' : 'ies'}: ${detail}. Fix the cause on the target, then add a Resolution with action: resolve`);
      }
      return;
    }
    case 'delete_instance':
      if (ok) {
        const cleanup = e.cleanup;
        if (cleanup) w.patch({ cleanup: cleanup.remove_entry ? { delete_target: null, remove_entry: true } : null });
      } else {
        w.say(`Deleting the target instance failed: ${detail}; trying again`);
      }
      return;
  }
}
