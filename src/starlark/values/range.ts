// range(start, stop, step): a lazy, immutable sequence of ints.

import { fail } from '../eval/errors.js';
import { CompareOp, COMPARE_OP_NAMES, StarObject, type StarIterator, type Value } from './value.js';

export function rangeLen(start: number, stop: number, step: number): number {
  if (step > 0) return stop > start ? Math.floor((stop - 1 - start) / step) + 1 : 0;
  return start > stop ? Math.floor((start - 1 - stop) / -step) + 1 : 0;
}

export class RangeValue extends StarObject {
  readonly length: number;

  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {
    super();
    this.length = rangeLen(start, stop, step);
  }

  type(): string {
    return 'range';
  }
  override truth(): boolean {
    return this.length > 0;
  }
  override hashKey(): unknown {
    return fail('unhashable: range');
  }
  repr(): string {
    if (this.step !== 1) return `range(${this.start}, ${this.stop}, ${this.step})`;
    if (this.start !== 0) return `range(${this.start}, ${this.stop})`;
    return `range(${this.stop})`;
  }
  override len(): number {
    return this.length;
  }
  override index(i: number): Value {
    return this.start + i * this.step;
  }
  override slice(start: number, end: number, step: number): Value {
    return new RangeValue(this.start + this.step * start, this.start + this.step * end, this.step * step);
  }
  override iterate(): StarIterator {
    let i = 0;
    return {
      next: () => (i < this.length ? this.start + i++ * this.step : undefined),
      done: () => {},
    };
  }
  /** Membership of an integral number. */
  contains(x: number): boolean {
    if (!Number.isInteger(x) || (x | 0) !== x) return false;
    const delta = x - this.start;
    const quo = Math.trunc(delta / this.step);
    const rem = delta % this.step;
    return rem === 0 && quo >= 0 && quo < this.length;
  }
  override compareSameType(op: CompareOp, y: StarObject): boolean {
    if (op !== CompareOp.EQ && op !== CompareOp.NE) fail(`range ${COMPARE_OP_NAMES[op]} range not implemented`);
    const other = y as RangeValue;
    const eq =
      this.length === other.length &&
      (this.length === 0 || (this.start === other.start && (this.length === 1 || this.step === other.step)));
    return op === CompareOp.EQ ? eq : !eq;
  }
}
