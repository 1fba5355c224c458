// What one evaluation of repository content may cost (ferry.yaml spec.budgets; docs/security.md,
// "Budgets"). Pull requests and scheduled applies evaluate expressions and scriptlets written by
// whoever opened a pull request: every evaluation runs within these, and no setting can pass the
// ceilings. Budgets are honoured only from the trusted revision.

/** One include expression, evaluated for one instance. */
export interface ExpressionBudget {
  work: number;
  allocation: number;
  time_ms: number;
}

/** One run of a placement scriptlet: its top level, or placement() for one instance. */
export interface ScriptletBudget {
  work: number;
  allocation: number;
  call_depth: number;
  time_ms: number;
}

/** The whole plan of a pull request, in a worker of its own. */
export interface PlanBudget {
  time_ms: number;
  memory_bytes: number;
}

export interface Budgets {
  expression: ExpressionBudget;
  scriptlet: ScriptletBudget;
  pull_request_plan: PlanBudget;
}

const MiB = 1024 * 1024;

export const DEFAULT_BUDGETS: Readonly<Budgets> = Object.freeze({
  expression: Object.freeze({ work: 2_000_000, allocation: 1_000_000, time_ms: 1_000 }),
  scriptlet: Object.freeze({ work: 10_000_000, allocation: 10_000_000, call_depth: 64, time_ms: 2_000 }),
  pull_request_plan: Object.freeze({ time_ms: 10 * 60_000, memory_bytes: 2048 * MiB }),
});

/** Limits of the settings the schema cannot express (durations and sizes are strings there). */
export const BUDGET_BOUNDS = {
  expressionTimeMs: { min: 10, max: 10_000 },
  scriptletTimeMs: { min: 10, max: 60_000 },
  planTimeMs: { min: 10_000, max: 60 * 60_000 },
  planMemoryBytes: { min: 256 * MiB, max: 16 * 1024 * MiB },
} as const;
