import { budgetExceeded } from './budget.js';
import { ExprFault, exprError, type ExprError, type Span } from './errors.js';
import type { ExprLimits } from './limits.js';

/** The outcome of evaluating an include expression for one instance. */
export type EvalResult = { readonly ok: true; readonly value: boolean } | { readonly ok: false; readonly error: ExprError };

// Shared so that a successful evaluation allocates nothing.
export const MATCHED: EvalResult = Object.freeze({ ok: true, value: true });
export const NOT_MATCHED: EvalResult = Object.freeze({ ok: true, value: false });

export function notBool(typeName: string, at: Span): EvalResult {
  return failed(exprError('expr-not-bool', `an include expression must be true or false, but this one gave ${typeName}`, at));
}

/**
 * Turns anything thrown while evaluating into a result: evaluation never throws. Evaluation nests
 * no deeper than the expression (at most `maxDepth` levels), so running out of stack means the
 * host called it with little stack left: that is reported as the depth budget.
 */
export function evaluationFailed(error: unknown, at: Span, limits: ExprLimits, outOfStack?: EvalResult): EvalResult {
  if (error instanceof ExprFault) return failed(error.error);
  if (isOutOfStack(error)) return outOfStack ?? outOfStackResult(at, limits);
  // Not an operator's mistake: a bug, or a view that expressionView() did not build.
  const message = error instanceof Error ? error.message : String(error);
  return failed(exprError('expr-internal', `the expression could not be evaluated on this instance (${message})`, at));
}

/**
 * The result for running out of stack, built ahead (when the expression is compiled): where the
 * stack ran out, building a message could run out again and throw past the evaluator.
 */
export function outOfStackResult(at: Span, limits: ExprLimits): EvalResult {
  return failed(budgetExceeded('depth', limits.maxDepth, at).error);
}

/** V8's RangeError for a full stack (no regular expression: that needs stack too). */
function isOutOfStack(error: unknown): boolean {
  return error instanceof RangeError && error.message.startsWith('Maximum call stack');
}

function failed(error: ExprError): EvalResult {
  return Object.freeze({ ok: false, error });
}
