// def and lambda: compiling a function's body once, and creating a function value (with its
// defaults and captured cells) each time the def or lambda is evaluated.

import { Scope, type Binding, type FunctionScope } from '../resolve/binding.js';
import type { Stmt } from '../syntax/ast.js';
import type { Pos } from '../syntax/position.js';
import { Cell, StarFunction, type FuncCode } from '../values/function.js';
import type { Value } from '../values/value.js';
import type { CompileContext, ExprFn } from './compile-context.js';
import { compileExpr } from './compile-expr.js';
import { compileBlock } from './compile-stmt.js';
import { entryPosition } from './go-positions.js';
import type { Frame } from './frame.js';
import { chargeContainer } from './limits.js';

function bindingName(b: Binding): string {
  return b.first?.name ?? '?';
}

export function makeCode(
  cx: CompileContext,
  name: string,
  pos: Pos,
  locals: Binding[],
  body: Stmt[],
  params: { numParams: number; numKwonlyParams: number; hasVarargs: boolean; hasKwargs: boolean },
): FuncCode {
  const code: FuncCode = {
    name,
    file: cx.file,
    pos,
    entryPos: entryPosition(pos, body),
    paramNames: locals.slice(0, params.numParams).map(bindingName),
    numParams: params.numParams,
    numKwonlyParams: params.numKwonlyParams,
    hasVarargs: params.hasVarargs,
    hasKwargs: params.hasKwargs,
    numLocals: locals.length,
    cells: locals.flatMap((b, i) => (b.scope === Scope.Cell ? [i] : [])),
    localNames: locals.map(bindingName),
    allowRecursion: cx.dialect.recursion,
    body: () => undefined,
    active: 0,
  };
  const block = compileBlock(cx, body);
  code.body = block;
  return code;
}

type CellFn = (fr: Frame) => Cell;

export function compileFunction(cx: CompileContext, fn: FunctionScope): ExprFn {
  let numParams = fn.params.length;
  if (fn.numKwonlyParams > 0 && !fn.hasVarargs) numParams--;
  const code = makeCode(cx, fn.name, fn.pos, fn.locals, fn.body, {
    numParams,
    numKwonlyParams: fn.numKwonlyParams,
    hasVarargs: fn.hasVarargs,
    hasKwargs: fn.hasKwargs,
  });

  // Defaults of optional parameters; undefined marks a mandatory keyword-only parameter.
  const defaults: (ExprFn | undefined)[] = [];
  let seenStar = false;
  for (const param of fn.params) {
    if (param.kind === 'BinaryExpr') defaults.push(compileExpr(cx, param.y));
    else if (param.kind === 'UnaryExpr') seenStar = true;
    else if (param.kind === 'Ident' && seenStar) defaults.push(undefined);
  }

  const captures: CellFn[] = fn.freeVars.map((b) => {
    const i = b.index;
    if (b.scope === Scope.Free) return (fr: Frame) => fr.fn.freevars[i];
    return (fr: Frame) => fr.locals[i] as Cell;
  });

  const pos = fn.pos;
  return (fr) => {
    fr.pos = pos;
    chargeContainer(defaults.length + captures.length);
    const dflts: (Value | undefined)[] = defaults.map((d) => (d === undefined ? undefined : d(fr)));
    const cells = captures.map((c) => c(fr));
    return new StarFunction(code, fr.fn.module, dflts, cells);
  };
}

