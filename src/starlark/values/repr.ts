// The Starlark representation of values (repr, str, print), as starlark-go's writeValue.
//
// Each value printed is charged as it is reached, and the text an outermost repr has produced
// so far is held to the string size cap as it grows, so printing a structure that shares its
// parts many times over (t = (t, t), sixty times) stops early instead of producing 2^60 bytes.
// The running count leaves out separators, so it never exceeds the real length (a value that
// fits is never refused) and falls short of it by at most a factor of three.

import { activeLimits, chargeRunes, chargeString, chargeWork, SHORT_STRING, stringTooLong } from '../eval/limits.js';
import { goQuote } from '../text/go-quote.js';
import { intToString } from './int.js';
import { StarObject, type Value } from './value.js';

/** Nesting of repr calls, and the bytes produced since the outermost one started. */
let nesting = 0;
let produced = 0;

/**
 * What printing a value other than a string, number or bool adds: at least two bytes of text
 * (brackets, or a name), and more to the rope of JS strings the text is built in.
 */
const LEAST_TEXT = 2;
const ROPE_BYTES = 16;

/** A value printed: a work unit, its share of the text, and what that allocates. */
function account(textBytes: number, allocated: number): void {
  produced += textBytes;
  chargeWork(1);
  chargeString(allocated);
  if (produced > activeLimits.maxStringBytes) stringTooLong(produced);
}

function emit(text: string): string {
  account(text.length, text.length);
  return text;
}

function reprValue(v: Value, path: StarObject[]): string {
  switch (typeof v) {
    case 'string':
      if (v.length >= SHORT_STRING) chargeRunes(v.length);
      return emit(goQuote(v));
    case 'number':
      return emit(v.toString());
    case 'bigint':
      return emit(intToString(v));
    case 'boolean':
      return emit(v ? 'True' : 'False');
  }
  account(LEAST_TEXT, ROPE_BYTES);
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

/** repr(v); `path` holds the lists and dicts being printed, to print cycles as [...] / {...}. */
export function repr(v: Value, path: StarObject[] = []): string {
  if (nesting === 0) produced = 0;
  nesting++;
  try {
    return reprValue(v, path);
  } finally {
    nesting--;
  }
}

/** str(v): strings unquoted, everything else as repr. */
export function str(v: Value): string {
  return typeof v === 'string' ? v : repr(v);
}
