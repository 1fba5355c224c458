// `.ferryignore`: paths of a repository Ferry does not read as documents, in gitignore syntax
// (docs/repository-format.md, "Files Ferry reads"). The matcher is Git's own rules — comments,
// escapes, trailing spaces, negation, anchoring, directory-only patterns, `**`, character classes
// — implemented without regular expressions: the file comes from the repository, so a pull
// request could write it, and every match here is polynomial in the pattern and the path.

/** The name of the file, at the repository's root. */
export const IGNORE_FILE = '.ferryignore';

/** A `.ferryignore` larger than this is refused: real ones are a few lines. */
export const MAX_IGNORE_BYTES = 64 * 1024;

/** The most patterns a `.ferryignore` may hold; the rest are not read. */
export const MAX_IGNORE_PATTERNS = 1_000;

/** One line of the file, compiled. */
export interface IgnorePattern {
  /** The line as written (without its trailing spaces). */
  source: string;
  /** 1-based line in the file. */
  line: number;
  negated: boolean;
  directoryOnly: boolean;
  /** Path segments to match; `**` as a whole segment stands for any number of directories. */
  segments: Segment[];
}

type Segment = { any: true; atLeastOne: boolean } | { any: false; tokens: Token[] };

type Token =
  | { type: 'literal'; char: string }
  | { type: 'one' }
  | { type: 'star' }
  | { type: 'class'; negated: boolean; items: ClassItem[] }
  /** A broken bracket expression: like Git, the pattern then matches nothing. */
  | { type: 'never' };

type ClassItem = { from: string; to: string } | { named: string };

export interface ParsedIgnore {
  patterns: IgnorePattern[];
  /** Patterns past MAX_IGNORE_PATTERNS that were not read (0 when all were). */
  dropped: number;
  /** The line of the first pattern not read. */
  firstDroppedLine?: number;
}

/** Parses a `.ferryignore` (or `.gitignore`) text. */
export function parseIgnore(text: string): ParsedIgnore {
  const patterns: IgnorePattern[] = [];
  let dropped = 0;
  let firstDroppedLine: number | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const pattern = parseLine(lines[i]!.replace(/\r$/, ''), i + 1);
    if (!pattern) continue;
    if (patterns.length === MAX_IGNORE_PATTERNS) {
      firstDroppedLine ??= i + 1;
      dropped++;
      continue;
    }
    patterns.push(pattern);
  }
  return { patterns, dropped, ...(firstDroppedLine === undefined ? {} : { firstDroppedLine }) };
}

function parseLine(raw: string, line: number): IgnorePattern | undefined {
  if (raw === '' || raw.startsWith('#')) return undefined;
  // Trailing spaces are dropped unless escaped with a backslash.
  let end = raw.length;
  while (end > 0 && raw[end - 1] === ' ' && !escapedAt(raw, end - 1)) end--;
  let text = raw.slice(0, end);
  if (text === '') return undefined;
  let negated = false;
  if (text.startsWith('!')) {
    negated = true;
    text = text.slice(1);
  }
  let directoryOnly = false;
  if (text.endsWith('/') && !escapedAt(text, text.length - 1)) {
    directoryOnly = true;
    text = text.slice(0, -1);
  }
  if (text === '' || text === '/') return undefined;
  // A slash at the start or in the middle anchors the pattern at the repository's root; without
  // one, it matches at any depth.
  const anchored = text.includes('/');
  if (text.startsWith('/')) text = text.slice(1);
  const parts = text.split('/');
  const segments: Segment[] = anchored ? [] : [{ any: true, atLeastOne: false }];
  parts.forEach((part, index) => {
    if (part === '**') {
      // A trailing `/**` matches everything inside, not the directory itself.
      segments.push({ any: true, atLeastOne: index === parts.length - 1 && index > 0 });
    } else {
      segments.push({ any: false, tokens: tokenize(part) });
    }
  });
  return { source: raw.slice(0, end), line, negated, directoryOnly, segments };
}

