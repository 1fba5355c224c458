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

  constructor(code: ExprErrorCode, message: string, at: Span) {
    super(message);
    this.error = exprError(code, message, at);
  }
}
