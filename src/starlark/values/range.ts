// range(start, stop, step): a lazy, immutable sequence of ints.
//
// starlark-go computes with Go's 64-bit int, wrapping on overflow; so does Ferry. A range
// whose bounds and step are below 2^50 in magnitude is "small": its length, elements and
// slices stay far inside the safe-integer range, and it computes with JS numbers (the common,
// fast case). Any other range computes exactly, with bigints wrapped to 64 bits.

import { fail } from '../eval/errors.js';
import { normBig } from './int.js';
import { CompareOp, COMPARE_OP_NAMES, StarObject, type Int, type StarIterator, type Value } from './value.js';

const SMALL = 2 ** 50;

function isSmall(x: Int): x is number {
  return typeof x === 'number' && x <= SMALL && x >= -SMALL;
}

/** Go's int arithmetic: wraps to 64 bits. */
export function int64(x: bigint): bigint {
  return BigInt.asIntN(64, x);
}

/** The length of range(start, stop, step), for bounds whose arithmetic is exact in numbers. */
export function rangeLen(start: number, stop: number, step: number): number {
  if (step > 0) return stop > start ? Math.floor((stop - 1 - start) / step) + 1 : 0;
  return start > stop ? Math.floor((start - 1 - stop) / -step) + 1 : 0;
}

/** starlark-go's rangeLen over 64-bit ints, wrapping where Go's arithmetic wraps. */
export function rangeLen64(start: bigint, stop: bigint, step: bigint): bigint {
  if (step > 0n) return stop > start ? int64(int64(int64(stop - 1n) - start) / step + 1n) : 0n;
  return start > stop ? int64(int64(int64(int64(start - 1n) - stop) / int64(-step)) + 1n) : 0n;
}

interface Exact {
  start: bigint;
  stop: bigint;
  step: bigint;
  len: bigint;
}

export class RangeValue extends StarObject {
  /** Bounds, step and length are numbers with exact arithmetic (see above). */
  readonly small: boolean;
  /** Exact when small; otherwise the nearest numbers. */
  readonly start: number;
  readonly stop: number;
  readonly step: number;
  readonly length: number;
  /** The exact values of a range that is not small. */
  private readonly exact: Exact | undefined;

  constructor(start: Int, stop: Int, step: Int) {
    super();
    if (isSmall(start) && isSmall(stop) && isSmall(step)) {
      this.small = true;
      this.start = start;
      this.stop = stop;
      this.step = step;
      this.length = rangeLen(start, stop, step);
      this.exact = undefined;
      return;
    }
    const s = BigInt(start);
    const e = BigInt(stop);
    const d = BigInt(step);
    const len = rangeLen64(s, e, d);
    this.small = false;
    this.start = Number(s);
    this.stop = Number(e);
    this.step = Number(d);
    this.length = Number(len);
    this.exact = { start: s, stop: e, step: d, len };
  }

  /** The length as starlark-go's len() reports it (exact; wrapped for absurd bounds). */
  exactLength(): Int {
    return this.exact === undefined ? this.length : normBig(this.exact.len);
  }

  private bounds(): [Int, Int, Int] {
    const x = this.exact;
    return x === undefined ? [this.start, this.stop, this.step] : [normBig(x.start), normBig(x.stop), normBig(x.step)];
  }

  type(): string {
    return 'range';
  }
  override truth(): boolean {
    return this.exact === undefined ? this.length > 0 : this.exact.len > 0n;
  }
  override hashKey(): unknown {
    return fail('unhashable: range');
  }
  repr(): string {
    const [start, stop, step] = this.bounds();
    if (step !== 1) return `range(${start}, ${stop}, ${step})`;
    if (start !== 0) return `range(${start}, ${stop})`;
    return `range(${stop})`;
  }
  override len(): number {
    return this.length;
  }
  /** The element at index i, 0 <= i < length (an exact index for a range that is not small). */
  override index(i: number | bigint): Value {
    const x = this.exact;
    if (x === undefined) return this.start + (i as number) * this.step;
    return normBig(int64(x.start + int64(BigInt(i) * x.step)));
  }
  /** The range selected by resolved slice bounds (exact bounds for a range that is not small). */
  override slice(start: number | bigint, end: number | bigint, step: number): Value {
    const x = this.exact;
    if (x === undefined && typeof start === 'number' && typeof end === 'number') {
      const newStart = this.start + this.step * start;
      const newStop = this.start + this.step * end;
      const newStep = this.step * step;
      if (Number.isSafeInteger(newStart) && Number.isSafeInteger(newStop) && Number.isSafeInteger(newStep)) {
        return new RangeValue(newStart, newStop, newStep);
      }
    }
    const s = x?.start ?? BigInt(this.start);
    const d = x?.step ?? BigInt(this.step);
    return new RangeValue(
      normBig(int64(s + int64(d * BigInt(start)))),
      normBig(int64(s + int64(d * BigInt(end)))),
      normBig(int64(d * BigInt(step))),
    );
  }
  override iterate(): StarIterator {
    const x = this.exact;
    if (x === undefined) {
      let i = 0;
      return {
        next: () => (i < this.length ? this.start + i++ * this.step : undefined),
        done: () => {},
      };
    }
    let i = 0n;
    let v = x.start;
    return {
      next: () => {
        if (i >= x.len) return undefined;
        const out = normBig(v);
        i++;
        v = int64(v + x.step);
        return out;
      },
      done: () => {},
    };
  }
  /** Membership of an int; as in starlark-go, only ints in the signed 32-bit range can be members. */
  contains(x: number): boolean {
    if (!Number.isInteger(x) || (x | 0) !== x) return false;
    const e = this.exact;
    if (e === undefined) {
      const delta = x - this.start;
      const quo = Math.trunc(delta / this.step);
      const rem = delta % this.step;
      return rem === 0 && quo >= 0 && quo < this.length;
    }
    const delta = int64(BigInt(x) - e.start);
    const quo = int64(delta / e.step);
    return delta % e.step === 0n && quo >= 0n && quo < e.len;
  }
  override compareSameType(op: CompareOp, y: StarObject): boolean {
    if (op !== CompareOp.EQ && op !== CompareOp.NE) fail(`range ${COMPARE_OP_NAMES[op]} range not implemented`);
    const other = y as RangeValue;
    const len = this.exactLength();
    const [start, , step] = this.bounds();
    const [otherStart, , otherStep] = other.bounds();
    const eq = len === other.exactLength() && (len === 0 || (start === otherStart && (len === 1 || step === otherStep)));
    return op === CompareOp.EQ ? eq : !eq;
  }
}
