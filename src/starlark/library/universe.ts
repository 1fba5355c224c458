// The universal built-ins (starlark-go's Universe): None, True, False and the functions every
// module can use.

import { attrNames, hasAttrs, lookupAttr } from '../eval/attr.js';
import { callValue } from '../eval/call.js';
import { fail, nameErr, rethrowBudget, StarFail, withName } from '../eval/errors.js';
import { numberToInt } from '../eval/interpolate.js';
import { collect, iterate, length } from '../eval/iterate.js';
import {
  ABSORBED_FAILURE,
  chargeContainer,
  chargeElements,
  chargeRunes,
  chargeScan,
  chargeString,
  chargeWork,
  checkElements,
  checkString,
  checkStringLength,
} from '../eval/limits.js';
import type { Thread } from '../eval/thread.js';
import { Builtin, type BuiltinImpl } from '../values/builtin.js';
import { fnv1a, StarBytes } from '../values/bytes.js';
import { compare } from '../values/compare.js';
import { StarDict } from '../values/dict.js';
import { asInt32, intNeg, intToFloat, normBig, parseIntDigits } from '../values/int.js';
import { StarList } from '../values/list.js';
import { int64, RangeValue } from '../values/range.js';
import { repr, str } from '../values/repr.js';
import { StarSet } from '../values/set.js';
import { CompareOp, Float, None, typeName, truth, type Int, type Kwargs, type StarIterator, type Value } from '../values/value.js';
import { bytesOfRunes, decodeRuneAt, runeBytes, runeCount, runesOf } from '../text/utf8.js';
import { named, positional, type ArgKind } from './args.js';
import { updateDict } from './dict-methods.js';
import { parseGoFloat } from './parse-float.js';
import { stableSort } from './stable-sort.js';

// Argument kinds, allocated once rather than on every call.
const KINDS_INT_INT_INT: readonly ArgKind[] = ['int', 'int', 'int'];
const KINDS_ITERABLE: readonly ArgKind[] = ['iterable'];
const KINDS_ITERABLE_INT: readonly ArgKind[] = ['iterable', 'int'];
const KINDS_STRING: readonly ArgKind[] = ['string'];
const KINDS_VALUE: readonly ArgKind[] = ['value'];
const KINDS_VALUE_STRING: readonly ArgKind[] = ['value', 'string'];
const KINDS_VALUE_STRING_VALUE: readonly ArgKind[] = ['value', 'string', 'value'];

function noKwargs(fn: string, kwargs: Kwargs | null): void {
  if (kwargs !== null && kwargs.length > 0) fail(`${fn} does not accept keyword arguments`);
}

function exactlyOne(fn: string, args: Value[], exactly = false): void {
  if (args.length !== 1) fail(`${fn}: got ${args.length} arguments, want ${exactly ? 'exactly ' : ''}1`);
}

/** Whether some element of an iterable has the given truth value; one unit per element. */
function someTruth(items: Value, wanted: boolean): boolean {
  const it = iterate(items) as StarIterator;
  try {
    for (let x = it.next(); x !== undefined; x = it.next()) {
      chargeWork(1);
      if (truth(x) === wanted) return true;
    }
    return false;
  } finally {
    it.done();
  }
}

const abs: BuiltinImpl = (_t, args, kwargs) => {
  const [x] = positional('abs', args, kwargs, 1, KINDS_VALUE);
  if (x instanceof Float) return new Float(Math.abs(x.v));
  if (typeof x === 'number') return x < 0 ? -x : x;
  if (typeof x === 'bigint') return x < 0n ? intNeg(x) : x;
  return fail(`got ${typeName(x as Value)}, want int or float`);
};

/** UTF-8 to UTF-8 transcoding: each byte of an invalid sequence becomes U+FFFD. */
function utf8Transcode(s: string): string {
  const runes = runesOf(s);
  chargeRunes(s.length);
  const out = bytesOfRunes(runes);
  chargeString(out.length);
  return out;
}

