import type { Budget } from './budget.js';
import { chargeSplit, produced } from './costs.js';
import type { Span } from './errors.js';
import { pathBase, pathDir } from './paths.js';
import { hasTag } from './tags.js';
import { BOOL, INT, STRING, article, isAny, listOf, type ExprType } from './types.js';
import { runeCount, text, typeFault, valueTypeName, type Value } from './values.js';
import type { ExpressionView } from './view.js';

// The functions an expression may call: expr-lang's built-ins that migration-manager's
// expressions use, and migration-manager's own path_base, path_dir, has_tag and matches_tag.
// Nothing else is callable — in particular no value from the instance is ever called.

/** What is wrong with one argument, found by a function's type check. */
export interface ArgumentProblem {
  argument: number;
  message: string;
}

export interface FunctionDef {
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** How to call it, for messages: `split(text, separator[, count])`. */
  readonly usage: string;
  /** Instance fields it reads besides its arguments. */
  readonly reads: readonly string[];
  /** The result type for these argument types, or what is wrong with one of them. */
  check(args: readonly ExprType[]): ExprType | ArgumentProblem;
  /**
   * Runs it, charging `budget` for what it reads and writes (at the call's span, `at`); argument
   * types are checked again here, since some are only known at run time.
   */
  call(args: readonly Value[], view: ExpressionView, spans: readonly Span[], budget: Budget, at: Span): Value;
}

const accepts = (type: ExprType, kind: ExprType['kind']): boolean => type.kind === kind || isAny(type);

function checkStrings(name: string, result: ExprType, optionalInt = false) {
  return (args: readonly ExprType[]): ExprType | ArgumentProblem => {
    for (let i = 0; i < args.length; i++) {
      const wanted = optionalInt && i === 2 ? 'int' : 'string';
      if (!accepts(args[i]!, wanted)) return { argument: i, message: `${name} needs ${wanted === 'int' ? 'an int' : 'a string'} here, got ${article(args[i]!)}` };
    }
    return result;
  };
}

const strings = (args: readonly Value[], name: string, spans: readonly Span[]): string[] =>
  args.map((arg, i) => text(arg, name, spans[i]!));

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
 * Go's strings.SplitN: n < 0 all parts, n == 0 none, n > 0 at most n parts; "" splits into code
 * points. With a count, nothing beyond the parts returned is built.
 */
export function splitText(value: string, separator: string, count = -1): string[] {
  if (count === 0) return [];
  if (separator !== '' && count < 0) return value.split(separator);
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
    parts.push(value.slice(start, at));
    start = at + separator.length;
  }
  if (separator !== '' || start < value.length) parts.push(value.slice(start));
  return parts;
}

/** A string function: reads its text, then writes (and allocates) its result. */
function rewritten(value: string, rewrite: (value: string) => string, budget: Budget, at: Span): string {
  budget.charge(value.length, at);
  const result = rewrite(value);
  produced(budget, result.length, at);
  return result;
}

