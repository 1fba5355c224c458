// Methods of string values (starlark-go's stringMethods). Strings are byte strings; methods
// that deal in characters decode UTF-8 code points as Go does.

import { fail, nameErr } from '../eval/errors.js';
import { indices } from '../eval/index-ops.js';
import { collect } from '../eval/iterate.js';
import { chargeContainer, chargeElements, chargeRunes, chargeScan, chargeString, chargeWork, checkElements, checkStringLength, SHORT_STRING } from '../eval/limits.js';
import { StarList } from '../values/list.js';
import { StringCodepoints, StringElems } from '../values/string-iterable.js';
import { None, typeName, type Kwargs, type Value } from '../values/value.js';
import { bytesOfRunes, decodeRuneAt, isAscii, runeCount, runesOf } from '../text/utf8.js';
import { hasOtherCase, isDigit, isLetter, isLower, isSpace, isTitle, isUpper, simpleLower, simpleTitle, simpleUpper } from '../text/unicode.js';
import { intArg, positional, type ArgKind } from './args.js';
import { formatString } from './format.js';
import type { MethodImpl } from './method.js';

// Argument kinds, allocated once rather than on every call.
const KINDS_BOOL: readonly ArgKind[] = ['bool'];
const KINDS_ITERABLE: readonly ArgKind[] = ['iterable'];
const KINDS_NONE: readonly ArgKind[] = [];
const KINDS_STRING: readonly ArgKind[] = ['string'];
const KINDS_STRING_STRING_INT: readonly ArgKind[] = ['string', 'string', 'int'];
const KINDS_STRING_VALUE_VALUE: readonly ArgKind[] = ['string', 'value', 'value'];
const KINDS_VALUE_INT: readonly ArgKind[] = ['value', 'int'];
const KINDS_VALUE_VALUE_VALUE: readonly ArgKind[] = ['value', 'value', 'value'];

// Charges: methods that scan or copy with native string code cost a unit per 16 bytes of their
// input and output; those that decode characters one by one cost a unit per byte.

function mapRunes(s: string, f: (r: number, i: number) => number): string {
  chargeRunes(s.length);
  chargeString(s.length);
  return bytesOfRunes(runesOf(s).map(f));
}

export function toLower(s: string): string {
  if (!isAscii(s)) return mapRunes(s, simpleLower);
  chargeString(s.length);
  return s.toLowerCase();
}

export function toUpper(s: string): string {
  if (!isAscii(s)) return mapRunes(s, simpleUpper);
  chargeString(s.length);
  return s.toUpperCase();
}

function isCasedRune(r: number): boolean {
  return (r >= 97 && r <= 122) || (r >= 65 && r <= 90) || hasOtherCase(r);
}

function isCasedString(s: string): boolean {
  chargeRunes(s.length);
  return runesOf(s).some(isCasedRune);
}

/**
 * Go's strings.Count: non-overlapping occurrences, at most `limit`; an empty needle counts
 * runes + 1. Charged for the bytes scanned and a unit per occurrence.
 */
function countOccurrences(s: string, sub: string, limit = Infinity): number {
  if (sub === '') {
    chargeRunes(s.length);
    return Math.min(runeCount(s) + 1, limit);
  }
  chargeScan(s.length);
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0 && n < limit; i = s.indexOf(sub, i + sub.length)) n++;
  chargeWork(n);
  return n;
}

/** Go's strings.Replace; the size of the result is checked and charged before it is built. */
function replace(s: string, old: string, replacement: string, n: number): string {
  if (old === replacement || n === 0) return s;
  if (n < 0 && old !== '') {
    chargeScan(s.length);
    const parts = s.split(old);
    chargeElements(parts.length);
    replaced(s, old, replacement, parts.length - 1);
    return parts.join(replacement);
  }
  replaced(s, old, replacement, countOccurrences(s, old, n < 0 ? Infinity : n));
  if (old === '') {
    const runes: string[] = [];
    for (let i = 0; i < s.length; ) {
      const size = decodeRuneAt(s, i) & 7;
      runes.push(s.slice(i, i + size));
      i += size;
    }
    const limit = n < 0 ? runes.length + 1 : Math.min(n, runes.length + 1);
    let out = '';
    for (let i = 0; i <= runes.length; i++) {
      if (i < limit) out += replacement;
      if (i < runes.length) out += runes[i];
    }
    return out;
  }
  let out = '';
  let start = 0;
  let count = 0;
  for (let i = s.indexOf(old); i >= 0 && (n < 0 || count < n); i = s.indexOf(old, start)) {
    out += s.slice(start, i) + replacement;
    start = i + old.length;
    count++;
  }
  return out + s.slice(start);
}