/** Whether the character at `index` is preceded by an odd number of backslashes. */
function escapedAt(text: string, index: number): boolean {
  let count = 0;
  for (let i = index - 1; i >= 0 && text[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

const NAMED_CLASSES: Record<string, (c: string) => boolean> = {
  alnum: (c) => /^[A-Za-z0-9]$/.test(c),
  alpha: (c) => /^[A-Za-z]$/.test(c),
  blank: (c) => c === ' ' || c === '\t',
  cntrl: (c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127,
  digit: (c) => c >= '0' && c <= '9',
  graph: (c) => c.charCodeAt(0) > 32 && c.charCodeAt(0) < 127,
  lower: (c) => c >= 'a' && c <= 'z',
  print: (c) => c.charCodeAt(0) >= 32 && c.charCodeAt(0) < 127,
  punct: (c) => /^[!-/:-@[-`{-~]$/.test(c),
  space: (c) => /^[ \t\n\r\f\v]$/.test(c),
  upper: (c) => c >= 'A' && c <= 'Z',
  xdigit: (c) => /^[0-9A-Fa-f]$/.test(c),
};

/** One path segment's pattern as tokens; `**` that is not a whole segment is an ordinary `*`. */
function tokenize(part: string): Token[] {
  const tokens: Token[] = [];
  const chars = [...part];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      // A backslash escapes the next character; a lone one at the end matches nothing (as in Git).
      if (i + 1 < chars.length) tokens.push({ type: 'literal', char: chars[++i]! });
      else tokens.push({ type: 'never' });
    } else if (c === '*') {
      if (tokens[tokens.length - 1]?.type !== 'star') tokens.push({ type: 'star' });
    } else if (c === '?') {
      tokens.push({ type: 'one' });
    } else if (c === '[') {
      const parsed = bracket(chars, i);
      if (parsed) {
        tokens.push(parsed.token);
        i = parsed.end;
      } else {
        tokens.push({ type: 'never' });
        break;
      }
    } else {
      tokens.push({ type: 'literal', char: c });
    }
  }
  return tokens;
}

/** A bracket expression starting at `start` (the `[`), or undefined when it is not closed. */
function bracket(chars: string[], start: number): { token: Token; end: number } | undefined {
  let i = start + 1;
  let negated = false;
  if (chars[i] === '!' || chars[i] === '^') {
    negated = true;
    i++;
  }
  const items: ClassItem[] = [];
  let first = true;
  for (; i < chars.length; i++) {
    let c = chars[i]!;
    if (c === ']' && !first) return { token: { type: 'class', negated, items }, end: i };
    first = false;
    if (c === '[' && chars[i + 1] === ':') {
      const close = chars.indexOf(':', i + 2);
      if (close > 0 && chars[close + 1] === ']') {
        const name = chars.slice(i + 2, close).join('');
        if (!(name in NAMED_CLASSES)) return undefined;
        items.push({ named: name });
        i = close + 1;
        continue;
      }
    }
    if (c === '\\') {
      if (i + 1 >= chars.length) return undefined;
      c = chars[++i]!;
    }
    if (chars[i + 1] === '-' && chars[i + 2] !== undefined && chars[i + 2] !== ']') {
      let to = chars[i + 2]!;
      i += 2;
      if (to === '\\') {
        if (i + 1 >= chars.length) return undefined;
        to = chars[++i]!;
      }
      items.push({ from: c, to });
    } else {
      items.push({ from: c, to: c });
    }
  }
  return undefined;
}

function tokenMatches(token: Token, c: string): boolean {
  switch (token.type) {
    case 'literal': return token.char === c;
    case 'one': return true;
    case 'never': return false;
    case 'star': return true;
    case 'class': {
      const hit = token.items.some((item) => ('named' in item ? NAMED_CLASSES[item.named]!(c) : item.from <= c && c <= item.to));
      return hit !== token.negated;
    }
  }
}

/**
 * Whether one path segment matches one pattern segment: the classic wildcard walk, with one
 * remembered star to fall back to — linear in the segment per star, never exponential.
 */
function segmentMatches(tokens: Token[], text: string[]): boolean {
  let t = 0;
  let p = 0;
  let starAt = -1;
  let starText = 0;
  while (t < text.length) {
    const token = tokens[p];
    if (token && token.type === 'star') {
      starAt = p++;
      starText = t;
    } else if (token && tokenMatches(token, text[t]!)) {
      p++;
      t++;
    } else if (starAt >= 0) {
      p = starAt + 1;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (tokens[p]?.type === 'star') p++;
  return p === tokens.length;
}

/** Whether a path (its segments) matches a pattern's segments, `**` standing for any number of them. */
function pathMatches(segments: Segment[], path: string[][]): boolean {
  // matches[i][j]: segments from i match the path from j. Filled backwards: O(segments × path).
  let next: boolean[] = new Array(path.length + 1).fill(false);
  next[path.length] = true;
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i]!;
    const here: boolean[] = new Array(path.length + 1).fill(false);
    for (let j = path.length; j >= 0; j--) {
      if (segment.any) {
        // Zero segments (unless at least one is needed), or one more and the same `**` again.
        here[j] = (!segment.atLeastOne && next[j]!) || (j < path.length && (next[j + 1]! || here[j + 1]!));
      } else {
        here[j] = j < path.length && next[j + 1]! && segmentMatches(segment.tokens, path[j]!);
      }
    }
    next = here;
  }
  return next[0]!;
}

export class IgnoreMatcher {
  private readonly directories = new Map<string, boolean>();

  constructor(readonly patterns: IgnorePattern[]) {}

  /** Whether a file (a POSIX path relative to the root) is ignored, its directories' rules included. */
  ignores(path: string): boolean {
    if (this.patterns.length === 0) return false;
    const parts = path.split('/');
    // A file inside an ignored directory is ignored, whatever a later pattern says about it.
    for (let i = 1; i < parts.length; i++) {
      const directory = parts.slice(0, i).join('/');
      let ignored = this.directories.get(directory);
      if (ignored === undefined) {
        ignored = this.decide(parts.slice(0, i), true);
        this.directories.set(directory, ignored);
      }
      if (ignored) return true;
    }
    return this.decide(parts, false);
  }

  /** The last pattern that matches decides. */
  private decide(parts: string[], isDirectory: boolean): boolean {
    const path = parts.map((part) => [...part]);
    for (let i = this.patterns.length - 1; i >= 0; i--) {
      const pattern = this.patterns[i]!;
      if (pattern.directoryOnly && !isDirectory) continue;
      if (pathMatches(pattern.segments, path)) return !pattern.negated;
    }
    return false;
  }
}
