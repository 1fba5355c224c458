// The insertion-ordered set. Its algebra follows starlark-go's Set method by method, including
// the order of results (an intersection is in the order of the other operand) and where each
// operation hashes its elements (so which unhashable element fails first).

import { fail } from '../eval/errors.js';
import { chargeContainer, chargeEntry, chargeWork, checkElements } from '../eval/limits.js';
import { chargeLongKey, hashKey, isLongKey, unhashable } from './hash-key.js';
import { repr } from './repr.js';
import { CompareOp, freezeValue, StarObject, type StarIterator, type Value } from './value.js';

export class StarSet extends StarObject {
  /** hash key → element */
  readonly members = new Map<unknown, Value>();
  frozen = false;
  itercount = 0;
  /** Members too long for V8 to hash (see hash-key.ts), which all collide with each other. */
  private longKeys = 0;

  constructor(elems: Iterable<Value> = []) {
    super();
    for (const e of elems) this.insert(e);
  }

  type(): string {
    return 'set';
  }
  override truth(): boolean {
    return this.members.size > 0;
  }
  override hashKey(): unknown {
    return unhashable('set');
  }
  override freeze(): void {
    freezeValue(this);
  }
  override freezeInto(pending: Value[]): void {
    if (this.frozen) return;
    this.frozen = true;
    for (const e of this.members.values()) pending.push(e);
  }

  override len(): number {
    return this.members.size;
  }

  private key(v: Value): unknown {
    const hk = hashKey(v);
    if (isLongKey(hk)) chargeLongKey(hk, this.longKeys);
    return hk;
  }

  checkMutable(verb: string): void {
    if (this.frozen) fail(`cannot ${verb} frozen hash table`);
    if (this.itercount > 0) fail(`cannot ${verb} hash table during iteration`);
  }

  has(v: Value): boolean {
    return this.members.has(this.key(v));
  }

  insert(v: Value): void {
    this.checkMutable('insert into');
    const hk = this.key(v);
    if (this.members.has(hk)) return;
    checkElements(this.members.size + 1);
    chargeEntry();
    if (isLongKey(hk)) this.longKeys++;
    this.members.set(hk, v);
  }

  /** Removes an element; reports whether it was there. */
  delete(v: Value): boolean {
    this.checkMutable('delete from');
    const hk = this.key(v);
    if (!this.members.delete(hk)) return false;
    if (isLongKey(hk)) this.longKeys--;
    return true;
  }

  /** The first element in insertion order, if any. */
  first(): Value | undefined {
    for (const v of this.members.values()) return v;
    return undefined;
  }

  clear(): void {
    this.checkMutable('clear');
    this.members.clear();
    this.longKeys = 0;
  }

  elems(): Value[] {
    chargeContainer(this.members.size);
    return [...this.members.values()];
  }

  private clone(): StarSet {
    chargeContainer(this.members.size);
    const out = new StarSet();
    for (const [hk, v] of this.members) {
      chargeEntry();
      out.members.set(hk, v);
    }
    out.longKeys = this.longKeys;
    return out;
  }

  /** A new set: this one's elements, then those of each iterable (set | set, union). */
  union(others: Iterable<Iterable<Value>>): StarSet {
    const out = this.clone();
    for (const other of others) for (const x of other) out.insert(x);
    return out;
  }

  /** A new set without the elements of `other` (set - set, difference). */
  difference(other: Iterable<Value>): StarSet {
    const out = this.clone();
    for (const x of other) {
      chargeWork(1);
      out.delete(x);
    }
    return out;
  }

  /** The elements of `other` that are in this set, in the order of `other` (set & set). */
  intersection(other: Iterable<Value>): StarSet {
    const out = new StarSet();
    chargeContainer(0);
    for (const x of other) {
      chargeWork(1);
      if (this.has(x)) out.insert(x);
    }
    return out;
  }

  /** Each element of `other` toggled in a copy of this set, duplicates included (set ^ set). */
  symmetricDifference(other: Iterable<Value>): StarSet {
    const out = this.clone();
    for (const x of other) {
      chargeWork(1);
      if (!out.delete(x)) out.insert(x);
    }
    return out;
  }

  /** Whether every element of `other` is in this set. */
  isSuperset(other: Iterable<Value>): boolean {
    for (const x of other) {
      chargeWork(1);
      if (!this.has(x)) return false;
    }
    return true;
  }

  /** Whether `other` holds every element of this set; reads `other` only until it has seen them all. */
  isSubset(other: Iterable<Value>): boolean {
    const seen = new Set<unknown>();
    if (this.members.size === 0) return true;
    for (const x of other) {
      chargeWork(1);
      const hk = this.key(x);
      if (this.members.has(hk)) seen.add(hk);
      if (seen.size === this.members.size) return true;
    }
    return false;
  }

  override iterate(): StarIterator {
    if (!this.frozen) this.itercount++;
    const values = this.members.values();
    return {
      next: () => {
        const r = values.next();
        return r.done === true ? undefined : r.value;
      },
      done: () => {
        if (!this.frozen) this.itercount--;
      },
    };
  }

  repr(path: StarObject[]): string {
    return `set([${this.elems()
      .map((e) => repr(e, path))
      .join(', ')}])`;
  }

  override compareSameType(op: CompareOp, y: StarObject, _depth: number): boolean {
    const other = y as StarSet;
    const n = this.len();
    const m = other.len();
    switch (op) {
      case CompareOp.EQ:
        return n === m && this.containsAll(other);
      case CompareOp.NE:
        return !(n === m && this.containsAll(other));
      case CompareOp.GE:
        return n >= m && iterating(other, (xs) => this.isSuperset(xs));
      case CompareOp.LE:
        return n <= m && iterating(other, (xs) => this.isSubset(xs));
      case CompareOp.GT:
        return n > m && iterating(other, (xs) => this.isSuperset(xs));
      case CompareOp.LT:
        return n < m && iterating(other, (xs) => this.isSubset(xs));
    }
  }

  /** Whether every element of this set is in `other` (both have the same size). */
  private containsAll(other: StarSet): boolean {
    chargeWork(this.len());
    for (const hk of this.members.keys()) {
      if (isLongKey(hk)) chargeLongKey(hk, other.longKeys);
      if (!other.members.has(hk)) return false;
    }
    return true;
  }
}

/** Runs `f` over the elements of a set while it counts as being iterated (so it cannot change). */
export function iterating<T>(s: StarSet, f: (elems: Iterable<Value>) => T): T {
  const it = s.iterate();
  try {
    return f({
      [Symbol.iterator]: () => ({
        next: (): IteratorResult<Value> => {
          const v = it.next();
          return v === undefined ? { done: true, value: undefined } : { done: false, value: v };
        },
      }),
    });
  } finally {
    it.done();
  }
}