const bytes: BuiltinImpl = (_t, args, kwargs) => {
  noKwargs('bytes', kwargs);
  exactlyOne('bytes', args, true);
  const x = args[0];
  if (x instanceof StarBytes) return x;
  if (typeof x === 'string') return new StarBytes(checkString(utf8Transcode(x)));
  const it = iterate(x);
  if (it === undefined) fail(`bytes: got ${typeName(x)}, want string, bytes, or iterable of ints`);
  try {
    const out: number[] = [];
    for (let elem = it.next(); elem !== undefined; elem = it.next()) {
      chargeWork(1);
      if (typeof elem !== 'number' && typeof elem !== 'bigint') fail(`bytes: at index ${out.length}, got ${typeName(elem)}, want int`);
      if (typeof elem === 'bigint' || elem < 0 || elem > 255) {
        fail(`bytes: at index ${out.length}, ${elem} out of range (want value in unsigned 8-bit range)`);
      }
      out.push(elem);
      checkStringLength(out.length);
    }
    chargeString(out.length);
    return new StarBytes(Buffer.from(out).toString('latin1'));
  } finally {
    it.done();
  }
};

const all: BuiltinImpl = (_t, args, kwargs) => {
  const [items] = positional('all', args, kwargs, 1, KINDS_ITERABLE);
  return !someTruth(items as Value, false);
};

const any: BuiltinImpl = (_t, args, kwargs) => {
  const [items] = positional('any', args, kwargs, 1, KINDS_ITERABLE);
  return someTruth(items as Value, true);
};

const bool: BuiltinImpl = (_t, args, kwargs) => {
  const [x] = positional('bool', args, kwargs, 0, KINDS_VALUE);
  return x === undefined ? false : truth(x);
};

const chr: BuiltinImpl = (_t, args, kwargs) => {
  noKwargs('chr', kwargs);
  exactlyOne('chr', args);
  const x = args[0];
  if (typeof x !== 'number' && typeof x !== 'bigint') fail(`chr: got ${typeName(x)}, want int`);
  const i = asInt32(x);
  if (i === undefined) fail(`chr: ${x} out of range`);
  if (i < 0) fail(`chr: Unicode code point ${i} out of range (<0)`);
  if (i > 0x10ffff) fail(`chr: Unicode code point U+${i.toString(16).toUpperCase()} out of range (>0x10FFFF)`);
  return runeBytes(i);
};

const dict: BuiltinImpl = (_t, args, kwargs) => {
  if (args.length > 1) fail(`dict: got ${args.length} arguments, want at most 1`);
  const d = new StarDict();
  withName('dict', () => updateDict(d, args, kwargs));
  return d;
};

const dir: BuiltinImpl = (_t, args, kwargs) => {
  noKwargs('dir', kwargs);
  exactlyOne('dir', args);
  const names = attrNames(args[0]);
  chargeContainer(names.length);
  return new StarList(names);
};

const enumerate: BuiltinImpl = (_t, args, kwargs) => {
  const [items, startArg] = positional('enumerate', args, kwargs, 1, KINDS_ITERABLE_INT);
  const elems = collect(items as Value);
  checkElements(elems.length);
  chargeElements(3 * elems.length);
  const start = (startArg ?? 0) as Int;
  if (typeof start === 'number' && Number.isSafeInteger(start + elems.length)) return new StarList(elems.map((x, i) => [start + i, x]));
  // Go counts in its 64-bit int, which wraps.
  const first = BigInt(start);
  return new StarList(elems.map((x, i) => [normBig(int64(first + BigInt(i))), x]));
};

/** The arguments of print and fail, as one string. */
function joinArgs(args: Value[], sep: string): string {
  const text = args.map(str).join(sep);
  chargeString(text.length);
  return text;
}

const failBuiltin: BuiltinImpl = (_t, args, kwargs) => {
  const [sepArg] = named('fail', [], kwargs, [{ name: 'sep?', kind: 'string' }]);
  const sep = (sepArg as string | undefined) ?? ' ';
  return fail(`fail: ${joinArgs(args, sep)}`);
};

/** Inf and NaN spellings (any case), then Go's float syntax. */
export function parseFloatLiteral(s: string): number | undefined {
  const lower = s.toLowerCase();
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-infinity' || lower === '-inf') return -Infinity;
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN;
  return parseGoFloat(s);
}

const float: BuiltinImpl = (_t, args, kwargs) => {
  noKwargs('float', kwargs);
  if (args.length === 0) return new Float(0);
  if (args.length !== 1) fail(`float got ${args.length} arguments, wants 1`);
  const x = args[0];
  if (typeof x === 'boolean') return new Float(x ? 1 : 0);
  if (typeof x === 'number' || typeof x === 'bigint') return new Float(intToFloat(x));
  if (x instanceof Float) return x;
  if (typeof x === 'string') {
    if (x === '') fail('float: empty string');
    chargeRunes(x.length);
    const f = parseFloatLiteral(x);
    if ((f === Infinity || f === -Infinity) && !/inf/i.test(x)) fail('floating-point number too large');
    if (f === undefined) fail(`invalid float literal: ${x}`);
    return new Float(f);
  }
  return fail(`float got ${typeName(x)}, want number or string`);
};

