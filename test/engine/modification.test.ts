import { describe, expect, it } from 'vitest';
import { modificationProblems } from '../../src/engine/index.js';
import type { Batch } from '../../src/model/desired.js';
import { batch, constraint, desired, H, M, resolution, running, seeded, T0, vm, window, World, type BatchFields, type SeedOptions } from './fixture.js';

const night = window('night', T0 - H, T0 + 3 * H, { capacity: 5 });
const base: BatchFields = { windows: [night], constraints: [constraint('dbs', "name startsWith 'db'", 1)], scriptlet: 'def placement(instance, batch):\n    pass\n' };

/** wave-1 started with `base`; web-01's entry as `entry` says. */
function started(entry: SeedOptions['entry'] = { status: 'idle', import_stage: 'final' }): World {
  return seeded({ batch: base, entry, created: true });
}

function change(world: World, fields: Partial<BatchFields>, edit?: (b: Batch) => void): void {
  const next = batch('wave-1', { ...base, ...fields });
  edit?.(next);
  world.desired = { ...world.desired, batches: [next] };
}

function codes(world: World): string[] {
  return modificationProblems(world.desired, world.status, { now: world.now }).map((p) => p.code);
}

const holding = { status: 'final_import' as const, import_stage: 'final' as const, window: 'night', source_powered_off: true };

describe('changes to a started batch (research §1.4, §2.6)', () => {
  it.each([
    ['the include expression', {}, { include: 'false' }, 'started-batch-include-expression', 'batches/wave-1.yaml:5:24'],
    ['the default placement', {}, { pool: 'ssd' }, 'started-batch-placement', 'batches/wave-1.yaml:30:15'],
    ['the migration networks', {}, { migrationNetwork: [{ target: 'incus', target_project: 'default', network: 'migration', nictype: 'bridged' as const, vlan_id: '' }] }, 'started-batch-placement', 'batches/wave-1.yaml:1:1'],
    ['the scriptlet while an entry waits to be placed', { status: 'waiting' as const }, { scriptlet: 'def placement(instance, batch):\n    set_project("x")\n' }, 'started-batch-scriptlet', 'batches/wave-1.yaml:40:5'],
    ['a constraint concerning a committed entry', holding, { constraints: [constraint('dbs', "name startsWith 'web'", 1)] }, 'started-batch-constraint', 'batches/b.yaml:20:1'],
    ['removing a window an entry holds', holding, { windows: [] }, 'assigned-window-removed', 'batches/wave-1.yaml:1:1'],
    ['moving its start later', holding, { windows: [{ ...night, start: T0 }] }, 'assigned-window-start-later', 'batches/b.yaml:10:1'],
    ['moving its end earlier', holding, { windows: [{ ...night, end: T0 + 2 * H }] }, 'assigned-window-end-earlier', 'batches/b.yaml:10:1'],
    ['reducing its capacity', holding, { windows: [{ ...night, capacity: 4 }] }, 'assigned-window-capacity', 'batches/b.yaml:10:1'],
  ])('refuses changing %s, positioned on the field', (_what, entry, fields, code, at) => {
    const world = started(entry as SeedOptions['entry']);
    change(world, fields as Partial<BatchFields>);
    const problems = modificationProblems(world.desired, world.status, { now: world.now });
    expect(problems.map((p) => [p.code, `${p.file}:${p.line}:${p.column}`, p.severity])).toEqual([[code, at, 'error']]);
  });

  it.each([
    ['the scriptlet once every entry is placed', { status: 'idle', import_stage: 'final' }, { scriptlet: 'def placement(instance, batch):\n    set_project("x")\n' }],
    ['a constraint concerning no committed entry', holding, { constraints: [constraint('dbs', "name startsWith 'db'", 3)] }],
    ['a window nobody holds', { status: 'idle', import_stage: 'final' }, { windows: [{ ...night, start: T0 + H }] }],
    ['moving a held window\'s end later', holding, { windows: [{ ...night, end: T0 + 9 * H }] }],
    ['an unlimited end for a held window', holding, { windows: [{ ...night, end: null }] }],
    ['raising a held window\'s capacity', holding, { windows: [{ ...night, capacity: 9 }] }],
    ['the configuration (retries, intervals, restriction overrides) and force', {}, { retries: 9, intervalMs: 20 * M, allow: { allow_no_ipv4: true }, force: true }],
  ])('allows changing %s', (_what, entry, fields) => {
    const world = started(entry as SeedOptions['entry']);
    change(world, fields as Partial<BatchFields>);
    expect(codes(world)).toEqual([]);
  });

  it('refuses making an unlimited capacity limited', () => {
    const world = seeded({ batch: { ...base, windows: [{ ...night, capacity: 0 }] }, entry: holding, created: true });
    change(world, { windows: [{ ...night, capacity: 9 }] });
    expect(codes(world)).toEqual(['assigned-window-capacity']);
  });

  it('says nothing about a batch that has not started', () => {
    const world = new World(desired({ batches: [batch('wave-1', { state: 'defined' })] }), [vm('web-01')]);
    world.tick();
    change(world, { state: 'defined', include: 'false', pool: 'ssd' });
    expect(codes(world)).toEqual([]);
  });

  it('warns about windows already over: every one for a batch not started, all of them for a started one', () => {
    const ended = window('gone', T0 - 5 * H, T0 - 4 * H);
    const world = new World(desired({ batches: [batch('wave-1', { state: 'defined', windows: [ended, night] })] }), [vm('web-01')]);
    world.tick();
    expect(modificationProblems(world.desired, world.status, { now: world.now })).toEqual([expect.objectContaining({ code: 'window-ended', severity: 'warning', message: expect.stringContaining('window "gone" of batch "wave-1" ended at 2026-12-01 08:00 UTC') })]);
    const running2 = started();
    running2.now = T0 + 4 * H;
    expect(codes(running2)).toEqual(['window-ended']);
  });

  it('batch-unstart is not reported while a reset for the batch is pending', () => {
    const world = started();
    change(world, { state: 'defined' });
    expect(codes(world)).toEqual(['batch-unstart']);
    world.desired = { ...world.desired, resolutions: [resolution('z', 'reset', 'wave-1', null)] };
    expect(codes(world)).toEqual([]);
  });
});

