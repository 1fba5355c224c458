import { define, overloads, rewritten, strings } from './builtin-support.js';
import { chargeSplit, produced } from './costs.js';
import { ExprFault } from './errors.js';
import type { FunctionDef } from './functions.js';
import { BOOL, INT, STRING, article, isAny, isStringLike, listOf } from './types.js';
import { goLower, goUpper } from './unicode-case.js';
import { byteLength, integer, list, text, typeFault, valueTypeName } from './values.js';

// expr-lang's string functions, with Go's strings package semantics: byte offsets for indexOf,
// rune-by-rune simple case mapping for upper and lower, TrimSpace's idea of white space.

// Go's unicode.IsSpace, which strings.TrimSpace uses (JavaScript's trim() also strips U+FEFF and keeps U+0085).
const GO_SPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]);
const isGoSpace = (unit: number): boolean => GO_SPACE.has(unit) || (unit >= 0x2000 && unit <= 0x200a);

/** Go's strings.TrimSpace, by scanning from both ends (a regular expression would be quadratic on long runs of spaces). */
function trimSpace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isGoSpace(value.charCodeAt(start))) start++;
  while (end > start && isGoSpace(value.charCodeAt(end - 1))) end--;
  return value.slice(start, end);
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** The width in UTF-16 units of the code point that starts at `i` (a lone surrogate is one). */
function widthAt(value: string, i: number): number {
  return isHighSurrogate(value.charCodeAt(i)) && isLowSurrogate(value.charCodeAt(i + 1)) ? 2 : 1;
}

/** The width in UTF-16 units of the code point that ends at `i`. */
function widthBefore(value: string, i: number): number {
  return i >= 2 && isLowSurrogate(value.charCodeAt(i - 1)) && isHighSurrogate(value.charCodeAt(i - 2)) ? 2 : 1;
}

/** Go's strings.Trim: code points of `cutset` removed from both ends. */
function trimCutset(value: string, cutset: string): string {
  const cut = new Set(Array.from(cutset));
  let start = 0;
  let end = value.length;
  while (start < end) {
    const width = widthAt(value, start);
    if (!cut.has(value.slice(start, start + width))) break;
    start += width;
  }
  while (end > start) {
    const width = widthBefore(value, end);
    if (!cut.has(value.slice(end - width, end))) break;
    end -= width;
  }
  return value.slice(start, end);
}

/**
 * Go's strings.SplitN (and, with `after`, SplitAfterN): n < 0 all parts, n == 0 none, n > 0 at
 * most n parts; "" splits into code points. With a count, nothing beyond the parts returned is built.
 */
export function splitText(value: string, separator: string, count = -1, after = false): string[] {
  if (count === 0) return [];
  if (separator !== '' && count < 0 && !after) return value.split(separator);
  const parts: string[] = [];
  let start = 0;
  while (start < value.length && (count < 0 || parts.length < count - 1)) {
    if (separator === '') {
      const width = widthAt(value, start);
      parts.push(value.slice(start, start + width));
      start += width;
      continue;
    }
    const at = value.indexOf(separator, start);
    if (at < 0) break;
    parts.push(value.slice(start, after ? at + separator.length : at));
    start = at + separator.length;
  }
  if (separator !== '' || start < value.length) parts.push(value.slice(start));
  return parts;
}

/** Go's strings.Replace: n < 0 every occurrence; an empty `old` matches before every rune and at the end. */
function replaceText(value: string, old: string, replacement: string, count: number): string {
  if (count === 0 || (old === replacement)) return value;
  let out = '';
  let start = 0;
  let done = 0;
  if (old === '') {
    for (const character of value) {
      if (count >= 0 && done >= count) break;
      out += replacement + character;
      start += character.length;
      done++;
    }
    if (start === value.length && (count < 0 || done < count)) return out + replacement;
    return out + value.slice(start);
  }
  for (;;) {
    if (count >= 0 && done >= count) break;
    const at = value.indexOf(old, start);
    if (at < 0) break;
    out += value.slice(start, at) + replacement;
    start = at + old.length;
    done++;
  }
  return out + value.slice(start);
}

