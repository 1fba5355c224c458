// Drives one entry as far as it can go this tick: its operation in flight first, then what it
// owes (power-on, delete, removal), then its status step — repeating while a step completes
// without starting an operation, so a finished transfer leads straight to the next one.

import { cleanupStep } from './entry-cleanup.js';
import { handleOperation } from './entry-operation.js';
import { statusStep } from './entry-steps.js';
import { EntryWork, type StepResult } from './entry-work.js';
import type { QueueEntry } from './status.js';
import type { TickContext } from './tick.js';

/** More steps than any path needs (operation ended → clean-up → a status step or two). */
const MAX_STEPS = 12;

export function advanceEntry(ctx: TickContext, entry: QueueEntry): void {
  const w = new EntryWork(ctx, ctx.runs.get(entry.batch), entry);
  for (let i = 0; i < MAX_STEPS && !w.removed; i++) {
    if (step(w) === 'wait') return;
  }
}

function step(w: EntryWork): StepResult {
  if (w.entry.operation !== null) return handleOperation(w);
  const owed = cleanupStep(w);
  if (owed !== 'none') return owed;
  return statusStep(w);
}
