// String interpolation: format % args, as starlark-go's interpolate.

import { formatFloatE, formatFloatF, formatFloatG } from '../values/float-format.js';
import { chargeFormat, floatToInt, intToString } from '../values/int.js';
import { repr } from '../values/repr.js';
import { decodeRuneAt, runeBytes } from '../text/utf8.js';
import { Float, StarObject, typeName, type Int, type Value } from '../values/value.js';
import { fail } from './errors.js';
import { chargeString, chargeWork, checkStringLength } from './limits.js';

/** NumberToInt: ints pass, finite floats truncate, anything else fails. */
export function numberToInt(v: Value): Int {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof Float) {
    if (Number.isNaN(v.v)) fail('cannot convert float NaN to integer');
    if (!Number.isFinite(v.v)) fail('cannot convert float infinity to integer');
    return floatToInt(v.v);
  }
  return fail(`cannot convert ${typeName(v)} to int`);
}

/** format % x. Its size is checked, and charged, after each conversion. */
export function interpolate(format: string, x: Value): string {
  let out = '';
  let charged = 0;
  let index = 0;
  const tuple = Array.isArray(x) ? (x as readonly Value[]) : undefined;
  const nargs = tuple !== undefined ? tuple.length : 1;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    chargeWork(1);
    out += format.slice(i, pct);
    i = pct + 1;
    if (format[i] === '%') {
      out += '%';
      i++;
      continue;
    }

    let arg: Value;
    if (format[i] === '(') {
      const close = format.indexOf(')', i + 1);
      if (close < 0) fail('incomplete format key');
      const key = format.slice(i + 1, close);
      if (!(x instanceof StarObject) || x.get === undefined) fail('format requires a mapping');
      const v = x.get(key);
      if (v === undefined) fail(`key not found: ${key}`);
      arg = v;
      i = close + 1;
    } else {
      if (index >= nargs) fail('not enough arguments for format string');
      arg = tuple !== undefined ? tuple[index] : x;
    }

    if (i >= format.length) fail('incomplete format');
    const c = format[i];
    switch (c) {
      case 's':
        out += typeof arg === 'string' ? arg : repr(arg);
        break;
      case 'r':
        out += repr(arg);
        break;
      case 'd':
      case 'i':
      case 'o':
      case 'x':
      case 'X': {
        let n: Int;
        try {
          n = numberToInt(arg);
        } catch (e) {
          fail(`%${c} format requires integer: ${(e as { message: string }).message}`);
        }
        if (c !== 'd' && c !== 'i') chargeFormat(n, 16);
        if (c === 'o') out += n.toString(8);
        else if (c === 'x') out += n.toString(16);
        else if (c === 'X') out += n.toString(16).toUpperCase();
        else out += intToString(n);
        break;
      }
      case 'e':
      case 'f':
      case 'g':
      case 'E':
      case 'F':
      case 'G': {
        let f: number;
        if (arg instanceof Float) f = arg.v;
        else if (typeof arg === 'number' || typeof arg === 'bigint') f = Number(arg);
        else fail(`%${c} format requires float, not ${typeName(arg)}`);
        if (c === 'e' || c === 'E') out += formatFloatE(f, c === 'E');
        else if (c === 'f' || c === 'F') out += formatFloatF(f);
        else out += formatFloatG(f, c === 'G');
        break;
      }
      case 'c':
        if (typeof arg === 'number' || typeof arg === 'bigint') {
          if (typeof arg !== 'number' || (arg | 0) !== arg || arg < 0 || arg > 0x10ffff) {
            fail(`%c format requires a valid Unicode code point, got ${arg}`);
          }
          out += runeBytes(arg);
        } else if (typeof arg === 'string') {
          const size = arg.length > 0 ? decodeRuneAt(arg, 0) & 7 : 0;
          if (size !== arg.length || arg.length === 0) fail('%c format requires a single-character string');
          out += runeBytes(decodeRuneAt(arg, 0) >> 3);
        } else {
          fail(`%c format requires int or single-character string, not ${typeName(arg)}`);
        }
        break;
      default:
        fail(`unknown conversion %${String.fromCharCode(c.charCodeAt(0))}`);
    }
    i++;
    index++;
    checkStringLength(out.length);
    chargeString(out.length - charged);
    charged = out.length;
  }
  if (index < nargs && !(x instanceof StarObject && x.get !== undefined)) fail('too many arguments for format string');
  checkStringLength(out.length);
  chargeString(out.length - charged);
  return out;
}