const getattr: BuiltinImpl = (_t, args, kwargs) => {
  const [object, name, dflt] = positional('getattr', args, kwargs, 2, KINDS_VALUE_STRING_VALUE);
  const x = object as Value;
  if (hasAttrs(x)) {
    let v: Value | undefined;
    try {
      v = lookupAttr(x, name as string);
    } catch (e) {
      rethrowBudget(e);
      chargeWork(ABSORBED_FAILURE);
      if (dflt !== undefined) return dflt;
      if (e instanceof StarFail) nameErr('getattr', e);
      throw e;
    }
    if (v !== undefined) return v;
  }
  if (dflt !== undefined) return dflt;
  return fail(`getattr: ${typeName(x)} has no .${name as string} field or method`);
};

const hasattr: BuiltinImpl = (_t, args, kwargs) => {
  const [object, nameArg] = positional('hasattr', args, kwargs, 2, KINDS_VALUE_STRING);
  const x = object as Value;
  const name = nameArg as string;
  if (!hasAttrs(x)) return false;
  try {
    return lookupAttr(x, name) !== undefined;
  } catch (e) {
    rethrowBudget(e);
    chargeWork(ABSORBED_FAILURE);
    return attrNames(x).includes(name);
  }
};

/** Strings: Java's String.hashCode over the code points; bytes: 32-bit FNV-1a (as starlark-go). */
const hash: BuiltinImpl = (_t, args, kwargs) => {
  const [x] = positional('hash', args, kwargs, 1, KINDS_VALUE);
  if (x instanceof StarBytes) {
    chargeRunes(x.bytes.length);
    return fnv1a(x.bytes);
  }
  if (typeof x !== 'string') return fail(`hash: got ${typeName(x as Value)}, want string or bytes`);
  chargeRunes(x.length);
  let h = 0;
  for (const r of runesOf(x)) h = (Math.imul(31, h) + r) | 0;
  return h;
};

/** int(string, base): the base prefix (0b, 0o, 0x) is honoured only with base 0 or its own base. */
function parseInt(text: string, base: number): Int | undefined {
  let s = text;
  let neg = false;
  if (s !== '') {
    if (s[0] === '+') s = s.slice(1);
    else if (s[0] === '-') {
      neg = true;
      s = s.slice(1);
    }
  }
  if (s.length > 1 && s[0] === '0') {
    let prefix = 0;
    if (s.length > 2) {
      const c = s[1];
      if (c === 'o' || c === 'O') prefix = 8;
      else if (c === 'x' || c === 'X') prefix = 16;
      else if (c === 'b' || c === 'B') prefix = 2;
    }
    if (prefix !== 0) {
      if (base === 0 || prefix === base) {
        base = prefix;
        s = s.slice(2);
      }
    } else if (base === 0) {
      // With base 0, a number starting with zero must be all zeros: int("0755", 0) is refused.
      for (let i = 1; i < s.length; i++) if (s[i] !== '0') return undefined;
      return 0;
    }
  }
  if (base === 0) base = 10;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) return undefined;
  const value = parseIntDigits(s, base);
  return value === undefined || !neg ? value : intNeg(value);
}

const int: BuiltinImpl = (_t, args, kwargs) => {
  const [xArg, base] = named('int', args, kwargs, [
    { name: 'x', kind: 'value' },
    { name: 'base?', kind: 'value' },
  ]);
  const x = xArg as Value;
  if (typeof x === 'string') {
    chargeScan(x.length);
    let b = 10;
    if (base !== undefined) {
      const n = typeof base === 'number' || typeof base === 'bigint' ? asInt32(base) : undefined;
      if (n === undefined) fail(`int: for base, got ${typeName(base)}, want int`);
      if (n !== 0 && (n < 2 || n > 36)) fail('int: base must be an integer >= 2 && <= 36');
      b = n;
    }
    const value = parseInt(x, b);
    if (value === undefined) fail(`int: invalid literal with base ${b}: ${x}`);
    return value;
  }
  if (base !== undefined) fail("int: can't convert non-string with explicit base");
  if (typeof x === 'boolean') return x ? 1 : 0;
  try {
    return numberToInt(x);
  } catch (e) {
    return nameErr('int', e as StarFail);
  }
};

