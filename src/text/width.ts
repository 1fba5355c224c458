// How many terminal columns text takes: a CJK character or an emoji takes two, a combining mark or
// a zero-width joiner none, anything else one. Measured per grapheme (what the eye sees as one
// character), so a flag, a family emoji or a letter with its accents counts once. The wide ranges
// are Unicode's East Asian Wide and Fullwidth blocks (UAX #11) plus emoji presentation, which is
// what terminals draw two columns wide.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Nothing to draw: combining and enclosing marks, format characters (ZWJ, ZWSP, bidi marks), variation selectors. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\u{fe00}-\u{fe0f}\u{e0100}-\u{e01ef}]+$/u;
const EMOJI = /\p{Extended_Pictographic}\u{fe0f}|\p{Emoji_Presentation}|\p{Regional_Indicator}/u;

/** East Asian Wide (W) and Fullwidth (F) ranges, start and end inclusive, sorted. */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x2329, 0x232a], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
  [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f],
  [0xff00, 0xff60], [0xffe0, 0xffe6], [0x16fe0, 0x16fe4], [0x17000, 0x18cff], [0x1b000, 0x1b2ff],
  [0x1f200, 0x1f2ff], [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

function isWide(codePoint: number): boolean {
  let low = 0;
  let high = WIDE.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, end] = WIDE[middle]!;
    if (codePoint < start) high = middle - 1;
    else if (codePoint > end) low = middle + 1;
    else return true;
  }
  return false;
}

/** The columns one grapheme takes. */
export function graphemeWidth(grapheme: string): number {
  if (ZERO_WIDTH.test(grapheme)) return 0;
  if (EMOJI.test(grapheme) || isWide(grapheme.codePointAt(0)!)) return 2;
  return 1;
}

/** The graphemes of `text`, in order. */
export function graphemes(text: string): Iterable<string> {
  return (function* () {
    for (const { segment } of segmenter.segment(text)) yield segment;
  })();
}

/** The columns `text` takes on a terminal (it holds no control characters: see terminal.ts). */
export function displayWidth(text: string): number {
  // Printable ASCII is one column a character: the common case, without segmenting.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const grapheme of graphemes(text)) width += graphemeWidth(grapheme);
  return width;
}
