/**
 * Bounds that keep an untrusted expression from costing more than a sane include expression
 * does. expr-lang itself had denial-of-service CVEs for unbounded input and recursion
 * (CVE-2025-29786, CVE-2025-68156), so every bound here is on by default.
 */
export interface ExprLimits {
  /** Longest accepted source, in characters (`expr-too-long`). */
  maxLength: number;
  /** Deepest accepted nesting of sub-expressions; `a and b and c` chains count once (`expr-too-deep`). */
  maxDepth: number;
  /** Predicate iterations (`filter`, `any`, … one step per element) allowed per evaluation (`expr-budget`). */
  maxSteps: number;
}

export const DEFAULT_LIMITS: Readonly<ExprLimits> = Object.freeze({
  maxLength: 4096,
  maxDepth: 64,
  maxSteps: 100_000,
});

export function resolveLimits(overrides: Partial<ExprLimits> | undefined): ExprLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
