// json.indent: re-indents JSON text like Go's encoding/json Indent, validating it with the
// same scanner rules and error messages ("invalid character ']' in literal true (expecting
// 'e')", "unexpected end of JSON input"). Tokens are copied unchanged.

import { fail } from '../eval/errors.js';
import { chargeRunes, chargeString, checkStringLength } from '../eval/limits.js';
import { goQuote } from '../text/go-quote.js';
import { runeBytes } from '../text/utf8.js';

/** encoding/json's quoteChar: a byte shown in single quotes. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return `'"'`;
  const quoted = goQuote(runeBytes(c.charCodeAt(0)));
  return `'${quoted.slice(1, -1)}'`;
}

const WHITESPACE = ' \t\r\n';

/** The indented text; its size is checked and charged at each line, since deep nesting repeats the indent. */
export function indentJson(src: string, prefix: string, indent: string): string {
  chargeRunes(src.length);
  let i = 0;
  let out = '';
  let depth = 0;

  const eof = (): never => fail('unexpected end of JSON input');
  // Go's scanner feeds a space at the end of the input, so a literal or number cut short
  // reports an invalid ' ' rather than the end of input.
  const invalid = (context: string): never => fail(`invalid character ${quoteChar(src[i] ?? ' ')} ${context}`);
  const skip = (): void => {
    while (i < src.length && WHITESPACE.includes(src[i])) i++;
  };
  const newline = (): void => {
    const size = 1 + prefix.length + indent.length * depth;
    checkStringLength(out.length + size);
    chargeString(size);
    out += `\n${prefix}${indent.repeat(depth)}`;
  };
  const digits = (): void => {
    while (i < src.length && src[i] >= '0' && src[i] <= '9') i++;
  };
  const needDigit = (context: string): void => {
    if (i >= src.length || src[i] < '0' || src[i] > '9') invalid(context);
  };

  const literal = (word: string): void => {
    for (let k = 1; k < word.length; k++) {
      if (src[i + k] !== word[k]) {
        i += k;
        invalid(`in literal ${word} (expecting ${quoteChar(word[k])})`);
      }
    }
    out += word;
    i += word.length;
  };

  const string = (): void => {
    const start = i++;
    for (;;) {
      if (i >= src.length) eof();
      const c = src[i];
      if (c === '"') break;
      if (c === '\\') {
        i++;
        if (i >= src.length) invalid('in string escape code');
        const e = src[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            i++;
            if (i >= src.length || !/[0-9a-fA-F]/.test(src[i])) invalid('in \\u hexadecimal character escape');
          }
        } else if (!'bfnrt\\/"'.includes(e)) {
          invalid('in string escape code');
        }
      } else if (c.charCodeAt(0) < 0x20) {
        invalid('in string literal');
      }
      i++;
    }
    i++;
    out += src.slice(start, i);
  };

  const number = (): void => {
    const start = i;
    if (src[i] === '-') {
      i++;
      if (i >= src.length || src[i] < '0' || src[i] > '9') invalid('in numeric literal');
    }
    if (src[i] === '0') i++;
    else digits();
    if (src[i] === '.') {
      i++;
      needDigit('after decimal point in numeric literal');
      digits();
    }
    if (src[i] === 'e' || src[i] === 'E') {
      i++;
      if (src[i] === '+' || src[i] === '-') i++;
      needDigit('in exponent of numeric literal');
      digits();
    }
    out += src.slice(start, i);
  };

  const value = (): void => {
    skip();
    if (i >= src.length) eof();
    const c = src[i];
    if (c === '{' || c === '[') {
      container(c);
    } else if (c === '"') {
      string();
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      number();
    } else if (c === 't') {
      literal('true');
    } else if (c === 'f') {
      literal('false');
    } else if (c === 'n') {
      literal('null');
    } else {
      invalid('looking for beginning of value');
    }
  };

  const container = (open: string): void => {
    const close = open === '{' ? '}' : ']';
    out += open;
    i++;
    skip();
    if (i >= src.length) eof();
    if (src[i] === close) {
      out += close;
      i++;
      return;
    }
    depth++;
    for (;;) {
      newline();
      if (open === '{') {
        skip();
        if (i >= src.length) eof();
        if (src[i] !== '"') invalid('looking for beginning of object key string');
        string();
        skip();
        if (i >= src.length) eof();
        if (src[i] !== ':') invalid('after object key');
        out += ': ';
        i++;
      }
      value();
      skip();
      if (i >= src.length) eof();
      if (src[i] === ',') {
        out += ',';
        i++;
        continue;
      }
      if (src[i] === close) {
        depth--;
        newline();
        out += close;
        i++;
        return;
      }
      invalid(open === '{' ? 'after object key:value pair' : 'after array element');
    }
  };

  value();
  const end = i;
  skip();
  if (i < src.length) invalid('after top-level value');
  // Like Go's Indent, trailing whitespace is kept (leading whitespace is dropped).
  return out + src.slice(end);
}
