// Expressions compile to closures `(frame) => value`. Each closure evaluates its operands, then
// tries an inline fast path for the common types (small ints, strings, lists, dicts) and only
// otherwise records its position in the frame (for the backtrace) and calls the general
// operation, which may fail.

import type { BinaryExpr, CallExpr, Comprehension, DictEntry, Expr, Literal } from '../syntax/ast.js';
import { Tok } from '../syntax/tokens.js';
import { StarBytes } from '../values/bytes.js';
import { chargeStringCompare, compare } from '../values/compare.js';
import { StarDict } from '../values/dict.js';
import { MAX_HASHED_CHARS } from '../values/hash-key.js';
import { CompareOp, Float, None as NONE, truth, type Value } from '../values/value.js';
import { StarList } from '../values/list.js';
import { repr } from '../values/repr.js';
import { getAttr } from './attr.js';
import { add, bitAnd, bitOr, bitXor, contains, div, floorDiv, mod, mul, shiftLeft, shiftRight, sub } from './binary.js';
import { compileCall } from './compile-call.js';
import { compileComprehension } from './compile-comprehension.js';
import type { CompileContext, ExprFn } from './compile-context.js';
import { compileFunction } from './compile-function.js';
import { fail } from './errors.js';
import { slicePosition } from './go-positions.js';
import { getIndex, slice } from './index-ops.js';
import { chargeContainer, chargeEntry, checkElements, SHORT_STRING } from './limits.js';
import { unary } from './unary.js';
import { compileLookup } from './variables.js';
import type { Frame } from './frame.js';

const MAX = Number.MAX_SAFE_INTEGER;

