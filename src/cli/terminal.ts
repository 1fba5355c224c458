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
import type { CliIo } from './io.js';

const MARK = '\ue000';
const NONCE = randomBytes(12).toString('hex');
const TOKEN = new RegExp(`${MARK}${NONCE}:(\\d{1,2}m|clear-line)${MARK}`, 'g');

/** The token for SGR `code` (a colour or a weight): ESC [ code m once through the sink. */
export function sgr(code: number): string {
  return `${MARK}${NONCE}:${code}m${MARK}`;
}

/** Back to the start of the line and erase it: CR, ESC [ 2 K once through the sink. */
export const CLEAR_LINE = `${MARK}${NONCE}:clear-line${MARK}`;

/** Data as the terminal will show it: every control character as its escape. */
export function shownInTerminal(text: string): string {
  return text.replace(TERMINAL_UNSAFE, unicodeEscape);
}

/** What the terminal receives for `text`: controls as escapes, then Ferry's tokens as sequences. */
export function terminalText(text: string): string {
  return shownInTerminal(text).replace(TOKEN, (_, control: string) => (control === 'clear-line' ? '\r\u001b[2K' : `\u001b[${control}`));
}

function sink(stream: CliIo['stdout']): CliIo['stdout'] {
  return { write: (text: string) => stream.write(terminalText(text)), isTTY: stream.isTTY };
}

/** The same streams, each through the sink. */
export function terminalIo(io: CliIo): CliIo {
  return { ...io, stdout: sink(io.stdout), stderr: sink(io.stderr) };
}
