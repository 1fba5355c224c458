// The meter of one evaluation (one thread): the work it has done and what it has allocated, both
// cumulative, and the deadline on the host's clock. Hot paths add to the counters inline and call
// in here only when a counter passes its mark, so a budget that is never reached costs one
// comparison per charge.

import { budgetExceeded } from './errors.js';

/** Work units between two readings of the host's clock: cheap to read, and often enough. */
const CLOCK_INTERVAL = 20_000;

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${count(ms / 1000)} s` : `${count(ms)} ms`;
}

export class Meter {
  /** Work units used so far. */
  work = 0;
  /** Elements and bytes created so far; garbage counts, so it never goes down. */
  allocated = 0;
  /** The work count at which checkpoint() must run: the budget, or the next clock reading. */
  checkAt: number;
  private deadline = Infinity;
  private started = false;

  constructor(
    readonly maxWork: number,
    readonly maxAllocation: number,
    readonly maxMillis: number,
    private readonly now: (() => number) | undefined,
  ) {
    this.checkAt = maxWork;
  }

  /** Starts the clock, when the thread first runs. */
  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.now !== undefined && this.maxMillis < Infinity) {
      this.deadline = this.now() + this.maxMillis;
      this.checkAt = Math.min(this.maxWork, this.work + CLOCK_INTERVAL);
    }
  }

  /** Runs when `work` has passed `checkAt`: fails past the budget or the deadline. */
  checkpoint(): void {
    if (this.work > this.maxWork) budgetExceeded('work', this.maxWork, `Starlark work budget of ${count(this.maxWork)} units exceeded`);
    if (this.deadline < Infinity) {
      if ((this.now as () => number)() > this.deadline) {
        budgetExceeded('time', this.maxMillis, `Starlark time budget of ${duration(this.maxMillis)} exceeded`);
      }
      this.checkAt = Math.min(this.maxWork, this.work + CLOCK_INTERVAL);
    }
  }

  /** Runs when `allocated` has passed its budget or `work` has passed `checkAt`. */
  check(): void {
    if (this.allocated > this.maxAllocation) {
      budgetExceeded('allocation', this.maxAllocation, `Starlark allocation budget of ${count(this.maxAllocation)} elements and bytes exceeded`);
    }
    if (this.work > this.checkAt) this.checkpoint();
  }
}

/** The meter of code running outside any thread (a host formatting a value, say): no budget. */
export const UNMETERED = new Meter(Infinity, Infinity, Infinity, undefined);
