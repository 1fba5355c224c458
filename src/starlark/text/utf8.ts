// Starlark strings are sequences of bytes (as in starlark-go), so inside the interpreter every
// string is a "byte string": a JS string whose char codes are all 0..255, one per UTF-8 byte.
// ASCII text is its own byte string, which keeps the common case free of conversions.

const NON_ASCII = /[^\x00-\x7f]/;

/** True if `text` is plain ASCII, so it is already a valid byte string. */
export function isAscii(text: string): boolean {
  // A loop beats the regular expression's call overhead on the short strings that dominate.
  if (text.length < 64) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
    return true;
  }
  return !NON_ASCII.test(text);
}

/** UTF-8 encodes a JS (UTF-16) string into a byte string. Lone surrogates become U+FFFD. */
export function toBytes(text: string): string {
  if (isAscii(text)) return text;
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Decodes a byte string as UTF-8 into a JS string; invalid sequences become U+FFFD. */
export function fromBytes(bytes: string): string {
  if (isAscii(bytes)) return bytes;
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The byte string encoding one code point. */
export function runeBytes(rune: number): string {
  if (rune < 0x80) return String.fromCharCode(rune);
  if (rune < 0x800) return String.fromCharCode(0xc0 | (rune >> 6), 0x80 | (rune & 0x3f));
  if (rune >= 0xd800 && rune <= 0xdfff) rune = 0xfffd;
  if (rune < 0x10000) {
    return String.fromCharCode(0xe0 | (rune >> 12), 0x80 | ((rune >> 6) & 0x3f), 0x80 | (rune & 0x3f));
  }
  if (rune > 0x10ffff) rune = 0xfffd;
  if (rune === 0xfffd) return runeBytes(rune);
  return String.fromCharCode(
    0xf0 | (rune >> 18),
    0x80 | ((rune >> 12) & 0x3f),
    0x80 | ((rune >> 6) & 0x3f),
    0x80 | (rune & 0x3f),
  );
}

export const RUNE_ERROR = 0xfffd;

/**
 * Decodes the code point starting at byte `i` with Go's utf8.DecodeRuneInString rules:
 * returns rune * 8 + size (size 1..4), so no tuple is allocated. An invalid or truncated
 * sequence yields U+FFFD with size 1.
 */
export function decodeRuneAt(s: string, i: number): number {
  const b0 = s.charCodeAt(i);
  if (b0 < 0x80) return b0 * 8 + 1;
  const n = s.length;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    if (i + 1 < n) {
      const b1 = s.charCodeAt(i + 1);
      if ((b1 & 0xc0) === 0x80) return (((b0 & 0x1f) << 6) | (b1 & 0x3f)) * 8 + 2;
    }
    return RUNE_ERROR * 8 + 1;
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (i + 2 < n) {
      const b1 = s.charCodeAt(i + 1);
      const b2 = s.charCodeAt(i + 2);
      const lo = b0 === 0xe0 ? 0xa0 : 0x80;
      const hi = b0 === 0xed ? 0x9f : 0xbf;
      if (b1 >= lo && b1 <= hi && (b2 & 0xc0) === 0x80) {
        return (((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f)) * 8 + 3;
      }
    }
    return RUNE_ERROR * 8 + 1;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (i + 3 < n) {
      const b1 = s.charCodeAt(i + 1);
      const b2 = s.charCodeAt(i + 2);
      const b3 = s.charCodeAt(i + 3);
      const lo = b0 === 0xf0 ? 0x90 : 0x80;
      const hi = b0 === 0xf4 ? 0x8f : 0xbf;
      if (b1 >= lo && b1 <= hi && (b2 & 0xc0) === 0x80 && (b3 & 0xc0) === 0x80) {
        return (((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f)) * 8 + 4;
      }
    }
    return RUNE_ERROR * 8 + 1;
  }
  return RUNE_ERROR * 8 + 1;
}

/** Decodes a byte string into its code points (Go's `for _, r := range s`). */
export function runesOf(s: string): number[] {
  const runes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const d = decodeRuneAt(s, i);
    runes.push(d >> 3);
    i += d & 7;
  }
  return runes;
}

/** Encodes code points as a byte string. */
export function bytesOfRunes(runes: readonly number[]): string {
  // Gathering the bytes and decoding them once is much faster, and leaner, than appending
  // short strings one at a time.
  const bytes = Buffer.allocUnsafe(4 * runes.length);
  let n = 0;
  for (let r of runes) {
    if (r < 0x80) {
      bytes[n++] = r;
      continue;
    }
    if (r < 0x800) {
      bytes[n++] = 0xc0 | (r >> 6);
    } else {
      if ((r >= 0xd800 && r <= 0xdfff) || r > 0x10ffff) r = RUNE_ERROR;
      if (r < 0x10000) {
        bytes[n++] = 0xe0 | (r >> 12);
      } else {
        bytes[n++] = 0xf0 | (r >> 18);
        bytes[n++] = 0x80 | ((r >> 12) & 0x3f);
      }
      bytes[n++] = 0x80 | ((r >> 6) & 0x3f);
    }
    bytes[n++] = 0x80 | (r & 0x3f);
  }
  return bytes.toString('latin1', 0, n);
}

/** Number of code points in a byte string, counting each invalid byte as one. */
export function runeCount(s: string): number {
  let count = 0;
  for (let i = 0; i < s.length; count++) i += decodeRuneAt(s, i) & 7;
  return count;
}