/** Checks and charges the result of replacing `matches` occurrences, before it is built. */
function replaced(s: string, old: string, replacement: string, matches: number): void {
  const size = s.length + matches * (replacement.length - old.length);
  checkStringLength(size);
  chargeString(size);
}

/** Go's strings.SplitAfter. */
function splitAfter(s: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = s.indexOf(sep); i >= 0; i = s.indexOf(sep, start)) {
    out.push(s.slice(start, i + sep.length));
    start = i + sep.length;
  }
  out.push(s.slice(start));
  return out;
}

/** strings.Fields. */
function fields(s: string): string[] {
  return splitSpace(s, -1);
}

function splitSpace(s: string, max: number): string[] {
  const res: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; ) {
    const d = decodeRuneAt(s, i);
    const size = d & 7;
    if (isSpace(d >> 3)) {
      if (start >= 0) {
        if (res.length === max) break;
        res.push(s.slice(start, i));
        start = -1;
      }
    } else if (start === -1) {
      start = i;
    }
    i += size;
  }
  if (start >= 0) res.push(s.slice(start));
  return res;
}

/** Decodes the rune ending at byte `end` (Go's DecodeLastRuneInString); returns rune*8+size. */
function decodeLastRune(s: string, end: number): number {
  for (let size = 1; size <= 4 && end - size >= 0; size++) {
    const start = end - size;
    const b = s.charCodeAt(start);
    if (size === 1 && b < 0x80) return b * 8 + 1;
    if ((b & 0xc0) !== 0x80) {
      const d = decodeRuneAt(s, start);
      return (d & 7) === size ? d : 0xfffd * 8 + 1;
    }
  }
  return 0xfffd * 8 + 1;
}

function rsplitSpace(s: string, max: number): string[] {
  const res: string[] = [];
  let end = -1;
  let i = s.length;
  while (i > 0) {
    const d = decodeLastRune(s, i);
    const size = d & 7;
    if (isSpace(d >> 3)) {
      if (end >= 0) {
        if (res.length === max) break;
        res.push(s.slice(i, end));
        end = -1;
      }
    } else if (end < 0) {
      end = i;
    }
    i -= size;
  }
  if (end >= 0) res.push(s.slice(0, end));
  return res.reverse();
}

function trimFunc(s: string, left: boolean, right: boolean, inSet: (r: number) => boolean): string {
  let start = 0;
  let end = s.length;
  if (left) {
    while (start < end) {
      const d = decodeRuneAt(s, start);
      if (!inSet(d >> 3)) break;
      start += d & 7;
    }
  }
  if (right) {
    while (end > start) {
      const d = decodeLastRune(s, end);
      if (!inSet(d >> 3)) break;
      end -= d & 7;
    }
  }
  return s.slice(start, end);
}

/** A list of the parts of a string: a unit per part, and the parts' bytes, already copied. */
function list(strings: string[]): StarList {
  checkElements(strings.length);
  chargeContainer(strings.length);
  let bytes = 0;
  for (const part of strings) bytes += part.length;
  chargeString(bytes);
  return new StarList(strings);
}

function strip(s: string, name: string, args: Value[], kwargs: Kwargs | null): string {
  const [chars] = positional(name, args, kwargs, 0, KINDS_STRING);
  const left = name !== 'rstrip';
  const right = name !== 'lstrip';
  chargeRunes(s.length);
  if (chars !== undefined && chars !== '') {
    chargeRunes((chars as string).length);
    const set = new Set(runesOf(chars as string));
    return trimFunc(s, left, right, (r) => set.has(r));
  }
  return trimFunc(s, left, right, isSpace);
}

function findImpl(s: string, name: string, args: Value[], kwargs: Kwargs | null, allowError: boolean, last: boolean): Value {
  const [sub, startArg, endArg] = positional(name, args, kwargs, 1, KINDS_STRING_VALUE_VALUE);
  let start: number;
  let end: number;
  try {
    [start, end] = indices(startArg ?? None, endArg ?? None, s.length);
  } catch (e) {
    return nameErr(name, (e as { message: string }).message);
  }
  const slice = start < end ? s.slice(start, end) : '';
  chargeScan(slice.length);
  const i = last ? slice.lastIndexOf(sub as string) : slice.indexOf(sub as string);
  if (i < 0) {
    if (!allowError) nameErr(name, 'substring not found');
    return -1;
  }
  return i + start;
}

