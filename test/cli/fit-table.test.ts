import { describe, expect, it } from 'vitest';
import { fitTable, terminalWidth, truncate } from '../../src/cli/format.js';
import { displayWidth } from '../../src/text/width.js';

const rows = [
  ['web-fe-01', 'Conflict', 'Instance can no longer be placed on the target: network "dmz" does not exist'],
  ['数据库-01', 'Finished', 'Finished'],
];

describe('tables that fit the terminal', () => {
  it('cut the flexible column with an ellipsis, never a name or a status, counting wide characters as two', () => {
    const out = fitTable(['INSTANCE', 'STATUS', 'MESSAGE'], rows, { width: 40 });
    const lines = out.trimEnd().split('\n');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    expect(lines[1]).toMatch(/^web-fe-01\s+Conflict\s+Instance.*…$/);
    expect(lines[2]).toMatch(/^数据库-01\s+Finished\s+Finished$/);
    // The columns line up as the terminal draws them.
    expect(displayWidth(lines[1]!.slice(0, lines[1]!.indexOf('Conflict')))).toBe(displayWidth(lines[2]!.slice(0, lines[2]!.indexOf('Finished'))));
  });

  it('print wider than asked rather than cut a name', () => {
    const out = fitTable(['INSTANCE', 'STATUS', 'MESSAGE'], rows, { width: 10 });
    expect(out).toContain('web-fe-01');
    expect(out).toContain('Conflict');
  });

  it('take the terminal width, else COLUMNS, else 80, and no limit with --wide', () => {
    const io = (isTTY: boolean, columns?: number, env: Record<string, string> = {}) => ({ stdout: { write: () => true, isTTY, ...(columns ? { columns } : {}) }, stderr: { write: () => true }, env, cwd: '/' });
    expect(terminalWidth({ io: io(true, 132), options: {} })).toBe(132);
    expect(terminalWidth({ io: io(false, 132, { COLUMNS: '100' }), options: {} })).toBe(100);
    expect(terminalWidth({ io: io(false), options: {} })).toBe(80);
    expect(terminalWidth({ io: io(true, 132), options: { wide: true } })).toBe(Number.POSITIVE_INFINITY);
    expect(truncate('数据库数据库', 5)).toBe('数据…');
  });
});
