// Go's unicode package predicates and simple (one-to-one) case mappings, over code points, as
// the Go 1.26 that builds the reference CLI has them (Unicode 15.0.0).
//
// They start from Node's tables (Unicode 17 in Node 20.20), then correct what differs from
// Go's, over every code point (the peer suite compares all of them with the reference):
// - characters assigned after Unicode 15.0 (unicode-newer.ts) are unknown to Go: no class, no
//   case mapping, and neither are mappings onto them (ƛ has no upper case in Go);
// - JS offers only full case mapping ("ß" → "SS"); Go uses the simple mapping, so a mapping
//   that would change the number of code points leaves the character unchanged, except for the
//   Greek letters with ypogegrammeni, whose simple upper case is their title case (ᾳ → ᾼ);
// - title case is upper case except for the Latin digraphs (ǆ → ǅ) and Georgian Mkhedruli
//   letters, which title-case to themselves (their upper case is Mtavruli);
// - U+0295 (ʕ) became Lo in Unicode 16; in Go it is still a lower-case letter.

import { ASSIGNED_AFTER_UNICODE_15 } from './unicode-newer.js';

const UPPER = /^\p{Lu}$/u;
const LOWER = /^\p{Ll}$/u;
const TITLE = /^\p{Lt}$/u;
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;
const SPACE = /^\p{White_Space}$/u;

function test(re: RegExp, r: number): boolean {
  return re.test(String.fromCodePoint(r));
}

/** Whether a code point was assigned after the Unicode version of the reference's Go. */
export function unknownToGo(r: number): boolean {
  if (r < ASSIGNED_AFTER_UNICODE_15[0]) return false;
  const ranges = ASSIGNED_AFTER_UNICODE_15;
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (r < ranges[2 * mid]) hi = mid - 1;
    else if (r > ranges[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

export function isUpper(r: number): boolean {
  if (r < 0x80) return r >= 65 && r <= 90;
  return test(UPPER, r) && !unknownToGo(r);
}
export function isLower(r: number): boolean {
  if (r < 0x80) return r >= 97 && r <= 122;
  return r === 0x295 || (test(LOWER, r) && !unknownToGo(r));
}
export function isTitle(r: number): boolean {
  return r >= 0x80 && test(TITLE, r) && !unknownToGo(r);
}
export function isLetter(r: number): boolean {
  if (r < 0x80) return (r >= 65 && r <= 90) || (r >= 97 && r <= 122);
  return test(LETTER, r) && !unknownToGo(r);
}
export function isDigit(r: number): boolean {
  if (r < 0x80) return r >= 48 && r <= 57;
  return test(DIGIT, r) && !unknownToGo(r);
}
export function isSpace(r: number): boolean {
  if (r < 0x80) return r === 32 || (r >= 9 && r <= 13);
  return r === 0x85 || r === 0xa0 || test(SPACE, r);
}

/** A one-to-one mapping JS gives, if it maps onto a character Go knows; otherwise r itself. */
function single(mapped: string, r: number): number {
  const cp = mapped.codePointAt(0) ?? r;
  if (mapped.length !== (cp > 0xffff ? 2 : 1)) return r;
  return unknownToGo(r) || unknownToGo(cp) ? r : cp;
}

/** The Greek letters with ypogegrammeni (ᾀ..ᾧ, ᾳ, ῃ, ῳ): simple upper case is title case. */
function greekWithYpogegrammeni(r: number): number | undefined {
  if ((r >= 0x1f80 && r <= 0x1f87) || (r >= 0x1f90 && r <= 0x1f97) || (r >= 0x1fa0 && r <= 0x1fa7)) return r + 8;
  if (r === 0x1fb3 || r === 0x1fc3 || r === 0x1ff3) return r + 9;
  return undefined;
}

export function simpleLower(r: number): number {
  if (r < 0x80) return r >= 65 && r <= 90 ? r + 32 : r;
  if (r === 0x130) return 0x69;
  return single(String.fromCodePoint(r).toLowerCase(), r);
}

export function simpleUpper(r: number): number {
  if (r < 0x80) return r >= 97 && r <= 122 ? r - 32 : r;
  return greekWithYpogegrammeni(r) ?? single(String.fromCodePoint(r).toUpperCase(), r);
}

// The letters whose title case differs from their upper case: the Latin digraphs.
const TITLE_CASE: ReadonlyMap<number, number> = new Map([
  [0x1c4, 0x1c5],
  [0x1c5, 0x1c5],
  [0x1c6, 0x1c5],
  [0x1c7, 0x1c8],
  [0x1c8, 0x1c8],
  [0x1c9, 0x1c8],
  [0x1ca, 0x1cb],
  [0x1cb, 0x1cb],
  [0x1cc, 0x1cb],
  [0x1f1, 0x1f2],
  [0x1f2, 0x1f2],
  [0x1f3, 0x1f2],
]);

/** Georgian Mkhedruli letters (ა..ჺ, ჽ..ჿ): their title case is themselves, not Mtavruli. */
function isMkhedruli(r: number): boolean {
  return (r >= 0x10d0 && r <= 0x10fa) || (r >= 0x10fd && r <= 0x10ff);
}

export function simpleTitle(r: number): number {
  if (isMkhedruli(r)) return r;
  return TITLE_CASE.get(r) ?? simpleUpper(r);
}

/**
 * unicode.SimpleFold(r) != r: whether the rune belongs to a case-folding orbit. That is having
 * another case, except for ß (whose orbit holds ẞ, although its simple upper case is itself),
 * and İ and ı (which fold with nothing, although they have upper or lower cases).
 */
export function hasOtherCase(r: number): boolean {
  if (r === 0xdf) return true;
  if (r === 0x130 || r === 0x131) return false;
  return simpleLower(r) !== r || simpleUpper(r) !== r || simpleTitle(r) !== r;
}