/** A count argument (runtime.ToInt), which must be small enough to count with. */
const countOf = (value: Parameters<typeof integer>[0], name: string, at: Parameters<typeof integer>[2]): number => Number(integer(value, name, at));

export const TEXT_FUNCTIONS: readonly FunctionDef[] = [
  define({
    name: 'trim',
    minArgs: 1,
    maxArgs: 2,
    usage: 'trim(text[, characters])',
    check: overloads('trim', [['string'], STRING], [['string', 'string'], STRING]),
    call: (args, _view, spans, budget, at) => {
      const [value, cutset] = strings(args, 'trim', spans);
      budget.charge(cutset?.length ?? 0, at);
      return rewritten(value!, (source) => (cutset === undefined ? trimSpace(source) : trimCutset(source, cutset)), budget, at);
    },
  }),
  define({
    name: 'trimPrefix',
    minArgs: 1,
    maxArgs: 2,
    usage: 'trimPrefix(text[, prefix])',
    check: overloads('trimPrefix', [['string', 'string'], STRING], [['string'], STRING]),
    call: (args, _view, spans, budget, at) => {
      const [value, prefix = ' '] = strings(args, 'trimPrefix', spans);
      budget.charge(prefix.length, at);
      return rewritten(value!, (source) => (source.startsWith(prefix) ? source.slice(prefix.length) : source), budget, at);
    },
  }),
  define({
    name: 'trimSuffix',
    minArgs: 1,
    maxArgs: 2,
    usage: 'trimSuffix(text[, suffix])',
    check: overloads('trimSuffix', [['string', 'string'], STRING], [['string'], STRING]),
    call: (args, _view, spans, budget, at) => {
      const [value, suffix = ' '] = strings(args, 'trimSuffix', spans);
      budget.charge(suffix.length, at);
      return rewritten(value!, (source) => (source.endsWith(suffix) ? source.slice(0, source.length - suffix.length) : source), budget, at);
    },
  }),
  define({
    name: 'upper',
    minArgs: 1,
    maxArgs: 1,
    usage: 'upper(text)',
    check: overloads('upper', [['string'], STRING]),
    call: (args, _view, spans, budget, at) => rewritten(strings(args, 'upper', spans)[0]!, goUpper, budget, at),
  }),
  define({
    name: 'lower',
    minArgs: 1,
    maxArgs: 1,
    usage: 'lower(text)',
    check: overloads('lower', [['string'], STRING]),
    call: (args, _view, spans, budget, at) => rewritten(strings(args, 'lower', spans)[0]!, goLower, budget, at),
  }),
  ...(['split', 'splitAfter'] as const).map((name) => define({
    name,
    minArgs: 2,
    maxArgs: 3,
    usage: `${name}(text, separator[, count])`,
    check: overloads(name, [['string', 'string'], { ...listOf(STRING), typed: true }], [['string', 'string', 'int'], { ...listOf(STRING), typed: true }]),
    call: (args, _view, spans, budget, at) => {
      const value = text(args[0]!, name, spans[0]!);
      const separator = text(args[1]!, name, spans[1]!);
      const count = args.length < 3 ? -1 : countOf(args[2]!, name, spans[2]!);
      chargeSplit(budget, value, separator, count, at);
      return splitText(value, separator, count, name === 'splitAfter');
    },
  })),
  define({
    name: 'replace',
    minArgs: 3,
    maxArgs: 4,
    usage: 'replace(text, old, new[, count])',
    check: overloads('replace', [['string', 'string', 'string', 'int'], STRING], [['string', 'string', 'string'], STRING]),
    call: (args, _view, spans, budget, at) => {
      const [value, old, replacement] = strings(args.slice(0, 3), 'replace', spans);
      const count = args.length < 4 ? -1 : countOf(args[3]!, 'replace', spans[3]!);
      // At most one replacement per character and one more, charged before they are made.
      const occurrences = old === '' ? value!.length + 1 : Math.floor(value!.length / old!.length);
      const bound = value!.length + (count < 0 ? occurrences : Math.min(occurrences, count)) * replacement!.length;
      budget.charge(value!.length + old!.length, at);
      produced(budget, bound, at);
      return replaceText(value!, old!, replacement!, count);
    },
  }),
  define({
    name: 'repeat',
    minArgs: 2,
    maxArgs: 2,
    usage: 'repeat(text, count)',
    check: overloads('repeat', [['string', 'int'], STRING]),
    call: (args, _view, spans, budget, at) => {
      const value = text(args[0]!, 'repeat', spans[0]!);
      const count = integer(args[1]!, 'repeat', spans[1]!);
      if (count < 0) throw typeFault(`invalid argument for repeat (expected positive integer, got ${count})`, spans[1]!);
      // expr-lang refuses more than a million repetitions, whatever their length.
      if (count > 1_000_000) throw new ExprFault('expr-budget', 'memory budget exceeded: repeat makes at most 1,000,000 copies', at, { kind: 'allocation', limit: 1_000_000 });
      produced(budget, value.length * Number(count), at);
      return value.repeat(Number(count));
    },
  }),
  define({
    name: 'join',
    minArgs: 1,
    maxArgs: 2,
    usage: 'join(list[, separator])',
    check: ([items, separator]) => {
      if (items!.kind === 'list' && !isAny(items!.element) && !isStringLike(items!.element)) return { argument: 0, message: `join needs a list of strings, got ${article(items!)}` };
      if (items!.kind !== 'list' && !isAny(items!)) return { argument: 0, message: `join needs a list of strings, got ${article(items!)}` };
      if (separator && !isStringLike(separator) && !isAny(separator)) return { argument: 1, message: `join needs a string separator, got ${article(separator)}` };
      return STRING;
    },
    call: (args, _view, spans, budget, at) => {
      const items = list(args[0]!, 'join', spans[0]!);
      const separator = args.length > 1 ? text(args[1]!, 'join', spans[1]!) : '';
      const parts = items.map((item) => {
        if (typeof item !== 'string') throw typeFault(`join needs a list of strings, found ${valueTypeName(item)}`, spans[0]!);
        return item;
      });
      const length = parts.reduce((sum, part) => sum + part.length, 0) + Math.max(parts.length - 1, 0) * separator.length;
      produced(budget, length, at);
      return parts.join(separator);
    },
  }),
  ...(['indexOf', 'lastIndexOf'] as const).map((name) => define({
    name,
    minArgs: 2,
    maxArgs: 2,
    usage: `${name}(text, part)`,
    check: overloads(name, [['string', 'string'], INT]),
    call: (args, _view, spans, budget, at) => {
      const [value, part] = strings(args, name, spans);
      budget.charge(value!.length + part!.length, at);
      const found = name === 'indexOf' ? value!.indexOf(part!) : value!.lastIndexOf(part!);
      // Go counts bytes of UTF-8.
      return found < 0 ? -1 : byteLength(value!.slice(0, found));
    },
  })),
  define({
    name: 'hasPrefix',
    minArgs: 2,
    maxArgs: 2,
    usage: 'hasPrefix(text, prefix)',
    check: overloads('hasPrefix', [['string', 'string'], BOOL]),
    call: (args, _view, spans, budget, at) => {
      const [value, prefix] = strings(args, 'hasPrefix', spans);
      budget.charge(Math.min(value!.length, prefix!.length), at);
      return value!.startsWith(prefix!);
    },
  }),
  define({
    name: 'hasSuffix',
    minArgs: 2,
    maxArgs: 2,
    usage: 'hasSuffix(text, suffix)',
    check: overloads('hasSuffix', [['string', 'string'], BOOL]),
    call: (args, _view, spans, budget, at) => {
      const [value, suffix] = strings(args, 'hasSuffix', spans);
      budget.charge(Math.min(value!.length, suffix!.length), at);
      return value!.endsWith(suffix!);
    },
  }),
];
