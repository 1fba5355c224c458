// What a message shows of a value it was given. A value can be megabytes long (a YAML string, a
// command-line argument, a key of a JSON file), and a message that echoes it whole is as long: on a
// terminal, in a pull request comment, in a log. So a message quotes the start of a long value and
// says how long the value is. Messages are escaped where they are shown (terminal, Markdown), as
// any other text; cutting happens between code points, so no character is split.

import { FORBIDDEN_IN_NAMES, unicodeEscape } from './control.js';

/** The most code points of a value a message shows. */
export const EXCERPT_CODE_POINTS = 60;

/** `text` when it is at most 60 code points long; else its first 60, an ellipsis and its length: `abc… (2,097,152 characters)`. */
export function excerpt(text: string): string {
  const cut = cutLong(text);
  return cut === null ? text : `${cut.head}… (${cut.length} characters)`;
}

/**
 * `"text"`, or for a text longer than 60 code points `"abc…" (2,097,152 characters)`. `quote` puts
 * the quotes around what is shown (plain double quotes unless it escapes as well).
 */
export function quoted(text: string, quote: (shown: string) => string = (shown) => `"${shown}"`): string {
  const cut = cutLong(text);
  return cut === null ? quote(text) : `${quote(`${cut.head}…`)} (${cut.length} characters)`;
}

/**
 * A value as JSON in double quotes — a string as itself, anything else as its JSON text — with
 * control and bidirectional characters as `\u` escapes (JSON.stringify leaves C1 and bidi raw),
 * shortened like `quoted`.
 */
export function quotedValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return quoted(text, (shown) => JSON.stringify(shown).replace(FORBIDDEN_IN_NAMES, unicodeEscape));
}

/** The most characters of a message from outside (a mover's report) that an entry's history keeps. */
const CLIPPED_CHARACTERS = 1000;

/** `text` when it is at most 1,000 characters long; else its first 1,000, an ellipsis and its length. */
export function clipped(text: string): string {
  return text.length <= CLIPPED_CHARACTERS ? text : `${text.slice(0, CLIPPED_CHARACTERS)}… (${text.length} characters)`;
}

/** The first 60 code points of a longer text and its length in code points (written with thousands separators); null when it is short. */
function cutLong(text: string): { head: string; length: string } | null {
  if (text.length <= EXCERPT_CODE_POINTS) return null;
  let end = 0;
  for (let shown = 0; shown < EXCERPT_CODE_POINTS && end < text.length; shown++) end += pairAt(text, end) ? 2 : 1;
  if (end >= text.length) return null;
  let length = 0;
  for (let i = 0; i < text.length; i += pairAt(text, i) ? 2 : 1) length++;
  return { head: text.slice(0, end), length: length.toLocaleString('en-US') };
}

/** Whether a surrogate pair (one code point in two code units) starts at `index`. */
function pairAt(text: string, index: number): boolean {
  const high = text.charCodeAt(index);
  if (high < 0xd800 || high > 0xdbff) return false;
  const low = text.charCodeAt(index + 1);
  return low >= 0xdc00 && low <= 0xdfff;
}
