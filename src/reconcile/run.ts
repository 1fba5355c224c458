// The loops around tick: once, until idle (the simulator's clock fast-forwards to the next event
// whenever nothing can progress at the current time), and watch (re-reconcile when the
// repository changes, and on the reconcile interval).

import { watch as watchFiles } from 'chokidar';
import type { VirtualClock } from '../providers/ports.js';
import type { DesiredAt } from './desired.js';
import { StatusStoreError } from '../store/index.js';
import { tick, type ReconcilerSetup, type TickReport } from './reconciler.js';

export type LoadDesired = () => Promise<DesiredAt>;

export interface RunOptions {
  /** Called after every tick (progress output). */
  onTick?: (report: TickReport) => void;
  /** Called when the virtual clock jumps. */
  onAdvance?: (from: number, to: number) => void;
  /**
   * With a virtual clock: the least time between two ticks that need the clock to move, like a
   * reconciler ticking on its interval (events that fall between two ticks are handled by the
   * next one). 0 jumps to every event exactly. Default: 0.
   */
  tickIntervalMs?: number;
  /** Safety net against a decision that never settles. */
  maxTicks?: number;
  /** Aborts between ticks. */
  signal?: AbortSignal;
  /**
   * With a virtual clock: the clock goes no further than this time. The loop moves it there (when
   * nothing comes sooner), ticks there until nothing more can progress, and stops (`until`).
   */
  until?: number;
  /**
   * Riding out an outage of the status branch's remote (unreachable, a refused push, a lock a live
   * git holds): the tick is tried again after a back-off instead of ending the loop. `onOutage`
   * hears of each change of state (a new failure, or null when it cleared), not of every attempt.
   * The loop gives up, rethrowing the failure, once it has lasted `outageBudgetMs` (real time;
   * default 5 minutes; Infinity for a watch).
   */
  onOutage?: (failure: OutageReport | null) => void;
  /** Called after every attempt that failed so, before the back-off: the tick is over, and nothing of it was done. */
  onTickFailed?: () => void;
  outageBudgetMs?: number;
  /**
   * A status branch this Ferry cannot use until someone changes it (NEEDS_REPAIR) is waited for
   * like an outage, with no budget, instead of ending the loop: a watch, which the operator's fix
   * (a merged revert, an upgrade elsewhere, another checkout) should find still running.
   */
  waitForRepair?: boolean;
}

export interface OutageReport {
  /** The failure's code and sentence. */
  code: string;
  message: string;
  /** The failure itself, for the caller to describe (src/cli/failure.ts). */
  error: unknown;
  /** Failed attempts so far, and how long until the next one. */
  attempts: number;
  retryInMs: number;
}

/** What an outage is: the remote or Git on the way to it, not a status Ferry cannot read. */
const TRANSIENT = new Set(['status-git', 'status-push-refused', 'status-git-locked']);

/**
 * A status branch that stays unusable until someone changes it: a hand edit to revert, a newer
 * Ferry's format, a branch of another kind, a local branch checked out. Nothing was acted on (the
 * tick could not read, or could not write, its decision), so waiting is safe; whether to wait is
 * the loop's choice (`waitForRepair`).
 */
const NEEDS_REPAIR = new Set(['status-corrupt', 'status-newer-format', 'status-unknown-format', 'status-checked-out']);

/** The failure a loop waits out instead of ending on: an outage, or (when it waits for repair) a branch that needs repair. */
export function failureToWaitOut(error: unknown, options: { waitForRepair?: boolean } = {}): { code: string; message: string } | null {
  if (!(error instanceof StatusStoreError)) return null;
  if (TRANSIENT.has(error.code) || (options.waitForRepair === true && NEEDS_REPAIR.has(error.code))) return { code: error.code, message: error.message };
  return null;
}

/** The back-off after the nth failed attempt in a row: 1 s, 2 s, 4 s … up to a minute. */
export function outageBackoffMs(attempts: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.min(16, Math.max(0, attempts - 1)));
}

