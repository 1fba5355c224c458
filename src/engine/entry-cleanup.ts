// What an entry owes before it does anything else: the power-on of a source VM Ferry powered off
// and whose cutover is not going ahead (DESIGN §3: no source VM stays off outside its cutover),
// then the delete of a target instance it must remove, then — after a reset — its own removal.

import type { EntryWork, StepResult } from './entry-work.js';
import type { QueueEntry } from './status.js';

/**
 * Whether Ferry powered the source VM off and the entry is not (or no longer) cutting over: it
 * is powered back on. An entry in its final steps, finished, or a Conflict still holding its
 * window after the final import keeps the VM off.
 */
export function owesPowerOn(entry: QueueEntry): boolean {
  if (!entry.source_powered_off) return false;
  switch (entry.status) {
    case 'final_import':
    case 'post_import':
    case 'worker_done':
    case 'finished':
      return false;
    case 'idle':
    case 'conflict':
      return entry.import_stage !== 'complete';
    default:
      return true;
  }
}

export function cleanupStep(w: EntryWork): StepResult | 'none' {
  const e = w.entry;
  const ctx = w.ctx;
  if (owesPowerOn(e)) {
    const source = ctx.source(e.source);
    if (source === undefined || !source.reachable) return 'wait';
    const vm = ctx.observations.vms[e.uuid];
    if (vm === undefined) return 'wait';
    if (vm === null || vm.running) {
      // Already running again (or gone from the source): nothing left to power on.
      w.patch({ source_powered_off: false });
      return 'continue';
    }
    w.emit('power_on_source');
    return 'wait';
  }
  const cleanup = e.cleanup;
  if (!cleanup) return 'none';
  const ref = cleanup.delete_target;
  if (ref !== null) {
    const target = ctx.target(ref.target);
    if (target === undefined || !target.reachable || !ctx.targetContacted(ref.target)) return 'wait';
    const instance = target.projects[ref.project]?.instances[ref.name];
    if (instance !== undefined && instance.entry === e.uuid && instance.attempt === ref.attempt_id) {
      w.emit('delete_instance');
      return 'wait';
    }
    // Not there (never created, or already deleted), or not ours: nothing to delete.
    w.patch({ cleanup: cleanup.remove_entry ? { delete_target: null, remove_entry: true } : null });
    return 'continue';
  }
  if (cleanup.remove_entry) {
    w.remove();
    return 'wait';
  }
  w.patch({ cleanup: null });
  return 'continue';
}
