// List and dict comprehensions. Each clause becomes a closure that feeds the next one; the
// innermost appends to the result.

import type { Comprehension, DictEntry, Expr, ForClause, IfClause } from '../syntax/ast.js';
import { StarDict } from '../values/dict.js';
import { StarList } from '../values/list.js';
import { RangeValue } from '../values/range.js';
import { typeName, type Value } from '../values/value.js';
import { compileTarget } from './compile-assign.js';
import type { CompileContext, ExprFn } from './compile-context.js';
import { compileCondition, compileExpr } from './compile-expr.js';
import { fail } from './errors.js';
import type { Frame } from './frame.js';
import { iterate } from './iterate.js';
import { chargeContainer, chargeElements, checkElements } from './limits.js';

type Sink = (fr: Frame, acc: Value[] | StarDict) => void;

/** Elements a list comprehension adds before their size and cost are checked one by one. */
const FIRST_ELEMENTS = 4096;

function compileBody(cx: CompileContext, comp: Comprehension): Sink {
  if (comp.curly) {
    const entry = comp.body as DictEntry;
    const key = compileExpr(cx, entry.key);
    const value = compileExpr(cx, entry.value);
    const colon = entry.colon;
    return (fr, acc) => {
      const k = key(fr);
      const v = value(fr);
      fr.pos = colon;
      (acc as StarDict).setKey(k, v);
    };
  }
  const body = compileExpr(cx, comp.body as Expr);
  return (fr, acc) => {
    const list = acc as Value[];
    const v = body(fr);
    // The first elements are charged when the list is made; beyond that, as the list grows.
    if (list.length >= FIRST_ELEMENTS) {
      checkElements(list.length + 1);
      chargeElements(1);
    }
    list.push(v);
  };
}

function compileIf(cx: CompileContext, clause: IfClause, next: Sink): Sink {
  const cond = compileCondition(cx, clause.cond);
  return (fr, acc) => {
    if (cond(fr)) next(fr, acc);
  };
}

function compileFor(cx: CompileContext, clause: ForClause, next: Sink): Sink {
  const seqFn = compileExpr(cx, clause.x);
  const assign = compileTarget(cx, clause.vars, clause.forPos);
  const pos = clause.forPos;
  return (fr, acc) => {
    const seq = seqFn(fr);
    const meter = fr.thread.meter;
    if (seq instanceof StarList) {
      if (!seq.frozen) seq.itercount++;
      try {
        const elems = seq.elems;
        for (let i = 0; i < elems.length; i++) {
          if (++meter.work > meter.checkAt) meter.checkpoint();
          assign(fr, elems[i]);
          next(fr, acc);
        }
      } finally {
        if (!seq.frozen) seq.itercount--;
      }
      return;
    }
    if (seq instanceof RangeValue && seq.small) {
      for (let i = 0; i < seq.length; i++) {
        if (++meter.work > meter.checkAt) meter.checkpoint();
        assign(fr, seq.start + i * seq.step);
        next(fr, acc);
      }
      return;
    }
    fr.pos = pos;
    const it = iterate(seq);
    if (it === undefined) fail(`${typeName(seq)} value is not iterable`);
    try {
      for (let v = it.next(); v !== undefined; v = it.next()) {
        if (++meter.work > meter.checkAt) meter.checkpoint();
        assign(fr, v);
        next(fr, acc);
      }
    } finally {
      it.done();
    }
  };
}

export function compileComprehension(cx: CompileContext, comp: Comprehension): ExprFn {
  let sink = compileBody(cx, comp);
  for (let i = comp.clauses.length - 1; i >= 0; i--) {
    const clause = comp.clauses[i];
    sink = clause.kind === 'ForClause' ? compileFor(cx, clause, sink) : compileIf(cx, clause, sink);
  }
  const run = sink;
  if (comp.curly) {
    return (fr) => {
      chargeContainer(0);
      const d = new StarDict();
      run(fr, d);
      return d;
    };
  }
  return (fr) => {
    const acc: Value[] = [];
    run(fr, acc);
    checkElements(acc.length);
    chargeContainer(Math.min(acc.length, FIRST_ELEMENTS));
    return new StarList(acc);
  };
}
