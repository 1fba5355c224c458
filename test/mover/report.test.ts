// The report: a file written whole, and console lines at most once a second while a pass runs,
// at once on a change of state, the last progress of a burst not lost.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONSOLE_PREFIX, type MoverReport } from '../../src/mover/protocol.js';
import { readReport, ReportKeeper } from '../../src/mover/report.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-mover-report-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const parse = (line: string) => JSON.parse(line.slice(CONSOLE_PREFIX.length)) as MoverReport;

describe('the report', () => {
  it('prints a burst of progress at most once a second, the state changes at once, and keeps the file equal to the last line', async () => {
    const lines: string[] = [];
    const path = join(dir, 'run', 'report.json');
    const started = Date.now();
    const keeper = new ReportKeeper(path, (line) => lines.push(line), () => new Date(), 'op-1');
    for (let i = 1; i <= 2000; i++) keeper.progress(i, 2000, `copying ${i}`);
    const elapsed = (Date.now() - started) / 1000;
    // The first line (running), then at most one a second.
    expect(lines.length).toBeLessThanOrEqual(2 + Math.floor(elapsed));
    await new Promise((resolve) => setTimeout(resolve, 1200));
    // The trailing line carries the last progress.
    expect(parse(lines.at(-1)!).progress).toEqual({ done: 2000, total: 2000 });
    const before = lines.length;
    keeper.finish('succeeded', 'done');
    expect(lines.length).toBe(before + 1);
    expect(lines.every((line) => line.startsWith(CONSOLE_PREFIX))).toBe(true);
    expect(parse(lines.at(-1)!)).toMatchObject({ op: 'op-1', state: 'succeeded', message: 'done' });
    expect(readReport(path)).toEqual(parse(lines.at(-1)!));
    expect(readdirSync(join(dir, 'run'))).toEqual(['report.json']);
  });

  it('reads no report from a file that is not one', () => {
    expect(readReport(join(dir, 'missing.json'))).toBeNull();
  });
});
