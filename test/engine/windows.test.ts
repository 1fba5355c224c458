import { describe, expect, it } from 'vitest';
import { backgroundTopUpDue, chooseWindow, lastMatchingConstraint, windowBegun, windowEnded, windowFits, windowLocked, type WindowOccupancy } from '../../src/engine/windows.js';
import type { Batch, Constraint, MigrationWindow } from '../../src/model/desired.js';

const H = 3_600_000;
const M = 60_000;
const T0 = Date.UTC(2026, 11, 1, 0, 0, 0);
const origin = { file: 'b.yaml', line: 1, column: 1 };

function window(name: string, start: number | null, end: number | null, extra: Partial<MigrationWindow> = {}): MigrationWindow {
  return { name, start, end, lockout: null, capacity: 0, origin, ...extra };
}

function constraint(name: string, max: number, bootMs: number | null = null): Constraint {
  return { name, description: '', include_expression: { text: 'true', origin }, max_concurrent_instances: max, min_instance_boot_time_ms: bootMs, origin };
}

function batch(windows: MigrationWindow[]): Batch {
  return { migration_windows: windows } as unknown as Batch;
}

const EMPTY: WindowOccupancy = { holders: () => 0, finalStepsMatching: () => 0 };

describe('window predicates', () => {
  const w = window('w', T0 + H, T0 + 3 * H, { lockout: T0 + 2 * H });
  it.each([
    ['before the start', T0, { begun: false, ended: false, locked: false }],
    ['inside, before the lockout', T0 + 1.5 * H, { begun: true, ended: false, locked: false }],
    ['after the lockout', T0 + 2.5 * H, { begun: true, ended: false, locked: true }],
    ['after the end', T0 + 4 * H, { begun: true, ended: true, locked: true }],
  ])('%s', (_what, now, expected) => {
    expect({ begun: windowBegun(w, now), ended: windowEnded(w, now), locked: windowLocked(w, now) }).toEqual(expected);
  });

  it('an unlimited window has always begun and never ends', () => {
    const open = window('open', null, null);
    expect([windowBegun(open, T0), windowEnded(open, T0 + 1000 * H), windowFits(open, T0, 100 * H)]).toEqual([true, false, true]);
  });

  it('a cutover fits only with its boot time plus one minute before the end', () => {
    const w2 = window('w', T0, T0 + H);
    expect(windowFits(w2, T0, 58 * M)).toBe(true);
    expect(windowFits(w2, T0, 59 * M)).toBe(false);
    expect(windowFits(w2, T0 + 30 * M, 28 * M)).toBe(true);
    expect(windowFits(w2, T0 + 30 * M, 29 * M)).toBe(false);
  });
});

