import type { Batch, Constraint, MigrationWindow } from '../model/desired.js';

// Migration windows (migration-manager research §2.2–§2.4): when a cutover may start, which window
// an entry gets, and when a background sync top-up is due. Pure functions: time is an argument.

/** The safety margin a window must leave after the boot time, "for the instance to revert migration". */
export const WINDOW_MARGIN_MS = 60_000;

export function windowBegun(window: MigrationWindow, now: number): boolean {
  return window.start === null || window.start < now;
}

export function windowEnded(window: MigrationWindow, now: number): boolean {
  return window.end !== null && window.end < now;
}

/** A locked window takes no new assignments: it ended, or its lockout passed. */
export function windowLocked(window: MigrationWindow, now: number): boolean {
  return windowEnded(window, now) || (window.lockout !== null && window.lockout < now);
}

/** Whether a cutover of `durationMs` (plus the margin) still fits before the window ends. */
export function windowFits(window: MigrationWindow, now: number, durationMs: number): boolean {
  if (windowLocked(window, now)) return false;
  if (window.end === null) return true;
  return Math.max(window.start ?? now, now) + durationMs + WINDOW_MARGIN_MS < window.end;
}

/** What the scheduler knows about the other entries, for capacity and constraint limits. */
export interface WindowOccupancy {
  /** Entries of this batch holding each window (by name), this entry excluded. */
  holders(windowName: string): number;
  /**
   * Entries of this batch in their final steps (final import, post import, worker done) whose
   * instance matches the constraint, this entry excluded.
   */
  finalStepsMatching(constraint: Constraint): number;
}

export type WindowChoice =
  | { kind: 'window'; window: MigrationWindow }
  /** The batch has no windows: the cutover may happen at once, and no window is recorded. */
  | { kind: 'anytime' }
  | { kind: 'none'; reason: string };

/**
 * The window for an entry that is ready for its cutover (migration-manager's GetNextWindow), with
 * two of its bugs fixed: capacity counts per window of this batch (not per window name across
 * batches), and when every window is at capacity the entry waits instead of cutting over at once.
 * A constraint at its limit holds the entry back in a batch without windows too.
 * `constraint` is the last constraint of the batch whose expression matches the instance, if any.
 */
export function chooseWindow(
  batch: Batch,
  entryWindow: string | null,
  constraint: Constraint | null,
  occupancy: WindowOccupancy,
  now: number,
): WindowChoice {
  const windows = batch.migration_windows;
  const own = entryWindow === null ? undefined : windows.find((w) => w.name === entryWindow);
  if (own && !windowEnded(own, now)) return { kind: 'window', window: own };

  // A constraint limits concurrent cutovers with or without windows.
  if (constraint) {
    const active = occupancy.finalStepsMatching(constraint) + 1;
    if (constraint.max_concurrent_instances > 0 && active > constraint.max_concurrent_instances) {
      return { kind: 'none', reason: `constraint "${constraint.name}" allows ${constraint.max_concurrent_instances} at once and that many are in their final steps` };
    }
  }
  if (windows.length === 0) return { kind: 'anytime' };

  const open = windows.filter((w) => w.capacity === 0 || occupancy.holders(w.name) < w.capacity);
  if (open.length === 0) return { kind: 'none', reason: 'every migration window is at capacity' };

  const bootMs = constraint?.min_instance_boot_time_ms ?? 0;
  const fitting = open.filter((w) => windowFits(w, now, bootMs)).sort((a, b) => (a.start ?? -Infinity) - (b.start ?? -Infinity));
  if (fitting.length === 0) {
    return {
      kind: 'none',
      reason: bootMs > 0
        ? `no migration window leaves ${Math.round(bootMs / 60_000)} minutes of boot time plus a minute before its end`
        : 'no migration window is still open',
    };
  }
  return { kind: 'window', window: fitting[0]! };
}

/** The last constraint of the batch that matches (migration-manager evaluates them in reverse). */
export function lastMatchingConstraint(constraints: readonly Constraint[], matches: (constraint: Constraint) => boolean): Constraint | null {
  for (let i = constraints.length - 1; i >= 0; i--) if (matches(constraints[i]!)) return constraints[i]!;
  return null;
}

/**
 * Whether an entry that finished a background pass should top up before its window
 * (migration-manager research §2.4): (a) a full interval has passed and the window is more than an
 * interval away (or there is none); or (b) one last top-up once the window is within an interval,
 * while at least the final limit remains, if the last pass ran before that final interval began.
 * migration-manager's (b) tests `start − last < interval`, which stays true after each pass, so it
 * re-syncs on every tick of the final interval; Ferry runs that last top-up once.
 */
export function backgroundTopUpDue(
  lastSync: number,
  window: MigrationWindow | null,
  now: number,
  intervalMs: number,
  finalLimitMs: number,
): boolean {
  const start = window?.start ?? null;
  if (now - lastSync >= intervalMs && (window === null || start === null || start > now + intervalMs)) return true;
  return start !== null && start - now <= intervalMs && start - now >= finalLimitMs && lastSync < start - intervalMs;
}
