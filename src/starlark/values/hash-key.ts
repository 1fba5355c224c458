// Dict and set keys. A Starlark value maps to a JS Map key such that equal values get equal
// keys: strings, ints, bools map to themselves; floats to the equal int where there is one;
// tuples to a composite string. Composite strings start with a char above 0xFF, which never
// occurs in a Starlark (byte) string, so they cannot collide with string keys.

import { fail } from '../eval/errors.js';
import { Float, floatKey, None, StarObject, type Value } from './value.js';

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

function part(v: Value): string {
  switch (typeof v) {
    case 'string':
      return `\u0101${v.length}:${v}`;
    case 'number':
    case 'bigint':
      return `\u0102${v}`;
    case 'boolean':
      return v ? '\u0103T' : '\u0103F';
  }
  if (Array.isArray(v)) return tupleKey(v);
  if (v === None) return '\u0104';
  const key = hashKey(v);
  switch (typeof key) {
    case 'number':
    case 'bigint':
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

function tupleKey(t: readonly Value[]): string {
  let key = `\u0105${t.length}(`;
  for (const v of t) key += part(v);
  return `${key})`;
}

/** The Map key for a value; throws "unhashable type: T" for lists, dicts, sets. */
export function hashKey(v: Value): unknown {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return v;
  }
  if (Array.isArray(v)) return tupleKey(v);
  if (v instanceof Float) return floatKey(v.v);
  return (v as StarObject).hashKey();
}

/** Throws the standard error for an unhashable value. */
export function unhashable(type: string): never {
  fail(`unhashable type: ${type}`);
}
