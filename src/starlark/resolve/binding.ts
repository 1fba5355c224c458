// What the resolver records about each name, read by the compiler.

import type { Expr, Ident, Stmt } from '../syntax/ast.js';
import type { Pos } from '../syntax/position.js';

export const enum Scope {
  Undefined,
  /** local to its function, or file-local at top level (comprehension variables, loads) */
  Local,
  /** a local shared with a nested function through a cell */
  Cell,
  /** a cell of an enclosing function */
  Free,
  Global,
  Predeclared,
  Universal,
}

const SCOPE_NAMES = ['undefined', 'local', 'cell', 'free', 'global', 'predeclared', 'universal'];

export function scopeName(scope: Scope): string {
  return SCOPE_NAMES[scope];
}

/** One binding, shared by every identifier that refers to it (the resolver mutates Local to Cell). */
export interface Binding {
  scope: Scope;
  index: number;
  /** The first binding use, for "declared at" messages. */
  first: Ident | undefined;
}

/** A def or lambda after resolution. */
export interface FunctionScope {
  name: string;
  pos: Pos;
  params: Expr[];
  body: Stmt[];
  hasVarargs: boolean;
  hasKwargs: boolean;
  numKwonlyParams: number;
  /** Parameters first, then other locals. */
  locals: Binding[];
  /** Cells of enclosing functions captured by this one. */
  freeVars: Binding[];
}

/** The file's bindings after resolution. */
export interface ModuleScope {
  /** File-local variables (top-level comprehension variables and, by default, loads). */
  locals: Binding[];
  globals: Binding[];
}
