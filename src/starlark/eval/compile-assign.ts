// Assignment targets: names, x[i], x.f, and (nested) tuples or lists of targets.

import type { Expr } from '../syntax/ast.js';
import type { Pos } from '../syntax/position.js';
import { StarList } from '../values/list.js';
import { typeName, type Value } from '../values/value.js';
import { setField } from './attr.js';
import type { AssignFn, CompileContext } from './compile-context.js';
import { compileExpr } from './compile-expr.js';
import { fail } from './errors.js';
import { setIndex } from './index-ops.js';
import { iterate, length } from './iterate.js';
import { compileStore } from './variables.js';

/** Splits a value into exactly n elements for `a, b = value`. */
export function unpack(v: Value, n: number): readonly Value[] {
  if (Array.isArray(v)) {
    if (v.length === n) return v;
  } else if (v instanceof StarList) {
    if (v.elems.length === n) return v.elems.slice();
  }
  const it = iterate(v);
  if (it === undefined) fail(`got ${typeName(v)} in sequence assignment`);
  const out: Value[] = [];
  try {
    for (let x = it.next(); x !== undefined; x = it.next()) {
      if (out.length === n) fail(`too many values to unpack (got ${length(v)}, want ${n})`);
      out.push(x);
    }
  } finally {
    it.done();
  }
  if (out.length < n) fail(`too few values to unpack (got ${out.length}, want ${n})`);
  return out;
}

/** Compiles an assignment target; `pos` is where unpacking errors are reported. */
export function compileTarget(cx: CompileContext, lhs: Expr, pos: Pos): AssignFn {
  switch (lhs.kind) {
    case 'ParenExpr':
      return compileTarget(cx, lhs.x, pos);
    case 'Ident':
      return compileStore(lhs);
    case 'TupleExpr':
    case 'ListExpr': {
      const targets = lhs.list.map((x) => compileTarget(cx, x, pos));
      const n = targets.length;
      return (fr, v) => {
        fr.pos = pos;
        const elems = unpack(v, n);
        for (let i = 0; i < n; i++) targets[i](fr, elems[i]);
      };
    }
    case 'IndexExpr': {
      const x = compileExpr(cx, lhs.x);
      const y = compileExpr(cx, lhs.y);
      const lbrack = lhs.lbrack;
      return (fr, v) => {
        const xv = x(fr);
        const yv = y(fr);
        fr.pos = lbrack;
        setIndex(xv, yv, v);
      };
    }
    case 'DotExpr': {
      const x = compileExpr(cx, lhs.x);
      const name = lhs.name.name;
      const dot = lhs.dot;
      return (fr, v) => {
        const xv = x(fr);
        fr.pos = dot;
        setField(xv, name, v);
      };
    }
    default:
      throw new Error(`internal error: cannot assign to ${lhs.kind}`);
  }
}
