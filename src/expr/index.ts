// Ferry's include-expression language: migration-manager's expr-lang syntax, parsed with jsep,
// checked against the instance's types, compiled to closures. See docs/expressions.md.
export { compileExpression, type CompileOptions, type CompileResult, type CompiledExpression } from './compile.js';
export { interpret, type InterpretOptions } from './interpreter.js';
export { expressionView, type ExpressionView } from './view.js';
export { formatExprError } from './format.js';
export { DEFAULT_LIMITS, type Clock, type ExprLimits } from './limits.js';
export type { EvalResult } from './result.js';
export type { BudgetBreach, BudgetKind, ExprError, ExprErrorCode } from './errors.js';
export type { ExprNode } from './ast.js';
export type { ExprWarning, ExprWarningCode } from './mm-typing.js';
