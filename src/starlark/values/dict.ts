// The insertion-ordered dict. Entries live in a JS Map keyed by hashKey(k); for keys whose
// hash key is not the key itself (floats, tuples, big ints) the original key is kept alongside.

import { fail } from '../eval/errors.js';
import { chargeContainer, chargeEntry, chargeWork, checkElements } from '../eval/limits.js';
import { equalsDepth } from './compare.js';
import { chargeLongKey, hashKey, isLongKey, unhashable } from './hash-key.js';
import { repr } from './repr.js';
import { CompareOp, COMPARE_OP_NAMES, freezeValue, StarObject, type StarIterator, type Value } from './value.js';

const NO_KEY = Symbol('no key');

export class StarDict extends StarObject {
  readonly entries = new Map<unknown, Value>();
  /** Original keys, for keys that differ from their hash key. */
  private originals: Map<unknown, Value> | undefined;
  frozen = false;
  itercount = 0;
  /** Keys too long for V8 to hash (see hash-key.ts), which all collide with each other. */
  private longKeys = 0;
  /**
   * The iterator popitem reads the first key from, and the key it last gave. Every entry before
   * it has been deleted, so it skips each deleted entry once; a fresh iterator would skip them
   * all on every call, which makes emptying a dict with popitem quadratic.
   */
  private firstCursor: Iterator<unknown> | undefined;
  private firstSeen: unknown = NO_KEY;

  type(): string {
    return 'dict';
  }
  override truth(): boolean {
    return this.entries.size > 0;
  }
  override hashKey(): unknown {
    return unhashable('dict');
  }
  override freeze(): void {
    freezeValue(this);
  }
  override freezeInto(pending: Value[]): void {
    if (this.frozen) return;
    this.frozen = true;
    for (const [hk, v] of this.entries) pending.push(this.keyOf(hk), v);
  }

  override len(): number {
    return this.entries.size;
  }

  /** The stored key for a hash key. */
  private keyOf(hk: unknown): Value {
    if (this.originals !== undefined) {
      const orig = this.originals.get(hk);
      if (orig !== undefined) return orig;
    }
    return hk as Value;
  }

  override get(key: Value): Value | undefined {
    const hk = hashKey(key);
    if (isLongKey(hk)) chargeLongKey(hk, this.longKeys);
    return this.entries.get(hk);
  }

  checkMutable(verb: string): void {
    if (this.frozen) fail(`cannot ${verb} frozen hash table`);
    if (this.itercount > 0) fail(`cannot ${verb} hash table during iteration`);
  }

  override setKey(key: Value, value: Value): void {
    this.checkMutable('insert into');
    const hk = hashKey(key);
    const long = isLongKey(hk);
    if (long) chargeLongKey(hk, this.longKeys);
    if (!this.entries.has(hk)) {
      checkElements(this.entries.size + 1);
      chargeEntry();
      if (long) this.longKeys++;
      if (hk !== key) (this.originals ??= new Map()).set(hk, key);
    }
    this.entries.set(hk, value);
  }

  /** Inserts or updates every entry of `other`, in its order (d |= other). */
  addAll(other: StarDict): void {
    for (const [k, v] of other.items()) this.setKey(k, v);
  }

  /** A new dict with the entries of this one, then those of `other` (d | other). */
  union(other: StarDict): StarDict {
    const out = new StarDict();
    out.addAll(this);
    out.addAll(other);
    return out;
  }

  /** Removes a key; returns its value, or undefined if absent. */
  delete(key: Value): Value | undefined {
    this.checkMutable('delete from');
    const hk = hashKey(key);
    const long = isLongKey(hk);
    if (long) chargeLongKey(hk, this.longKeys);
    const v = this.entries.get(hk);
    if (v === undefined) return undefined;
    this.entries.delete(hk);
    this.originals?.delete(hk);
    if (long) this.longKeys--;
    if (hk === this.firstSeen || (hk !== hk && this.firstSeen !== this.firstSeen)) this.firstSeen = NO_KEY;
    return v;
  }

  clear(): void {
    this.checkMutable('clear');
    this.entries.clear();
    this.originals = undefined;
    this.longKeys = 0;
    this.firstCursor = undefined;
    this.firstSeen = NO_KEY;
  }

  keys(): Value[] {
    chargeContainer(this.entries.size);
    const out: Value[] = [];
    for (const hk of this.entries.keys()) out.push(this.keyOf(hk));
    return out;
  }

  values(): Value[] {
    chargeContainer(this.entries.size);
    return [...this.entries.values()];
  }

  override items(): [Value, Value][] {
    chargeContainer(3 * this.entries.size);
    const out: [Value, Value][] = [];
    for (const [hk, v] of this.entries) out.push([this.keyOf(hk), v]);
    return out;
  }

  /** The first key in insertion order. */
  firstKey(): Value | undefined {
    if (this.firstSeen !== NO_KEY) return this.keyOf(this.firstSeen);
    this.firstCursor ??= this.entries.keys();
    const r = this.firstCursor.next();
    if (r.done === true) {
      this.firstCursor = undefined;
      return undefined;
    }
    this.firstSeen = r.value;
    return this.keyOf(r.value);
  }

  override iterate(): StarIterator {
    if (!this.frozen) this.itercount++;
    const keys = this.entries.keys();
    return {
      next: () => {
        const r = keys.next();
        return r.done === true ? undefined : this.keyOf(r.value);
      },
      done: () => {
        if (!this.frozen) this.itercount--;
      },
    };
  }

  repr(path: StarObject[]): string {
    if (path.includes(this)) return '{...}';
    let out = '{';
    let sep = '';
    for (const [k, v] of this.items()) {
      out += sep + repr(k, path) + ': ';
      path.push(this);
      out += repr(v, path);
      path.pop();
      sep = ', ';
    }
    return `${out}}`;
  }

  override compareSameType(op: CompareOp, y: StarObject, depth: number): boolean {
    if (op !== CompareOp.EQ && op !== CompareOp.NE) fail(`dict ${COMPARE_OP_NAMES[op]} dict not implemented`);
    const eq = dictsEqual(this, y as StarDict, depth);
    return op === CompareOp.EQ ? eq : !eq;
  }
}

function dictsEqual(x: StarDict, y: StarDict, depth: number): boolean {
  if (x.len() !== y.len()) return false;
  chargeWork(x.len());
  for (const [k, xv] of x.items()) {
    const yv = y.get(k);
    if (yv === undefined || !equalsDepth(xv, yv, depth - 1)) return false;
  }
  return true;
}
