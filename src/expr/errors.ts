/**
 * The stable codes of expression errors. Compile-time codes come from `compileExpression`;
 * run-time codes from `CompiledExpression.matches` and `interpret`. docs/expressions.md lists them.
 */
export type ExprErrorCode =
  | 'expr-syntax'
  | 'expr-unknown-field'
  | 'expr-unknown-function'
  | 'expr-arity'
  | 'expr-type'
  | 'expr-not-bool'
  | 'expr-regex'
  | 'expr-regex-too-big'
  | 'expr-too-long'
  | 'expr-too-deep'
  | 'expr-index'
  | 'expr-arithmetic'
  | 'expr-budget'
  | 'expr-internal';

/**
 * One thing wrong with an expression: a stable `code`, a sentence, and where it is in the
 * expression source — `offset` is the 0-based index (in UTF-16 code units, as JavaScript strings
 * count) of the first character concerned and `length` how many characters it spans (0 when the
 * problem is that the expression ends too early).
 */
export interface ExprError {
  code: ExprErrorCode;
  message: string;
  offset: number;
  length: number;
  /** Only on `expr-budget`: which budget the evaluation ran out of, and its limit. */
  budget?: BudgetBreach;
}

/**
 * What ran out: `work` (units of work), `allocation` (elements and characters created), `depth`
 * (levels of nesting) or `time` (milliseconds by the host's clock `now`).
 */
export type BudgetKind = 'work' | 'allocation' | 'depth' | 'time';

export interface BudgetBreach {
  kind: BudgetKind;
  limit: number;
}

/** A position in the expression source: `start` inclusive, `end` exclusive. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export function exprError(code: ExprErrorCode, message: string, at: Span): ExprError {
  return { code, message, offset: at.start, length: Math.max(at.end - at.start, 0) };
}

/**
 * Thrown inside the parser, checker and evaluators and caught at the public API, which turns it
 * into an `ExprError` value. Never escapes `src/expr`.
 */
export class ExprFault extends Error {
  readonly error: ExprError;

  constructor(code: ExprErrorCode, message: string, at: Span, budget?: BudgetBreach) {
    super(message);
    this.error = budget ? { ...exprError(code, message, at), budget } : exprError(code, message, at);
  }
}
