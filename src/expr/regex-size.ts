// The size of a regular expression's RE2 program, estimated from the pattern text in one pass
// and without compiling it: compiling is what a pattern that is too big would make expensive.
// It counts as RE2's parser does (regexp/syntax calcSize): one instruction per character, class
// or assertion, two more per capture group and `*`, one more per `+`, `?` and alternative, and a
// counted repetition `x{n,m}` as m copies of x plus m−n. Never below re2js's programSize()
// (test/expr/budget.test.ts checks that on a corpus); an invalid pattern gets some estimate and
// is refused by the compiler.

/** Beyond any limit, and small enough that arithmetic on it stays exact. */
const CAP = 2 ** 40;
/** The program's own instructions around the pattern: the whole-match capture, match, fail. */
const OVERHEAD = 4;

interface Group {
  /** Finished alternatives, summed. */
  alternatives: number;
  /** How many alternatives are finished. */
  finished: number;
  /** The alternative being read, summed. */
  current: number;
  /** The size of its last item, which a repetition applies to; -1 when there is none. */
  last: number;
  capture: boolean;
}

export function regexProgramSize(pattern: string): number {
  const stack: Group[] = [group(false)];
  let top = stack[0]!;
  const item = (size: number) => {
    top.current = Math.min(CAP, top.current + size);
    top.last = size;
  };
  const repeat = (resize: (sub: number) => number) => {
    if (top.last < 0) return;
    const size = Math.min(CAP, resize(top.last));
    top.current = Math.min(CAP, top.current - top.last + size);
    top.last = size;
  };
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    switch (ch) {
      case '\\': {
        if (pattern[i + 1] === 'Q') {
          const end = pattern.indexOf('\\E', i + 2);
          const stop = end < 0 ? pattern.length : end;
          for (let j = i + 2; j < stop; j++) item(1);
          i = end < 0 ? pattern.length : end + 2;
        } else {
          i = escapeEnd(pattern, i);
          item(1);
        }
        continue;
      }
      case '[':
        i = classEnd(pattern, i);
        item(1);
        continue;
      case '(': {
        const opening = groupOpening(pattern, i);
        i = opening.end;
        if (opening.kind === 'flags') continue;
        top = group(opening.kind === 'capture');
        stack.push(top);
        continue;
      }
      case ')': {
        i++;
        if (stack.length === 1) continue;
        const closed = stack.pop()!;
        top = stack[stack.length - 1]!;
        item(Math.min(CAP, alternation(closed) + (closed.capture ? 2 : 0)));
        continue;
      }
      case '|':
        i++;
        // An empty alternative is an instruction too.
        top.alternatives = Math.min(CAP, top.alternatives + Math.max(1, top.current));
        top.finished++;
        top.current = 0;
        top.last = -1;
        continue;
      case '*':
        i = lazyEnd(pattern, i + 1);
        repeat((sub) => 2 + sub);
        continue;
      case '+':
      case '?':
        i = lazyEnd(pattern, i + 1);
        repeat((sub) => 1 + sub);
        continue;
      case '{': {
        const counted = countedRepeat(pattern, i);
        if (!counted) {
          i++;
          item(1);
          continue;
        }
        i = lazyEnd(pattern, counted.end);
        const { min, max } = counted;
        repeat((sub) => (max < 0 ? (min === 0 ? 2 + sub : 1 + min * Math.max(1, sub)) : max * Math.max(1, sub) + (max - min)));
        continue;
      }
      default:
        i += ch.charCodeAt(0) >= 0xd800 && ch.charCodeAt(0) <= 0xdbff ? 2 : 1;
        item(1);
    }
  }
  while (stack.length > 1) {
    const closed = stack.pop()!;
    top = stack[stack.length - 1]!;
    item(Math.min(CAP, alternation(closed) + (closed.capture ? 2 : 0)));
  }
  return Math.min(CAP, alternation(top) + OVERHEAD);
}

function group(capture: boolean): Group {
  return { alternatives: 0, finished: 0, current: 0, last: -1, capture };
}

function alternation(g: Group): number {
  return g.alternatives + Math.max(1, g.current) + g.finished;
}

/** The end of `\x`, `\x{…}`, `\xHH`, `\p{…}`, `\pL`, `\123` starting at the backslash. */
function escapeEnd(pattern: string, start: number): number {
  const kind = pattern[start + 1];
  if (kind === undefined) return start + 1;
  if ((kind === 'x' || kind === 'p' || kind === 'P') && pattern[start + 2] === '{') {
    const close = pattern.indexOf('}', start + 3);
    return close < 0 ? pattern.length : close + 1;
  }
  if (kind === 'x') return Math.min(pattern.length, start + 4);
  if (kind === 'p' || kind === 'P') return Math.min(pattern.length, start + 3);
  if (kind >= '0' && kind <= '7') {
    let end = start + 2;
    while (end < start + 4 && end < pattern.length && pattern[end]! >= '0' && pattern[end]! <= '7') end++;
    return end;
  }
  return start + 2;
}

/** The end of a class `[…]` starting at its `[`: a `]` first is literal, `[:alpha:]` nests, escapes skip. */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === ']') return i + 1;
    if (ch === '\\') {
      i = escapeEnd(pattern, i);
    } else if (ch === '[' && pattern[i + 1] === ':') {
      const close = pattern.indexOf(':]', i + 2);
      i = close < 0 ? i + 1 : close + 2;
    } else {
      i++;
    }
  }
  return pattern.length;
}

/** `(`, `(?:`, `(?i:`, `(?P<name>`, `(?<name>` open a group; `(?i)` only sets flags. */
function groupOpening(pattern: string, start: number): { kind: 'capture' | 'group' | 'flags'; end: number } {
  if (pattern[start + 1] !== '?') return { kind: 'capture', end: start + 1 };
  if (pattern.startsWith('P<', start + 2) || (pattern[start + 2] === '<' && pattern[start + 3] !== '=' && pattern[start + 3] !== '!')) {
    const close = pattern.indexOf('>', start + 2);
    return { kind: 'capture', end: close < 0 ? pattern.length : close + 1 };
  }
  for (let i = start + 2; i < pattern.length; i++) {
    if (pattern[i] === ':') return { kind: 'group', end: i + 1 };
    if (pattern[i] === ')') return { kind: 'flags', end: i + 1 };
    if (!/[a-zA-Z-]/.test(pattern[i]!)) return { kind: 'group', end: i };
  }
  return { kind: 'group', end: pattern.length };
}

/** `{n}`, `{n,}` or `{n,m}` at `start`; anything else is a literal `{`. Max is -1 for `{n,}`. */
function countedRepeat(pattern: string, start: number): { min: number; max: number; end: number } | undefined {
  const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(start, start + 24));
  if (!match) return undefined;
  const min = Math.min(CAP, Number(match[1]));
  const max = match[2] === undefined ? min : match[3] === '' ? -1 : Math.min(CAP, Number(match[3]));
  return { min, max, end: start + match[0].length };
}

/** Past the `?` that makes a repetition lazy. */
function lazyEnd(pattern: string, i: number): number {
  return pattern[i] === '?' ? i + 1 : i;
}
