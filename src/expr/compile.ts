import type { ExprNode } from './ast.js';
import { checkExpression } from './checker.js';
import { compileTree } from './compiler.js';
import { ExprFault, type ExprError } from './errors.js';
import { fieldsRead } from './fields.js';
import { foldLikeExprLang } from './fold.js';
import { resolveLimits, type ExprLimits } from './limits.js';
import { migrationManagerWarnings, type ExprWarning } from './mm-typing.js';
import { parseExpression } from './parser.js';
import type { EvalResult } from './result.js';
import type { ExpressionView } from './view.js';

export interface CompileOptions {
  /**
   * Overrides of `DEFAULT_LIMITS`: the compile-time limits, the budget of every evaluation, and
   * the host's clock `now` for its deadline.
   */
  limits?: Partial<ExprLimits>;
}

export type CompileResult =
  | { readonly ok: true; readonly expression: CompiledExpression; readonly warnings: readonly ExprWarning[] }
  | { readonly ok: false; readonly errors: readonly ExprError[] };

/** An include expression that parsed and type-checked; compile once, evaluate per instance. */
export interface CompiledExpression {
  readonly source: string;
  /** The checked syntax tree, for `interpret` and tools. */
  readonly ast: ExprNode;
  /**
   * Whether the instance matches. Never throws: a run-time error is `{ ok: false, error }`, and an
   * exhausted budget is the error `expr-budget` with `budget: { kind, limit }`.
   */
  matches(view: ExpressionView): EvalResult;
  /** The instance fields the expression reads, sorted. */
  fields(): readonly string[];
}

/**
 * Compiles an include expression (migration-manager's expr-lang syntax). Never throws: syntax,
 * name and type errors come back as `{ ok: false, errors }`, each with its offset in `source`;
 * an expression that compiles may come with warnings (where migration-manager would refuse it or
 * answer differently, and a note on each use of has_tag and matches_tag).
 */
export function compileExpression(source: string, options: CompileOptions = {}): CompileResult {
  const limits = resolveLimits(options.limits);
  try {
    const parsed = parseExpression(source, limits);
    const checked = checkExpression(parsed, limits);
    if (checked.errors.length > 0) return { ok: false, errors: sortErrors(checked.errors) };
    const warnings = sortErrors(migrationManagerWarnings(parsed, checked.types));
    const ast = foldLikeExprLang(parsed, checked.types);
    const evaluate = compileTree(ast, checked.types, limits);
    const fields = Object.freeze(fieldsRead(ast));
    const expression: CompiledExpression = Object.freeze({
      source,
      ast,
      matches: evaluate,
      fields: () => fields,
    });
    return { ok: true, expression, warnings };
  } catch (error) {
    if (error instanceof ExprFault) return { ok: false, errors: [error.error] };
    if (error instanceof RangeError) {
      return { ok: false, errors: [{ code: 'expr-too-deep', message: 'the expression nests too deeply', offset: 0, length: source.length }] };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [{ code: 'expr-internal', message: `the expression could not be compiled (${message})`, offset: 0, length: source.length }] };
  }
}

function sortErrors<T extends { offset: number; length: number }>(errors: readonly T[]): T[] {
  return [...errors].sort((a, b) => a.offset - b.offset || a.length - b.length);
}
