// Statements compile to closures returning a completion code (next, break, continue, return).
// Every executed statement and loop iteration costs one work unit.

import type { AssignStmt, Expr, ForStmt, Ident, LoadStmt, Stmt } from '../syntax/ast.js';
import { Tok, tokenName } from '../syntax/tokens.js';
import { nearest } from '../text/spell.js';
import { listExtend } from '../library/list-methods.js';
import { StarDict } from '../values/dict.js';
import { StarList } from '../values/list.js';
import { RangeValue } from '../values/range.js';
import { None, typeName, type Value } from '../values/value.js';
import { isIterable } from '../library/args.js';
import { getAttr, setField } from './attr.js';
import { add, binaryOp, bitOr } from './binary.js';
import { compileTarget } from './compile-assign.js';
import type { CompileContext, StmtFn } from './compile-context.js';
import { compileCondition, compileExpr } from './compile-expr.js';
import { compileFunction } from './compile-function.js';
import { BREAK, CONTINUE, NEXT, RETURN } from './control.js';
import { fail, StarFail } from './errors.js';
import type { Frame } from './frame.js';
import { getIndex, setIndex } from './index-ops.js';
import { iterate } from './iterate.js';
import { compileLookup, compileStore } from './variables.js';

export function compileBlock(cx: CompileContext, stmts: Stmt[]): StmtFn {
  const fns = stmts.filter((s) => !(s.kind === 'ExprStmt' && s.x.kind === 'Literal')).map((s) => compileStmt(cx, s));
  const n = fns.length;
  if (n === 0) {
    return (fr) => {
      const meter = fr.thread.meter;
      if (++meter.work > meter.checkAt) meter.checkpoint();
      return NEXT;
    };
  }
  if (n === 1) {
    const only = fns[0];
    return (fr) => {
      const meter = fr.thread.meter;
      if (++meter.work > meter.checkAt) meter.checkpoint();
      return only(fr);
    };
  }
  return (fr) => {
    const meter = fr.thread.meter;
    for (let i = 0; i < n; i++) {
      if (++meter.work > meter.checkAt) meter.checkpoint();
      const c = fns[i](fr);
      if (c !== NEXT) return c;
    }
    return NEXT;
  };
}

function compileStmt(cx: CompileContext, stmt: Stmt): StmtFn {
  switch (stmt.kind) {
    case 'ExprStmt': {
      const x = compileExpr(cx, stmt.x);
      return (fr) => {
        x(fr);
        return NEXT;
      };
    }
    case 'BranchStmt':
      if (stmt.tok === Tok.BREAK) return () => BREAK;
      if (stmt.tok === Tok.CONTINUE) return () => CONTINUE;
      return () => NEXT;
    case 'IfStmt': {
      const cond = compileCondition(cx, stmt.cond);
      const t = compileBlock(cx, stmt.t);
      if (stmt.f.length === 0) return (fr) => (cond(fr) ? t(fr) : NEXT);
      const f = compileBlock(cx, stmt.f);
      return (fr) => (cond(fr) ? t(fr) : f(fr));
    }
    case 'AssignStmt':
      return stmt.op === Tok.EQ ? compileAssign(cx, stmt) : compileAugmented(cx, stmt);
    case 'DefStmt': {
      const make = compileFunction(cx, stmt.scope!);
      const store = compileStore(stmt.name);
      return (fr) => {
        store(fr, make(fr));
        return NEXT;
      };
    }
    case 'ForStmt':
      return compileFor(cx, stmt);
    case 'WhileStmt': {
      const cond = compileCondition(cx, stmt.cond);
      const body = compileBlock(cx, stmt.body);
      return (fr) => {
        const meter = fr.thread.meter;
        while (cond(fr)) {
          if (++meter.work > meter.checkAt) meter.checkpoint();
          const c = body(fr);
          if (c === BREAK) break;
          if (c === RETURN) return RETURN;
        }
        return NEXT;
      };
    }
    case 'ReturnStmt': {
      if (stmt.result === undefined) {
        return (fr) => {
          fr.result = None;
          return RETURN;
        };
      }
      const result = compileExpr(cx, stmt.result);
      return (fr) => {
        fr.result = result(fr);
        return RETURN;
      };
    }
    case 'LoadStmt':
      return compileLoad(stmt);
  }
}

function compileAssign(cx: CompileContext, stmt: AssignStmt): StmtFn {
  const rhs = compileExpr(cx, stmt.rhs);
  if (stmt.lhs.kind === 'Ident') {
    const store = compileStore(stmt.lhs);
    return (fr) => {
      store(fr, rhs(fr));
      return NEXT;
    };
  }
  const assign = compileTarget(cx, stmt.lhs, stmt.opPos);
  return (fr) => {
    assign(fr, rhs(fr));
    return NEXT;
  };
}

function unparen(e: Expr): Expr {
  return e.kind === 'ParenExpr' ? unparen(e.x) : e;
}

/** x += y: lists are extended in place when y is iterable (starlark-go's INPLACE_ADD). */
function inplaceAdd(x: Value, y: Value): Value {
  if (typeof x === 'number' && typeof y === 'number') {
    const z = x + y;
    if (z <= Number.MAX_SAFE_INTEGER && z >= -Number.MAX_SAFE_INTEGER) return z;
  }
  if (x instanceof StarList && isIterable(y)) {
    x.checkMutable('apply += to');
    listExtend(x, y);
    return x;
  }
  return add(x, y);
}

