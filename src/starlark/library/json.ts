// The `json` module (starlark-go's lib/json): encode, encode_indent, decode, indent, with its messages.

import { fail, rethrowBudget, StarFail } from '../eval/errors.js';
import { lookupAttr, attrNames, hasAttrs } from '../eval/attr.js';
import { collect, iterate } from '../eval/iterate.js';
import { activeLimits, chargeContainer, chargeRunes, chargeString, chargeWork, checkString, stringTooLong } from '../eval/limits.js';
import { goQuote, goQuoteRune } from '../text/go-quote.js';
import { decodeRuneAt, runeBytes } from '../text/utf8.js';
import { Builtin } from '../values/builtin.js';
import { StarDict } from '../values/dict.js';
import { formatFloatG } from '../values/float-format.js';
import { intToString, normBig } from '../values/int.js';
import { StarList } from '../values/list.js';
import { ModuleValue } from '../values/module.js';
import { repr } from '../values/repr.js';
import { Float, None, StarObject, typeName, type Value } from '../values/value.js';
import { named, positional } from './args.js';
import { indentJson } from './json-indent.js';

const HEX = '0123456789abcdef';

function isPrintableAscii(s: string): boolean {
  return /^[\x20-\x7f]*$/.test(s);
}

/** Go's encoding/json string encoding (HTML-safe escaping), over a byte string. */
function jsonQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; ) {
    const b = s.charCodeAt(i);
    if (b < 0x80) {
      if (b >= 0x20 && b !== 0x22 && b !== 0x5c && b !== 0x3c && b !== 0x3e && b !== 0x26) {
        out += s[i];
      } else if (b === 0x22 || b === 0x5c) {
        out += `\\${s[i]}`;
      } else if (b === 10) {
        out += '\\n';
      } else if (b === 13) {
        out += '\\r';
      } else if (b === 9) {
        out += '\\t';
      } else {
        out += `\\u00${HEX[b >> 4]}${HEX[b & 15]}`;
      }
      i++;
      continue;
    }
    const d = decodeRuneAt(s, i);
    const r = d >> 3;
    const size = d & 7;
    if (r === 0xfffd && size === 1) out += '\\ufffd';
    else if (r === 0x2028 || r === 0x2029) out += `\\u202${HEX[r & 15]}`;
    else out += s.slice(i, i + size);
    i += size;
  }
  return `${out}"`;
}

function quote(s: string): string {
  chargeRunes(s.length);
  return produce(isPrintableAscii(s) ? goQuote(s) : jsonQuote(s));
}

/** Bytes of the encoding in progress, held to the string size cap as it grows. */
let produced = 0;

function produce(text: string): string {
  produced += text.length;
  chargeString(text.length);
  if (produced > activeLimits.maxStringBytes) stringTooLong(produced);
  return text;
}

/** A failure inside a container, reworded to say where; an exhausted budget passes unchanged. */
function within(e: unknown, where: string): never {
  rethrowBudget(e);
  if (e instanceof StarFail) fail(`${where}: ${e.message}`);
  throw e;
}

/** The lists, dicts, tuples and other objects being encoded, outermost first (for cycles). */
const encoding: object[] = [];

function encodeValue(x: Value): string {
  chargeWork(1);
  if (typeof x !== 'object' || x === None || x instanceof Float) return encodeLeaf(x);
  if (encoding.includes(x)) fail('cycle in JSON structure');
  encoding.push(x);
  try {
    return encodeComposite(x);
  } finally {
    encoding.pop();
  }
}

function encodeLeaf(x: Value): string {
  switch (typeof x) {
    case 'boolean':
      return produce(x ? 'true' : 'false');
    case 'number':
      return produce(x.toString());
    case 'bigint':
      return produce(intToString(x));
    case 'string':
      return quote(x);
  }
  if (x instanceof Float) {
    if (!Number.isFinite(x.v)) fail(`cannot encode non-finite float ${repr(x)}`);
    // As str(x): always with a decimal point or an exponent, so it decodes as a float again.
    return produce(formatFloatG(x.v));
  }
  return produce('null');
}

function encodeComposite(x: Value): string {
  if (x instanceof StarObject && x.items !== undefined && x.iterate !== undefined) {
    const items = x.items();
    for (const [k] of items) if (typeof k !== 'string') fail(`${x.type()} has ${typeName(k)} key, want string`);
    chargeWork(items.length * Math.log2(items.length + 1));
    items.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : (a[0] as string) > (b[0] as string) ? 1 : 0));
    const parts = items.map(([k, v]) => {
      try {
        produce(':,');
        return `${quote(k as string)}:${encodeValue(v)}`;
      } catch (e) {
        return within(e, `in ${x.type()} key ${repr(k)}`);
      }
    });
    return `{${parts.join(',')}}`;
  }
  const it = iterate(x);
  if (it !== undefined) {
    it.done();
    const parts = collect(x).map((elem, i) => {
      try {
        produce(',');
        return encodeValue(elem);
      } catch (e) {
        return within(e, `at ${typeName(x)} index ${i}`);
      }
    });
    return `[${parts.join(',')}]`;
  }
  if (hasAttrs(x)) {
    const parts = attrNames(x).map((name) => {
      let v: Value | undefined;
      try {
        v = lookupAttr(x, name);
      } catch (e) {
        within(e, `cannot access attribute ${typeName(x)}.${name}`);
      }
      if (v === undefined) fail(`missing attribute ${typeName(x)}.${name} (despite ${goQuote(name)} appearing in dir()`);
      try {
        produce(':,');
        return `${quote(name)}:${encodeValue(v)}`;
      } catch (e) {
        return within(e, `in field .${name}`);
      }
    });
    return `{${parts.join(',')}}`;
  }
  return fail(`cannot encode ${typeName(x)} as JSON`);
}

