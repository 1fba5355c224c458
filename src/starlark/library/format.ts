// str.format, as starlark-go's string_format: {} {0} {name} fields with !s / !r conversions.

import { fail } from '../eval/errors.js';
import { chargeString, chargeWork, checkStringLength } from '../eval/limits.js';
import { repr } from '../values/repr.js';
import type { Kwargs, Value } from '../values/value.js';

/** Interprets s as decimal digits; undefined if it is not all digits. */
function decimal(s: string): number | undefined {
  if (!/^[0-9]*$/.test(s)) return undefined;
  let x = 0;
  for (let i = 0; i < s.length; i++) {
    x = x * 10 + (s.charCodeAt(i) - 48);
    if (x > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return x;
}

/**
 * The formatted string. Its size is checked, and charged, as it grows: a short format may
 * repeat a long argument many times.
 */
export function formatString(format: string, args: Value[], kwargs: Kwargs | null): string {
  let auto = false;
  let manual = false;
  let out = '';
  let charged = 0;
  let index = 0;
  for (;;) {
    chargeWork(1);
    const brace = format.indexOf('{');
    let literal = brace >= 0 ? format.slice(0, brace) : format;
    for (;;) {
      const j = literal.indexOf('}');
      if (j < 0) {
        out += literal;
        break;
      }
      if (literal.length === j + 1 || literal[j + 1] !== '}') fail("format: single '}' in format");
      out += literal.slice(0, j + 1);
      literal = literal.slice(j + 2);
    }
    charged = grown(out, charged);
    if (brace < 0) break;

    if (brace + 1 < format.length && format[brace + 1] === '{') {
      out += '{';
      format = format.slice(brace + 2);
      continue;
    }

    format = format.slice(brace + 1);
    const close = format.indexOf('}');
    if (close < 0) fail("format: unmatched '{' in format");

    let conv = 's';
    let spec = '';
    const field = format.slice(0, close);
    format = format.slice(close + 1);

    let name: string;
    const bang = field.indexOf('!');
    if (bang < 0) {
      const colon = field.indexOf(':');
      if (colon < 0) {
        name = field;
      } else {
        name = field.slice(0, colon);
        spec = field.slice(colon + 1);
      }
    } else {
      name = field.slice(0, bang);
      const rest = field.slice(bang + 1);
      const colon = rest.indexOf(':');
      if (colon < 0) {
        conv = rest;
      } else {
        conv = rest.slice(0, colon);
        spec = rest.slice(colon + 1);
      }
    }

    let arg: Value | undefined;
    const num = decimal(name);
    if (name === '') {
      if (manual) fail('format: cannot switch from manual field specification to automatic field numbering');
      auto = true;
      if (index >= args.length) fail('format: tuple index out of range');
      arg = args[index++];
    } else if (num !== undefined) {
      if (auto) fail('format: cannot switch from automatic field numbering to manual field specification');
      manual = true;
      if (num >= args.length) fail('format: tuple index out of range');
      arg = args[num];
    } else {
      chargeWork(kwargs?.length ?? 0);
      for (const [k, v] of kwargs ?? []) {
        if (k === name) {
          arg = v;
          break;
        }
      }
      if (arg === undefined) {
        if (name.includes('.')) fail(`format: attribute syntax x.y is not supported in replacement fields: ${name}`);
        if (name.includes('[')) fail(`format: element syntax a[i] is not supported in replacement fields: ${name}`);
        if (name.includes('{')) fail('format: nested replacement fields not supported');
        fail(`format: keyword ${name} not found`);
      }
    }

    if (spec !== '') fail(`format spec features not supported in replacement fields: ${spec}`);

    if (conv === 's') out += typeof arg === 'string' ? arg : repr(arg);
    else if (conv === 'r') out += repr(arg);
    else fail(`format: unknown conversion ${repr(conv)}`);
    charged = grown(out, charged);
  }
  return out;
}

/** Checks the output so far and charges what it grew by since `charged`; returns its length. */
function grown(out: string, charged: number): number {
  checkStringLength(out.length);
  chargeString(out.length - charged);
  return out.length;
}
