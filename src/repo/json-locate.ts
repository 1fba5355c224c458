// Places in a JSON text, for the problems of a JSON file (an inventory, `--instances`): JSON.parse
// gives values without places, and names the place of a syntax error only for some errors. Parsing
// a file of tens of MiB again as YAML to find a place would cost seconds and much memory (and YAML
// accepts what JSON does not); one scan from the start finds it in time linear in the text.

import type { Origin } from '../model/desired.js';
import type { DataPath } from './locate.js';

/**
 * The line and column (1-based, in UTF-16 code units like the YAML reader's) of the value at `path`
 * in `text`, a text JSON.parse accepts; of the deepest value found on the way when the path is
 * not all there. A key that appears twice in an object is its last appearance, as JSON.parse keeps.
 */
export function jsonOrigin(file: string, text: string, path: DataPath): Origin {
  return originAt(file, text, valueOffset(text, path));
}

/** The line and column of a character offset. */
export function originAt(file: string, text: string, offset: number): Origin {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { file, line, column: offset - lineStart + 1 };
}

/**
 * The offset of the first character that makes `text` not JSON, or null when JSON.parse accepts
 * it. Nesting is kept on a list, not on the call stack, so deep nesting cannot overflow it.
 */
export function syntaxErrorOffset(text: string): number | null {
  const open: string[] = [];
  let at = skipSpace(text, 0);
  /** Reads `"key" :` of an object's member; false with `at` on a character that cannot be there. */
  const member = (): boolean => {
    if (text[at] !== '"') return false;
    const key = scanString(text, at);
    at = key.at;
    if (!key.ok) return false;
    at = skipSpace(text, at);
    if (text[at] !== ':') return false;
    at = skipSpace(text, at + 1);
    return true;
  };
  for (;;) {
    // A value starts at `at`.
    const c = text[at];
    if (c === '[' || c === '{') {
      at = skipSpace(text, at + 1);
      if (text[at] === (c === '[' ? ']' : '}')) {
        at = skipSpace(text, at + 1);
      } else {
        open.push(c);
        if (c === '{' && !member()) return at;
        continue;
      }
    } else {
      const scalar = c === '"' ? scanString(text, at) : c === 't' || c === 'f' || c === 'n' ? scanLiteral(text, at) : scanNumber(text, at);
      if (!scalar.ok) return scalar.at;
      at = skipSpace(text, scalar.at);
    }
    // A value ended before `at`: what follows closes containers, or separates the next value.
    for (;;) {
      const container = open.at(-1);
      if (container === undefined) return at < text.length ? at : null;
      if (text[at] === (container === '[' ? ']' : '}')) {
        open.pop();
        at = skipSpace(text, at + 1);
        continue;
      }
      if (text[at] !== ',') return at;
      at = skipSpace(text, at + 1);
      if (container === '{' && !member()) return at;
      break;
    }
  }
}

/** A scalar read from `text`: `at` is just past it, or on the first character that cannot be in it. */
type Scan = { ok: boolean; at: number };

function scanString(text: string, quote: number): Scan {
  for (let i = quote + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return { ok: true, at: i + 1 };
    if (code < 0x20) return { ok: false, at: i };
    if (code === 0x5c) {
      const escape = text[i + 1];
      if (escape === 'u') {
        for (let h = i + 2; h < i + 6; h++) if (!/[0-9a-fA-F]/.test(text[h] ?? '')) return { ok: false, at: h };
        i += 5;
      } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) {
        i++;
      } else {
        return { ok: false, at: i + 1 };
      }
    }
  }
  return { ok: false, at: text.length };
}

function scanLiteral(text: string, start: number): Scan {
  const literal = text[start] === 't' ? 'true' : text[start] === 'f' ? 'false' : 'null';
  for (let i = 1; i < literal.length; i++) if (text[start + i] !== literal[i]) return { ok: false, at: start + i };
  return { ok: true, at: start + literal.length };
}

/** `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, failing where a digit is missing. */
function scanNumber(text: string, start: number): Scan {
  const digit = (i: number) => text[i] !== undefined && text[i]! >= '0' && text[i]! <= '9';
  const digits = (i: number) => {
    while (digit(i)) i++;
    return i;
  };
  let i = text[start] === '-' ? start + 1 : start;
  if (!digit(i)) return { ok: false, at: i };
  i = text[i] === '0' ? i + 1 : digits(i);
  if (text[i] === '.') {
    if (!digit(i + 1)) return { ok: false, at: i + 1 };
    i = digits(i + 1);
  }
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    if (text[i] === '+' || text[i] === '-') i++;
    if (!digit(i)) return { ok: false, at: i };
    i = digits(i);
  }
  return { ok: true, at: i };
}

function valueOffset(text: string, path: DataPath): number {
  let at = skipSpace(text, 0);
  for (const segment of path) {
    const found = text[at] === '[' ? elementAt(text, at, segment) : text[at] === '{' ? memberAt(text, at, String(segment)) : undefined;
    if (found === undefined) return at;
    at = found;
  }
  return at;
}

/** The offset of element `index` of the array opening at `open`. */
function elementAt(text: string, open: number, index: string | number): number | undefined {
  if (typeof index !== 'number') return undefined;
  let at = skipSpace(text, open + 1);
  for (let i = 0; i < index; i++) {
    if (text[at] === ']') return undefined;
    at = skipSpace(text, skipValue(text, at));
    if (text[at] !== ',') return undefined;
    at = skipSpace(text, at + 1);
  }
  return text[at] === ']' ? undefined : at;
}

/** The offset of the value of the last member named `key` of the object opening at `open`. */
function memberAt(text: string, open: number, key: string): number | undefined {
  let found: number | undefined;
  let at = skipSpace(text, open + 1);
  while (text[at] === '"') {
    const keyEnd = scanString(text, at).at;
    const name = JSON.parse(text.slice(at, keyEnd)) as string;
    at = skipSpace(text, keyEnd);
    at = skipSpace(text, at + 1);
    if (name === key) found = at;
    at = skipSpace(text, skipValue(text, at));
    if (text[at] !== ',') break;
    at = skipSpace(text, at + 1);
  }
  return found;
}

/** The offset just past the value starting at `at`. */
function skipValue(text: string, at: number): number {
  if (text[at] === '"') return scanString(text, at).at;
  if (text[at] !== '[' && text[at] !== '{') {
    let end = at;
    while (end < text.length && !',]} \t\r\n'.includes(text[end]!)) end++;
    return end;
  }
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = scanString(text, i).at - 1;
    else if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && --depth === 0) return i + 1;
  }
  return text.length;
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && ' \t\r\n'.includes(text[at]!)) at++;
  return at;
}
