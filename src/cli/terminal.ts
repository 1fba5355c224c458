// The CLI's one way to the terminal. Everything a command writes passes through `terminalIo`'s
// sink, which shows every control character (ESC, BEL, CR, the C1 controls, bidirectional
// overrides and isolates) as a visible `\uXXXX` escape: a VM name cannot clear the screen, rewrite
// a line, retitle the window or reorder what the operator reads. Ferry's own styling (colours,
// the progress line's carriage return) is written as tokens that only this process can make — a
// random nonce between private-use marks — and becomes real escape sequences after that step.
// Tab and newline pass as they are. In `--json` output the escape keeps the JSON valid and says
// the same: inside a JSON string, `\u001b` is the character it replaced.

import { randomBytes } from 'node:crypto';
import { TERMINAL_UNSAFE, unicodeEscape } from '../text/control.js';
import { displayWidth, graphemes, graphemeWidth } from '../text/width.js';
import type { CliIo } from './io.js';

const MARK = '\ue000';
const NONCE = randomBytes(12).toString('hex');
const TOKEN = new RegExp(`${MARK}${NONCE}:(\\d{1,2}m|clear-line|cursor-up)${MARK}`, 'g');
const SEQUENCES: Record<string, string> = { 'clear-line': '\r\u001b[2K', 'cursor-up': '\u001b[1A' };

/** The token for SGR `code` (a colour or a weight): ESC [ code m once through the sink. */
export function sgr(code: number): string {
  return `${MARK}${NONCE}:${code}m${MARK}`;
}

/** Back to the start of the line and erase it: CR, ESC [ 2 K once through the sink. */
export const CLEAR_LINE = `${MARK}${NONCE}:clear-line${MARK}`;

/** One line up, same column: ESC [ 1 A once through the sink (a live area of several lines). */
export const CURSOR_UP = `${MARK}${NONCE}:cursor-up${MARK}`;

/** Data as the terminal will show it: every control character as its escape. */
export function shownInTerminal(text: string): string {
  return text.replace(TERMINAL_UNSAFE, unicodeEscape);
}

/** What the terminal receives for `text`: controls as escapes, then Ferry's tokens as sequences. */
export function terminalText(text: string): string {
  return shownInTerminal(text).replace(TOKEN, (_, control: string) => SEQUENCES[control] ?? `\u001b[${control}`);
}

/**
 * `text` as one terminal line of at most `columns` columns, measured as the terminal draws it: a
 * control character from data as its escape (six columns), a wide character as two, Ferry's tokens
 * as none. A longer line is cut at a grapheme boundary and ends with an ellipsis (and a reset, when
 * it was styled); line breaks and tabs become spaces. A line that wraps cannot be rewritten in
 * place: the terminal would keep its first rows.
 */
export function fitLine(text: string, columns: number): string {
  const shown = shownInTerminal(text).replace(/[\t\n]/g, ' ');
  const room = Math.max(columns, 1);
  if (displayWidth(shown.replace(TOKEN, '')) <= room) return shown;
  let out = '';
  let width = 0;
  let styled = false;
  let last = 0;
  const cut = (piece: string): boolean => {
    for (const grapheme of graphemes(piece)) {
      const w = graphemeWidth(grapheme);
      if (width + w > room - 1) return true;
      out += grapheme;
      width += w;
    }
    return false;
  };
  for (const match of shown.matchAll(TOKEN)) {
    if (cut(shown.slice(last, match.index))) return `${out}…${styled ? sgr(0) : ''}`;
    out += match[0];
    styled ||= match[1]!.endsWith('m');
    last = match.index + match[0].length;
  }
  cut(shown.slice(last));
  return `${out}…${styled ? sgr(0) : ''}`;
}

/** What erases a live area on stdout (./live.ts) before anything else is written to stderr, which shares its terminal. */
let liveOnStdout: (() => void) | null = null;

export function setLiveArea(erase: (() => void) | null): void {
  liveOnStdout = erase;
}

function sink(stream: CliIo['stdout'], before: () => void = () => {}): CliIo['stdout'] {
  // `columns` is read when asked: a terminal can be resized while a command runs.
  return {
    write: (text: string) => {
      before();
      return stream.write(terminalText(text));
    },
    isTTY: stream.isTTY,
    get columns() {
      return stream.columns;
    },
  };
}

/** The same streams, each through the sink. */
export function terminalIo(io: CliIo): CliIo {
  return { ...io, stdout: sink(io.stdout), stderr: sink(io.stderr, () => liveOnStdout?.()) };
}