const DEFINITIONS: FunctionDef[] = [
  {
    name: 'len',
    minArgs: 1,
    maxArgs: 1,
    usage: 'len(list | map | string)',
    reads: [],
    check: ([arg]) => {
      const kind = arg!.kind;
      if (kind === 'list' || kind === 'map' || kind === 'string' || kind === 'any') return INT;
      return { argument: 0, message: `len needs a list, a map or a string, got ${article(arg!)}` };
    },
    call: ([arg], _view, [span], budget, at) => {
      if (typeof arg === 'string') {
        budget.charge(arg.length, at);
        return runeCount(arg);
      }
      if (Array.isArray(arg)) return arg.length;
      if (arg instanceof Map) return arg.size;
      throw typeFault(`len needs a list, a map or a string, got ${valueTypeName(arg!)}`, span!);
    },
  },
  {
    name: 'hasPrefix',
    minArgs: 2,
    maxArgs: 2,
    usage: 'hasPrefix(text, prefix)',
    reads: [],
    check: checkStrings('hasPrefix', BOOL),
    call: (args, _view, spans, budget, at) => {
      const [value, prefix] = strings(args, 'hasPrefix', spans);
      budget.charge(Math.min(value!.length, prefix!.length), at);
      return value!.startsWith(prefix!);
    },
  },
  {
    name: 'hasSuffix',
    minArgs: 2,
    maxArgs: 2,
    usage: 'hasSuffix(text, suffix)',
    reads: [],
    check: checkStrings('hasSuffix', BOOL),
    call: (args, _view, spans, budget, at) => {
      const [value, suffix] = strings(args, 'hasSuffix', spans);
      budget.charge(Math.min(value!.length, suffix!.length), at);
      return value!.endsWith(suffix!);
    },
  },
  {
    name: 'lower',
    minArgs: 1,
    maxArgs: 1,
    usage: 'lower(text)',
    reads: [],
    check: checkStrings('lower', STRING),
    call: (args, _view, spans, budget, at) => rewritten(strings(args, 'lower', spans)[0]!, (value) => value.toLowerCase(), budget, at),
  },
  {
    name: 'upper',
    minArgs: 1,
    maxArgs: 1,
    usage: 'upper(text)',
    reads: [],
    check: checkStrings('upper', STRING),
    call: (args, _view, spans, budget, at) => rewritten(strings(args, 'upper', spans)[0]!, (value) => value.toUpperCase(), budget, at),
  },
  {
    name: 'trim',
    minArgs: 1,
    maxArgs: 2,
    usage: 'trim(text[, characters])',
    reads: [],
    check: checkStrings('trim', STRING),
    call: (args, _view, spans, budget, at) => {
      const [value, cutset] = strings(args, 'trim', spans);
      budget.charge(cutset?.length ?? 0, at);
      return rewritten(value!, (text) => (cutset === undefined ? trimSpace(text) : trimCutset(text, cutset)), budget, at);
    },
  },
  {
    name: 'split',
    minArgs: 2,
    maxArgs: 3,
    usage: 'split(text, separator[, count])',
    reads: [],
    check: checkStrings('split', listOf(STRING), true),
    call: (args, _view, spans, budget, at) => {
      const value = text(args[0]!, 'split', spans[0]!);
      const separator = text(args[1]!, 'split', spans[1]!);
      const count = args.length < 3 ? -1 : args[2];
      if (typeof count !== 'number' || !Number.isInteger(count)) throw typeFault(`split needs an int count, got ${valueTypeName(count!)}`, spans[2]!);
      chargeSplit(budget, value, separator, count, at);
      return splitText(value, separator, count);
    },
  },
  {
    name: 'path_base',
    minArgs: 1,
    maxArgs: 1,
    usage: 'path_base(path)',
    reads: [],
    check: checkStrings('path_base', STRING),
    call: (args, _view, spans, budget, at) => rewritten(strings(args, 'path_base', spans)[0]!, pathBase, budget, at),
  },
  {
    name: 'path_dir',
    minArgs: 1,
    maxArgs: 1,
    usage: 'path_dir(path)',
    reads: [],
    check: checkStrings('path_dir', STRING),
    call: (args, _view, spans, budget, at) => rewritten(strings(args, 'path_dir', spans)[0]!, pathDir, budget, at),
  },
  {
    name: 'has_tag',
    minArgs: 2,
    maxArgs: 2,
    usage: 'has_tag(category, tag)',
    reads: ['config'],
    check: checkStrings('has_tag', BOOL),
    call: (args, view, spans, budget, at) => {
      const [category, tag] = strings(args, 'has_tag', spans);
      return hasTag(view.config, category!, tag!, false, budget, at);
    },
  },
  {
    name: 'matches_tag',
    minArgs: 2,
    maxArgs: 2,
    usage: 'matches_tag(category, text)',
    reads: ['config'],
    check: checkStrings('matches_tag', BOOL),
    call: (args, view, spans, budget, at) => {
      const [category, tag] = strings(args, 'matches_tag', spans);
      return hasTag(view.config, category!, tag!, true, budget, at);
    },
  },
];

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(DEFINITIONS.map((definition) => [definition.name, definition]));

/** Predicates take a list and an expression evaluated once per element (`#`, `.field`). */
export const PREDICATE_USAGE: Readonly<Record<string, string>> = {
  all: 'all(list, predicate)',
  any: 'any(list, predicate)',
  none: 'none(list, predicate)',
  one: 'one(list, predicate)',
  filter: 'filter(list, predicate)',
  map: 'map(list, expression)',
  count: 'count(list[, predicate])',
};
