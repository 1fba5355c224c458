// Small renderers shared by the reconciler's commands: times, byte counts, tables.

import type { CommandContext, OptionSpec } from './command.js';
import { shownInTerminal } from './terminal.js';
import { displayWidth, graphemes, graphemeWidth } from '../text/width.js';

export function isoTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toISOString().replace('.000Z', 'Z').replace('T', ' ');
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/**
 * A left-aligned text table; the last column is not padded. Cells are measured as the terminal
 * will show them (a control character in a name as its `\u001b` escape), so columns stay aligned.
 */
export function table(header: string[], rows: string[][]): string {
  const shown = rows.map((row) => row.map(shownInTerminal));
  const widths = header.map((h, i) => Math.max(h.length, ...shown.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...shown.map(line)].join('\n') + '\n';
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** `--wide`: the listings' option to print every cell whole. */
export const WIDE_OPTION: Record<string, OptionSpec> = {
  wide: { type: 'boolean', description: 'print every cell whole instead of fitting the table to the terminal width' },
};

/**
 * The width a listing fits in: unlimited with `--wide`, else the terminal's width, else `COLUMNS`,
 * else 80 (a pipe or a file: what a reader's screen most likely is).
 */
export function terminalWidth(context: Pick<CommandContext, 'io' | 'options'>): number {
  if (context.options.wide === true) return Number.POSITIVE_INFINITY;
  const { stdout, env } = context.io;
  if (stdout.isTTY === true && typeof stdout.columns === 'number' && stdout.columns > 0) return stdout.columns;
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  return 80;
}

/** `text` cut to `width` terminal columns, ending with an ellipsis when cut (at a grapheme boundary). */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 1) return '…'.slice(0, Math.max(width, 0));
  let out = '';
  let used = 0;
  for (const grapheme of graphemes(text)) {
    const w = graphemeWidth(grapheme);
    if (used + w > width - 1) break;
    out += grapheme;
    used += w;
  }
  return `${out}…`;
}

export interface FitOptions {
  /** The widest line (see `terminalWidth`). */
  width: number;
  /** The columns that may be cut (messages, placements, locations); default: the last one. */
  flex?: number[];
  /** Styles a cell after it was cut and padded (colours do not count towards the width). */
  style?: (text: string, row: number, column: number) => string;
}

/**
 * A table like `table` that fits in `width` terminal columns (a wide character counts two): the widest of the `flex` columns gives way
 * first, down to its header's width (or 8), and a cut cell ends with an ellipsis. Names and
 * statuses are never cut: a table that cannot fit even so is printed wider.
 */
export function fitTable(header: string[], rows: string[][], options: FitOptions): string {
  const shown = rows.map((row) => header.map((_, i) => shownInTerminal(row[i] ?? '')));
  const widths = header.map((h, i) => Math.max(h.length, ...shown.map((r) => displayWidth(r[i]!))));
  const flex = new Set(options.flex ?? [header.length - 1]);
  const floor = header.map((h, i) => (flex.has(i) ? Math.min(widths[i]!, Math.max(h.length, 8)) : widths[i]!));
  let excess = widths.reduce((n, w) => n + w, 0) + 2 * (header.length - 1) - options.width;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i]! > floor[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0) break;
    widths[widest]!--;
    excess--;
  }
  const style = options.style ?? ((text: string) => text);
  const line = (cells: string[], row: number) =>
    cells
      .map((c, i) => {
        const cut = truncate(c, widths[i]!);
        const pad = i === cells.length - 1 ? '' : ' '.repeat(Math.max(widths[i]! - displayWidth(cut), 0));
        return (row < 0 || cut === '' ? cut : style(cut, row, i)) + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(header, -1), ...shown.map(line)].join('\n') + '\n';
}
