// An Idle entry with a copy on the target (or one that cannot copy in the background): it waits
// for a window (research §2.3, with Ferry's window fixes in windows.ts), tops its copy up while it
// waits (§2.4), and enters its final import once its window has begun and the import limits
// leave room.

import type { InstanceRecord } from '../model/instance.js';
import type { EntryWork, StepResult } from './entry-work.js';
import { importSlotFree, startImport } from './entry-imports.js';
import { at, MSG } from './messages.js';
import { backgroundTopUpDue, chooseWindow, lastMatchingConstraint, windowBegun, type WindowOccupancy } from './windows.js';

/** `topUps`: whether the transport refreshes a background copy while the entry waits (§2.4). */
export function cutoverStep(w: EntryWork, vm: InstanceRecord, background: boolean, topUps: boolean): StepResult {
  const ctx = w.ctx;
  const e = w.entry;
  const run = w.run!;
  const effective = run.effective!;
  const batch = effective.batch;
  const live = vm.running;
  if ((e.mode === 'live') !== live) w.patch({ mode: live ? 'live' : 'offline' });

  const byConstraint = new Map(effective.constraints.map((c) => [c.constraint, c]));
  const constraint = lastMatchingConstraint(batch.constraints, (c) => {
    const compiled = byConstraint.get(c);
    return compiled !== undefined && ctx.matches(compiled.expression, e.uuid);
  });
  const compiledConstraint = constraint === null ? null : byConstraint.get(constraint)!;
  const occupancy: WindowOccupancy = {
    holders: (name) => ctx.occupancy.windowHolders(run.name, name) - (e.window === name ? 1 : 0),
    finalStepsMatching: () =>
      compiledConstraint === null ? 0 : ctx.occupancy.finalStepsMatching(run.name, compiledConstraint, (uuid) => ctx.matches(compiledConstraint.expression, uuid), e.uuid),
  };
  const choice = chooseWindow(batch, e.window, constraint, occupancy, w.now);

  const interval = batch.config.background_sync_interval_ms;
  const finalLimit = batch.config.final_background_sync_limit_ms;
  const last = e.last_background_sync;
  const canTopUp = topUps && live && background && e.import_stage === 'final' && last !== null;

  if (choice.kind === 'none') {
    // Top up only while a window may still come free (capacity, a constraint's limit): with no
    // window left at all, copying again and again would serve nothing until one is added.
    const temporary = choice.reason.includes('capacity') || choice.reason.startsWith('constraint');
    if (canTopUp && temporary) {
      if (backgroundTopUpDue(last, null, w.now, interval, finalLimit)) return startImport(w, 'background');
      ctx.wakeAt(last + interval);
    }
    w.say(`${MSG.waitWindow}: ${noWindowAdvice(choice.reason)}`);
    return 'wait';
  }

  const window = choice.kind === 'window' ? choice.window : null;
  if (window === null || windowBegun(window, w.now)) {
    if (!importSlotFree(w)) return 'wait';
    w.to('final_import', MSG.finalImport, { window: window?.name ?? null });
    return 'continue';
  }

  if (canTopUp) {
    if (backgroundTopUpDue(last, window, w.now, interval, finalLimit)) return startImport(w, 'background');
    ctx.wakeAt(last + interval);
    // The last top-up is due when the window comes within an interval.
    if (last < window.start! - interval) ctx.wakeAt(window.start! - interval);
  }
  ctx.wakeAt(window.start! + 1);
  const limit = constraint !== null && constraint.max_concurrent_instances > 0 ? `; constraint "${constraint.name}" applies` : '';
  w.say(`${MSG.waitWindow} ${window.name} (begins ${at(window.start!)})${limit}`);
  return 'wait';
}

function noWindowAdvice(reason: string): string {
  if (reason.includes('capacity')) return `${reason}; it waits until an entry leaves a window (or raise a capacity, or add a window)`;
  if (reason.startsWith('constraint')) return `${reason}; it waits until one of them finishes`;
  return `${reason}; add a migration window to the batch`;
}