function startsOrEnds(s: string, name: string, args: Value[], kwargs: Kwargs | null): Value {
  const [x, startArg, endArg] = positional(name, args, kwargs, 1, KINDS_VALUE_VALUE_VALUE);
  if (startArg === undefined && typeof x === 'string') {
    if (x.length >= SHORT_STRING) chargeScan(x.length);
    return name === 'startswith' ? s.startsWith(x) : s.endsWith(x);
  }
  let start: number;
  let end: number;
  try {
    [start, end] = indices(startArg ?? None, endArg ?? None, s.length);
  } catch (e) {
    return nameErr(name, (e as { message: string }).message);
  }
  if (end < start) end = start;
  const sub = s.slice(start, end);
  const test = name === 'startswith' ? (p: string) => sub.startsWith(p) : (p: string) => sub.endsWith(p);
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const p = x[i];
      if (typeof p !== 'string') fail(`${name}: want string, got ${typeName(p)}, for element ${i}`);
      chargeWork(1);
      chargeScan(p.length);
      if (test(p)) return true;
    }
    return false;
  }
  if (typeof x === 'string') {
    chargeScan(x.length);
    return test(x);
  }
  return fail(`${name}: got ${typeName(x as Value)}, want string or tuple of string`);
}

function iterable(ords: boolean, codepoints: boolean): MethodImpl {
  return (_t, recv, args, kwargs, name) => {
    positional(name, args, kwargs, 0, KINDS_NONE);
    return codepoints ? new StringCodepoints(recv as string, ords) : new StringElems(recv as string, ords);
  };
}

function predicate(test: (s: string) => boolean): MethodImpl {
  return (_t, recv, args, kwargs, name) => {
    positional(name, args, kwargs, 0, KINDS_NONE);
    return test(recv as string);
  };
}

function allRunes(s: string, test: (r: number) => boolean): boolean {
  chargeRunes(s.length);
  return s !== '' && runesOf(s).every(test);
}

function isTitleString(s: string): boolean {
  chargeRunes(s.length);
  let cased = false;
  let prevCased = false;
  for (const r of runesOf(s)) {
    if ((r >= 65 && r <= 90) || isTitle(r)) {
      if (prevCased) return false;
      prevCased = true;
      cased = true;
    } else if (isLower(r)) {
      if (!prevCased) return false;
      prevCased = true;
      cased = true;
    } else if (isUpper(r)) {
      return false;
    } else {
      prevCased = false;
    }
  }
  return cased;
}

function split(s: string, name: string, args: Value[], kwargs: Kwargs | null): Value {
  const [sepArg, maxArg] = positional(name, args, kwargs, 0, KINDS_VALUE_INT);
  const maxsplit = intArg(maxArg, -1);
  if (sepArg === undefined || sepArg === None) {
    chargeRunes(s.length);
    if (maxsplit < 0) return list(fields(s));
    return list(name === 'split' ? splitSpace(s, maxsplit) : rsplitSpace(s, maxsplit));
  }
  if (typeof sepArg !== 'string') fail(`split: got ${typeName(sepArg)} for separator, want string`);
  const sep = sepArg;
  if (sep === '') fail('split: empty separator');
  chargeScan(s.length);
  let res = s.split(sep);
  if (maxsplit >= 0) {
    if (name === 'split') {
      if (res.length > maxsplit + 1) res = [...res.slice(0, maxsplit), res.slice(maxsplit).join(sep)];
    } else {
      const excess = res.length - maxsplit;
      if (excess > 0) res = [res.slice(0, excess).join(sep), ...res.slice(excess)];
    }
  }
  return list(res);
}

const partition: MethodImpl = (_t, recv, args, kwargs, name) => {
  const s = recv as string;
  const [sepArg] = positional(name, args, kwargs, 1, KINDS_STRING);
  const sep = sepArg as string;
  if (sep === '') nameErr(name, 'empty separator');
  chargeScan(s.length);
  chargeContainer(3);
  const i = name === 'partition' ? s.indexOf(sep) : s.lastIndexOf(sep);
  if (i < 0) return name === 'partition' ? [s, '', ''] : ['', '', s];
  chargeString(s.length);
  return [s.slice(0, i), sep, s.slice(i + sep.length)];
};