describe('decide keeps a refused part as last accepted', () => {
  it('an entry keeps cutting over in the window it holds when that window is removed from the file', () => {
    const world = seeded({ vms: [vm('web-01', { running: false })], batch: base, entry: holding, created: true, op: { kind: 'import_disks', mode: 'final', observed: running() } });
    change(world, { windows: [] });
    world.tick(M);
    expect(world.last!.problems.map((p) => p.code)).toEqual(['assigned-window-removed']);
    expect(world.kinds()).toEqual([]);
    expect(world.entry('web-01')).toMatchObject({ status: 'final_import', window: 'night' });
    expect(world.status.batches['wave-1']!.started_spec!.windows.map((w) => w.name)).toEqual(['night']);
  });

  it('an accepted change becomes the reference for the next one', () => {
    const world = started({ status: 'conflict', import_stage: 'complete', window: 'night', source_powered_off: true });
    change(world, { windows: [{ ...night, capacity: 9 }] });
    world.tick(M);
    expect(world.status.batches['wave-1']!.started_spec!.windows[0]!.capacity).toBe(9);
    expect(world.last!.changes).toContainEqual(expect.objectContaining({ kind: 'batch', batch: 'wave-1' }));
    change(world, { windows: [{ ...night, capacity: 6 }] });
    expect(codes(world)).toEqual(['assigned-window-capacity']);
  });

  it('a refused scriptlet change is not used to place entries', () => {
    const world = started({ status: 'waiting' });
    change(world, { scriptlet: 'def placement(instance, batch):\n    set_project("elsewhere")\n', rerun: true });
    world.tick(M);
    expect(world.entry('web-01').placement.target_project).toBe('default');
  });
});
