// The bottom of a terminal that a long-running command rewrites in place (apply's progress), and
// the lines that stay above it. Every live line is cut to the terminal's width before it is
// written — a line that wrapped could not be erased, and its first rows would pile up — and the
// whole area is erased (each line, bottom to top) before anything is printed above it.

import type { CliIo } from './io.js';
import { CLEAR_LINE, CURSOR_UP, fitLine, setLiveArea } from './terminal.js';

export class LiveArea {
  private shown = 0;
  private lines: string[] = [];

  /** `columns`: asked at every draw, so a resized terminal gets lines of its new width. */
  constructor(
    private readonly out: CliIo['stdout'],
    private readonly columns: () => number,
  ) {}

  /** Replaces what the area shows. A line on stderr (a log line, a problem) erases it first; the next `show` draws it again. */
  show(lines: string[]): void {
    this.lines = lines;
    this.out.write(this.erase() + this.draw());
    setLiveArea(() => this.hide());
  }

  /** Writes `text` (whole lines) above the area, which is drawn again below it. */
  print(text: string): void {
    this.out.write(this.erase() + text + this.draw());
  }

  /** Erases the area for good (until the next `show`); what was printed above stays. */
  clear(): void {
    this.lines = [];
    this.out.write(this.erase());
    setLiveArea(null);
  }

  /** Ends the area, leaving `lines` (fitted like live ones) on screen above whatever comes next. */
  settle(lines: string[]): void {
    this.lines = lines;
    this.out.write(this.erase() + this.draw() + (lines.length > 0 ? '\n' : ''));
    this.shown = 0;
    this.lines = [];
    setLiveArea(null);
  }

  /** Before writing to another stream of the same terminal: erases the area, which `show` draws again. */
  hide(): void {
    if (this.shown > 0) this.out.write(this.erase());
  }

  private draw(): string {
    // One column short of the width: a line that fills the last column leaves some terminals
    // waiting to wrap, and the next carriage return would land on the row below.
    const width = Math.max(this.columns() - 1, 10);
    this.shown = this.lines.length;
    return this.lines.map((line) => fitLine(line, width)).join('\n');
  }

  private erase(): string {
    const rows = this.shown;
    this.shown = 0;
    return rows === 0 ? '' : CLEAR_LINE + `${CURSOR_UP}${CLEAR_LINE}`.repeat(rows - 1);
  }
}

/**
 * Says each warning once: remembers what was said by its code and subject (a problem's code and
 * position, a note's text with its numbers masked), for the life of the process. `forget` starts
 * afresh — a watch does when the desired state changes, so what still stands is said again once.
 */
export class SaidOnce {
  private readonly said = new Set<string>();

  /** True the first time `key` is seen. */
  first(key: string): boolean {
    if (this.said.has(key)) return false;
    this.said.add(key);
    return true;
  }

  forget(): void {
    this.said.clear();
  }
}

/** A problem's key: its code and where it is (the same rule on the same document, whatever the message says now). */
export function problemKey(problem: { code: string; file: string; line: number; column: number }): string {
  return `problem\0${problem.code}\0${problem.file}:${problem.line}:${problem.column}`;
}

/** A note's key: its text with every number masked (a count or a time that moved is the same note). */
export function noteKey(text: string): string {
  return `note\0${text.replace(/\d+/g, '#')}`;
}

/** `a, b, c (+N more)`: names, at most `max` of them. */
export function someNames(names: readonly string[], max = 8): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} (+${names.length - max} more)`;
}
