// The iterables returned by str.elems(), elem_ords(), codepoints() and codepoint_ords().

import { fail } from '../eval/errors.js';
import { goQuote } from '../text/go-quote.js';
import { decodeRuneAt } from '../text/utf8.js';
import { StarObject, type StarIterator, type Value } from './value.js';

export class StringIterable extends StarObject {
  constructor(
    readonly s: string,
    readonly ords: boolean,
    readonly codepoints: boolean,
  ) {
    super();
  }

  type(): string {
    return this.codepoints ? 'codepoints' : 'elems';
  }
  override hashKey(): unknown {
    return fail(`unhashable: ${this.type()}`);
  }
  repr(): string {
    const etype = this.codepoints ? 'codepoint' : 'elem';
    return `${goQuote(this.s)}.${etype}${this.ords ? '_ords' : 's'}()`;
  }
  override iterate(): StarIterator {
    const s = this.s;
    let i = 0;
    return {
      next: (): Value | undefined => {
        if (i >= s.length) return undefined;
        if (this.codepoints) {
          const d = decodeRuneAt(s, i);
          const size = d & 7;
          const start = i;
          i += size;
          return this.ords ? d >> 3 : s.slice(start, i);
        }
        const start = i++;
        return this.ords ? s.charCodeAt(start) : s[start];
      },
      done: () => {},
    };
  }
}
