// Calls: f(a, b, k=v, *args, **kwargs). Arguments are evaluated left to right, then *args and
// **kwargs (starlark-go's order). Method calls on built-in types (s.split(","), l.append(x))
// call the method directly instead of allocating a bound method.

import type { CallExpr, Expr, Ident } from '../syntax/ast.js';
import { Tok } from '../syntax/tokens.js';
import type { MethodImpl } from '../library/method.js';
import { StarFunction } from '../values/function.js';
import { StarObject, typeName, type Kwargs, type Value } from '../values/value.js';
import { getAttr, methodTable } from './attr.js';
import { asStarFail, callStarlark, callValue } from './call.js';
import type { CompileContext, ExprFn } from './compile-context.js';
import { compileExpr } from './compile-expr.js';
import { BUILTIN_FILE, fail } from './errors.js';
import type { Frame } from './frame.js';
import { iterate, length } from './iterate.js';
import { chargeElements } from './limits.js';
import type { Thread } from './thread.js';

type ArgsFn = (fr: Frame) => Value[];
type KwargsFn = (fr: Frame) => Kwargs | null;

/** Calls a built-in type's method with its receiver, recording a frame if it fails. */
function callMethod(thread: Thread, impl: MethodImpl, recv: Value, args: Value[], kwargs: Kwargs | null, name: string): Value {
  if (++thread.depth > thread.limits.maxCallDepth) {
    thread.depth--;
    thread.depthLimitExceeded();
  }
  const meter = thread.meter;
  if (++meter.work > meter.checkAt) meter.checkpoint();
  try {
    return impl(thread, recv, args, kwargs, name);
  } catch (e) {
    const failure = asStarFail(e);
    failure.frames.push({ name, file: BUILTIN_FILE, pos: 0 });
    throw failure;
  } finally {
    thread.depth--;
  }
}

function compilePositional(cx: CompileContext, exprs: Expr[]): ArgsFn {
  const fns = exprs.map((e) => compileExpr(cx, e));
  switch (fns.length) {
    case 0:
      return () => [];
    case 1: {
      const [a] = fns;
      return (fr) => [a(fr)];
    }
    case 2: {
      const [a, b] = fns;
      return (fr) => [a(fr), b(fr)];
    }
    case 3: {
      const [a, b, c] = fns;
      return (fr) => [a(fr), b(fr), c(fr)];
    }
  }
  const n = fns.length;
  return (fr) => {
    const out: Value[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = fns[i](fr);
    return out;
  };
}

function compileArgs(cx: CompileContext, call: CallExpr): { args: ArgsFn; kwargs: KwargsFn; simple: boolean } {
  const positional: Expr[] = [];
  const named: [string, ExprFn][] = [];
  let varargs: ExprFn | undefined;
  let kwargsExpr: ExprFn | undefined;
  for (const arg of call.args) {
    if (arg.kind === 'BinaryExpr' && arg.op === Tok.EQ) {
      named.push([(arg.x as Ident).name, compileExpr(cx, arg.y)]);
    } else if (arg.kind === 'UnaryExpr' && arg.op === Tok.STAR) {
      varargs = compileExpr(cx, arg.x as Expr);
    } else if (arg.kind === 'UnaryExpr' && arg.op === Tok.STARSTAR) {
      kwargsExpr = compileExpr(cx, arg.x as Expr);
    } else {
      positional.push(arg);
    }
  }
  const pos = compilePositional(cx, positional);
  if (named.length === 0 && varargs === undefined && kwargsExpr === undefined) {
    return { args: pos, kwargs: () => null, simple: true };
  }
  // The general case evaluates everything in one go, in starlark-go's order, and hands the
  // results over through `pending`.
  let pending: Kwargs | null = null;
  const lparen = call.lparen;
  const args: ArgsFn = (fr) => {
    const values = pos(fr);
    let kw: [string, Value][] | null = null;
    if (named.length > 0) {
      kw = [];
      for (const [name, f] of named) kw.push([name, f(fr)]);
    }
    const star = varargs !== undefined ? varargs(fr) : undefined;
    const starstar = kwargsExpr !== undefined ? kwargsExpr(fr) : undefined;
    if (starstar !== undefined) {
      if (!(starstar instanceof StarObject) || starstar.items === undefined || starstar.iterate === undefined) {
        fr.pos = lparen;
        fail(`argument after ** must be a mapping, not ${typeName(starstar)}`);
      }
      const items = starstar.items();
      for (const [k] of items) {
        if (typeof k !== 'string') {
          fr.pos = lparen;
          fail(`keywords must be strings, not ${typeName(k)}`);
        }
      }
      kw = kw === null ? (items as [string, Value][]) : kw.concat(items as [string, Value][]);
    }
    if (star !== undefined) {
      const it = iterate(star);
      if (it === undefined) {
        fr.pos = lparen;
        fail(`argument after * must be iterable, not ${typeName(star)}`);
      }
      const known = length(star);
      if (known >= 0) chargeElements(known);
      try {
        for (let v = it.next(); v !== undefined; v = it.next()) {
          if (known < 0) chargeElements(1);
          values.push(v);
        }
      } finally {
        it.done();
      }
    }
    pending = kw;
    return values;
  };
  const kwargs: KwargsFn = () => {
    const kw = pending;
    pending = null;
    return kw;
  };
  return { args, kwargs, simple: false };
}

export function compileCall(cx: CompileContext, call: CallExpr): ExprFn {
  const { args, kwargs } = compileArgs(cx, call);
  const lparen = call.lparen;

  if (call.fn.kind === 'DotExpr') {
    const recvFn = compileExpr(cx, call.fn.x);
    const name = call.fn.name.name;
    const dot = call.fn.dot;
    // A call site almost always sees one receiver type: remember its method.
    let seenTable: ReadonlyMap<string, MethodImpl> | undefined;
    let seenImpl: MethodImpl | undefined;
    return (fr) => {
      const recv = recvFn(fr);
      const table = methodTable(recv);
      if (table !== undefined) {
        let impl = table === seenTable ? seenImpl : undefined;
        if (impl === undefined) {
          impl = table.get(name);
          if (impl === undefined) {
            fr.pos = dot;
            getAttr(recv, name);
          }
          seenTable = table;
          seenImpl = impl;
        }
        const a = args(fr);
        const k = kwargs(fr);
        fr.pos = lparen;
        return callMethod(fr.thread, impl as MethodImpl, recv, a, k, name);
      }
      fr.pos = dot;
      const fn = getAttr(recv, name);
      const a = args(fr);
      const k = kwargs(fr);
      fr.pos = lparen;
      return callValue(fr.thread, fn, a, k);
    };
  }

  const fnFn = compileExpr(cx, call.fn);
  return (fr) => {
    const fn = fnFn(fr);
    const a = args(fr);
    const k = kwargs(fr);
    fr.pos = lparen;
    if (fn instanceof StarFunction) return callStarlark(fr.thread, fn, a, k);
    return callValue(fr.thread, fn, a, k);
  };
}
