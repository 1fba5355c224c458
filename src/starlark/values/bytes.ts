// bytes: an immutable byte string, distinct from the text string type (starlark-go's Bytes).
// It compares, hashes, indexes and slices like a string (indexing yields a 1-byte bytes), but
// is not iterable: bytes.elems() gives its byte values as ints.

import { fail } from '../eval/errors.js';
import { chargeRunes, chargeScan, chargeString, SHORT_STRING } from '../eval/limits.js';
import { goQuote } from '../text/go-quote.js';
import { chargeStringCompare } from './compare.js';
import { CompareOp, StarObject, typeName, type StarIterator, type Value } from './value.js';

export class StarBytes extends StarObject {
  constructor(
    /** The bytes, one per char (0..255). */
    readonly bytes: string,
  ) {
    super();
  }

  type(): string {
    return 'bytes';
  }
  override truth(): boolean {
    return this.bytes.length > 0;
  }
  /** A string starting with a char above 0xFF, so no string or other key can equal it. */
  override hashKey(): unknown {
    chargeString(this.bytes.length);
    return `\u0108${this.bytes}`;
  }
  repr(): string {
    if (this.bytes.length >= SHORT_STRING) chargeRunes(this.bytes.length);
    return `b${goQuote(this.bytes)}`;
  }
  override len(): number {
    return this.bytes.length;
  }
  override index(i: number): Value {
    return new StarBytes(this.bytes[i]);
  }
  override slice(start: number, end: number, step: number): Value {
    return new StarBytes(sliceBytes(this.bytes, start, end, step));
  }
  override compareSameType(op: CompareOp, y: StarObject): boolean {
    const a = this.bytes;
    const b = (y as StarBytes).bytes;
    chargeStringCompare(a, b, op !== CompareOp.EQ && op !== CompareOp.NE);
    const cmp = a === b ? 0 : a < b ? -1 : 1;
    switch (op) {
      case CompareOp.EQ:
        return cmp === 0;
      case CompareOp.NE:
        return cmp !== 0;
      case CompareOp.LT:
        return cmp < 0;
      case CompareOp.LE:
        return cmp <= 0;
      case CompareOp.GT:
        return cmp > 0;
      case CompareOp.GE:
        return cmp >= 0;
    }
  }

  /** `x in b`: a bytes substring, or an int byte value. */
  has(x: Value): boolean {
    if (x instanceof StarBytes) {
      chargeScan(this.bytes.length);
      return this.bytes.includes(x.bytes);
    }
    if (typeof x === 'number' || typeof x === 'bigint') {
      if (typeof x === 'bigint' || x < 0 || x > 255) fail(`int in bytes: ${x} out of range (want value in unsigned 8-bit range)`);
      chargeScan(this.bytes.length);
      return this.bytes.includes(String.fromCharCode(x));
    }
    return fail(`'in bytes' requires bytes or int as left operand, not ${typeName(x)}`);
  }
}

/** A slice of a byte string with the (already clamped) bounds and step. */
export function sliceBytes(s: string, start: number, end: number, step: number): string {
  if (step === 1) {
    chargeString(end - start);
    return s.slice(start, end);
  }
  let out = '';
  for (let i = start; step > 0 ? i < end : i > end; i += step) out += s[i];
  chargeString(out.length);
  return out;
}

/** bytes.elems(): an iterable over the byte values, as ints. */
export class BytesElems extends StarObject {
  constructor(readonly bytes: StarBytes) {
    super();
  }
  type(): string {
    return 'bytes.elems';
  }
  override hashKey(): unknown {
    return fail('unhashable: bytes.elems');
  }
  repr(): string {
    return `${this.bytes.repr()}.elems()`;
  }
  override iterate(): StarIterator {
    const s = this.bytes.bytes;
    let i = 0;
    return { next: () => (i < s.length ? s.charCodeAt(i++) : undefined), done: () => {} };
  }
}

/** 32-bit FNV-1a of the bytes: hash(bytes), as starlark-go computes it. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
