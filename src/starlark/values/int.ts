// Arbitrary-precision int arithmetic. Safe integers stay JS numbers (the fast path); results
// outside ±(2^53-1) become bigints, and bigints that fit come back to numbers.
//
// Big int operations are charged before they run, from the sizes of their operands in 64-bit
// words, after the schoolbook algorithms (V8's are no slower): linear for addition, bitwise
// operations, shifts and comparison; the product of the sizes for multiplication and division;
// w^1.5 for decimal formatting and parsing, which V8 does by divide and conquer. The constants
// keep one work unit near the cost of a statement (measured on Node 20).

import { fail } from '../eval/errors.js';
import { chargeAllocation, chargeWork } from '../eval/limits.js';
import type { Int } from './value.js';

const MAX = Number.MAX_SAFE_INTEGER;
const MAX_BIG = BigInt(MAX);

/** The size of an int in 64-bit words (1 for a safe integer). */
export function intWords(x: Int): number {
  if (typeof x === 'number') return 1;
  const f = Number(x);
  if (f !== Infinity && f !== -Infinity) return 1 + Math.floor(Math.log2(Math.abs(f)) / 64);
  return 1 + (x.toString(16).length >> 4);
}

/** Charges a linear operation on two ints, making a result of about the larger size. */
function chargeLinear(x: Int, y: Int): void {
  const wx = intWords(x);
  const wy = intWords(y);
  chargeWork(wx + wy);
  chargeAllocation(8 * Math.max(wx, wy) + 8);
}

/** Charges multiplying or dividing two ints. */
function chargeQuadratic(x: Int, y: Int, wordOpsPerUnit: number): void {
  const wx = intWords(x);
  const wy = intWords(y);
  chargeWork(wx + wy + (wx * wy) / wordOpsPerUnit);
  chargeAllocation(8 * (wx + wy));
}

/** Charges converting an int to text: linear for a power-of-two base, super-linear for decimal. */
export function chargeFormat(x: Int, base: number): void {
  if (typeof x === 'number') return;
  const w = intWords(x);
  chargeWork(base === 10 ? 3 * w * Math.sqrt(w) : 2 * w);
  chargeAllocation(20 * w);
}

/** The decimal text of an int, charged. */
export function intToString(x: Int): string {
  chargeFormat(x, 10);
  return x.toString();
}

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
  chargeLinear(x, y);
  return normBig(BigInt(x) + BigInt(y));
}

export function intSub(x: Int, y: Int): Int {
  if (typeof x === 'number' && typeof y === 'number') {
    const z = x - y;
    if (z >= -MAX && z <= MAX) return z;
  }
  chargeLinear(x, y);
  return normBig(BigInt(x) - BigInt(y));
}

export function intMul(x: Int, y: Int): Int {
  if (typeof x === 'number' && typeof y === 'number') {
    const z = x * y;
    if (z >= -MAX && z <= MAX) return z === 0 ? 0 : z;
  }
  chargeQuadratic(x, y, 8);
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
  chargeQuadratic(x, y, 2);
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
  chargeQuadratic(x, y, 4);
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
  chargeLinear(x, y);
  return normBig(BigInt(x) & BigInt(y));
}

export function intOr(x: Int, y: Int): Int {
  if (isInt32(x) && isInt32(y)) return x | y;
  chargeLinear(x, y);
  return normBig(BigInt(x) | BigInt(y));
}

export function intXor(x: Int, y: Int): Int {
  if (isInt32(x) && isInt32(y)) return x ^ y;
  chargeLinear(x, y);
  return normBig(BigInt(x) ^ BigInt(y));
}

export function intNot(x: Int): Int {
  if (isInt32(x)) return ~x;
  chargeLinear(x, 0);
  return normBig(~BigInt(x));
}

export function intNeg(x: Int): Int {
  if (typeof x === 'number') return x === 0 ? 0 : -x;
  chargeLinear(x, 0);
  return normBig(-x);
}

export function intLsh(x: Int, n: number): Int {
  if (typeof x === 'number' && n < 53) {
    const z = x * 2 ** n;
    if (z >= -MAX && z <= MAX) return z;
  }
  chargeLinear(x, 0);
  return normBig(BigInt(x) << BigInt(n));
}

export function intRsh(x: Int, n: number): Int {
  if (typeof x === 'number') return n >= 60 ? (x < 0 ? -1 : 0) : Math.floor(x / 2 ** n);
  chargeLinear(x, 0);
  return normBig(x >> BigInt(n));
}

/** Charges comparing two ints, at least one of them big. */
export function chargeCompare(x: Int, y: Int): void {
  chargeWork(Math.min(intWords(x), intWords(y)));
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
  // Digit by digit, each step as long as the number so far: quadratic in the length.
  const words = (s.length * Math.log2(base)) / 64;
  chargeWork(s.length + (s.length * words) / 2);
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