describe('choosing a window', () => {
  const night1 = window('night-1', T0 + 22 * H, T0 + 26 * H, { capacity: 2 });
  const night2 = window('night-2', T0 + 46 * H, T0 + 50 * H, { capacity: 2 });

  it('takes the earliest window that fits', () => {
    expect(chooseWindow(batch([night2, night1]), null, null, EMPTY, T0)).toEqual({ kind: 'window', window: night1 });
  });

  it('lets a batch without windows cut over any time', () => {
    expect(chooseWindow(batch([]), null, null, EMPTY, T0)).toEqual({ kind: 'anytime' });
  });

  it('holds the entry back in a batch without windows while its constraint is at its limit', () => {
    const busy = { ...EMPTY, finalStepsMatching: () => 1 };
    expect(chooseWindow(batch([]), null, constraint('one', 1), busy, T0)).toMatchObject({ kind: 'none', reason: expect.stringContaining('constraint "one" allows 1') });
    expect(chooseWindow(batch([]), null, constraint('two', 2), busy, T0)).toEqual({ kind: 'anytime' });
  });

  it('skips a window at capacity', () => {
    const occupancy = { ...EMPTY, holders: (name: string) => (name === 'night-1' ? 2 : 0) };
    expect(chooseWindow(batch([night1, night2]), null, null, occupancy, T0)).toEqual({ kind: 'window', window: night2 });
  });

  it('waits when every window is at capacity instead of cutting over at once (migration-manager bug not copied)', () => {
    const occupancy = { ...EMPTY, holders: () => 2 };
    expect(chooseWindow(batch([night1, night2]), null, null, occupancy, T0)).toEqual({ kind: 'none', reason: 'every migration window is at capacity' });
  });

  it('keeps the window an entry already holds while it has not ended, even when locked or full', () => {
    const locked = window('locked', T0 - H, T0 + H, { lockout: T0 - 1, capacity: 1 });
    const occupancy = { ...EMPTY, holders: () => 5 };
    expect(chooseWindow(batch([locked, night1]), 'locked', null, occupancy, T0)).toEqual({ kind: 'window', window: locked });
  });

  it('does not reuse a window that ended', () => {
    const ended = window('ended', T0 - 3 * H, T0 - H);
    expect(chooseWindow(batch([ended, night1]), 'ended', null, EMPTY, T0)).toEqual({ kind: 'window', window: night1 });
  });

  it('skips locked windows', () => {
    const locked = window('locked', T0 - H, T0 + H, { lockout: T0 - 1 });
    expect(chooseWindow(batch([locked, night1]), null, null, EMPTY, T0)).toEqual({ kind: 'window', window: night1 });
  });

  it('holds the entry back while its constraint is at its limit', () => {
    const c = constraint('dbs', 1);
    const busy = { ...EMPTY, finalStepsMatching: () => 1 };
    expect(chooseWindow(batch([night1]), null, c, busy, T0)).toMatchObject({ kind: 'none', reason: expect.stringContaining('constraint "dbs" allows 1') });
    expect(chooseWindow(batch([night1]), null, c, EMPTY, T0)).toEqual({ kind: 'window', window: night1 });
    expect(chooseWindow(batch([night1]), null, constraint('unlimited', 0), { ...EMPTY, finalStepsMatching: () => 50 }, T0)).toEqual({ kind: 'window', window: night1 });
  });

  it('needs the constraint\'s boot time to fit in the window', () => {
    const short = window('short', T0 + H, T0 + H + 30 * M);
    expect(chooseWindow(batch([short, night1]), null, constraint('slow', 0, 45 * M), EMPTY, T0)).toEqual({ kind: 'window', window: night1 });
    expect(chooseWindow(batch([short]), null, constraint('slow', 0, 45 * M), EMPTY, T0)).toMatchObject({ kind: 'none', reason: expect.stringContaining('45 minutes of boot time') });
  });

  it('applies the last matching constraint', () => {
    const all = [constraint('a', 1), constraint('b', 2), constraint('c', 3)];
    expect(lastMatchingConstraint(all, (c) => c.name !== 'c')!.name).toBe('b');
    expect(lastMatchingConstraint(all, () => false)).toBeNull();
  });
});

describe('background sync top-ups', () => {
  const I = 30 * M;
  const F = 10 * M;
  it.each([
    ['no window, an interval passed', T0, null, T0 + I, true],
    ['no window, less than an interval passed', T0, null, T0 + I - 1, false],
    ['a window far away, an interval passed', T0, window('w', T0 + 5 * H, null), T0 + I, true],
    ['a window within the next interval: one last top-up while F remains', T0 - 40 * M, window('w', T0 + 20 * M, null), T0 + 5 * M, true],
    ['the last top-up already ran within the final interval (migration-manager would sync again)', T0, window('w', T0 + 20 * M, null), T0 + 5 * M, false],
    ['a window within the next interval, less than F remains', T0 - 40 * M, window('w', T0 + 20 * M, null), T0 + 11 * M, false],
    ['a window more than an interval after the last sync, not yet due', T0, window('w', T0 + 2 * H, null), T0 + 10 * M, false],
  ])('%s', (_what, lastSync, w, now, due) => {
    expect(backgroundTopUpDue(lastSync, w, now, I, F)).toBe(due);
  });
});
