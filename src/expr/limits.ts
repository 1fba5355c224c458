/**
 * Bounds that keep an untrusted expression from costing more than a sane include expression
 * does. expr-lang itself had denial-of-service CVEs for unbounded input and recursion
 * (CVE-2025-29786, CVE-2025-68156), so every bound here is on by default. docs/expressions.md
 * ("Budgets") says what each one counts.
 */
export interface ExprLimits {
  /** Longest accepted source, in characters (`expr-too-long`). */
  maxLength: number;
  /**
   * Deepest accepted nesting of sub-expressions; `a and b and c` chains count once
   * (`expr-too-deep`). Evaluation never nests deeper than the expression, so this is also the
   * depth budget of an evaluation.
   */
  maxDepth: number;
  /** Work units allowed per evaluation: operators, predicate iterations, characters read and written (`expr-budget`). */
  maxWork: number;
  /** List elements and string characters an evaluation may create, garbage included (`expr-budget`). */
  maxAllocation: number;
  /** Milliseconds an evaluation may take on the host's clock `now`; without `now`, no deadline (`expr-budget`). */
  maxMillis: number;
  /**
   * The host's monotonic clock in milliseconds, such as `() => performance.now()`, named as in
   * Starlark's limits. The evaluator reads no clock of its own, and this one only every so many
   * units of work.
   */
  now?: Clock;
  /** Largest regular-expression program, in RE2 instructions (`expr-regex-too-big`). */
  maxRegexProgram: number;
}

export const DEFAULT_LIMITS: Readonly<ExprLimits> = Object.freeze({
  maxLength: 4096,
  maxDepth: 64,
  maxWork: 2_000_000,
  maxAllocation: 1_000_000,
  maxMillis: 1_000,
  maxRegexProgram: 2_000,
});

export function resolveLimits(overrides: Partial<ExprLimits> | undefined): ExprLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

/** A monotonic clock in milliseconds. */
export type Clock = () => number;
