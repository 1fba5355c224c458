import { RE2JS } from 're2js';
import type { Budget } from './budget.js';
import { regexCost } from './costs.js';
import { ExprFault, type Span } from './errors.js';
import { regexProgramSize } from './regex-size.js';

// `matches` uses RE2 semantics (Go's regexp, which expr-lang calls): unanchored search, linear
// time in the input whatever the pattern. Patterns are compiled once and cached; a pattern that is
// a plain literal — the common `location matches 'web'`, `'^/DC1/'`, `'-prod$'` — skips the regex
// engine for String methods that give exactly the same answer.

export type Matcher = (input: string) => boolean;

export type RegexResult = { ok: true; matcher: Matcher } | { ok: false; message: string };

interface CachedPattern {
  /** The program size, estimated without compiling (regex-size.ts). */
  readonly size: number;
  compiled?: RegexResult;
}

// Bounded by count, by the instructions of the programs it holds (re2js keeps a DFA of up to
// 8 MB per program) and by pattern length, since a pattern built at run time can be long; a
// pattern too long or too big for it is estimated (and compiled) again each time it is met.
const CACHE_ENTRIES = 1000;
const CACHE_INSTRUCTIONS = 100_000;
const CACHE_PATTERN_LENGTH = 4096;
const CACHE_PATTERN_SIZE = CACHE_INSTRUCTIONS / 10;
const cache = new Map<string, CachedPattern>();
let cachedInstructions = 0;

function cached(pattern: string): CachedPattern {
  const known = cache.get(pattern);
  if (known) return known;
  const entry: CachedPattern = { size: regexProgramSize(pattern) };
  if (pattern.length > CACHE_PATTERN_LENGTH || entry.size > CACHE_PATTERN_SIZE) return entry;
  if (cache.size >= CACHE_ENTRIES || cachedInstructions + entry.size > CACHE_INSTRUCTIONS) {
    cache.clear();
    cachedInstructions = 0;
  }
  cache.set(pattern, entry);
  cachedInstructions += entry.size;
  return entry;
}

/** The size of the pattern's RE2 program, in instructions, known before (and without) compiling it. */
export function patternSize(pattern: string): number {
  return cached(pattern).size;
}

/** Compiles a pattern whose size the caller has checked against `maxRegexProgram`. */
export function compileRegex(pattern: string): RegexResult {
  const entry = cached(pattern);
  entry.compiled ??= build(pattern);
  return entry.compiled;
}

/**
 * `text matches pattern` for a pattern known only at run time (or, in the interpreter, any
 * pattern): refused when its program is too big, charged, then compiled (cached) and run.
 */
export function matchText(text: string, pattern: string, budget: Budget, at: Span, patternAt: Span): boolean {
  const size = patternSize(pattern);
  const limit = budget.limits.maxRegexProgram;
  if (size > limit) throw new ExprFault('expr-regex-too-big', tooBigMessage(size, limit), patternAt);
  budget.charge(regexCost(text, pattern, size), at);
  const regex = compileRegex(pattern);
  if (!regex.ok) throw new ExprFault('expr-regex', regex.message, patternAt);
  return regex.matcher(text);
}

/** "the regular expression is too big …", for a pattern whose program is larger than the limit. */
export function tooBigMessage(size: number, limit: number): string {
  const count = (n: number) => n.toLocaleString('en-US');
  return `the regular expression is too big: its program has about ${count(size)} instructions, more than the limit of ${count(limit)}; use a shorter pattern or fewer counted repetitions`;
}

function build(pattern: string): RegexResult {
  const literal = literalPattern(pattern);
  if (literal) return { ok: true, matcher: literalMatcher(literal) };
  try {
    const regex = RE2JS.compile(pattern);
    const required = requiredLiteral(pattern);
    if (required?.anchoredStart) {
      const prefix = required.text;
      return { ok: true, matcher: (input) => input.startsWith(prefix) && regex.test(input) };
    }
    if (required) {
      const text = required.text;
      return { ok: true, matcher: (input) => input.includes(text) && regex.test(input) };
    }
    return { ok: true, matcher: (input) => regex.test(input) };
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    return { ok: false, message: `invalid regular expression: ${message}` };
  }
}

interface LiteralPattern {
  text: string;
  anchoredStart: boolean;
  anchoredEnd: boolean;
}

const META = new Set('\\.+*?()|[]{}^$');

/**
 * `^?literal$?` where literal is plain characters or backslash-escaped punctuation; anything else
 * (classes, repetition, flags, `\d`, …) returns undefined and goes to RE2. Without the `m` flag
 * RE2's `^` and `$` mean the start and end of the text, so these are exact equivalents.
 */
export function literalPattern(pattern: string): LiteralPattern | undefined {
  let i = 0;
  let end = pattern.length;
  const anchoredStart = pattern.startsWith('^');
  if (anchoredStart) i = 1;
  let anchoredEnd = false;
  if (end > i && pattern[end - 1] === '$' && !escapedAt(pattern, end - 1)) {
    anchoredEnd = true;
    end--;
  }
  let text = '';
  while (i < end) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1];
      // Only ASCII punctuation escapes are literal characters in RE2.
      if (next === undefined || i + 1 >= end || !/[!-/:-@[-`{-~]/.test(next)) return undefined;
      text += next;
      i += 2;
    } else if (META.has(ch)) {
      return undefined;
    } else {
      text += ch;
      i++;
    }
  }
  return { text, anchoredStart, anchoredEnd };
}

/**
 * A literal that every match must contain (or, after `^`, start with): the plain characters at
 * the start of a pattern, before its last one — `^/a/[^/]+/c*` must start with "/a". Only for
 * patterns without `|`, where that run is not one alternative among others, and without a leading
 * flag group.
 */
export function requiredLiteral(pattern: string): { text: string; anchoredStart: boolean } | undefined {
  if (pattern.includes('|')) return undefined;
  const anchoredStart = pattern.startsWith('^');
  let i = anchoredStart ? 1 : 0;
  const chars: string[] = [];
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '\\' && /[!-/:-@[-`{-~]/.test(pattern[i + 1] ?? '')) {
      chars.push(pattern[i + 1]!);
      i += 2;
    } else if (!META.has(ch)) {
      chars.push(ch);
      i++;
    } else {
      break;
    }
  }
  // A repetition after the run (even past a flag group, as in `ab(?i)*`) applies to its last character.
  if (i < pattern.length) chars.pop();
  const text = chars.join('');
  return text === '' ? undefined : { text, anchoredStart };
}

function escapedAt(pattern: string, position: number): boolean {
  let backslashes = 0;
  for (let i = position - 1; i >= 0 && pattern[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

function literalMatcher({ text, anchoredStart, anchoredEnd }: LiteralPattern): Matcher {
  if (anchoredStart && anchoredEnd) return (input) => input === text;
  if (anchoredStart) return (input) => input.startsWith(text);
  if (anchoredEnd) return (input) => input.endsWith(text);
  return (input) => input.includes(text);
}
