import { ExprFault, exprError, type ExprError, type Span } from './errors.js';

/** The outcome of evaluating an include expression for one instance. */
export type EvalResult = { readonly ok: true; readonly value: boolean } | { readonly ok: false; readonly error: ExprError };

// Shared so that a successful evaluation allocates nothing.
export const MATCHED: EvalResult = Object.freeze({ ok: true, value: true });
export const NOT_MATCHED: EvalResult = Object.freeze({ ok: true, value: false });

export function notBool(typeName: string, at: Span): EvalResult {
  return failed(exprError('expr-not-bool', `an include expression must be true or false, but this one gave ${typeName}`, at));
}

/** Turns anything thrown while evaluating into a result: evaluation never throws. */
export function evaluationFailed(error: unknown, at: Span): EvalResult {
  if (error instanceof ExprFault) return failed(error.error);
  if (error instanceof RangeError) return failed(exprError('expr-too-deep', 'the expression nests too deeply to evaluate', at));
  // Not an operator's mistake: a bug, or a view that expressionView() did not build.
  const message = error instanceof Error ? error.message : String(error);
  return failed(exprError('expr-internal', `the expression could not be evaluated on this instance (${message})`, at));
}

function failed(error: ExprError): EvalResult {
  return Object.freeze({ ok: false, error });
}

export function budgetFault(maxSteps: number, at: Span): ExprFault {
  return new ExprFault('expr-budget', `the expression needs more than ${maxSteps} steps on this instance (predicates over long lists); simplify it`, at);
}
