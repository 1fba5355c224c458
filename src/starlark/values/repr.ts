// The Starlark representation of values (repr, str, print), as starlark-go's writeValue.

import { goQuote } from '../text/go-quote.js';
import { StarObject, type Value } from './value.js';

/** repr(v); `path` holds the lists and dicts being printed, to print cycles as [...] / {...}. */
export function repr(v: Value, path: StarObject[] = []): string {
  switch (typeof v) {
    case 'string':
      return goQuote(v);
    case 'number':
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'True' : 'False';
  }
  if (Array.isArray(v)) {
    if (v.length === 1) return `(${repr(v[0], path)},)`;
    let out = '(';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ', ';
      out += repr(v[i], path);
    }
    return `${out})`;
  }
  return (v as StarObject).repr(path);
}

/** str(v): strings unquoted, everything else as repr. */
export function str(v: Value): string {
  return typeof v === 'string' ? v : repr(v);
}