export interface RunSummary {
  ticks: number;
  commits: number;
  actions: number;
  /** Why the loop stopped. */
  reason: 'idle' | 'invalid' | 'stalled' | 'max-ticks' | 'aborted' | 'until';
  /** The last tick's report, without its observations (they are the tick's to use, not the loop's to keep). */
  last: TickReport | null;
}

const DEFAULT_OUTAGE_BUDGET_MS = 5 * 60_000;

function isVirtual(clock: ReconcilerSetup['providers']['clock']): clock is VirtualClock {
  return clock.virtual === true;
}

/** Ticks until nothing can progress. With a virtual clock, time jumps to the next event in between. */
export async function runUntilIdle(setup: ReconcilerSetup, load: LoadDesired, options: RunOptions = {}): Promise<RunSummary> {
  const maxTicks = options.maxTicks ?? 100_000;
  const summary: RunSummary = { ticks: 0, commits: 0, actions: 0, reason: 'idle', last: null };
  let fruitless = 0;
  let outage: { since: number; attempts: number; last: string } | null = null;
  while (summary.ticks < maxTicks) {
    if (options.signal?.aborted) return { ...summary, reason: 'aborted' };
    const desired = await load();
    let report: TickReport;
    try {
      report = await tick(setup, desired);
    } catch (error) {
      const failure = failureToWaitOut(error, options);
      if (failure === null) throw error;
      // Nothing was acted on: a tick writes its decision before it acts, and this one was not written (or not read).
      outage ??= { since: performance.now(), attempts: 0, last: '' };
      outage.attempts++;
      const budget = NEEDS_REPAIR.has(failure.code) ? Infinity : (options.outageBudgetMs ?? DEFAULT_OUTAGE_BUDGET_MS);
      if (performance.now() - outage.since >= budget) throw error;
      options.onTickFailed?.();
      const retryInMs = outageBackoffMs(outage.attempts);
      const said = `${failure.code}\u0000${failure.message}`;
      if (said !== outage.last) options.onOutage?.({ ...failure, error, attempts: outage.attempts, retryInMs });
      outage.last = said;
      if (!(await sleep(retryInMs, options.signal))) return { ...summary, reason: 'aborted' };
      continue;
    }
    if (outage !== null) {
      options.onOutage?.(null);
      outage = null;
    }
    summary.ticks++;
    // Held while the next tick runs: everything observed would double what a tick holds at its peak
    // (about 250 MiB at 200,000 instances).
    summary.last = { ...report, observations: null };
    options.onTick?.(report);
    if (report.decision === null && report.problems.length > 0) return { ...summary, reason: 'invalid' };
    if (report.committed) summary.commits++;
    summary.actions += report.acted.length;
    const progressed = report.committed && (report.acted.length === 0 || report.acted.some((a) => a.ok));
    if (progressed) {
      fruitless = 0;
      continue;
    }
    // Nothing moved at this instant: wait for the next thing that can change a decision.
    fruitless++;
    const clock = setup.providers.clock;
    const now = clock.now();
    const wake = report.decision?.wakeAt ?? null;
    if (isVirtual(clock)) {
      // Something due at this very instant (an operation that took no time, an event at the
      // current time) is applied before looking further: nextEventAt() reports only the earliest
      // time, so dropping it would jump past every completion and event after it as well.
      const due = clock.nextEventAt();
      if (due !== null && due <= now) {
        await clock.advanceTo(now);
        continue;
      }
      const candidates = [wake, due].filter((t): t is number => t !== null && t > now);
      const until = options.until;
      if (candidates.length === 0 && fruitless > 1 && report.acted.length > 0) return { ...summary, reason: 'stalled' };
      if (until !== undefined && now >= until) return { ...summary, reason: 'until' };
      if (candidates.length === 0 && until === undefined) return { ...summary, reason: 'idle' };
      const soonest = candidates.length === 0 ? until! : Math.max(Math.min(...candidates), now + (options.tickIntervalMs ?? 0));
      const next = until === undefined ? soonest : Math.min(soonest, until);
      options.onAdvance?.(now, next);
      await clock.advanceTo(next);
    } else {
      if (wake === null && !hasWorkInFlight(report)) return summary;
      const delay = Math.max(1000, Math.min((wake ?? now + 60_000) - now, 60_000));
      // A copy running in this process that ends is worth a tick at once.
      const activity = setup.providers.activity?.();
      if (!(await sleep(delay, options.signal, activity))) return { ...summary, reason: 'aborted' };
    }
  }
  return { ...summary, reason: 'max-ticks' };
}

