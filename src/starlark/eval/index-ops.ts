// x[i], x[i] = v and x[lo:hi:step], following starlark-go's getIndex, setIndex and slice.

import { sliceElems, StarList } from '../values/list.js';
import { normBig } from '../values/int.js';
import { int64, RangeValue, rangeLen } from '../values/range.js';
import { repr } from '../values/repr.js';
import { None, StarObject, typeName, type Int, type Value } from '../values/value.js';
import { fail } from './errors.js';
import { chargeString } from './limits.js';

/** AsInt32: an int in the signed 32-bit range, or an error message. */
export function asInt32Value(v: Value): number {
  if (typeof v === 'number') {
    if ((v | 0) === v) return v;
    return fail(`${v} out of range`);
  }
  if (typeof v === 'bigint') return fail(`${v} out of range`);
  return fail(`got ${typeName(v)}, want int`);
}

function outOfRange(i: number, n: Int, x: Value): never {
  if (n === 0) fail(`index ${i} out of range: empty ${typeName(x)}`);
  // Go computes -n and n-1 in its 64-bit int, so a length that wrapped prints wrapped bounds.
  const [lo, hi] = typeof n === 'bigint' ? [normBig(int64(-n)), normBig(int64(n - 1n))] : [-n, n - 1];
  fail(`${typeName(x)} index ${i} out of range [${lo}:${hi}]`);
}

/** x[y] of a range too large for number arithmetic: the index resolved against its exact length. */
function bigRangeIndex(x: RangeValue, y: Value): Value {
  let i: number;
  try {
    i = asInt32Value(y);
  } catch (e) {
    fail(`range index: ${(e as { message: string }).message}`);
  }
  const n = BigInt(x.exactLength());
  const at = i < 0 ? int64(BigInt(i) + n) : BigInt(i);
  if (at < 0n || at >= n) outOfRange(i, normBig(n), x);
  return x.index(at);
}

function indexOf(x: Value, y: Value, n: number): number {
  let i: number;
  if (typeof y === 'number' && (y | 0) === y) {
    i = y;
  } else {
    try {
      i = asInt32Value(y);
    } catch (e) {
      fail(`${typeName(x)} index: ${(e as { message: string }).message}`);
    }
  }
  const orig = i;
  if (i < 0) i += n;
  if (i < 0 || i >= n) outOfRange(orig, n, x);
  return i;
}

export function getIndex(x: Value, y: Value): Value {
  if (x instanceof StarList) return x.elems[indexOf(x, y, x.elems.length)];
  if (typeof x === 'string') return x[indexOf(x, y, x.length)];
  if (Array.isArray(x)) return x[indexOf(x, y, x.length)];
  if (x instanceof StarObject) {
    if (x.get !== undefined) {
      const v = x.get(y);
      if (v === undefined) fail(`key ${repr(y)} not in ${x.type()}`);
      return v;
    }
    if (x instanceof RangeValue && !x.small) return bigRangeIndex(x, y);
    if (x.index !== undefined && x.len !== undefined) return x.index(indexOf(x, y, x.len()));
  }
  return fail(`unhandled index operation ${typeName(x)}[${typeName(y)}]`);
}

export function setIndex(x: Value, y: Value, z: Value): void {
  if (x instanceof StarObject) {
    if (x.setKey !== undefined) {
      x.setKey(y, z);
      return;
    }
    if (x.setIndex !== undefined && x.len !== undefined) {
      const n = x.len();
      let i = asInt32Value(y);
      const orig = i;
      if (i < 0) i += n;
      if (i < 0 || i >= n) outOfRange(orig, n, x);
      x.setIndex(i, z);
      return;
    }
  }
  fail(`${typeName(x)} value does not support item assignment`);
}

/** Resolves an optional index: None keeps the default; negative counts from the end. */
function asIndex(v: Value, len: number, dflt: number, what: string): number {
  if (v === None) return dflt;
  let i: number;
  try {
    i = asInt32Value(v);
  } catch (e) {
    fail(`invalid ${what}: ${(e as { message: string }).message}`);
  }
  return i < 0 ? i + len : i;
}

/** starlark-go's indices: start and end clamped to [0:len], for positive strides. */
export function indices(start: Value, end: Value, len: number): [number, number] {
  let s = asIndex(start, len, 0, 'start index');
  if (s < 0) s = 0;
  else if (s > len) s = len;
  let e = asIndex(end, len, len, 'end index');
  if (e < 0) e = 0;
  else if (e > len) e = len;
  return [s, e];
}

function sliceString(s: string, start: number, end: number, step: number): string {
  const n = rangeLen(start, end, step);
  chargeString(n);
  if (step === 1) return s.slice(start, end);
  const bytes = Buffer.allocUnsafe(n);
  for (let k = 0, i = start; k < n; k++, i += step) bytes[k] = s.charCodeAt(i);
  return bytes.toString('latin1');
}

/** An optional slice index of a range too large for numbers, resolved against its exact length. */
function bigIndex(v: Value, len: bigint, dflt: bigint, what: string): bigint {
  if (v === None) return dflt;
  let i: number;
  try {
    i = asInt32Value(v);
  } catch (e) {
    fail(`invalid ${what}: ${(e as { message: string }).message}`);
  }
  return i < 0 ? BigInt(i) + len : BigInt(i);
}

/** starlark-go's slice for a range too large for number arithmetic. */
function sliceBigRange(x: RangeValue, lo: Value, hi: Value, step: number): Value {
  const n = BigInt(x.exactLength());
  let start: bigint;
  let end: bigint;
  if (step > 0) {
    start = bigIndex(lo, n, 0n, 'start index');
    if (start < 0n) start = 0n;
    else if (start > n) start = n;
    end = bigIndex(hi, n, n, 'end index');
    if (end < 0n) end = 0n;
    else if (end > n) end = n;
    if (end < start) end = start;
  } else {
    start = bigIndex(lo, n, n - 1n, 'start index');
    if (start >= n) start = n - 1n;
    end = bigIndex(hi, n, -1n, 'end index');
    if (end < -1n) end = -1n;
    if (start < end) start = end;
  }
  return x.slice(start, end, step);
}

export function slice(x: Value, lo: Value, hi: Value, stepValue: Value): Value {
  let n: number;
  if (typeof x === 'string' || Array.isArray(x)) n = x.length;
  else if (x instanceof StarObject && x.slice !== undefined && x.len !== undefined) n = x.len();
  else return fail(`invalid slice operand ${typeName(x)}`);

  let step = 1;
  if (stepValue !== None) {
    try {
      step = asInt32Value(stepValue);
    } catch (e) {
      fail(`invalid slice step: ${(e as { message: string }).message}`);
    }
    if (step === 0) fail('zero is not a valid slice step');
  }

  if (x instanceof RangeValue && !x.small) return sliceBigRange(x, lo, hi, step);

  let start: number;
  let end: number;
  if (step > 0) {
    [start, end] = indices(lo, hi, n);
    if (end < start) end = start;
  } else {
    start = asIndex(lo, n, n - 1, 'start index');
    if (start >= n) start = n - 1;
    end = asIndex(hi, n, -1, 'end index');
    if (end < -1) end = -1;
    if (start < end) start = end;
  }

  if (typeof x === 'string') return sliceString(x, start, end, step);
  if (Array.isArray(x)) return sliceElems(x, start, end, step);
  return (x as StarObject & { slice(a: number, b: number, c: number): Value }).slice(start, end, step);
}
