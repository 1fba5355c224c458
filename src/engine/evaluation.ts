// Evaluating repository content from the engine: include expressions and placement scriptlets,
// written by whoever opened a pull request, each run within the budgets the compiled desired
// state carries (docs/security.md, "Budgets"). An evaluation that runs out of budget is not an
// answer about one instance: it is a problem of the desired state, positioned at the expression
// or scriptlet, naming the instance and the budget — and nothing is decided or applied while it
// stands. It travels as an EvaluationBudgetError to the step that returns decisions (decide,
// predictBatches), which turns it into that problem.

import type { CompiledExpression, ExpressionView } from '../expr/index.js';
import type { Origin, SourceText } from '../model/desired.js';
import type { Problem } from '../model/problem.js';

export class EvaluationBudgetError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
    this.name = 'EvaluationBudgetError';
  }
}

/** What an expression is, for messages: `the include expression of batch "wave-1"`, and where its text starts. */
export interface ExpressionOrigin {
  what: string;
  source: SourceText | null;
  /** Where to point when the text's position is unknown (an expression of a started batch's recorded spec). */
  fallback: Origin;
}

const origins = new WeakMap<CompiledExpression, ExpressionOrigin>();

/** Remembers what and where a compiled expression is (compiled.ts, when it compiles one). */
export function registerExpression(expression: CompiledExpression, origin: ExpressionOrigin): CompiledExpression {
  origins.set(expression, origin);
  return expression;
}

/**
 * Whether the instance matches. An ordinary evaluation error does not match (as migration-manager
 * skips an instance its expression fails on); running out of budget throws EvaluationBudgetError.
 */
export function matchesInstance(expression: CompiledExpression, view: ExpressionView, instance: string | (() => string), origin?: ExpressionOrigin): boolean {
  const result = expression.matches(view);
  if (result.ok) return result.value;
  if (result.error.code !== 'expr-budget') return false;
  if (typeof instance === 'function') instance = instance();
  const known = origins.get(expression) ?? origin;
  const at = known?.source?.origin ?? known?.fallback ?? { file: 'ferry.yaml', line: 1, column: 1 };
  const what = known?.what ?? 'an include expression';
  const column = known?.source !== null && known?.source !== undefined ? ` (at character ${result.error.offset + 1} of the expression)` : '';
  throw new EvaluationBudgetError({
    ...at,
    code: 'expr-budget',
    severity: 'error',
    message: `${what} ran out of budget on instance ${instance}${column}: ${result.error.message}. Nothing is decided or applied until it is fixed (spec.budgets.expression)`,
  });
}

/** A scriptlet run that ran out of budget, as the problem it is. */
export function scriptletBudgetError(what: string, at: Origin, instance: string, message: string): EvaluationBudgetError {
  return new EvaluationBudgetError({
    ...at,
    code: 'scriptlet-budget',
    severity: 'error',
    message: `${what} ran out of budget on instance ${instance}: ${message}. Nothing is decided or applied until it is fixed (spec.budgets.scriptlet)`,
  });
}
