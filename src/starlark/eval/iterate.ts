// Iteration and length of arbitrary values (starlark-go's Iterate and Len).

import { StarObject, type StarIterator, type Value } from '../values/value.js';
import { chargeContainer, chargeElements } from './limits.js';

const NO_DONE = (): void => {};

export function arrayIterator(elems: readonly Value[]): StarIterator {
  let i = 0;
  return { next: () => (i < elems.length ? elems[i++] : undefined), done: NO_DONE };
}

/** An iterator, or undefined if the value is not iterable (strings are not). */
export function iterate(v: Value): StarIterator | undefined {
  if (Array.isArray(v)) return arrayIterator(v);
  if (v instanceof StarObject && v.iterate !== undefined) return v.iterate();
  return undefined;
}

/** The length of a string, sequence or indexable value (such as bytes), or -1. */
export function length(v: Value): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.length;
  if (v instanceof StarObject && v.len !== undefined && (v.iterate !== undefined || v.index !== undefined)) return v.len();
  return -1;
}

/**
 * Collects the elements of an iterable (which the caller has checked) into a new array, charged
 * as a new container: before copying when the length is known, element by element otherwise.
 */
export function collect(v: Value): Value[] {
  const n = length(v);
  chargeContainer(n >= 0 ? n : 0);
  if (Array.isArray(v)) return v.slice();
  const it = (v as StarObject).iterate!();
  const out: Value[] = [];
  try {
    for (let x = it.next(); x !== undefined; x = it.next()) {
      if (n < 0) chargeElements(1);
      out.push(x);
    }
  } finally {
    it.done();
  }
  return out;
}