const len: BuiltinImpl = (_t, args, kwargs) => {
  const [x] = positional('len', args, kwargs, 1, KINDS_VALUE);
  // A range whose length wrapped around 64 bits has a negative one, which starlark-go reports so.
  const n = x instanceof RangeValue ? x.exactLength() : length(x as Value);
  if (n < 0) fail(`len: value of type ${typeName(x as Value)} has no len`);
  return n;
};

/** The elements of an optional iterable argument, as a new list or tuple. */
function collectElements(items: Value | undefined): Value[] {
  if (items === undefined) {
    chargeContainer(0);
    return [];
  }
  const elems = collect(items);
  checkElements(elems.length);
  return elems;
}

const list: BuiltinImpl = (_t, args, kwargs) => {
  const [items] = positional('list', args, kwargs, 0, KINDS_ITERABLE);
  return new StarList(collectElements(items));
};

function minmax(name: 'min' | 'max'): BuiltinImpl {
  return (thread, args, kwargs) => {
    if (args.length === 0) fail(`${name} requires at least one positional argument`);
    const [keyFunc] = named(name, [], kwargs, [{ name: 'key?', kind: 'callable' }]);
    const op = name === 'max' ? CompareOp.GT : CompareOp.LT;
    const iterable = args.length === 1 ? args[0] : args;
    const it = iterate(iterable);
    if (it === undefined) fail(`${name}: ${typeName(iterable)} value is not iterable`);
    try {
      let extremum = it.next();
      if (extremum === undefined) nameErr(name, 'argument is an empty sequence');
      let extremeKey = keyFunc === undefined ? extremum : callValue(thread, keyFunc, [extremum], null);
      for (let x = it.next(); x !== undefined; x = it.next()) {
        chargeWork(1);
        const key = keyFunc === undefined ? x : callValue(thread, keyFunc, [x], null);
        if (withName(name, () => compare(op, key, extremeKey))) {
          extremum = x;
          extremeKey = key;
        }
      }
      return extremum;
    } finally {
      it.done();
    }
  };
}

const ord: BuiltinImpl = (_t, args, kwargs) => {
  noKwargs('ord', kwargs);
  exactlyOne('ord', args);
  const s = args[0];
  if (s instanceof StarBytes) {
    if (s.bytes.length !== 1) fail(`ord: bytes has length ${s.bytes.length}, want 1`);
    return s.bytes.charCodeAt(0);
  }
  if (typeof s !== 'string') fail(`ord: got ${typeName(s)}, want string or bytes`);
  const d = s.length > 0 ? decodeRuneAt(s, 0) : 0;
  if (s.length === 0 || (d & 7) !== s.length) fail(`ord: string encodes ${runeCount(s)} Unicode code points, want 1`);
  return d >> 3;
};

/** print writes bytes as they are, where str() and fail() show them quoted. */
const print: BuiltinImpl = (thread: Thread, args, kwargs) => {
  const [sepArg] = named('print', [], kwargs, [{ name: 'sep?', kind: 'string' }]);
  const sep = (sepArg as string | undefined) ?? ' ';
  thread.print(joinArgs(args.map((v) => (v instanceof StarBytes ? v.bytes : v)), sep));
  return None;
};

const range: BuiltinImpl = (_t, args, kwargs) => {
  const [a, b, c] = positional('range', args, kwargs, 1, KINDS_INT_INT_INT) as (Int | undefined)[];
  let start = a ?? 0;
  let stop = b ?? 0;
  const step = c ?? 1;
  if (args.length === 1) {
    stop = start;
    start = 0;
  }
  if (step === 0) nameErr('range', 'step argument must not be zero');
  return new RangeValue(start, stop, step);
};

const reprBuiltin: BuiltinImpl = (_t, args, kwargs) => {
  const [x] = positional('repr', args, kwargs, 1, KINDS_VALUE);
  return checkString(repr(x as Value));
};

const reversed: BuiltinImpl = (_t, args, kwargs) => {
  const [items] = positional('reversed', args, kwargs, 1, KINDS_ITERABLE);
  return new StarList(collectElements(items).reverse());
};

