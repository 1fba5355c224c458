// The windows as one entry sees them: the window it holds, and whether that window has ended
// (a window that is no longer part of the batch counts as ended: nothing bounds the cutover).

import type { MigrationWindow } from '../model/desired.js';
import type { BatchRun } from './tick.js';
import { windowEnded } from './windows.js';

export function windowOf(run: BatchRun | undefined, name: string | null): MigrationWindow | null {
  if (name === null || !run?.effective) return null;
  return run.effective.batch.migration_windows.find((w) => w.name === name) ?? null;
}

/** Whether the entry holds a window that is over; false when it holds none. */
export function heldWindowEnded(run: BatchRun | undefined, name: string | null, now: number): boolean {
  if (name === null) return false;
  const window = windowOf(run, name);
  return window === null || windowEnded(window, now);
}
