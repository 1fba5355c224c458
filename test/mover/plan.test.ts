// Plans: changed areas merged into ranges, ranges cut into chunks; the command line.

import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/mover/args.js';
import { chunksOf, mergeAreas } from '../../src/mover/plan.js';

describe('changed areas as a plan', () => {
  it.each([
    ['sorted and merged when adjacent or overlapping', [{ start: 4096, length: 512 }, { start: 0, length: 1024 }, { start: 1024, length: 512 }, { start: 4000, length: 200 }], [{ start: 0, length: 1536 }, { start: 4000, length: 608 }]],
    ['clipped to the capacity, empty areas dropped', [{ start: 8000, length: 1000 }, { start: 10_000, length: 10 }, { start: 5, length: 0 }], [{ start: 8000, length: 192 }]],
    ['nothing changed', [], []],
  ])('%s', (_, areas, plan) => {
    expect(mergeAreas(areas, 8192)).toEqual(plan);
  });

  it('cuts each range into chunks from its own start', () => {
    expect([...chunksOf([{ start: 100, length: 25 }, { start: 1000, length: 10 }], 10)]).toEqual([
      { start: 100, length: 10 },
      { start: 110, length: 10 },
      { start: 120, length: 5 },
      { start: 1000, length: 10 },
    ]);
  });
});

describe('the command line', () => {
  const defaults = { stateDir: '/var/lib/ferry-mover', report: '/run/ferry-mover/report.json' };

  it('reads devices, the rate and the mode', () => {
    const parsed = parseArgs(['--job', 'j.json', '--device', 'disk0=/tmp/a=b.img', '--once', '--max-rate', '8M'], defaults);
    expect(parsed).toMatchObject({ ok: true, args: { job: 'j.json', once: true, maxRate: 8 * 1024 * 1024, stateDir: defaults.stateDir } });
    expect((parsed as { args: { devices: Map<string, string> } }).args.devices.get('disk0')).toBe('/tmp/a=b.img');
  });

  it.each([
    [['--jbo', 'x'], 'unknown option "--jbo"'],
    [['--job'], '--job needs a value'],
    [['--device', 'disk0'], 'is not NAME=PATH'],
    [['--max-rate', 'fast'], 'is not a byte count'],
  ])('refuses %j', (argv, expected) => {
    const parsed = parseArgs(argv, defaults);
    expect(parsed.ok).toBe(false);
    expect((parsed as { error: string }).error).toContain(expected);
  });
});