/** json.encode(x), with failures attributed to the built-in called (encode or encode_indent). */
function encodeArgument(name: string, args: Value[]): string {
  const [x] = positional(name, args, null, 1, ['value']);
  produced = 0;
  encoding.length = 0;
  try {
    return checkString(encodeValue(x as Value));
  } catch (e) {
    return within(e, name);
  }
}

const encode = new Builtin('json.encode', (_t, args, kwargs, self) => {
  positional(self.name, [], kwargs, 0, []);
  return encodeArgument(self.name, args);
});

/** json.encode_indent(x, *, prefix="", indent="\t"): json.indent(json.encode(x), ...). */
const encodeIndent = new Builtin('json.encode_indent', (_t, args, kwargs, self) => {
  const [prefixArg, indentArg] = named(self.name, [], kwargs, [
    { name: 'prefix?', kind: 'string' },
    { name: 'indent?', kind: 'string' },
  ]);
  const text = encodeArgument(self.name, args);
  try {
    return checkString(indentJson(text, (prefixArg as string | undefined) ?? '', (indentArg as string | undefined) ?? '\t'));
  } catch (e) {
    return within(e, self.name);
  }
});

class DecodeFailure {
  constructor(readonly message: string) {}
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Decodes a JSON string literal (with its quotes) the way Go's json.Unmarshal does. */
function unquoteJson(lit: string): string {
  let out = '';
  for (let i = 1; i < lit.length - 1; ) {
    const c = lit.charCodeAt(i);
    if (c === 0x5c) {
      const e = lit[i + 1];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          i += 2;
          continue;
        case 'b':
          out += '\b';
          i += 2;
          continue;
        case 'f':
          out += '\f';
          i += 2;
          continue;
        case 'n':
          out += '\n';
          i += 2;
          continue;
        case 'r':
          out += '\r';
          i += 2;
          continue;
        case 't':
          out += '\t';
          i += 2;
          continue;
        case 'u': {
          const hex = lit.slice(i + 2, i + 6);
          const bad = /[^0-9a-fA-F]/.exec(hex);
          if (bad !== null || hex.length < 4) {
            const at = bad !== null ? i + 2 + bad.index : i + 6;
            throw new DecodeFailure(`invalid character ${goQuoteRune(lit.charCodeAt(at))} in \\u hexadecimal character escape`);
          }
          let r = parseInt(hex, 16);
          i += 6;
          if (r >= 0xd800 && r < 0xdc00) {
            const next = lit.slice(i, i + 6);
            const m = /^\\u([0-9a-fA-F]{4})$/.exec(next);
            const lo = m ? parseInt(m[1], 16) : -1;
            if (lo >= 0xdc00 && lo < 0xe000) {
              r = 0x10000 + ((r - 0xd800) << 10) + (lo - 0xdc00);
              i += 6;
            } else {
              r = 0xfffd;
            }
          } else if (r >= 0xdc00 && r < 0xe000) {
            r = 0xfffd;
          }
          out += runeBytes(r);
          continue;
        }
        default:
          throw new DecodeFailure(`invalid character ${goQuoteRune(lit.charCodeAt(i + 1))} in string escape code`);
      }
    }
    if (c < 0x20) throw new DecodeFailure(`invalid character ${goQuoteRune(c)} in string literal`);
    if (c < 0x80) {
      out += lit[i];
      i++;
      continue;
    }
    const d = decodeRuneAt(lit, i);
    out += runeBytes(d >> 3);
    i += d & 7;
  }
  return out;
}