export function compileExpr(cx: CompileContext, e: Expr): ExprFn {
  switch (e.kind) {
    case 'ParenExpr':
      return compileExpr(cx, e.x);
    case 'Ident':
      return compileLookup(cx, e);
    case 'Literal': {
      const v: Value = e.tok === Tok.FLOAT ? new Float(e.value as number) : e.tok === Tok.BYTES ? new StarBytes(e.value as string) : (e.value as Value);
      return () => v;
    }
    case 'ListExpr': {
      const elems = e.list.map((x) => compileExpr(cx, x));
      const n = elems.length;
      return (fr) => {
        chargeContainer(n);
        const out: Value[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = elems[i](fr);
        return new StarList(out);
      };
    }
    case 'TupleExpr':
      return compileTuple(cx, e.list);
    case 'DictExpr':
      return compileDict(cx, e.list);
    case 'CondExpr': {
      const cond = compileCondition(cx, e.cond);
      const t = compileExpr(cx, e.t);
      const f = compileExpr(cx, e.f);
      return (fr) => (cond(fr) ? t(fr) : f(fr));
    }
    case 'IndexExpr':
      return compileIndex(cx, e.x, e.y, e.lbrack);
    case 'SliceExpr': {
      const x = compileExpr(cx, e.x);
      const none = (): Value => NONE;
      const lo = e.lo !== undefined ? compileExpr(cx, e.lo) : none;
      const hi = e.hi !== undefined ? compileExpr(cx, e.hi) : none;
      const step = e.step !== undefined ? compileExpr(cx, e.step) : none;
      const pos = slicePosition(e);
      return (fr) => {
        const xv = x(fr);
        const lov = lo(fr);
        const hiv = hi(fr);
        const stepv = step(fr);
        fr.pos = pos;
        return slice(xv, lov, hiv, stepv);
      };
    }
    case 'Comprehension':
      return compileComprehension(cx, e as Comprehension);
    case 'UnaryExpr':
      return compileUnary(cx, e.op, e.x as Expr, e.opPos);
    case 'BinaryExpr':
      return compileBinary(cx, e.op, e.x, e.y, e.opPos);
    case 'DotExpr': {
      const x = compileExpr(cx, e.x);
      const name = e.name.name;
      const pos = e.dot;
      return (fr) => {
        const xv = x(fr);
        fr.pos = pos;
        return getAttr(xv, name);
      };
    }
    case 'CallExpr':
      return compileCall(cx, e as CallExpr);
    case 'LambdaExpr':
      return compileFunction(cx, e.scope!);
  }
}

export function compileTuple(cx: CompileContext, list: Expr[]): ExprFn {
  const elems = list.map((x) => compileExpr(cx, x));
  switch (elems.length) {
    case 0:
      return () => {
        chargeContainer(0);
        return [];
      };
    case 1: {
      const [a] = elems;
      return (fr) => {
        chargeContainer(1);
        return [a(fr)];
      };
    }
    case 2: {
      const [a, b] = elems;
      return (fr) => {
        chargeContainer(2);
        return [a(fr), b(fr)];
      };
    }
    case 3: {
      const [a, b, c] = elems;
      return (fr) => {
        chargeContainer(3);
        return [a(fr), b(fr), c(fr)];
      };
    }
  }
  const n = elems.length;
  return (fr) => {
    chargeContainer(n);
    const out: Value[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = elems[i](fr);
    return out;
  };
}

function compileDict(cx: CompileContext, entries: DictEntry[]): ExprFn {
  const keys = entries.map((entry) => compileExpr(cx, entry.key));
  const values = entries.map((entry) => compileExpr(cx, entry.value));
  const colons = entries.map((entry) => entry.colon);
  const n = entries.length;
  return (fr) => {
    chargeContainer(0);
    const d = new StarDict();
    for (let i = 0; i < n; i++) {
      const k = keys[i](fr);
      const v = values[i](fr);
      const before = d.entries.size;
      if (typeof k === 'string' && k.length <= MAX_HASHED_CHARS) {
        if (d.entries.has(k)) {
          fr.pos = colons[i];
          fail(`duplicate key: ${repr(k)}`);
        }
        checkElements(before + 1);
        chargeEntry();
        d.entries.set(k, v);
        continue;
      }
      fr.pos = colons[i];
      d.setKey(k, v);
      if (d.entries.size === before) fail(`duplicate key: ${repr(k)}`);
    }
    return d;
  };
}

function compileIndex(cx: CompileContext, xe: Expr, ye: Expr, pos: number): ExprFn {
  const x = compileExpr(cx, xe);
  const y = compileExpr(cx, ye);
  return (fr) => {
    const xv = x(fr);
    const yv = y(fr);
    if (typeof yv === 'number') {
      if (xv instanceof StarList) {
        const elems = xv.elems;
        if (yv >= 0 && yv < elems.length) return elems[yv];
      } else if (Array.isArray(xv) && yv >= 0 && yv < xv.length) {
        return xv[yv];
      }
    } else if (typeof yv === 'string' && xv instanceof StarDict && yv.length <= MAX_HASHED_CHARS) {
      const v = xv.entries.get(yv);
      if (v !== undefined) return v;
    }
    fr.pos = pos;
    return getIndex(xv, yv);
  };
}

/** Compiles an expression used as a condition into a JS boolean. */
export function compileCondition(cx: CompileContext, e: Expr): (fr: Frame) => boolean {
  if (e.kind === 'UnaryExpr' && e.op === Tok.NOT) {
    const x = compileCondition(cx, e.x as Expr);
    return (fr) => !x(fr);
  }
  if (e.kind === 'BinaryExpr' && (e.op === Tok.AND || e.op === Tok.OR)) {
    const x = compileCondition(cx, e.x);
    const y = compileCondition(cx, e.y);
    return e.op === Tok.AND ? (fr) => x(fr) && y(fr) : (fr) => x(fr) || y(fr);
  }
  const f = compileExpr(cx, e);
  return (fr) => {
    const v = f(fr);
    return v === true || (v !== false && truth(v));
  };
}

function compileUnary(cx: CompileContext, op: Tok, xe: Expr, pos: number): ExprFn {
  const x = compileExpr(cx, xe);
  switch (op) {
    case Tok.NOT:
      return (fr) => !truth(x(fr));
    case Tok.MINUS:
      return (fr) => {
        const v = x(fr);
        if (typeof v === 'number') return v === 0 ? 0 : -v;
        fr.pos = pos;
        return unary('-', v);
      };
    case Tok.PLUS:
      return (fr) => {
        const v = x(fr);
        fr.pos = pos;
        return unary('+', v);
      };
    case Tok.TILDE:
      return (fr) => {
        const v = x(fr);
        fr.pos = pos;
        return unary('~', v);
      };
    default:
      throw new Error(`internal error: unary op ${op}`);
  }
}

type BinaryImpl = (x: Value, y: Value) => Value;

const GENERIC: Partial<Record<Tok, BinaryImpl>> = {
  [Tok.STAR]: mul,
  [Tok.SLASH]: div,
  [Tok.SLASHSLASH]: floorDiv,
  [Tok.PERCENT]: mod,
  [Tok.AMP]: bitAnd,
  [Tok.PIPE]: bitOr,
  [Tok.CIRCUMFLEX]: bitXor,
  [Tok.LTLT]: shiftLeft,
  [Tok.GTGT]: shiftRight,
};

const COMPARISONS: Partial<Record<Tok, CompareOp>> = {
  [Tok.EQL]: CompareOp.EQ,
  [Tok.NEQ]: CompareOp.NE,
  [Tok.LT]: CompareOp.LT,
  [Tok.LE]: CompareOp.LE,
  [Tok.GT]: CompareOp.GT,
  [Tok.GE]: CompareOp.GE,
};

/** The value of an int constant expression (like 100 * 1024 * 1024), if it is one. */
function constantInt(e: Expr): number | undefined {
  if (e.kind === 'ParenExpr') return constantInt(e.x);
  if (e.kind === 'Literal') return e.tok === Tok.INT && typeof e.value === 'number' ? e.value : undefined;
  if (e.kind !== 'BinaryExpr' || (e.op !== Tok.PLUS && e.op !== Tok.MINUS && e.op !== Tok.STAR)) return undefined;
  const x = constantInt(e.x);
  const y = x !== undefined ? constantInt(e.y) : undefined;
  if (x === undefined || y === undefined) return undefined;
  const z = e.op === Tok.PLUS ? x + y : e.op === Tok.MINUS ? x - y : x * y;
  return Number.isSafeInteger(z) ? z + 0 : undefined;
}

function unparen(e: Expr): Expr {
  return e.kind === 'ParenExpr' ? unparen(e.x) : e;
}

function isBytesLiteral(e: Expr): e is Literal {
  return e.kind === 'Literal' && e.tok === Tok.BYTES;
}

/**
 * starlark-go folds adjacent literals in a chain of '+' at compile time, and has no bytes + bytes
 * at run time: so b"a" + b"b" is one literal but x + b"b" fails even when x is bytes. Ferry folds
 * bytes literals the same way, so that the same programs fail. Returns undefined when there is
 * nothing to fold.
 */
function foldBytesLiterals(e: BinaryExpr): Expr | undefined {
  const summands: { x: Expr; pos: number }[] = [];
  for (let plus = e; ; ) {
    summands.push({ x: unparen(plus.y), pos: plus.opPos });
    const left = unparen(plus.x);
    if (left.kind !== 'BinaryExpr' || left.op !== Tok.PLUS) {
      summands.push({ x: left, pos: 0 });
      break;
    }
    plus = left;
  }
  summands.reverse();
  const folded: { x: Expr; pos: number }[] = [];
  for (let i = 0; i < summands.length; ) {
    let j = i + 1;
    const first = summands[i];
    if (isBytesLiteral(first.x)) {
      while (j < summands.length && isBytesLiteral(summands[j].x)) j++;
      if (j > i + 1) {
        const value = summands
          .slice(i, j)
          .map((s) => (s.x as Literal).value)
          .join('');
        folded.push({ x: { kind: 'Literal', tok: Tok.BYTES, pos: first.x.pos, raw: '', value, end: first.x.end }, pos: first.pos });
        i = j;
        continue;
      }
    }
    folded.push(first);
    i = j;
  }
  if (folded.length === summands.length) return undefined;
  return folded.slice(1).reduce<Expr>((x, s) => ({ kind: 'BinaryExpr', x, opPos: s.pos, op: Tok.PLUS, y: s.x }), folded[0].x);
}

function compileBinary(cx: CompileContext, op: Tok, xe: Expr, ye: Expr, pos: number): ExprFn {
  if (op === Tok.PLUS) {
    const folded = foldBytesLiterals({ kind: 'BinaryExpr', x: xe, opPos: pos, op, y: ye });
    if (folded !== undefined) return compileExpr(cx, folded);
  }
  // Folding small-int arithmetic on literals cannot fail or change a result: it only saves the
  // work of recomputing constants such as 100 * 1024 * 1024 * 1024 on every evaluation.
  if (op === Tok.PLUS || op === Tok.MINUS || op === Tok.STAR) {
    const folded = constantInt({ kind: 'BinaryExpr', x: xe, opPos: pos, op, y: ye });
    if (folded !== undefined) return () => folded;
  }
  const x = compileExpr(cx, xe);
  const y = compileExpr(cx, ye);
  switch (op) {
    case Tok.AND:
      return (fr) => {
        const v = x(fr);
        return truth(v) ? y(fr) : v;
      };
    case Tok.OR:
      return (fr) => {
        const v = x(fr);
        return truth(v) ? v : y(fr);
      };
    case Tok.PLUS:
      return (fr) => {
        const a = x(fr);
        const b = y(fr);
        if (typeof a === 'number' && typeof b === 'number') {
          const z = a + b;
          if (z <= MAX && z >= -MAX) return z;
        }
        fr.pos = pos;
        return add(a, b);
      };
    case Tok.MINUS:
      return (fr) => {
        const a = x(fr);
        const b = y(fr);
        if (typeof a === 'number' && typeof b === 'number') {
          const z = a - b;
          if (z <= MAX && z >= -MAX) return z;
        }
        fr.pos = pos;
        return sub(a, b);
      };
    case Tok.IN:
    case Tok.NOT_IN: {
      const negate = op === Tok.NOT_IN;
      return (fr) => {
        const a = x(fr);
        const b = y(fr);
        let found: boolean;
        if (typeof a === 'string' && b instanceof StarDict && a.length <= MAX_HASHED_CHARS) {
          found = b.entries.has(a);
        } else {
          fr.pos = pos;
          found = contains(b, a);
        }
        return negate ? !found : found;
      };
    }
  }
  const cmp = COMPARISONS[op];
  if (cmp !== undefined) return compileComparison(x, y, cmp, pos);
  const impl = GENERIC[op];
  if (impl === undefined) throw new Error(`internal error: binary op ${op}`);
  return (fr) => {
    const a = x(fr);
    const b = y(fr);
    fr.pos = pos;
    return impl(a, b);
  };
}

function compileComparison(x: ExprFn, y: ExprFn, op: CompareOp, pos: number): ExprFn {
  switch (op) {
    case CompareOp.EQ:
      return (fr) => {
        const a = x(fr);
        const b = y(fr);
        const ta = typeof a;
        if ((ta === 'string' || ta === 'number' || ta === 'boolean') && typeof b === ta) {
          if (ta === 'string' && (a as string).length >= SHORT_STRING) {
            fr.pos = pos;
            chargeStringCompare(a as string, b as string, false);
          }
          return a === b;
        }
        fr.pos = pos;
        return compare(op, a, b);
      };
    case CompareOp.NE:
      return (fr) => {
        const a = x(fr);
        const b = y(fr);
        const ta = typeof a;
        if ((ta === 'string' || ta === 'number' || ta === 'boolean') && typeof b === ta) {
          if (ta === 'string' && (a as string).length >= SHORT_STRING) {
            fr.pos = pos;
            chargeStringCompare(a as string, b as string, false);
          }
          return a !== b;
        }
        fr.pos = pos;
        return compare(op, a, b);
      };
    case CompareOp.LT:
      return (fr) => {
        const a = x(fr);
        const b = y(fr);
        if (typeof a === 'number' && typeof b === 'number') return a < b;
        fr.pos = pos;
        return compare(op, a, b);
      };
    case CompareOp.LE:
      return (fr) => {
        const a = x(fr);
        const b = y(fr);
        if (typeof a === 'number' && typeof b === 'number') return a <= b;
        fr.pos = pos;
        return compare(op, a, b);
      };
    case CompareOp.GT:
      return (fr) => {
        const a = x(fr);
        const b = y(fr);
        if (typeof a === 'number' && typeof b === 'number') return a > b;
        fr.pos = pos;
        return compare(op, a, b);
      };
    case CompareOp.GE:
      return (fr) => {
        const a = x(fr);
        const b = y(fr);
        if (typeof a === 'number' && typeof b === 'number') return a >= b;
        fr.pos = pos;
        return compare(op, a, b);
      };
  }
}
