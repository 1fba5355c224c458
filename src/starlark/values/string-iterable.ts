// The iterables returned by str.elems(), elem_ords(), codepoints() and codepoint_ords().
// elems and elem_ords are indexable sequences of known length (the bytes); codepoints and
// codepoint_ords are only iterable, and give U+FFFD for each byte of an invalid sequence.

import { fail } from '../eval/errors.js';
import { goQuote } from '../text/go-quote.js';
import { decodeRuneAt, RUNE_ERROR, runeBytes } from '../text/utf8.js';
import { StarObject, type StarIterator, type Value } from './value.js';

const REPLACEMENT = runeBytes(RUNE_ERROR);

export class StringElems extends StarObject {
  constructor(
    readonly s: string,
    readonly ords: boolean,
  ) {
    super();
  }

  type(): string {
    return 'string.elems';
  }
  override hashKey(): unknown {
    return fail('unhashable: string.elems');
  }
  repr(): string {
    return `${goQuote(this.s)}.${this.ords ? 'elem_ords' : 'elems'}()`;
  }
  override len(): number {
    return this.s.length;
  }
  override index(i: number): Value {
    return this.ords ? this.s.charCodeAt(i) : this.s[i];
  }
  override iterate(): StarIterator {
    let i = 0;
    return {
      next: (): Value | undefined => (i < this.s.length ? this.index(i++) : undefined),
      done: () => {},
    };
  }
}

export class StringCodepoints extends StarObject {
  constructor(
    readonly s: string,
    readonly ords: boolean,
  ) {
    super();
  }

  type(): string {
    return 'string.codepoints';
  }
  override hashKey(): unknown {
    return fail('unhashable: string.codepoints');
  }
  repr(): string {
    return `${goQuote(this.s)}.${this.ords ? 'codepoint_ords' : 'codepoints'}()`;
  }
  override iterate(): StarIterator {
    const s = this.s;
    let i = 0;
    return {
      next: (): Value | undefined => {
        if (i >= s.length) return undefined;
        const d = decodeRuneAt(s, i);
        const r = d >> 3;
        const start = i;
        i += d & 7;
        if (this.ords) return r;
        return r === RUNE_ERROR ? REPLACEMENT : s.slice(start, i);
      },
      done: () => {},
    };
  }
}
