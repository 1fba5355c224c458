// Equality and ordering, following starlark-go's CompareDepth: values of the same type compare
// with their own rules; int and float compare exactly with each other; other mixed types are
// only (un)equal. Recursion through containers is bounded so cyclic values fail cleanly, and
// every element visited is charged, so comparing structures shared many times over stops at
// the work budget.

import { fail } from '../eval/errors.js';
import { chargeScan, chargeWork, SHORT_STRING } from '../eval/limits.js';
import { chargeCompare } from './int.js';
import { CompareOp, COMPARE_OP_NAMES, Float, StarObject, typeName, type Value } from './value.js';

/**
 * Charges comparing two strings: V8 compares contents when the lengths are equal (for ordering,
 * up to the shorter length).
 */
export function chargeStringCompare(x: string, y: string, ordering: boolean): void {
  const n = x.length < y.length ? x.length : y.length;
  if (n >= SHORT_STRING && (ordering || x.length === y.length)) chargeScan(n);
}

export const MAX_COMPARE_DEPTH = 10;

function threeway(op: CompareOp, cmp: number): boolean {
  switch (op) {
    case CompareOp.EQ:
      return cmp === 0;
    case CompareOp.NE:
      return cmp !== 0;
    case CompareOp.LT:
      return cmp < 0;
    case CompareOp.LE:
      return cmp <= 0;
    case CompareOp.GT:
      return cmp > 0;
    case CompareOp.GE:
      return cmp >= 0;
  }
}

/** Floats are totally ordered, with NaN above +Inf and equal to itself. */
function floatCmp(x: number, y: number): number {
  if (x > y) return 1;
  if (x < y) return -1;
  if (x === y) return 0;
  if (x === x) return -1;
  if (y === y) return 1;
  return 0;
}

/** int vs float, exactly (JS compares bigint with number by mathematical value). */
function intFloatCmp(x: number | bigint, y: number): number {
  if (y !== y) return -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function notImplemented(op: CompareOp, x: Value, y: Value): never {
  fail(`${typeName(x)} ${COMPARE_OP_NAMES[op]} ${typeName(y)} not implemented`);
}

export function equals(x: Value, y: Value): boolean {
  if (typeof x === 'string') {
    if (typeof y === 'string') chargeStringCompare(x, y, false);
    return x === y;
  }
  return compareDepth(CompareOp.EQ, x, y, MAX_COMPARE_DEPTH);
}

export function compare(op: CompareOp, x: Value, y: Value): boolean {
  return compareDepth(op, x, y, MAX_COMPARE_DEPTH);
}

export function equalsDepth(x: Value, y: Value, depth: number): boolean {
  return compareDepth(CompareOp.EQ, x, y, depth);
}

/** Compares element sequences (lists, tuples) lexicographically. */
export function compareSequences(op: CompareOp, x: readonly Value[], y: readonly Value[], depth: number): boolean {
  if (x.length !== y.length && (op === CompareOp.EQ || op === CompareOp.NE)) return op === CompareOp.NE;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    chargeWork(1);
    if (!compareDepth(CompareOp.EQ, x[i], y[i], depth - 1)) {
      if (op === CompareOp.EQ) return false;
      if (op === CompareOp.NE) return true;
      return compareDepth(op, x[i], y[i], depth - 1);
    }
  }
  return threeway(op, x.length - y.length);
}

export function compareDepth(op: CompareOp, x: Value, y: Value, depth: number): boolean {
  if (depth < 1) fail('comparison exceeded maximum recursion depth');
  const tx = typeof x;
  const ty = typeof y;
  if (tx === 'number' || tx === 'bigint') {
    if (ty === 'number' || ty === 'bigint') {
      if (tx === 'bigint' || ty === 'bigint') chargeCompare(x as bigint, y as bigint);
      if (op === CompareOp.EQ) return x === y;
      if (op === CompareOp.NE) return x !== y;
      return threeway(op, (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0);
    }
    if (y instanceof Float) return threeway(op, intFloatCmp(x as number | bigint, y.v));
  } else if (tx === 'string') {
    if (ty === 'string') {
      chargeStringCompare(x as string, y as string, op !== CompareOp.EQ && op !== CompareOp.NE);
      return threeway(op, x === y ? 0 : (x as string) < (y as string) ? -1 : 1);
    }
  } else if (tx === 'boolean') {
    if (ty === 'boolean') return threeway(op, Number(x) - Number(y));
  } else if (Array.isArray(x)) {
    if (Array.isArray(y)) return compareSequences(op, x, y, depth);
  } else if (x instanceof Float) {
    if (y instanceof Float) return threeway(op, floatCmp(x.v, y.v));
    if (ty === 'number' || ty === 'bigint') return threeway(op, -intFloatCmp(y as number | bigint, x.v));
  } else if (y instanceof StarObject && x instanceof StarObject && (x.constructor === y.constructor || x.type() === y.type())) {
    if (x.compareSameType !== undefined) return x.compareSameType(op, y, depth);
    if (op === CompareOp.EQ) return x === y;
    if (op === CompareOp.NE) return x !== y;
    notImplemented(op, x, y);
  }
  if (op === CompareOp.EQ) return false;
  if (op === CompareOp.NE) return true;
  return notImplemented(op, x, y);
}