const set: BuiltinImpl = (_t, args, kwargs) => {
  const [items] = positional('set', args, kwargs, 0, KINDS_ITERABLE);
  return withName('set', () => new StarSet(items === undefined ? [] : collect(items)));
};

const sorted: BuiltinImpl = (thread, args, kwargs) => {
  const [items, key, reverse] = named('sorted', args, kwargs, [
    { name: 'iterable', kind: 'iterable' },
    { name: 'key?', kind: 'callable' },
    { name: 'reverse?', kind: 'bool' },
  ]);
  const values = collect(items as Value);
  checkElements(values.length);
  if (key !== undefined) chargeContainer(values.length);
  const keys = key === undefined ? values : values.map((v) => callValue(thread, key, [v], null));
  let error: StarFail | undefined;
  // Each comparison and each move costs a unit (a comparison more if it visits structures).
  const less = (i: number, j: number): boolean => {
    chargeWork(1);
    try {
      return compare(CompareOp.LT, keys[i], keys[j]);
    } catch (e) {
      if (!(e instanceof StarFail)) throw e;
      rethrowBudget(e);
      chargeWork(ABSORBED_FAILURE);
      error = e;
      return false;
    }
  };
  const swap = (i: number, j: number): void => {
    chargeWork(1);
    if (keys !== values) [keys[i], keys[j]] = [keys[j], keys[i]];
    [values[i], values[j]] = [values[j], values[i]];
  };
  stableSort(reverse === true ? { less: (i, j) => less(j, i), swap } : { less, swap }, values.length);
  if (error !== undefined) throw new StarFail(error.message);
  return new StarList(values);
};

const strBuiltin: BuiltinImpl = (_t, args, kwargs) => {
  noKwargs('str', kwargs);
  exactlyOne('str', args, true);
  const x = args[0];
  if (x instanceof StarBytes) return checkString(utf8Transcode(x.bytes));
  return checkString(str(x));
};

const tuple: BuiltinImpl = (_t, args, kwargs) => {
  const [items] = positional('tuple', args, kwargs, 0, KINDS_ITERABLE);
  return collectElements(items);
};

const type: BuiltinImpl = (_t, args, kwargs) => {
  noKwargs('type', kwargs);
  exactlyOne('type', args, true);
  return typeName(args[0]);
};

/** zip(*iterables): reads them in step, up to the end of the shortest, one row at a time. */
const zip: BuiltinImpl = (_t, args, kwargs) => {
  noKwargs('zip', kwargs);
  const iterators = args.map((seq, i) => {
    const it = iterate(seq);
    if (it === undefined) fail(`zip: argument #${i + 1} is not iterable: ${typeName(seq)}`);
    it.done();
    return it;
  });
  const result: Value[] = [];
  chargeContainer(0);
  if (iterators.length === 0) return new StarList(result);
  for (let i = 0; i < iterators.length; i++) iterators[i] = iterate(args[i]) as StarIterator;
  try {
    for (;;) {
      const row: Value[] = [];
      for (const it of iterators) {
        const x = it.next();
        if (x === undefined) return new StarList(result);
        row.push(x);
      }
      checkElements(result.length + 1);
      chargeWork(1);
      chargeElements(2 + row.length);
      result.push(row);
    }
  } finally {
    for (const it of iterators) it.done();
  }
};

const FUNCTIONS: [string, BuiltinImpl][] = [
  ['abs', abs],
  ['any', any],
  ['all', all],
  ['bool', bool],
  ['bytes', bytes],
  ['chr', chr],
  ['dict', dict],
  ['dir', dir],
  ['enumerate', enumerate],
  ['fail', failBuiltin],
  ['float', float],
  ['getattr', getattr],
  ['hasattr', hasattr],
  ['hash', hash],
  ['int', int],
  ['len', len],
  ['list', list],
  ['max', minmax('max')],
  ['min', minmax('min')],
  ['ord', ord],
  ['print', print],
  ['range', range],
  ['repr', reprBuiltin],
  ['reversed', reversed],
  ['set', set],
  ['sorted', sorted],
  ['str', strBuiltin],
  ['tuple', tuple],
  ['type', type],
  ['zip', zip],
];

/** Every universal name, with its value. */
export const UNIVERSE: ReadonlyMap<string, Value> = new Map<string, Value>([
  ['None', None],
  ['True', true],
  ['False', false],
  ...FUNCTIONS.map(([name, impl]): [string, Value] => [name, new Builtin(name, impl)]),
]);

