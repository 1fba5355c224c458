// Crash points: named steps at which the process can be killed on purpose (SIGKILL, no cleanup),
// to prove that Ferry converges after dying anywhere. Two triggers:
//
//   - the environment: FERRY_CRASH_AT=step (the first time the step is reached) or step#n (the
//     n-th time in this process);
//   - a simulated world's scripted `crash` event that is due and has not fired yet. The world
//     records the firing before the kill, so the restarted process does not crash again.
//
// The simulator calls `sim:<operation kind>:before` / `:after` around every change it makes,
// `sim:advance:before` / `:after` around moving its clock, and `sim:compact:history` when a
// compaction has written the history but not yet the snapshot; the reconcile loop calls its own steps.
//
// FERRY_CRASH_TRACE=FILE appends every step reached to FILE, one name per line (the crash test
// lists the steps a campaign reaches with it; a step that kills the process is written first).

import { appendFileSync } from 'node:fs';
import type { CrashStep } from '../../model/crash-steps.js';

/** Answers whether a scripted crash is due at `step`, recording it when it is. */
export type CrashSchedule = (step: string) => boolean;

const schedules = new Set<CrashSchedule>();
const reached = new Map<string, number>();

/** Lets a world's scripted crash events decide; returns the function that removes it again. */
export function registerCrashSchedule(schedule: CrashSchedule): () => void {
  schedules.add(schedule);
  return () => schedules.delete(schedule);
}

/**
 * Whether FERRY_CRASH_AT asks to crash at this step, counting how often the step was reached.
 * `setting` is the variable's value.
 */
export function crashRequested(step: string, setting: string | undefined, count: number): boolean {
  if (setting === undefined || setting === '') return false;
  const hash = setting.lastIndexOf('#');
  const name = hash >= 0 ? setting.slice(0, hash) : setting;
  const nth = hash >= 0 ? Number(setting.slice(hash + 1)) : 1;
  return name.trim() === step && count === nth;
}

/** Kills this process with SIGKILL if a crash is asked for at `step`; otherwise returns. */
export function crashPoint(step: CrashStep): void {
  const trace = process.env.FERRY_CRASH_TRACE;
  if (trace) appendFileSync(trace, `${step}\n`);
  const count = (reached.get(step) ?? 0) + 1;
  reached.set(step, count);
  let crash = crashRequested(step, process.env.FERRY_CRASH_AT, count);
  if (!crash) {
    for (const schedule of schedules) {
      if (schedule(step)) {
        crash = true;
        break;
      }
    }
  }
  if (crash) process.kill(process.pid, 'SIGKILL');
}
