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
  /** Runs it; argument types are checked again here, since some are only known at run time. */
  call(args: readonly Value[], view: ExpressionView, spans: readonly Span[]): Value;
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
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const TRIM_SPACE = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');

function trimCutset(value: string, cutset: string): string {
  const cut = new Set(Array.from(cutset));
  const chars = Array.from(value);
  let start = 0;
  let end = chars.length;
  while (start < end && cut.has(chars[start]!)) start++;
  while (end > start && cut.has(chars[end - 1]!)) end--;
  return chars.slice(start, end).join('');
}

/** Go's strings.SplitN: n < 0 all parts, n == 0 none, n > 0 at most n parts; "" splits into code points. */
export function splitText(value: string, separator: string, count = -1): string[] {
  if (count === 0) return [];
  if (separator === '') {
    const chars = Array.from(value);
    if (count < 0 || count >= chars.length) return chars;
    return [...chars.slice(0, count - 1), chars.slice(count - 1).join('')];
  }
  const parts = value.split(separator);
  if (count < 0 || parts.length <= count) return parts;
  return [...parts.slice(0, count - 1), parts.slice(count - 1).join(separator)];
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
    call: ([arg], _view, [span]) => {
      if (typeof arg === 'string') return runeCount(arg);
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
    call: (args, _view, spans) => {
      const [value, prefix] = strings(args, 'hasPrefix', spans);
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
    call: (args, _view, spans) => {
      const [value, suffix] = strings(args, 'hasSuffix', spans);
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
    call: (args, _view, spans) => strings(args, 'lower', spans)[0]!.toLowerCase(),
  },
  {
    name: 'upper',
    minArgs: 1,
    maxArgs: 1,
    usage: 'upper(text)',
    reads: [],
    check: checkStrings('upper', STRING),
    call: (args, _view, spans) => strings(args, 'upper', spans)[0]!.toUpperCase(),
  },
  {
    name: 'trim',
    minArgs: 1,
    maxArgs: 2,
    usage: 'trim(text[, characters])',
    reads: [],
    check: checkStrings('trim', STRING),
    call: (args, _view, spans) => {
      const [value, cutset] = strings(args, 'trim', spans);
      return cutset === undefined ? value!.replace(TRIM_SPACE, '') : trimCutset(value!, cutset);
    },
  },
  {
    name: 'split',
    minArgs: 2,
    maxArgs: 3,
    usage: 'split(text, separator[, count])',
    reads: [],
    check: checkStrings('split', listOf(STRING), true),
    call: (args, _view, spans) => {
      const value = text(args[0]!, 'split', spans[0]!);
      const separator = text(args[1]!, 'split', spans[1]!);
      if (args.length < 3) return splitText(value, separator);
      const count = args[2];
      if (typeof count !== 'number' || !Number.isInteger(count)) throw typeFault(`split needs an int count, got ${valueTypeName(count!)}`, spans[2]!);
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
    call: (args, _view, spans) => pathBase(strings(args, 'path_base', spans)[0]!),
  },
  {
    name: 'path_dir',
    minArgs: 1,
    maxArgs: 1,
    usage: 'path_dir(path)',
    reads: [],
    check: checkStrings('path_dir', STRING),
    call: (args, _view, spans) => pathDir(strings(args, 'path_dir', spans)[0]!),
  },
  {
    name: 'has_tag',
    minArgs: 2,
    maxArgs: 2,
    usage: 'has_tag(category, tag)',
    reads: ['config'],
    check: checkStrings('has_tag', BOOL),
    call: (args, view, spans) => {
      const [category, tag] = strings(args, 'has_tag', spans);
      return hasTag(view.config, category!, tag!, false);
    },
  },
  {
    name: 'matches_tag',
    minArgs: 2,
    maxArgs: 2,
    usage: 'matches_tag(category, text)',
    reads: ['config'],
    check: checkStrings('matches_tag', BOOL),
    call: (args, view, spans) => {
      const [category, tag] = strings(args, 'matches_tag', spans);
      return hasTag(view.config, category!, tag!, true);
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
