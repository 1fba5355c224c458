// One step of an entry without an operation in flight, by status (migration-manager research
// §4.3, mapped onto operations). A step either waits (for time, a limit, an operation it just
// started, an observation) or moves the entry on and lets the next step run in the same tick.

import { blockReason } from './blocking.js';
import { cutoverStep } from './cutover.js';
import { startImport } from './entry-imports.js';
import { heldWindowEnded, windowOf } from './entry-windows.js';
import type { EntryWork, StepResult } from './entry-work.js';
import { finalChecksStep } from './final-checks.js';
import { MSG } from './messages.js';
import { checkPlacement, computePlacement, samePlacement } from './placing.js';
import { warmCopyPossible } from './transports.js';

export function statusStep(w: EntryWork): StepResult {
  switch (w.entry.status) {
    case 'blocked':
      return blockedStep(w);
    case 'waiting':
      return waitingStep(w);
    case 'creating':
      // Only reached when the creation was forgotten before it ran: place it again.
      w.to('waiting', MSG.initialChecks);
      return 'continue';
    case 'background_import':
      // The transfer ended without a result to apply (it was stopped): decide afresh from Idle.
      if (w.run?.mode !== 'run') {
        w.to('idle', 'The batch is stopped: its transfer was stopped, and it resumes when the batch runs again');
        return 'wait';
      }
      w.to('idle', w.entry.import_stage === 'final' ? MSG.waitWindow : MSG.created);
      return 'continue';
    case 'idle':
      return w.entry.import_stage === 'complete' ? committedIdleStep(w) : idleStep(w);
    case 'final_import':
      return finalImportStep(w);
    case 'post_import':
      if (heldWindowEnded(w.run, w.entry.window, w.now)) return startOver(w);
      w.say(MSG.postImport);
      w.emit('post_import');
      return 'wait';
    case 'worker_done':
      if (heldWindowEnded(w.run, w.entry.window, w.now)) return startOver(w);
      return finalChecksStep(w);
    case 'conflict':
      return conflictStep(w);
    case 'finished':
    case 'error':
    case 'canceled':
      return 'wait';
  }
}

/** Blocked entries are reassessed every tick; they move on only when every check passes. */
function blockedStep(w: EntryWork): StepResult {
  if (w.run?.mode !== 'run' || !w.run.effective) return 'wait';
  const ctx = w.ctx;
  const e = w.entry;
  const instance = ctx.instance(e.uuid);
  if (!instance) {
    w.say(`${MSG.notInInventory} (source ${e.source})`);
    return 'wait';
  }
  const reason = blockReason(instance, w.run.effective.batch);
  if (reason) {
    w.say(reason.message);
    return 'wait';
  }
  const placed = computePlacement(w.run.effective, instance, ctx.compiled.networkOverrides);
  if (!placed.ok) {
    w.say(`Placement scriptlet failed: ${placed.error}`);
    return 'wait';
  }
  if (!samePlacement(placed.placement, e.placement)) w.patch({ placement: placed.placement });
  const check = checkPlacement(w.entry, w.run.effective, ctx.compiled.targets.has(placed.placement.target_name), ctx.target(placed.placement.target_name));
  if (check.kind === 'unobserved' || check.kind === 'unreachable') return 'wait';
  if (check.kind === 'problem') {
    w.say(`${MSG.cannotPlace}: ${check.message}`);
    return 'wait';
  }
  w.to('waiting', MSG.unblocked);
  return 'continue';
}

function waitingStep(w: EntryWork): StepResult {
  if (w.run?.mode !== 'run' || !w.run.effective) return 'wait';
  const ctx = w.ctx;
  const e = w.entry;
  const batch = w.run.effective;
  const instance = ctx.instance(e.uuid);
  if (!instance) {
    w.to('blocked', `${MSG.notInInventory} (source ${e.source})`);
    return 'wait';
  }
  const reason = blockReason(instance, batch.batch);
  if (reason) {
    w.to('blocked', reason.message);
    return 'wait';
  }
  if (batch.batch.config.rerun_scriptlets) {
    const placed = computePlacement(batch, instance, ctx.compiled.networkOverrides);
    if (!placed.ok) {
      w.to('blocked', `Placement scriptlet failed: ${placed.error}`);
      return 'wait';
    }
    if (!samePlacement(placed.placement, e.placement)) w.patch({ placement: placed.placement });
  }
  const target = w.entry.placement.target_name;
  const check = checkPlacement(w.entry, batch, ctx.compiled.targets.has(target), ctx.target(target));
  switch (check.kind) {
    case 'unobserved':
      return 'wait';
    case 'unreachable':
      w.say(`${MSG.waitTarget}: ${check.message}`);
      return 'wait';
    case 'problem':
      w.to('blocked', `${MSG.cannotPlace}: ${check.message}`);
      return 'wait';
    case 'own-instance':
      // The creation succeeded but its result was never recorded (or a conflict was resolved).
      w.to('idle', MSG.created);
      return 'continue';
    case 'ok':
      break;
  }
  const limit = ctx.createLimit(target);
  if (limit > 0 && ctx.occupancy.creating(target) >= limit) {
    w.say(`${MSG.waitCreateSlots} (create_limit ${limit} of target ${target})`);
    return 'wait';
  }
  w.to('creating', MSG.creating, { import_stage: 'background', window: null });
  w.emit('create_instance');
  return 'wait';
}

