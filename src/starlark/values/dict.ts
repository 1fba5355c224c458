// The insertion-ordered dict. Entries live in a JS Map keyed by hashKey(k); for keys whose
// hash key is not the key itself (floats, tuples) the original key is kept alongside.

import { fail } from '../eval/errors.js';
import { checkElements } from '../eval/limits.js';
import { equalsDepth } from './compare.js';
import { hashKey, unhashable } from './hash-key.js';
import { repr } from './repr.js';
import { CompareOp, COMPARE_OP_NAMES, freezeValue, StarObject, type StarIterator, type Value } from './value.js';

export class StarDict extends StarObject {
  readonly entries = new Map<unknown, Value>();
  /** Original keys, for keys that differ from their hash key. */
  private originals: Map<unknown, Value> | undefined;
  frozen = false;
  itercount = 0;

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
    for (const [k, v] of this.items()) pending.push(k, v);
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
    return this.entries.get(hashKey(key));
  }

  /** Lookup by a string key, the common case (no hashing needed). */
  getString(key: string): Value | undefined {
    return this.entries.get(key);
  }

  checkMutable(verb: string): void {
    if (this.frozen) fail(`cannot ${verb} frozen hash table`);
    if (this.itercount > 0) fail(`cannot ${verb} hash table during iteration`);
  }

  override setKey(key: Value, value: Value): void {
    this.checkMutable('insert into');
    const hk = hashKey(key);
    if (!this.entries.has(hk)) {
      checkElements(this.entries.size + 1);
      if (hk !== key) (this.originals ??= new Map()).set(hk, key);
    }
    this.entries.set(hk, value);
  }

  /** Removes a key; returns its value, or undefined if absent. */
  delete(key: Value): Value | undefined {
    this.checkMutable('delete from');
    const hk = hashKey(key);
    const v = this.entries.get(hk);
    if (v === undefined) return undefined;
    this.entries.delete(hk);
    this.originals?.delete(hk);
    return v;
  }

  clear(): void {
    this.checkMutable('clear');
    this.entries.clear();
    this.originals = undefined;
  }

  keys(): Value[] {
    const out: Value[] = [];
    for (const hk of this.entries.keys()) out.push(this.keyOf(hk));
    return out;
  }

  values(): Value[] {
    return [...this.entries.values()];
  }

  override items(): [Value, Value][] {
    const out: [Value, Value][] = [];
    for (const [hk, v] of this.entries) out.push([this.keyOf(hk), v]);
    return out;
  }

  /** The first key in insertion order. */
  firstKey(): Value | undefined {
    for (const hk of this.entries.keys()) return this.keyOf(hk);
    return undefined;
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
  for (const [k, xv] of x.items()) {
    const yv = y.get(k);
    if (yv === undefined || !equalsDepth(xv, yv, depth - 1)) return false;
  }
  return true;
}