function hasWorkInFlight(report: TickReport): boolean {
  const entries = report.status?.entries ?? {};
  for (const uuid in entries) if (entries[uuid]!.operation !== null) return true;
  return false;
}

/**
 * Reconciles until idle, then waits for a change under `watchDir` (a commit, an edited file) or
 * the reconcile interval, and goes again — until the signal aborts. An outage of the status
 * branch, and a status branch that needs repair, are waited out for as long as they last.
 */
export async function runWatch(setup: ReconcilerSetup, load: LoadDesired, watchDir: string, intervalMs: number, options: RunOptions & { onWait?: (why: string) => void } = {}): Promise<RunSummary> {
  let changed = false;
  let wake: (() => void) | null = null;
  const watcher = watchFiles(watchDir, {
    ignoreInitial: true,
    // Commits show up as moved refs and logs; objects and locks are noise.
    ignored: (path: string) => /[\\/]\.git[\\/](objects|lfs|hooks|modules)([\\/]|$)/.test(path) || path.endsWith('.lock') || /[\\/]\.git[\\/]ferry([\\/]|$)/.test(path),
  });
  watcher.on('all', () => {
    changed = true;
    wake?.();
  });
  const total: RunSummary = { ticks: 0, commits: 0, actions: 0, reason: 'aborted', last: null };
  try {
    while (!options.signal?.aborted) {
      changed = false;
      const summary = await runUntilIdle(setup, load, { outageBudgetMs: Infinity, waitForRepair: true, ...options });
      total.ticks += summary.ticks;
      total.commits += summary.commits;
      total.actions += summary.actions;
      total.last = summary.last;
      if (summary.reason === 'aborted') break;
      if (changed) continue;
      options.onWait?.(summary.reason === 'invalid' ? 'the repository is invalid; waiting for a fix' : 'idle; waiting for a change to the repository');
      await new Promise<void>((resolve) => {
        // A change that arrived while onWait ran is not lost.
        if (changed) return resolve();
        let settle: ReturnType<typeof setTimeout> | undefined;
        const done = (): void => {
          clearTimeout(timer);
          clearTimeout(settle);
          stopListening();
          resolve();
        };
        const timer = setTimeout(done, intervalMs);
        wake = () => {
          clearTimeout(timer);
          // Let a burst of writes (a checkout, a merge) settle before reading.
          settle ??= setTimeout(done, 300);
        };
        const stopListening = onAbort(options.signal, done);
      });
      wake = null;
    }
  } finally {
    await watcher.close();
  }
  return total;
}

/** Waits `ms`, or less when `early` settles first; false when the signal aborted the wait. */
export function sleep(ms: number, signal?: AbortSignal, early?: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const finish = (slept: boolean): void => {
      clearTimeout(timer);
      stopListening();
      resolve(slept);
    };
    const timer = setTimeout(() => finish(true), ms);
    early?.then(
      () => finish(true),
      () => finish(true),
    );
    const stopListening = onAbort(signal, () => finish(false));
  });
}

/**
 * Calls `handler` once when the signal aborts; the returned function stops listening. Every wait
 * removes its listener when it ends another way, so a long watch does not pile them up on the
 * signal (Node warns past ten: MaxListenersExceededWarning).
 */
export function onAbort(signal: AbortSignal | undefined, handler: () => void): () => void {
  if (signal === undefined) return () => {};
  signal.addEventListener('abort', handler, { once: true });
  return () => signal.removeEventListener('abort', handler);
}
