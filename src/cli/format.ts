// Small renderers shared by the reconciler's commands: times, byte counts, tables.

import { shownInTerminal } from './terminal.js';

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
