import type { Budget } from './budget.js';
import { ENCODING_FUNCTIONS } from './builtins-encoding.js';
import { LIST_FUNCTIONS } from './builtins-lists.js';
import { MIGRATION_MANAGER_FUNCTIONS } from './builtins-migration-manager.js';
import { NUMBER_FUNCTIONS } from './builtins-numbers.js';
import { TEXT_FUNCTIONS } from './builtins-text.js';
import { TIME_FUNCTIONS } from './builtins-time.js';
import type { Span } from './errors.js';
import type { ExprType } from './types.js';
import type { Value } from './values.js';
import type { ExpressionView } from './view.js';

// The functions an expression may call: expr-lang v1.17's built-ins (builtin/builtin.go) and
// migration-manager's path_base, path_dir, has_tag and matches_tag, each with its type rule,
// its run-time behaviour and what it charges to the budget. Nothing else is callable — in
// particular no value from the instance is ever called.

/** What is wrong with one argument (or, at -1, with the call), found by a function's type check. */
export interface ArgumentProblem {
  argument: number;
  message: string;
}

export interface FunctionDef {
  readonly name: string;
  readonly minArgs: number;
  /** Infinity for the variadic ones (max, min, concat, …). */
  readonly maxArgs: number;
  /** How to call it, for messages: `split(text, separator[, count])`. */
  readonly usage: string;
  /** Instance fields it reads besides its arguments. */
  readonly reads: readonly string[];
  /** The result type for these argument types, or what is wrong with one of them. */
  check(args: readonly ExprType[]): ExprType | ArgumentProblem;
  /**
   * Runs it, charging `budget` for what it reads and writes (at the call's span, `at`); argument
   * types are checked again here, since some are only known at run time.
   */
  call(args: readonly Value[], view: ExpressionView, spans: readonly Span[], budget: Budget, at: Span): Value;
}

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(
  [...TEXT_FUNCTIONS, ...NUMBER_FUNCTIONS, ...LIST_FUNCTIONS, ...ENCODING_FUNCTIONS, ...TIME_FUNCTIONS, ...MIGRATION_MANAGER_FUNCTIONS]
    .map((definition) => [definition.name, definition]),
);

/** Predicates take a list and an expression evaluated once per element (`#`, `.field`). */
export const PREDICATE_USAGE: Readonly<Record<string, string>> = {
  all: 'all(list, predicate)',
  any: 'any(list, predicate)',
  none: 'none(list, predicate)',
  one: 'one(list, predicate)',
  filter: 'filter(list, predicate)',
  map: 'map(list, expression)',
  count: 'count(list[, predicate])',
  sum: 'sum(list[, expression])',
  find: 'find(list, predicate)',
  findIndex: 'findIndex(list, predicate)',
  findLast: 'findLast(list, predicate)',
  findLastIndex: 'findLastIndex(list, predicate)',
  groupBy: 'groupBy(list, expression)',
  sortBy: 'sortBy(list, expression[, "asc" | "desc"])',
  reduce: 'reduce(list, expression[, initial])',
};
