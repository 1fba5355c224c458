// Transfers gated by the import limits: source and target import_limit count the entries in a
// background or final import (research §4.5).

import type { EntryWork, StepResult } from './entry-work.js';
import { MSG } from './messages.js';

/** Starts a background pass (or an offline copy) when the import limits leave room. */
export function startImport(w: EntryWork, mode: 'background' | 'offline'): StepResult {
  if (!importSlotFree(w)) return 'wait';
  w.to('background_import', mode === 'offline' ? MSG.offlineCopy : MSG.backgroundImport, {
    import_stage: 'background',
    mode: mode === 'offline' ? 'offline' : 'live',
    syncs: w.entry.syncs + 1,
  });
  w.emit('import_disks', mode);
  return 'wait';
}

/** Source and target import_limit (entries importing, per source and per target). */
export function importSlotFree(w: EntryWork): boolean {
  const e = w.entry;
  const target = e.placement.target_name;
  const limits = w.ctx.importLimits(e.source, target);
  const full = limits.source > 0 && w.ctx.occupancy.importsFromSource(e.source) >= limits.source
    ? `import_limit ${limits.source} of source ${e.source}`
    : limits.target > 0 && w.ctx.occupancy.importsToTarget(target) >= limits.target
      ? `import_limit ${limits.target} of target ${target}`
      : null;
  if (full === null) return true;
  w.say(`${MSG.waitImportSlots} (${full})`);
  return false;
}
