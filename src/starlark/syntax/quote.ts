// Decoding of string and bytes literals, following starlark-go's syntax/quote.go. Works on
// byte strings. A text string may escape only ASCII bytes with \x and octal escapes (anything
// else must be a \u or \U code point, encoded as UTF-8); a bytes literal may escape any byte.

import { runeBytes } from '../text/utf8.js';

const UNESCAPE: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

const HEX2 = /^[0-9a-fA-F]{2}$/;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const HEX8 = /^[0-9a-fA-F]{8}$/;

export interface Unquoted {
  /** The decoded value, a byte string. */
  value: string;
  /** Whether the literal was b"..." (or rb"..."). */
  isBytes: boolean;
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/** Returns the decoded literal, or throws a message string for a malformed literal. */
export function unquote(quoted: string): Unquoted {
  let raw = false;
  if (quoted.startsWith('r')) {
    raw = true;
    quoted = quoted.slice(1);
  }
  let isBytes = false;
  if (quoted.startsWith('b')) {
    isBytes = true;
    quoted = quoted.slice(1);
  }
  if (quoted.length < 2) throw 'string literal too short';
  const quote = quoted[0];
  if ((quote !== '"' && quote !== "'") || quote !== quoted[quoted.length - 1]) {
    throw 'string literal has invalid quotes';
  }
  if (quoted.length >= 6 && quoted[1] === quote && quoted[2] === quote && quoted.slice(0, 3) === quoted.slice(-3)) {
    quoted = quoted.slice(3, -3);
  } else {
    quoted = quoted.slice(1, -1);
  }
  const special = raw ? /\r/ : /[\\\r]/;
  if (!special.test(quoted)) return { value: quoted, isBytes };

  let out = '';
  while (quoted.length > 0) {
    const match = special.exec(quoted);
    const i = match ? match.index : quoted.length;
    out += quoted.slice(0, i);
    quoted = quoted.slice(i);
    if (quoted.length === 0) break;
    if (quoted[0] === '\r') {
      out += '\n';
      quoted = quoted.slice(quoted.length > 1 && quoted[1] === '\n' ? 2 : 1);
      continue;
    }
    if (quoted.length === 1) throw 'truncated escape sequence \\';
    const c = quoted[1];
    if (c === '\n') {
      quoted = quoted.slice(2);
    } else if (c in UNESCAPE) {
      out += UNESCAPE[c];
      quoted = quoted.slice(2);
    } else if (c >= '0' && c <= '7') {
      let n = c.charCodeAt(0) - 48;
      quoted = quoted.slice(2);
      for (let k = 1; k < 3; k++) {
        if (quoted.length === 0 || quoted[0] < '0' || quoted[0] > '7') break;
        n = n * 8 + quoted.charCodeAt(0) - 48;
        quoted = quoted.slice(1);
      }
      if (!isBytes && n > 127) throw `non-ASCII octal escape \\${n.toString(8)} (use \\u${hex4(n)} for the UTF-8 encoding of U+${hex4(n)})`;
      if (n >= 256) throw `invalid escape sequence \\${n.toString(8).padStart(3, '0')}`;
      out += String.fromCharCode(n);
    } else if (c === 'x') {
      if (quoted.length < 4) throw `truncated escape sequence ${quoted}`;
      const hex = quoted.slice(2, 4);
      if (!HEX2.test(hex)) throw `invalid escape sequence ${quoted.slice(0, 4)}`;
      const n = parseInt(hex, 16);
      if (!isBytes && n > 127) throw `non-ASCII hex escape ${quoted.slice(0, 4)} (use \\u${hex4(n)} for the UTF-8 encoding of U+${hex4(n)})`;
      out += String.fromCharCode(n);
      quoted = quoted.slice(4);
    } else if (c === 'u' || c === 'U') {
      const size = c === 'u' ? 6 : 10;
      if (quoted.length < size) throw `truncated escape sequence ${quoted}`;
      const digits = quoted.slice(2, size);
      if (!(c === 'u' ? HEX4 : HEX8).test(digits)) throw `invalid escape sequence ${quoted.slice(0, size)}`;
      const n = parseInt(digits, 16);
      if (n > 0x10ffff) throw `code point out of range: ${quoted.slice(0, size)} (max \\U${n.toString(16).padStart(8, '0')})`;
      if (n >= 0xd800 && n < 0xe000) throw `invalid Unicode code point U+${hex4(n)}`;
      out += runeBytes(n);
      quoted = quoted.slice(size);
    } else {
      // Go formats the byte with %c, which encodes a byte above 0x7f as the code point of that value.
      throw `invalid escape sequence \\${runeBytes(c.charCodeAt(0))}`;
    }
  }
  return { value: out, isBytes };
}
