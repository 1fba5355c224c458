// Arbitrary-precision int arithmetic. Safe integers stay JS numbers (the fast path); results
// outside ±(2^53-1) become bigints, and bigints that fit come back to numbers.

import { fail } from '../eval/errors.js';
import type { Int } from './value.js';

const MAX = Number.MAX_SAFE_INTEGER;
const MAX_BIG = BigInt(MAX);

export function normBig(b: bigint): Int {
  return b >= -MAX_BIG && b <= MAX_BIG ? Number(b) : b;
}

export function isInt(v: unknown): v is Int {
  return typeof v === 'number' || typeof v === 'bigint';
}

export function intAdd(x: Int, y: Int): Int {
  if (typeof x === 'number' && typeof y === 'number') {
    const z = x + y;
    if (z >= -MAX && z <= MAX) return z;
  }
  return normBig(BigInt(x) + BigInt(y));
}

export function intSub(x: Int, y: Int): Int {
  if (typeof x === 'number' && typeof y === 'number') {
    const z = x - y;
    if (z >= -MAX && z <= MAX) return z;
  }
  return normBig(BigInt(x) - BigInt(y));
}

export function intMul(x: Int, y: Int): Int {
  if (typeof x === 'number' && typeof y === 'number') {
    const z = x * y;
    if (z >= -MAX && z <= MAX) return z === 0 ? 0 : z;
  }
  return normBig(BigInt(x) * BigInt(y));
}

export function intSign(x: Int): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** Floored division; the caller has checked y != 0. */
export function intFloorDiv(x: Int, y: Int): Int {
  if (typeof x === 'number' && typeof y === 'number') {
    const r = x % y;
    let q = (x - r) / y;
    if (r !== 0 && r < 0 !== y < 0) q -= 1;
    if (q >= -MAX && q <= MAX) return q === 0 ? 0 : q;
  }
  const bx = BigInt(x);
  const by = BigInt(y);
  let q = bx / by;
  if (bx % by !== 0n && bx < 0n !== by < 0n) q -= 1n;
  return normBig(q);
}

/** Floored modulo (result has the sign of y); the caller has checked y != 0. */
export function intMod(x: Int, y: Int): Int {
  if (typeof x === 'number' && typeof y === 'number') {
    let r = x % y;
    if (r !== 0 && r < 0 !== y < 0) r += y;
    return r === 0 ? 0 : r;
  }
  const by = BigInt(y);
  let r = BigInt(x) % by;
  if (r !== 0n && r < 0n !== by < 0n) r += by;
  return normBig(r);
}

function isInt32(x: Int): x is number {
  return typeof x === 'number' && (x | 0) === x;
}

export function intAnd(x: Int, y: Int): Int {
  if (isInt32(x) && isInt32(y)) return x & y;
  return normBig(BigInt(x) & BigInt(y));
}

export function intOr(x: Int, y: Int): Int {
  if (isInt32(x) && isInt32(y)) return x | y;
  return normBig(BigInt(x) | BigInt(y));
}

export function intXor(x: Int, y: Int): Int {
  if (isInt32(x) && isInt32(y)) return x ^ y;
  return normBig(BigInt(x) ^ BigInt(y));
}

export function intNot(x: Int): Int {
  if (isInt32(x)) return ~x;
  return normBig(~BigInt(x));
}

export function intNeg(x: Int): Int {
  if (typeof x === 'number') return x === 0 ? 0 : -x;
  return normBig(-x);
}

export function intLsh(x: Int, n: number): Int {
  if (typeof x === 'number' && n < 53) {
    const z = x * 2 ** n;
    if (z >= -MAX && z <= MAX) return z;
  }
  return normBig(BigInt(x) << BigInt(n));
}

export function intRsh(x: Int, n: number): Int {
  if (typeof x === 'number') return n >= 60 ? (x < 0 ? -1 : 0) : Math.floor(x / 2 ** n);
  return normBig(x >> BigInt(n));
}

/** Three-way comparison of two ints. */
export function intCmp(x: Int, y: Int): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

export function intToString(x: Int): string {
  return x.toString();
}

/** The nearest float; throws for ints too large for a float (as starlark-go's finiteFloat). */
export function intToFloat(x: Int): number {
  if (typeof x === 'number') return x;
  const f = Number(x);
  if (!Number.isFinite(f)) fail('int too large to convert to float');
  return f;
}

/** Truncates a finite float to an int. */
export function floatToInt(f: number): Int {
  const t = Math.trunc(f);
  if (t >= -MAX && t <= MAX) return t === 0 ? 0 : t;
  return BigInt(t);
}

/** starlark-go's AsInt32: ints in the signed 32-bit range, used for indices and counts. */
export function asInt32(x: Int): number | undefined {
  return isInt32(x) ? x : undefined;
}

/** Parses digits in a base (2..36) into an int; undefined if any digit is invalid. */
export function parseIntDigits(s: string, base: number): Int | undefined {
  if (s.length === 0) return undefined;
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
  let small = 0;
  let big: bigint | undefined;
  const bigBase = BigInt(base);
  for (let i = 0; i < s.length; i++) {
    const c = s[i].toLowerCase();
    const d = digits.indexOf(c);
    if (d < 0) return undefined;
    if (big === undefined) {
      const next = small * base + d;
      if (next <= MAX) {
        small = next;
        continue;
      }
      big = BigInt(small);
    }
    big = big * bigBase + BigInt(d);
  }
  return big === undefined ? small : normBig(big);
}
