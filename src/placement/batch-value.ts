// The `batch` a placement scriptlet sees: the batch's JSON (migration-manager's Batch) with
// every object as an attribute value (batch.defaults.placement.target, batch.config...) and
// arrays as lists. Converted once per batch object and frozen, since all instances share it.

import { AttributeObject, StarList, freezeStarlarkValue, type Value } from '../starlark/index.js';
import { plainValue } from './instance-value.js';

/** Type name of the elements of a list field: migration_windows → migration_window. */
function elementTypeName(field: string): string {
  return field.endsWith('s') ? field.slice(0, -1) : `${field}_item`;
}

function convert(typeName: string, raw: unknown): Value {
  if (Array.isArray(raw)) return new StarList(raw.map((item) => convert(elementTypeName(typeName), item)));
  if (raw !== null && typeof raw === 'object') {
    return new AttributeObject(typeName, raw as Record<string, unknown>, (name, v) => convert(name, v));
  }
  return plainValue(raw);
}

const cache = new WeakMap<object, Value>();

/**
 * The Starlark value of a batch. Cached by object identity: do not mutate a batch object
 * after it has been used for a placement.
 */
export function batchValue(batch: Readonly<Record<string, unknown>>): Value {
  let value = cache.get(batch);
  if (value === undefined) {
    value = convert('batch', batch);
    freezeStarlarkValue(value);
    cache.set(batch, value);
  }
  return value;
}
