// apply's progress on a terminal: live lines that fit its width and leave no wrapped fragments,
// finished entries folded into one line, and each warning said once.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { CLEAR_LINE, fitLine, sgr, terminalText } from '../../src/cli/terminal.js';
import { displayWidth } from '../../src/text/width.js';
import { committedExample, ferry, gitIn, PROJECT_ROOT } from '../helpers/cli.js';

/** Runs ferry with stdout on a terminal `columns` wide (told by COLUMNS, as a terminal without a size query would). */
async function onTerminal(args: string[], columns: number): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: true },
    stderr: { write: (text: string) => (stderr += text), isTTY: true },
    env: { COLUMNS: String(columns) },
    cwd: PROJECT_ROOT,
  });
  return { code, stdout, stderr };
}

/**
 * What a terminal `columns` wide shows after `output`: CR, LF, erase line (ESC [2K), cursor up
 * (ESC [1A) and autowrap at the last column, as xterm does. SGR sequences draw nothing.
 */
function screen(output: string, columns: number): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let column = 0;
  for (let i = 0; i < output.length; i++) {
    const c = output[i]!;
    if (c === '\u001b') {
      const sequence = /^\u001b\[(\d*)([A-Za-z])/.exec(output.slice(i))!;
      if (sequence[2] === 'K') rows[row] = [];
      if (sequence[2] === 'A') row = Math.max(0, row - Number(sequence[1] || 1));
      i += sequence[0].length - 1;
    } else if (c === '\r') {
      column = 0;
    } else if (c === '\n') {
      row++;
      column = 0;
      rows[row] ??= [];
    } else {
      if (column === columns) {
        row++;
        column = 0;
        rows[row] ??= [];
      }
      rows[row]![column++] = c;
    }
  }
  return rows.map((cells) => cells.join('').trimEnd());
}

const COLUMNS = 48;

describe('apply --until-idle on a narrow terminal', () => {
  it('keeps every live line within the width and leaves only the lines that are meant to stay', async () => {
    const dir = committedExample({ local: true });
    const run = await onTerminal(['apply', '--until-idle', '--repo', dir], COLUMNS);
    expect(run.code, run.stderr).toBe(0);

    // Every line drawn after an erase (the live area) fits, one column to spare.
    const live = run.stdout.split('\r\u001b[2K').slice(1).map((frame) => frame.split(/\n|\u001b\[1A/)[0]!.replace(/\u001b\[\d*m/g, ''));
    expect(live.length).toBeGreaterThan(20);
    for (const line of live) expect(displayWidth(line), line).toBeLessThan(COLUMNS);
    expect(live.some((line) => line.endsWith('…'))).toBe(true);

    // What stays on screen: no fragment of a tick line but the last, no line per finished entry.
    const shown = screen(run.stdout, COLUMNS).filter((line) => line !== '');
    expect(shown.filter((line) => /^2026-12-01 .*tick \d+/.test(line))).toHaveLength(1);
    expect(shown.join('\n')).not.toMatch(/tools-0\d: Finished/);
    expect(shown).toContain('finished: 5 entries (wave-0-pilot 5)');
    expect(shown).toContain('  batch wave-0-pilot: Finished');
    expect(shown.at(-1)).toMatch(/can progress$/);
  });
});

describe('log lines on stderr while the live area is drawn', () => {
  it('start on a row of their own: the live area is erased before each and drawn again after', async () => {
    let both = '';
    const terminal = { write: (text: string) => (both += text), isTTY: true };
    const dir = committedExample({ local: true });
    const code = await runCli(['apply', '--until-idle', '--log-level', 'debug', '--repo', dir], { stdout: terminal, stderr: terminal, env: { COLUMNS: '200' }, cwd: PROJECT_ROOT });
    expect(code).toBe(0);
    const rows = screen(both, 200).filter((row) => row.includes('{"level":'));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(row).toMatch(/^{"level":/);
  });
});

/** The example campaign with a running batch whose only window ended a month before the simulation starts. */
function campaignWithEndedWindow(): string {
  const dir = committedExample({ local: true });
  writeFileSync(join(dir, 'batches/wave-x-late.yaml'), [
    'apiVersion: ferry.dev/v1alpha1',
    'kind: Batch',
    'metadata: {name: wave-x-late}',
    'spec:',
    '  state: running',
    "  include_expression: name == 'no-such-vm'",
    '  migration_windows:',
    '    - {name: last-month, start: 2026-11-01 22:00:00, end: 2026-11-02 04:00:00}',
    '  defaults: {placement: {target: incus-east}}',
    '',
  ].join('\n'));
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-qm', 'a batch whose window is over');
  return dir;
}

describe('warnings during apply', () => {
  it('are said once per run, however many ticks they stand', async () => {
    // Every tick reports the warning…
    const json = await ferry(['apply', '--until-idle', '--json', '--repo', campaignWithEndedWindow()]);
    const ticks = json.stdout.split('\n').filter((line) => line.includes('"event":"tick"'));
    expect(ticks.length).toBeGreaterThan(10);
    for (const tick of ticks) expect(tick).toContain('"code":"window-ended"');

    // …and the operator reads it once, on a terminal and in a log.
    const log = await ferry(['apply', '--until-idle', '--repo', campaignWithEndedWindow()]);
    for (const run of [await onTerminal(['apply', '--until-idle', '--repo', campaignWithEndedWindow()], 200), log]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.split('warning window-ended')).toHaveLength(2);
    }
    // A log (stdout not a terminal) names the entries that finished, one line per tick.
    expect(log.stdout.split('\n').filter((line) => line.includes('finished:'))).toEqual([
      '  finished: wave-0-pilot/tools-01, wave-0-pilot/tools-02, wave-0-pilot/tools-03, wave-0-pilot/tools-04, wave-0-pilot/tools-05',
      'finished: 5 entries (wave-0-pilot 5)',
    ]);
  });
});

describe('a line fitted to the terminal', () => {
  it('counts wide characters as two columns and cuts between graphemes', () => {
    expect(fitLine('批次 wave-1 東京 web-01', 12)).toBe('批次 wave-1…');
    expect(displayWidth(fitLine('批次 wave-1 東京 web-01', 12))).toBeLessThanOrEqual(12);
    expect(fitLine('👩‍👩‍👧 family', 4)).toBe('👩‍👩‍👧 …');
    expect(fitLine('👩‍👩‍👧 family', 3)).toBe('👩‍👩‍👧…');
    expect(fitLine('café', 4)).toBe('café');
  });

  it('counts a control character from data as the escape the terminal shows, and Ferry\'s styles as nothing', () => {
    expect(fitLine('vm\u001b[2Jx', 8)).toBe('vm\\u001…');
    const styled = fitLine(`${sgr(1)}apply:${sgr(22)} 58 ticks, 30 status commits`, 16);
    expect(terminalText(styled)).toBe('\u001b[1mapply:\u001b[22m 58 ticks…\u001b[0m');
    expect(fitLine(`${CLEAR_LINE}short`, 10)).toBe(`${CLEAR_LINE}short`);
  });

  it('makes one line of text with line breaks and tabs', () => {
    expect(fitLine('a\nb\tc', 10)).toBe('a b c');
  });
});
