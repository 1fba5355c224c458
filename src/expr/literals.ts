import { ExprFault } from './errors.js';
import { MAX_INT64, fromBig } from './int64.js';

// String and number literals as expr-lang's lexer reads them (parser/lexer/{state,utils}.go), so
// a migration-manager expression means the same thing here: Go escapes, `_` in numbers,
// 0x/0o/0b prefixes, and an int/float distinction.

export interface ScannedString {
  value: string;
  end: number;
}

// expr-lang's lexer takes these and the string's own quote (so \' only between '…').
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\',
};

/** Reads a '…' or "…" literal starting at `start` (the quote). */
export function scanQuotedString(source: string, start: number): ScannedString {
  const quote = source[start]!;
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === quote) return { value, end: i + 1 };
    if (ch === '\n') break;
    if (ch === '\r') {
      // Go's unescape turns a lone \r into \n (a \r\n ends the line, so the literal, as above).
      value += '\n';
      i++;
      continue;
    }
    if (ch !== '\\') {
      value += ch;
      i++;
      continue;
    }
    const escape = readEscape(source, i, quote);
    value += escape.text;
    i = escape.end;
  }
  throw new ExprFault('expr-syntax', `the string starting here is never closed (missing ${quote}); a '…' or "…" string ends on its line, a \`raw string\` may span lines`, {
    start,
    end: i,
  });
}

/** Reads a `…` raw literal: no escapes, may span lines. */
export function scanRawString(source: string, start: number): ScannedString {
  const close = source.indexOf('`', start + 1);
  if (close < 0) {
    throw new ExprFault('expr-syntax', 'the raw string starting here is never closed (missing `)', {
      start,
      end: source.length,
    });
  }
  return { value: source.slice(start + 1, close).replace(/\r\n?/g, '\n'), end: close + 1 };
}

function readEscape(source: string, at: number, quote: string): { text: string; end: number } {
  const letter = source[at + 1];
  const bad = (length: number, why: string): never => {
    throw new ExprFault('expr-syntax', why, { start: at, end: Math.min(at + length, source.length) });
  };
  if (letter === undefined) return bad(1, 'a string cannot end with a lone backslash');
  const simple = letter === quote ? quote : SIMPLE_ESCAPES[letter];
  if (simple !== undefined) return { text: simple, end: at + 2 };
  const hexLength = letter === 'x' ? 2 : letter === 'u' ? 4 : letter === 'U' ? 8 : 0;
  if (hexLength > 0) {
    const digits = source.slice(at + 2, at + 2 + hexLength);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(digits)) {
      return bad(2 + digits.length, `invalid \\${letter} escape: expected ${hexLength} hex digits`);
    }
    return codePoint(parseInt(digits, 16), at, at + 2 + hexLength);
  }
  if (letter >= '0' && letter <= '3') {
    const digits = source.slice(at + 1, at + 4);
    if (!/^[0-3][0-7]{2}$/.test(digits)) return bad(1 + digits.length, 'invalid octal escape: expected three digits like \\101');
    return { text: String.fromCodePoint(parseInt(digits, 8)), end: at + 4 };
  }
  return bad(2, `unknown escape \\${letter} in a string; write \\\\ for a backslash, or use a \`raw string\` for regular expressions`);
}

function codePoint(value: number, at: number, end: number): { text: string; end: number } {
  if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
    throw new ExprFault('expr-syntax', 'the escape is not a valid Unicode code point', { start: at, end });
  }
  return { text: String.fromCodePoint(value), end };
}

export interface ScannedNumber {
  /** An int (a number, or a bigint beyond 2^53) or a float's double. */
  value: number | bigint;
  numberType: 'int' | 'float';
  end: number;
}

const isDigitIn = (digits: string, ch: string | undefined): boolean => ch !== undefined && digits.includes(ch);
const isWordChar = (ch: string | undefined): boolean => ch !== undefined && /[\p{L}\p{N}_$]/u.test(ch);

/** Reads a number literal starting at `start` (a digit, or a `.` before a digit). */
export function scanNumber(source: string, start: number): ScannedNumber {
  let i = start;
  let digits = '0123456789_';
  let radix = 10;
  if (source[i] === '0' && /[xXoObB]/.test(source[i + 1] ?? '')) {
    const prefix = source[i + 1]!.toLowerCase();
    radix = prefix === 'x' ? 16 : prefix === 'o' ? 8 : 2;
    digits = radix === 16 ? '0123456789abcdefABCDEF_' : radix === 8 ? '01234567_' : '01_';
    i += 2;
  }
  while (isDigitIn(digits, source[i])) i++;
  let isFloat = false;
  if (radix === 10 && source[i] === '.' && source[i + 1] !== '.') {
    isFloat = true;
    i++;
    while (isDigitIn(digits, source[i])) i++;
  }
  if (radix === 10 && (source[i] === 'e' || source[i] === 'E')) {
    isFloat = true;
    i++;
    if (source[i] === '+' || source[i] === '-') i++;
    while (isDigitIn(digits, source[i])) i++;
  }
  const span = { start, end: i };
  if (isWordChar(source[i])) {
    let end = i;
    while (isWordChar(source[end])) end++;
    throw new ExprFault('expr-syntax', `"${source.slice(start, end)}" is not a number`, { start, end });
  }
  const text = source.slice(radix === 10 ? start : start + 2, i).replaceAll('_', '');
  if (isFloat) {
    const value = Number(text);
    if (text === '' || text === '.' || !Number.isFinite(value)) {
      throw new ExprFault('expr-syntax', `"${source.slice(start, i)}" is not a valid number`, span);
    }
    return { value, numberType: 'float', end: i };
  }
  if (text === '') throw new ExprFault('expr-syntax', `"${source.slice(start, i)}" is not a valid number`, span);
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
  const value = BigInt(`${prefix}${text}`);
  if (value > MAX_INT64) {
    throw new ExprFault('expr-syntax', `the integer ${source.slice(start, i)} is too large (the largest is ${MAX_INT64})`, span);
  }
  return { value: fromBig(value), numberType: 'int', end: i };
}