export const STRING_METHODS: ReadonlyMap<string, MethodImpl> = new Map<string, MethodImpl>([
  [
    'capitalize',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      return mapRunes(recv as string, (r, i) => (i === 0 ? simpleTitle(r) : simpleLower(r)));
    },
  ],
  ['codepoint_ords', iterable(true, true)],
  ['codepoints', iterable(false, true)],
  [
    'count',
    (_t, recv, args, kwargs, name) => {
      const s = recv as string;
      const [sub, startArg, endArg] = positional(name, args, kwargs, 1, KINDS_STRING_VALUE_VALUE);
      let start: number;
      let end: number;
      try {
        [start, end] = indices(startArg ?? None, endArg ?? None, s.length);
      } catch (e) {
        return nameErr(name, (e as { message: string }).message);
      }
      return countOccurrences(start < end ? s.slice(start, end) : '', sub as string);
    },
  ],
  ['elem_ords', iterable(true, false)],
  ['elems', iterable(false, false)],
  ['endswith', (_t, recv, args, kwargs, name) => startsOrEnds(recv as string, name, args, kwargs)],
  ['find', (_t, recv, args, kwargs, name) => findImpl(recv as string, name, args, kwargs, true, false)],
  ['format', (_t, recv, args, kwargs) => formatString(recv as string, args, kwargs)],
  ['index', (_t, recv, args, kwargs, name) => findImpl(recv as string, name, args, kwargs, false, false)],
  ['isalnum', predicate((s) => allRunes(s, (r) => isLetter(r) || isDigit(r)))],
  ['isalpha', predicate((s) => allRunes(s, isLetter))],
  ['isdigit', predicate((s) => allRunes(s, isDigit))],
  ['islower', predicate((s) => isCasedString(s) && s === toLower(s))],
  ['isspace', predicate((s) => allRunes(s, isSpace))],
  ['istitle', predicate(isTitleString)],
  ['isupper', predicate((s) => isCasedString(s) && s === toUpper(s))],
  [
    'join',
    (_t, recv, args, kwargs, name) => {
      const [items] = positional(name, args, kwargs, 1, KINDS_ITERABLE);
      const parts = collect(items as Value);
      const sep = recv as string;
      let total = sep.length * Math.max(parts.length - 1, 0);
      for (const part of parts) {
        if (typeof part !== 'string') fail(`join: in list, want string, got ${typeName(part)}`);
        total += part.length;
      }
      checkStringLength(total);
      chargeString(total);
      return (parts as string[]).join(sep);
    },
  ],
  [
    'lower',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      return toLower(recv as string);
    },
  ],
  ['lstrip', (_t, recv, args, kwargs, name) => strip(recv as string, name, args, kwargs)],
  ['partition', partition],
  [
    'removeprefix',
    (_t, recv, args, kwargs, name) => {
      const [fix] = positional(name, args, kwargs, 1, KINDS_STRING);
      const s = recv as string;
      if (!s.startsWith(fix as string)) return s;
      chargeString(s.length - (fix as string).length);
      return s.slice((fix as string).length);
    },
  ],
  [
    'removesuffix',
    (_t, recv, args, kwargs, name) => {
      const [fix] = positional(name, args, kwargs, 1, KINDS_STRING);
      const s = recv as string;
      if (!s.endsWith(fix as string)) return s;
      chargeString(s.length - (fix as string).length);
      return s.slice(0, s.length - (fix as string).length);
    },
  ],
  [
    'replace',
    (_t, recv, args, kwargs, name) => {
      const [old, replacement, count] = positional(name, args, kwargs, 2, KINDS_STRING_STRING_INT);
      return replace(recv as string, old as string, replacement as string, intArg(count, -1));
    },
  ],
  ['rfind', (_t, recv, args, kwargs, name) => findImpl(recv as string, name, args, kwargs, true, true)],
  ['rindex', (_t, recv, args, kwargs, name) => findImpl(recv as string, name, args, kwargs, false, true)],
  ['rpartition', partition],
  ['rsplit', (_t, recv, args, kwargs, name) => split(recv as string, name, args, kwargs)],
  ['rstrip', (_t, recv, args, kwargs, name) => strip(recv as string, name, args, kwargs)],
  ['split', (_t, recv, args, kwargs, name) => split(recv as string, name, args, kwargs)],
  [
    'splitlines',
    (_t, recv, args, kwargs, name) => {
      const [keepends] = positional(name, args, kwargs, 0, KINDS_BOOL);
      const s = recv as string;
      if (s === '') return new StarList([]);
      chargeScan(s.length);
      let lines = keepends === true ? splitAfter(s, '\n') : s.split('\n');
      if (s.endsWith('\n')) lines = lines.slice(0, -1);
      return list(lines);
    },
  ],
  ['startswith', (_t, recv, args, kwargs, name) => startsOrEnds(recv as string, name, args, kwargs)],
  ['strip', (_t, recv, args, kwargs, name) => strip(recv as string, name, args, kwargs)],
  [
    'title',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      let prevCased = false;
      return mapRunes(recv as string, (r) => {
        const out = prevCased ? simpleLower(r) : simpleTitle(r);
        prevCased = isCasedRune(out);
        return out;
      });
    },
  ],
  [
    'upper',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      return toUpper(recv as string);
    },
  ],
]);
