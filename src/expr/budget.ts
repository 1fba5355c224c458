import { ExprFault, type BudgetKind, type Span } from './errors.js';
import type { ExprLimits } from './limits.js';

// The budget of one evaluation: work units and allocation are counted by both evaluators at the
// same places in the same order (costs.ts says what each operation costs), so they run out at the
// same node; the clock is looked at only every CLOCK_INTERVAL units of work, never per operation.

/** Work units between two looks at the host's clock. */
export const CLOCK_INTERVAL = 1 << 16;

/** One charge, as recorded while folding a constant at compile time and replayed at run time. */
export interface Charge {
  readonly kind: 'work' | 'allocation';
  readonly units: number;
  readonly at: Span;
}

export class Budget {
  work = 0;
  allocation = 0;
  /** The work level past which `charge` looks at the limit and the clock. */
  private workCheck: number;
  private readonly firstWorkCheck: number;
  private readonly allocationCheck: number;
  /** The clock's reading at the first look, NaN before it. */
  private startedAt = Number.NaN;

  /** With `trace`, every charge is recorded there (constant folding), and the clock is not read. */
  constructor(
    readonly limits: ExprLimits,
    private readonly trace?: Charge[],
  ) {
    // Tracing, every charge goes past the checks (to be recorded); with a clock, the first look is early.
    this.firstWorkCheck = trace ? -1 : limits.now ? Math.min(limits.maxWork, CLOCK_INTERVAL) : limits.maxWork;
    this.workCheck = this.firstWorkCheck;
    this.allocationCheck = trace ? -1 : limits.maxAllocation;
  }

  /** Starts an evaluation: everything counted so far is forgotten, then the root's own cost is charged. */
  begin(work: number, allocation: number, at: Span): void {
    this.work = 0;
    this.allocation = 0;
    this.startedAt = Number.NaN;
    this.workCheck = this.firstWorkCheck;
    this.charge(work, at);
    this.allocate(allocation, at);
  }

  charge(units: number, at: Span): void {
    if ((this.work += units) > this.workCheck) this.checkWork(units, at);
  }

  allocate(units: number, at: Span): void {
    if ((this.allocation += units) > this.allocationCheck) this.checkAllocation(units, at);
  }

  /** Charges what evaluating a folded constant charged when it was folded, in the same order. */
  replay(charges: readonly Charge[]): void {
    for (const { kind, units, at } of charges) {
      if (kind === 'work') this.charge(units, at);
      else this.allocate(units, at);
    }
  }

  private checkWork(units: number, at: Span): void {
    if (this.trace && units > 0) this.trace.push({ kind: 'work', units, at });
    if (this.work > this.limits.maxWork) throw budgetExceeded('work', this.limits.maxWork, at);
    if (this.trace || !this.limits.now) return;
    const now = this.limits.now();
    if (Number.isNaN(this.startedAt)) this.startedAt = now;
    else if (now - this.startedAt > this.limits.maxMillis) throw budgetExceeded('time', this.limits.maxMillis, at);
    this.workCheck = Math.min(this.limits.maxWork, this.work + CLOCK_INTERVAL);
  }

  private checkAllocation(units: number, at: Span): void {
    if (this.trace && units > 0) this.trace.push({ kind: 'allocation', units, at });
    if (this.allocation > this.limits.maxAllocation) throw budgetExceeded('allocation', this.limits.maxAllocation, at);
  }
}

const count = (n: number): string => n.toLocaleString('en-US');

const SENTENCES: Readonly<Record<BudgetKind, (limit: number) => string>> = {
  work: (limit) => `the expression needs more work on this instance than its budget of ${count(limit)} units (one per operator, list element and character read or written); simplify it`,
  allocation: (limit) => `the expression builds more than its budget of ${count(limit)} list elements and characters on this instance; simplify it`,
  depth: (limit) => `the expression could not be evaluated within its depth budget of ${count(limit)} levels (the evaluation ran out of stack)`,
  time: (limit) => `the expression ran longer than its time budget of ${count(limit)} ms on this instance; simplify it`,
};

export function budgetExceeded(kind: BudgetKind, limit: number, at: Span): ExprFault {
  return new ExprFault('expr-budget', SENTENCES[kind](limit), at, { kind, limit });
}
