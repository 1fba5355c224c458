// The mutable list. Mutation fails once frozen, or while an iteration over it is active.

import { fail } from '../eval/errors.js';
import { chargeContainer, chargeElements, checkElements } from '../eval/limits.js';
import { compareSequences } from './compare.js';
import { rangeLen } from './range.js';
import { unhashable } from './hash-key.js';
import { repr } from './repr.js';
import { CompareOp, freezeValue, StarObject, type StarIterator, type Value } from './value.js';

export class StarList extends StarObject {
  frozen = false;
  itercount = 0;

  constructor(public elems: Value[] = []) {
    super();
  }

  type(): string {
    return 'list';
  }
  override truth(): boolean {
    return this.elems.length > 0;
  }
  override hashKey(): unknown {
    return unhashable('list');
  }
  override freeze(): void {
    freezeValue(this);
  }
  override freezeInto(pending: Value[]): void {
    if (this.frozen) return;
    this.frozen = true;
    for (const e of this.elems) pending.push(e);
  }

  repr(path: StarObject[]): string {
    if (path.includes(this)) return '[...]';
    path.push(this);
    let out = '[';
    const elems = this.elems;
    for (let i = 0; i < elems.length; i++) {
      if (i > 0) out += ', ';
      out += repr(elems[i], path);
    }
    path.pop();
    return `${out}]`;
  }

  /** Throws if the list may not be mutated; `verb` completes "cannot ... list". */
  checkMutable(verb: string): void {
    if (this.frozen) fail(`cannot ${verb} frozen list`);
    if (this.itercount > 0) fail(`cannot ${verb} list during iteration`);
  }

  override len(): number {
    return this.elems.length;
  }
  override index(i: number): Value {
    return this.elems[i];
  }
  override slice(start: number, end: number, step: number): Value {
    return new StarList(sliceElems(this.elems, start, end, step));
  }
  override setIndex(i: number, v: Value): void {
    this.checkMutable('assign to element of');
    this.elems[i] = v;
  }

  append(v: Value): void {
    this.checkMutable('append to');
    checkElements(this.elems.length + 1);
    chargeElements(1);
    this.elems.push(v);
  }

  override iterate(): StarIterator {
    if (!this.frozen) this.itercount++;
    let i = 0;
    return {
      next: () => (i < this.elems.length ? this.elems[i++] : undefined),
      done: () => {
        if (!this.frozen) this.itercount--;
      },
    };
  }

  override compareSameType(op: CompareOp, y: StarObject, depth: number): boolean {
    return compareSequences(op, this.elems, (y as StarList).elems, depth);
  }
}

/** Elements selected by a slice with resolved bounds (see eval/index-ops.ts). */
export function sliceElems(elems: readonly Value[], start: number, end: number, step: number): Value[] {
  chargeContainer(rangeLen(start, end, step));
  if (step === 1) return elems.slice(start, end);
  const out: Value[] = [];
  if (step > 0) {
    for (let i = start; i < end; i += step) out.push(elems[i]);
  } else {
    for (let i = start; i > end; i += step) out.push(elems[i]);
  }
  return out;
}

export { freezeValue };
