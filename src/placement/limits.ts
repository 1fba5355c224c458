// Budgets of a placement run. A scriptlet places one instance; anything needing more than a
// million steps, deep call chains or large values is a mistake (or hostile), and is stopped
// with an error that names the limit.

import type { Limits } from '../starlark/index.js';

export const DEFAULT_PLACEMENT_LIMITS: Readonly<Limits> = Object.freeze({
  maxSteps: 1_000_000,
  maxCallDepth: 64,
  maxStringBytes: 1 << 20,
  maxElements: 100_000,
});
