// Source positions are packed into one number (line * 65536 + column, both 1-based) so the
// AST and the evaluator can carry them without allocating.

export type Pos = number;

const COLS = 0x10000;

export function makePos(line: number, col: number): Pos {
  return line * COLS + Math.min(col, COLS - 1);
}

export function lineOf(pos: Pos): number {
  return Math.floor(pos / COLS);
}

export function colOf(pos: Pos): number {
  return pos % COLS;
}

/** "file:line:col", as starlark-go prints positions. */
export function formatPos(file: string, pos: Pos): string {
  return `${file}:${lineOf(pos)}:${colOf(pos)}`;
}

/** A syntax or resolve error at a position; the message is a byte string. */
export interface SourceError {
  pos: Pos;
  message: string;
}