/** Decodes JSON text; on malformed text returns `dflt` if given, else fails. */
function decodeJson(s: string, dflt: Value | undefined): Value {
  chargeRunes(s.length);
  let i = 0;
  const failAt = (message: string): never => {
    throw new DecodeFailure(message);
  };
  const skipSpace = (): boolean => {
    for (; i < s.length; i++) {
      const b = s[i];
      if (b !== ' ' && b !== '\t' && b !== '\n' && b !== '\r') return true;
    }
    return false;
  };
  const next = (): string => (skipSpace() ? s[i] : failAt('unexpected end of file'));
  const parse = (): Value => {
    const b = next();
    switch (b) {
      case '"': {
        let safe = true;
        let closed = false;
        let j = i + 1;
        for (; j < s.length; j++) {
          const c = s.charCodeAt(j);
          if (c === 0x5c) {
            safe = false;
            j++;
          } else if (c === 0x22) {
            closed = true;
            j++;
            break;
          } else if (c >= 0x80) {
            safe = false;
          }
        }
        if (!closed) failAt('unclosed string literal');
        const r = s.slice(i, j);
        chargeString(r.length);
        i = j;
        if (safe) return r.slice(1, -1);
        return unquoteJson(r);
      }
      case 'n':
        if (s.startsWith('null', i)) {
          i += 4;
          return None;
        }
        break;
      case 't':
        if (s.startsWith('true', i)) {
          i += 4;
          return true;
        }
        break;
      case 'f':
        if (s.startsWith('false', i)) {
          i += 5;
          return false;
        }
        break;
      case '[': {
        const elems: Value[] = [];
        i++;
        if (next() !== ']') {
          for (;;) {
            elems.push(parse());
            const c = next();
            if (c !== ',') {
              if (c !== ']') failAt(`got ${goQuoteRune(c.charCodeAt(0))}, want ',' or ']'`);
              break;
            }
            i++;
          }
        }
        i++;
        chargeContainer(elems.length);
        return new StarList(elems);
      }
      case '{': {
        const dict = new StarDict();
        i++;
        if (next() !== '}') {
          for (;;) {
            const key = parse();
            if (typeof key !== 'string') failAt(`got ${typeName(key)} for object key, want string`);
            const colon = next();
            if (colon !== ':') failAt(`after object key, got ${goQuoteRune(colon.charCodeAt(0))}, want ':' `);
            i++;
            const value = parse();
            dict.setKey(key, value);
            const c = next();
            if (c !== ',') {
              if (c !== '}') failAt(`in object, got ${goQuoteRune(c.charCodeAt(0))}, want ',' or '}'`);
              break;
            }
            i++;
          }
        }
        i++;
        return dict;
      }
      default:
        if (isDigit(b.charCodeAt(0)) || b === '-') {
          let isFloat = false;
          let j = i + 1;
          for (; j < s.length; j++) {
            const c = s[j];
            if (isDigit(c.charCodeAt(0))) continue;
            if (c === '.' || c === 'e' || c === 'E' || c === '+' || c === '-') isFloat = true;
            else break;
          }
          const num = s.slice(i, j);
          i = j;
          const digits = num[0] === '-' ? num.slice(1) : num;
          if (digits === '' || (digits[0] === '0' && digits.length > 1 && isDigit(digits.charCodeAt(1)))) {
            failAt(`invalid number: ${num}`);
          }
          if (isFloat) {
            const f = Number(num);
            if (!/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(num) || !Number.isFinite(f)) failAt(`invalid number: ${num}`);
            return new Float(f);
          }
          if (!/^-?\d+$/.test(num)) failAt(`invalid number: ${num}`);
          if (num.length > 18) {
            // V8 parses long runs of digits by divide and conquer: about w^1.5 for w words.
            const words = num.length / 19;
            chargeWork(5 * words * Math.sqrt(words));
          }
          return normBig(BigInt(num));
        }
    }
    return failAt(`unexpected character ${goQuoteRune(b.charCodeAt(0))}`);
  };
  try {
    const x = parse();
    if (skipSpace()) failAt(`unexpected character ${goQuoteRune(s.charCodeAt(i))} after value`);
    return x;
  } catch (e) {
    if (!(e instanceof DecodeFailure)) throw e;
    if (dflt !== undefined) return dflt;
    return fail(`json.decode: at offset ${i}, ${e.message}`);
  }
}

/** json.decode(x[, default]): `x` is positional only, which the parameter check cannot say. */
const decode = new Builtin('json.decode', (_t, args, kwargs, self) => {
  const [s, dflt] = named(self.name, args, kwargs, [
    { name: 'x', kind: 'string' },
    { name: 'default?', kind: 'value' },
  ]);
  if (args.length < 1) fail(`${self.name}: unexpected keyword argument x`);
  return decodeJson(s as string, dflt);
});

const indentBuiltin = new Builtin('json.indent', (_t, args, kwargs, self) => {
  const [prefixArg, indentArg] = named(self.name, [], kwargs, [
    { name: 'prefix?', kind: 'string' },
    { name: 'indent?', kind: 'string' },
  ]);
  const [str] = positional(self.name, args, null, 1, ['string']);
  try {
    return checkString(indentJson(str as string, (prefixArg as string | undefined) ?? '', (indentArg as string | undefined) ?? '\t'));
  } catch (e) {
    return within(e, self.name);
  }
});

/** The `json` module value. */
export const JSON_MODULE = new ModuleValue(
  'json',
  new Map<string, Value>([
    ['encode', encode],
    ['encode_indent', encodeIndent],
    ['decode', decode],
    ['indent', indentBuiltin],
  ]),
);
