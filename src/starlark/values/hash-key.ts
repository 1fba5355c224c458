// Dict and set keys. A Starlark value maps to a JS Map key such that equal values get equal
// keys: strings, small ints and bools map to themselves; big ints to their digits in hex;
// floats to the key of the equal int where there is one; tuples to a composite string.
// Composite strings start with a char above 0xFF, which never occurs in a Starlark (byte)
// string, so they cannot collide with string keys.
//
// Two V8 hashing weaknesses shape this: a bigint hashes by its lowest 64 bits only (so 2**64,
// 2 * 2**64, ... all collide, and a dict of them is quadratic), hence the hex strings; and a
// string longer than 16,383 chars hashes by its length only, so long keys of one length all
// collide, and every lookup compares them all. Operations on such keys are charged for that.

import { fail } from '../eval/errors.js';
import { chargeScan, chargeString } from '../eval/limits.js';
import { bigIntKey, Float, floatKey, None, StarObject, type Value } from './value.js';

const identities = new WeakMap<object, number>();
let nextIdentity = 1;

/** A stable number for an object hashed by identity, for use inside composite keys. */
export function identityNumber(obj: object): number {
  let id = identities.get(obj);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(obj, id);
  }
  return id;
}

/** The longest string V8 hashes by content. */
export const MAX_HASHED_CHARS = 16_383;

/** Whether a hash key is a string that collides with every other long key of its length. */
export function isLongKey(hk: unknown): hk is string {
  return typeof hk === 'string' && hk.length > MAX_HASHED_CHARS;
}

/** A lookup of a long key compares it with each long key of the table, in the worst case. */
export function chargeLongKey(hk: string, longKeys: number): void {
  chargeScan(hk.length * (1 + longKeys));
}

function bigKey(v: bigint): string {
  const key = bigIntKey(v);
  chargeString(key.length);
  return key;
}

/** Bytes of rope a composite key grows by per element, besides the element's own key. */
const PART_OVERHEAD = 16;

function part(v: Value): string {
  switch (typeof v) {
    case 'string':
      chargeString(v.length);
      return `\u0101${v.length}:${v}`;
    case 'number':
      return `\u0102${v}`;
    case 'bigint':
      return bigKey(v);
    case 'boolean':
      return v ? '\u0103T' : '\u0103F';
  }
  if (Array.isArray(v)) return tupleKey(v);
  if (v === None) return '\u0104';
  const key = hashKey(v);
  switch (typeof key) {
    case 'number':
      return `\u0102${key}`;
    case 'string':
      return key.charCodeAt(0) > 0xff ? key : `\u0101${key.length}:${key}`;
    case 'object':
    case 'function':
      return `\u0106${identityNumber(key as object)}`;
    default:
      return `\u0107${String(key)}`;
  }
}

/** A tuple's key, charged element by element, so a tuple shared many times over stops early. */
function tupleKey(t: readonly Value[]): string {
  chargeString(PART_OVERHEAD * (1 + t.length));
  let key = `\u0105${t.length}(`;
  for (const v of t) key += part(v);
  return `${key})`;
}

/** The Map key for a value; throws "unhashable type: T" for lists, dicts, sets. */
export function hashKey(v: Value): unknown {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return v;
    case 'bigint':
      return bigKey(v);
  }
  if (Array.isArray(v)) return tupleKey(v);
  if (v instanceof Float) return floatKey(v.v);
  return (v as StarObject).hashKey();
}

/** Throws the standard error for an unhashable value. */
export function unhashable(type: string): never {
  fail(`unhashable type: ${type}`);
}
