// Go's strconv.Quote and QuoteRune over byte strings: starlark-go prints string values with
// them (repr, error messages), so Ferry must produce the same bytes.

import { unknownToGo } from './unicode.js';
import { decodeRuneAt, RUNE_ERROR, runeBytes } from './utf8.js';

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's unicode.IsPrint, with the Unicode version of the reference build. */
export function isPrintRune(r: number): boolean {
  if (r < 0x80) return r >= 0x20 && r < 0x7f;
  return PRINTABLE.test(String.fromCodePoint(r)) && !unknownToGo(r);
}

const HEX = '0123456789abcdef';

function hexByte(b: number): string {
  return `\\x${HEX[b >> 4]}${HEX[b & 15]}`;
}

function escapedRune(r: number, quote: number): string {
  if (r === quote || r === 92) return `\\${String.fromCharCode(r)}`;
  if (isPrintRune(r)) return runeBytes(r);
  switch (r) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return hexByte(r);
  if (r < 0x10000) return `\\u${r.toString(16).padStart(4, '0')}`;
  return `\\U${r.toString(16).padStart(8, '0')}`;
}

const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** strconv.Quote: a double-quoted Go string literal for the byte string `s`. */
export function goQuote(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; ) {
    const b = s.charCodeAt(i);
    if (b < 0x80) {
      out += escapedRune(b, 34);
      i++;
      continue;
    }
    const d = decodeRuneAt(s, i);
    const r = d >> 3;
    const size = d & 7;
    if (r === RUNE_ERROR && size === 1) {
      out += hexByte(b);
    } else {
      out += escapedRune(r, 34);
    }
    i += size;
  }
  return `${out}"`;
}

/** strconv.QuoteRune: a single-quoted Go character literal. */
export function goQuoteRune(r: number): string {
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = RUNE_ERROR;
  return `'${escapedRune(r, 39)}'`;
}
