// Conversion between plain JSON-like JS values and Starlark values, for hosts.

import { toBytes, fromBytes } from '../text/utf8.js';
import { StarDict } from '../values/dict.js';
import { floatToInt } from '../values/int.js';
import { StarList } from '../values/list.js';
import { StarSet } from '../values/set.js';
import { Struct } from '../values/struct.js';
import { Float, None, StarObject, typeName, type Value } from '../values/value.js';
import { AttributeObject } from './attribute-object.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface FromJsonOptions {
  /** How JS objects become Starlark values: dicts (default) or structs. */
  objects?: 'dict' | 'struct';
}

/**
 * Converts a JSON-like value. Integral numbers become ints, others floats; strings are UTF-8
 * encoded; arrays become lists.
 */
export function fromJSON(value: unknown, options: FromJsonOptions = {}): Value {
  if (value === null || value === undefined) return None;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      return Number.isInteger(value) ? floatToInt(value) : new Float(value);
    case 'bigint':
      return value;
    case 'string':
      return toBytes(value);
  }
  if (Array.isArray(value)) return new StarList(value.map((v) => fromJSON(v, options)));
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (options.objects === 'struct') return new Struct('struct', entries.map(([k, v]) => [toBytes(k), fromJSON(v, options)]));
    const d = new StarDict();
    for (const [k, v] of entries) d.setKey(toBytes(k), fromJSON(v, options));
    return d;
  }
  throw new TypeError(`cannot convert ${typeof value} to a Starlark value`);
}

/**
 * Converts a Starlark value to plain JS: None → null, ints → number (bigint if beyond 2^53),
 * strings decoded from UTF-8, lists/tuples/sets → arrays, dicts with string keys and
 * struct-like values → objects. Throws a TypeError for values without a JSON form.
 */
export function toJSON(value: Value): unknown {
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'bigint':
      return value;
    case 'string':
      return fromBytes(value);
  }
  if (Array.isArray(value)) return value.map(toJSON);
  if (value === None) return null;
  if (value instanceof Float) return value.v;
  if (value instanceof StarList) return value.elems.map(toJSON);
  if (value instanceof StarSet) return value.elems().map(toJSON);
  if (value instanceof StarDict) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value.items()) {
      if (typeof k !== 'string') throw new TypeError(`dict has ${typeName(k)} key, want string`);
      out[fromBytes(k)] = toJSON(v);
    }
    return out;
  }
  if (value instanceof Struct || value instanceof AttributeObject) {
    const out: Record<string, unknown> = {};
    for (const name of (value as StarObject).attrNames!()) out[fromBytes(name)] = toJSON((value as StarObject).attr!(name) as Value);
    return out;
  }
  throw new TypeError(`cannot convert ${typeName(value)} to JSON`);
}
