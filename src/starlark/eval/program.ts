// A compiled program (one file), and running it: module initialisation, then calls into its
// functions. Nothing here reads a clock or any other ambient state.

import type { ModuleScope } from '../resolve/binding.js';
import type { DialectOptions } from '../options.js';
import { startOf, type Stmt } from '../syntax/ast.js';
import { makePos, type Pos } from '../syntax/position.js';
import { freezeValue } from '../values/list.js';
import { ModuleInstance, StarFunction, type FuncCode } from '../values/function.js';
import type { Kwargs, Value } from '../values/value.js';
import { callValue } from './call.js';
import { CompileContext } from './compile-context.js';
import { makeCode } from './compile-function.js';
import { activeLimits } from './limits.js';
import type { Thread } from './thread.js';

export interface Program {
  readonly filename: string;
  readonly toplevel: FuncCode;
  readonly globalNames: readonly string[];
  readonly predeclaredNames: readonly string[];
  /** Modules named by load statements, in order. */
  readonly loads: readonly { module: string; pos: Pos }[];
}

export function compileProgram(filename: string, stmts: Stmt[], module: ModuleScope, dialect: DialectOptions): Program {
  const cx = new CompileContext(filename, dialect, module.globals);
  const pos = stmts.length > 0 ? stmtStart(stmts[0]) : makePos(1, 1);
  const toplevel = makeCode(cx, '<toplevel>', pos, module.locals, stmts, {
    numParams: 0,
    numKwonlyParams: 0,
    hasVarargs: false,
    hasKwargs: false,
  });
  const loads: { module: string; pos: Pos }[] = [];
  for (const stmt of stmts) {
    if (stmt.kind === 'LoadStmt') loads.push({ module: stmt.module.value as string, pos: stmt.module.pos });
  }
  return {
    filename,
    toplevel,
    globalNames: module.globals.map((b) => b.first?.name ?? '?'),
    predeclaredNames: cx.predeclaredNames,
    loads,
  };
}

function stmtStart(stmt: Stmt): Pos {
  switch (stmt.kind) {
    case 'DefStmt':
      return stmt.def;
    case 'IfStmt':
      return stmt.ifPos;
    case 'ForStmt':
      return stmt.forPos;
    case 'WhileStmt':
      return stmt.whilePos;
    case 'LoadStmt':
      return stmt.load;
    case 'ReturnStmt':
      return stmt.returnPos;
    case 'BranchStmt':
      return stmt.pos;
    case 'AssignStmt':
      return startOf(stmt.lhs);
    case 'ExprStmt':
      return startOf(stmt.x);
  }
}

/** Runs `action` with the thread's limits and meter installed (and the previous ones restored). */
export function withThreadLimits<T>(thread: Thread, action: () => T): T {
  const { maxStringBytes, maxElements, maxCallDepth, meter } = activeLimits;
  activeLimits.maxStringBytes = thread.limits.maxStringBytes;
  activeLimits.maxElements = thread.limits.maxElements;
  activeLimits.maxCallDepth = thread.limits.maxCallDepth;
  activeLimits.meter = thread.meter;
  thread.meter.start();
  try {
    return action();
  } finally {
    activeLimits.maxStringBytes = maxStringBytes;
    activeLimits.maxElements = maxElements;
    activeLimits.maxCallDepth = maxCallDepth;
    activeLimits.meter = meter;
  }
}

export interface ModuleResult {
  instance: ModuleInstance;
  /** Globals defined by the module, in definition order. */
  globals: Map<string, Value>;
}

/**
 * Executes the program's top level with the given predeclared values, then freezes its
 * globals. Throws a StarFail if execution fails.
 */
export function execProgram(program: Program, thread: Thread, predeclared: ReadonlyMap<string, Value>): ModuleResult {
  const instance = new ModuleInstance(
    new Array<Value | undefined>(program.globalNames.length).fill(undefined),
    program.predeclaredNames.map((name) => predeclared.get(name)),
    program.globalNames,
    program.predeclaredNames,
  );
  const toplevel = new StarFunction(program.toplevel, instance, [], []);
  withThreadLimits(thread, () => callValue(thread, toplevel, [], null));
  const globals = new Map<string, Value>();
  program.globalNames.forEach((name, i) => {
    const v = instance.globals[i];
    if (v !== undefined) globals.set(name, v);
  });
  for (const v of globals.values()) freezeValue(v);
  return { instance, globals };
}

/** Calls a function value on a thread, with its limits installed. */
export function callWithThread(thread: Thread, fn: Value, args: Value[], kwargs: Kwargs | null): Value {
  return withThreadLimits(thread, () => callValue(thread, fn, args, kwargs));
}
