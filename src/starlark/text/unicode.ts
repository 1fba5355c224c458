// Go's unicode package predicates and simple (one-to-one) case mappings, over code points.
// JS offers full case mapping ("ß" → "SS"); Go uses the simple mapping, so a mapping that
// would change the number of code points leaves the character unchanged.

const UPPER = /^\p{Lu}$/u;
const LOWER = /^\p{Ll}$/u;
const TITLE = /^\p{Lt}$/u;
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;
const SPACE = /^\p{White_Space}$/u;

function test(re: RegExp, r: number): boolean {
  return re.test(String.fromCodePoint(r));
}

export function isUpper(r: number): boolean {
  if (r < 0x80) return r >= 65 && r <= 90;
  return test(UPPER, r);
}
export function isLower(r: number): boolean {
  if (r < 0x80) return r >= 97 && r <= 122;
  return test(LOWER, r);
}
export function isTitle(r: number): boolean {
  return r >= 0x80 && test(TITLE, r);
}
export function isLetter(r: number): boolean {
  if (r < 0x80) return (r >= 65 && r <= 90) || (r >= 97 && r <= 122);
  return test(LETTER, r);
}
export function isDigit(r: number): boolean {
  if (r < 0x80) return r >= 48 && r <= 57;
  return test(DIGIT, r);
}
export function isSpace(r: number): boolean {
  if (r < 0x80) return r === 32 || (r >= 9 && r <= 13);
  return r === 0x85 || r === 0xa0 || test(SPACE, r);
}

function single(mapped: string, r: number): number {
  const cp = mapped.codePointAt(0) ?? r;
  return mapped.length === (cp > 0xffff ? 2 : 1) ? cp : r;
}

export function simpleLower(r: number): number {
  if (r < 0x80) return r >= 65 && r <= 90 ? r + 32 : r;
  if (r === 0x130) return 0x69;
  return single(String.fromCodePoint(r).toLowerCase(), r);
}

export function simpleUpper(r: number): number {
  if (r < 0x80) return r >= 97 && r <= 122 ? r - 32 : r;
  return single(String.fromCodePoint(r).toUpperCase(), r);
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

export function simpleTitle(r: number): number {
  return TITLE_CASE.get(r) ?? simpleUpper(r);
}

/** unicode.SimpleFold(r) != r: whether the rune has another case. */
export function hasOtherCase(r: number): boolean {
  return simpleLower(r) !== r || simpleUpper(r) !== r || simpleTitle(r) !== r;
}
