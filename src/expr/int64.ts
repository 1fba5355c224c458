// Go's int (64 bits, wrapping on overflow) on JavaScript values. An int is a number while it is
// within ±(2^53 − 1), where doubles are exact, and a bigint beyond: one representation per value,
// so `===` is equality. Every operation tries the number first and falls back to BigInt only when
// the result leaves the exact range, so the ints include expressions use (CPUs, bytes, lengths)
// never touch BigInt.

export type Int = number | bigint;

const MAX_EXACT = Number.MAX_SAFE_INTEGER;
const MAX_EXACT_BIG = BigInt(MAX_EXACT);
export const MIN_INT64 = -(2n ** 63n);
export const MAX_INT64 = 2n ** 63n - 1n;

export function isInt(value: unknown): value is Int {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** The int with this value modulo 2^64, as Go wraps it, in its one representation. */
export function wrap(value: bigint): Int {
  const wrapped = BigInt.asIntN(64, value);
  return wrapped >= -MAX_EXACT_BIG && wrapped <= MAX_EXACT_BIG ? Number(wrapped) : wrapped;
}

/** An integer-valued bigint known to be within int64, in its one representation. */
export function fromBig(value: bigint): Int {
  return value >= -MAX_EXACT_BIG && value <= MAX_EXACT_BIG ? Number(value) : value;
}

export function add(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (sum <= MAX_EXACT && sum >= -MAX_EXACT) return sum;
  }
  return wrap(BigInt(a) + BigInt(b));
}

export function subtract(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const difference = a - b;
    if (difference <= MAX_EXACT && difference >= -MAX_EXACT) return difference;
  }
  return wrap(BigInt(a) - BigInt(b));
}

export function multiply(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    // Below 2^53 in magnitude the double product is the exact one; `+ 0` turns -0 into 0.
    const product = a * b;
    if (product < MAX_EXACT && product > -MAX_EXACT) return product + 0;
  }
  return wrap(BigInt(a) * BigInt(b));
}

/** Go's `%`: truncated, with the sign of the dividend; the caller checks for a zero divisor. */
export function remainder(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') return (a % b) + 0;
  return fromBig(BigInt(a) % BigInt(b));
}

export function negate(a: Int): Int {
  return typeof a === 'number' ? 0 - a : wrap(-a);
}

export function isZero(a: Int): boolean {
  return a === 0 || a === 0n;
}

/** float64(x), rounded to nearest as Go converts. */
export function toFloat(a: Int): number {
  return typeof a === 'number' ? a : Number(a);
}

/**
 * Go's int(f) for a float64, as on amd64: truncated toward zero, and the minimum int for NaN,
 * infinities and values out of range.
 */
export function fromFloat(value: number): Int {
  if (!Number.isFinite(value) || value >= 2 ** 63 || value < -(2 ** 63)) return MIN_INT64;
  const truncated = Math.trunc(value);
  return truncated <= MAX_EXACT && truncated >= -MAX_EXACT ? truncated + 0 : BigInt(truncated);
}

export function compareInts(a: Int, b: Int): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Go's strconv.Atoi: an optional sign and decimal digits within int64, nothing else. */
export function parseDecimal(text: string): Int | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < MIN_INT64 || value > MAX_INT64 ? undefined : fromBig(value);
}

export function bitwise(operator: 'and' | 'or' | 'xor' | 'andNot', a: Int, b: Int): Int {
  const x = BigInt(a);
  const y = BigInt(b);
  switch (operator) {
    case 'and': return fromBig(x & y);
    case 'or': return fromBig(x | y);
    case 'xor': return fromBig(x ^ y);
    case 'andNot': return fromBig(x & ~y);
  }
}

/** x << n, x >> n (arithmetic) and uint(x) >> n, for n ≥ 0. */
export function shift(operator: 'left' | 'right' | 'unsignedRight', a: Int, n: Int): Int {
  const x = BigInt(a);
  const count = BigInt(n) >= 64n ? 64n : BigInt(n);
  switch (operator) {
    case 'left': return wrap(count >= 64n ? 0n : x << count);
    case 'right': return fromBig(count >= 64n ? (x < 0n ? -1n : 0n) : x >> count);
    case 'unsignedRight': return wrap(count >= 64n ? 0n : BigInt.asUintN(64, x) >> count);
  }
}
