// Characters that steer whatever displays text instead of showing as text: a terminal (escape
// sequences, the bell, a carriage return that overwrites the line), a renderer (line breaks) or a
// reader's eye (bidirectional overrides that show text in another order than it is). Shared by the
// renderers of untrusted text (markup.ts), the CLI's output sink and the rule on document names.

/** C0 controls, DEL and C1 controls, as the body of a regular-expression character class. */
const CONTROLS = '\\u0000-\\u001f\\u007f-\\u009f';
/** Bidirectional embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069). */
const BIDI = '\\u202a-\\u202e\\u2066-\\u2069';
/** The line and paragraph separators: not controls, but line terminators in Unicode. */
const SEPARATORS = '\\u2028\\u2029';

/**
 * What a document name may not contain, as a character class body. The JSON Schemas spell the
 * same class in their `NoControlCharacters` pattern (test/text/control.test.ts holds them equal).
 */
export const NAME_FORBIDDEN_CLASS = `${CONTROLS}${SEPARATORS}${BIDI}`;

/** Every Unicode line terminator: CRLF as one, LF, VT, FF, CR, NEL, LS and PS. */
export const LINE_TERMINATOR = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/g;

/** Controls and bidirectional overrides and isolates, tab and newline included. */
export const CONTROL_CHARACTER = new RegExp(`[${CONTROLS}${BIDI}]`, 'g');

/** What never reaches a terminal from data: CONTROL_CHARACTER less tab and newline. */
export const TERMINAL_UNSAFE = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${BIDI}]`, 'g');

/** What a name may not contain, everywhere in a string. */
export const FORBIDDEN_IN_NAMES = new RegExp(`[${NAME_FORBIDDEN_CLASS}]`, 'g');

/** `\u001b`: a character as a JavaScript and JSON escape, visible wherever it is printed. */
export function unicodeEscape(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