function idleStep(w: EntryWork): StepResult {
  if (w.run?.mode !== 'run' || !w.run.effective) return 'wait';
  const ctx = w.ctx;
  const e = w.entry;
  const source = ctx.source(e.source);
  const target = ctx.target(e.placement.target_name);
  if (source === undefined || target === undefined) return 'wait';
  if (!source.reachable) {
    w.say(`Waiting for source ${e.source} to answer: ${source.message}`);
    return 'wait';
  }
  if (!target.reachable) {
    w.say(`${MSG.waitTarget}: target ${e.placement.target_name} does not answer: ${target.message}`);
    return 'wait';
  }
  const vm = ctx.vm(e.uuid);
  if (vm === undefined) return 'wait';
  if (vm === null) {
    w.to('error', `${MSG.sourceGone} on source ${e.source}`);
    return 'continue';
  }
  const transport = ctx.transport(e.placement.target_name);
  const background = warmCopyPossible(vm, transport, source.background_import);
  if (e.import_stage === 'background' && (background || !vm.running)) {
    return startImport(w, vm.running ? 'background' : 'offline');
  }
  // A mover's warm pass copies every disk whole again: topping a copy up that way would re-read
  // the VM for nothing, since the final pass reads only what changed since the warm copy.
  return cutoverStep(w, vm, background, transport === 'stream');
}

/** The final import is done: post-import tasks start in the entry's window, or the migration starts over if it ended. */
function committedIdleStep(w: EntryWork): StepResult {
  if (heldWindowEnded(w.run, w.entry.window, w.now)) return startOver(w);
  w.to('post_import', MSG.postImport);
  w.emit('post_import');
  return 'wait';
}

function finalImportStep(w: EntryWork): StepResult {
  const ctx = w.ctx;
  const e = w.entry;
  if (heldWindowEnded(w.run, e.window, w.now)) {
    // §2.5: the source comes back (owed power-on), the entry waits for the next window.
    w.to('idle', MSG.windowEnded, { import_stage: 'final', window: null });
    return 'continue';
  }
  const held = windowOf(w.run, e.window);
  if (held?.end != null) ctx.wakeAt(held.end + 1);
  const source = ctx.source(e.source);
  const target = ctx.target(e.placement.target_name);
  if (source === undefined || target === undefined || !source.reachable || !target.reachable) return 'wait';
  const vm = ctx.vm(e.uuid);
  if (vm === undefined) return 'wait';
  if (vm === null) {
    w.to('error', `${MSG.sourceGone} on source ${e.source}`);
    return 'continue';
  }
  if (vm.running) {
    const override = vm.overrides?.started_after_migration === true || vm.overrides?.stopped_after_migration === true;
    w.patch({
      source_powered_off: true,
      mode: 'live',
      placement: override || e.placement.running ? e.placement : { ...e.placement, running: true },
      message: 'Powering off the source VM for the final import',
    });
    w.emit('power_off_source');
    return 'wait';
  }
  w.patch({ syncs: e.syncs + 1, message: MSG.finalImport });
  w.emit('import_disks', 'final');
  return 'wait';
}

/**
 * §2.5 after the final import: the target instance is deleted, the source powered back on, and
 * the entry starts over from Waiting with a new attempt.
 */
function startOver(w: EntryWork): StepResult {
  w.to('waiting', 'Migration window ended before the cutover completed: the source VM is powered back on, the target instance removed, and the migration starts over', {
    ...w.newAttempt(),
    import_stage: 'background',
    window: null,
    cleanup: { delete_target: w.currentTargetRef(), remove_entry: false },
  });
  return 'continue';
}

/**
 * A Conflict after the final import keeps the source VM off while its window lasts (a quick
 * resolve finishes the cutover); once the window is over — or at once when the batch has no
 * windows — the VM is powered back on and the entry will need a new final sync.
 */
function conflictStep(w: EntryWork): StepResult {
  const e = w.entry;
  if (e.import_stage !== 'complete' || !e.source_powered_off) return 'wait';
  if (e.window !== null && !heldWindowEnded(w.run, e.window, w.now)) {
    const held = windowOf(w.run, e.window);
    if (held?.end != null) w.ctx.wakeAt(held.end + 1);
    return 'wait';
  }
  const why = e.window === null ? 'the batch has no migration window to wait in' : `migration window ${e.window} ended`;
  w.patch({ import_stage: 'final', window: null, message: `${e.message}. The source VM is powered back on (${why}); once resolved, a new final sync runs in a later window` });
  return 'continue';
}
