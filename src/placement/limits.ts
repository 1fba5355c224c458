// Budgets of one placement evaluation: compiling a scriptlet (its top level runs once) or
// placing one instance. A scriptlet needs a few hundred work units per instance and a few
// thousand elements and bytes; anything near these budgets is a mistake or hostile, and is
// stopped, with an error naming the budget, within about a second and a few hundred MB.
// The time budget is the last line of defence, on the clock of the process running Ferry.

import type { Limits } from '../starlark/index.js';

export const DEFAULT_PLACEMENT_LIMITS: Readonly<Limits> = Object.freeze({
  maxSteps: 10_000_000,
  maxAllocation: 10_000_000,
  maxCallDepth: 64,
  maxStringBytes: 1 << 20,
  maxElements: 100_000,
  maxMillis: 2_000,
  now: () => performance.now(),
});
