// A Thread is the state of one Starlark evaluation: its meter (work, allocation, deadline), call
// depth, limits, and the host's print and load hooks. It reads no clock of its own (the host may
// pass one in its limits) and uses no randomness.

import { budgetExceeded } from './errors.js';
import { UNLIMITED, type Limits } from './limits.js';
import { Meter } from './meter.js';
import type { Value } from '../values/value.js';

export type PrintHook = (message: string) => void;
/** Returns a module's members by name, or a message saying why it cannot be loaded. */
export type LoadHook = (module: string) => ReadonlyMap<string, Value> | string;

export class Thread {
  depth = 0;
  readonly limits: Limits;
  /** The budgets of this thread's evaluation, charged by everything it runs. */
  readonly meter: Meter;
  /** Receives print() output as a byte string. */
  print: PrintHook;
  load: LoadHook | undefined;
  /** Host data for host built-ins (for example a placement being built). */
  readonly locals = new Map<string, unknown>();

  constructor(options: { limits?: Partial<Limits>; print?: PrintHook; load?: LoadHook } = {}) {
    this.limits = { ...UNLIMITED, ...options.limits };
    const { maxSteps, maxAllocation, maxMillis, now } = this.limits;
    this.meter = new Meter(maxSteps, maxAllocation, maxMillis, now);
    this.print = options.print ?? (() => {});
    this.load = options.load;
  }

  /**
   * Charges work units and allocated elements and bytes to this evaluation: host functions
   * whose cost grows with their arguments call this before doing the work.
   */
  charge(work: number, allocation = 0): void {
    const m = this.meter;
    m.work += work;
    m.allocated += allocation;
    if (m.allocated > m.maxAllocation || m.work > m.checkAt) m.check();
  }

  /** starlark-go reports runaway recursion as a "Starlark stack overflow"; so does Ferry, at its own limit. */
  depthLimitExceeded(): never {
    const limit = this.limits.maxCallDepth;
    return budgetExceeded('depth', limit, `Starlark stack overflow: call depth limit of ${limit} exceeded`);
  }
}