/** x |= y: a dict is updated in place from a dict (starlark-go's INPLACE_PIPE). */
function inplacePipe(x: Value, y: Value): Value {
  if (x instanceof StarDict && y instanceof StarDict) {
    x.checkMutable('apply |= to');
    x.addAll(y);
    return x;
  }
  return bitOr(x, y);
}

function compileAugmented(cx: CompileContext, stmt: AssignStmt): StmtFn {
  const opName = tokenName(stmt.op).slice(0, -1);
  const opPos = stmt.opPos;
  const rhs = compileExpr(cx, stmt.rhs);
  const apply = (fr: Frame, x: Value, y: Value): Value => {
    fr.pos = opPos;
    if (stmt.op === Tok.PLUS_EQ) return inplaceAdd(x, y);
    if (stmt.op === Tok.PIPE_EQ) return inplacePipe(x, y);
    return binaryOp(opName, x, y);
  };
  const lhs = unparen(stmt.lhs);
  switch (lhs.kind) {
    case 'Ident': {
      const load = compileLookup(cx, lhs as Ident);
      const store = compileStore(lhs as Ident);
      return (fr) => {
        const x = load(fr);
        store(fr, apply(fr, x, rhs(fr)));
        return NEXT;
      };
    }
    case 'IndexExpr': {
      const xf = compileExpr(cx, lhs.x);
      const yf = compileExpr(cx, lhs.y);
      const lbrack = lhs.lbrack;
      return (fr) => {
        const x = xf(fr);
        const y = yf(fr);
        fr.pos = lbrack;
        const old = getIndex(x, y);
        const v = apply(fr, old, rhs(fr));
        fr.pos = lbrack;
        setIndex(x, y, v);
        return NEXT;
      };
    }
    case 'DotExpr': {
      const xf = compileExpr(cx, lhs.x);
      const name = lhs.name.name;
      const dot = lhs.dot;
      return (fr) => {
        const x = xf(fr);
        fr.pos = dot;
        const old = getAttr(x, name);
        const v = apply(fr, old, rhs(fr));
        fr.pos = dot;
        setField(x, name, v);
        return NEXT;
      };
    }
    default:
      throw new Error(`internal error: augmented assignment to ${lhs.kind}`);
  }
}

function compileFor(cx: CompileContext, stmt: ForStmt): StmtFn {
  const seqFn = compileExpr(cx, stmt.x);
  const assign = compileTarget(cx, stmt.vars, stmt.forPos);
  const body = compileBlock(cx, stmt.body);
  const pos = stmt.forPos;
  return (fr) => {
    const seq = seqFn(fr);
    const meter = fr.thread.meter;
    if (seq instanceof StarList) {
      if (!seq.frozen) seq.itercount++;
      try {
        const elems = seq.elems;
        for (let i = 0; i < elems.length; i++) {
          if (++meter.work > meter.checkAt) meter.checkpoint();
          assign(fr, elems[i]);
          const c = body(fr);
          if (c === BREAK) break;
          if (c === RETURN) return RETURN;
        }
      } finally {
        if (!seq.frozen) seq.itercount--;
      }
      return NEXT;
    }
    if (Array.isArray(seq)) {
      for (let i = 0; i < seq.length; i++) {
        if (++meter.work > meter.checkAt) meter.checkpoint();
        assign(fr, seq[i]);
        const c = body(fr);
        if (c === BREAK) break;
        if (c === RETURN) return RETURN;
      }
      return NEXT;
    }
    if (seq instanceof RangeValue && seq.small) {
      for (let i = 0; i < seq.length; i++) {
        if (++meter.work > meter.checkAt) meter.checkpoint();
        assign(fr, seq.start + i * seq.step);
        const c = body(fr);
        if (c === BREAK) break;
        if (c === RETURN) return RETURN;
      }
      return NEXT;
    }
    fr.pos = pos;
    const it = iterate(seq);
    if (it === undefined) fail(`${typeName(seq)} value is not iterable`);
    try {
      for (let v = it.next(); v !== undefined; v = it.next()) {
        if (++meter.work > meter.checkAt) meter.checkpoint();
        assign(fr, v);
        const c = body(fr);
        if (c === BREAK) break;
        if (c === RETURN) return RETURN;
      }
    } finally {
      it.done();
    }
    return NEXT;
  };
}

function compileLoad(stmt: LoadStmt): StmtFn {
  const module = stmt.module.value as string;
  const pos = stmt.load;
  const from = stmt.from.map((id) => id.name);
  const stores = stmt.to.map((id) => compileStore(id));
  return (fr) => {
    fr.pos = pos;
    const load = fr.thread.load;
    if (load === undefined) fail('load not implemented by this application');
    const members = load(module);
    if (typeof members === 'string') throw new StarFail(`cannot load ${module}: ${members}`);
    const values = from.map((name) => {
      const v = members.get(name);
      if (v === undefined) {
        const hint = nearest(name, [...members.keys()].sort());
        fail(`load: name ${name} not found in module ${module}${hint !== '' ? ` (did you mean ${hint}?)` : ''}`);
      }
      return v;
    });
    for (let i = 0; i < values.length; i++) stores[i](fr, values[i]);
    return NEXT;
  };
}

