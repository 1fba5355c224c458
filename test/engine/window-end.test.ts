import { describe, expect, it } from 'vitest';
import { constraint, H, M, running, seeded, succeeded, T0, vm, window, World } from './fixture.js';

const night = window('night', T0 - H, T0 + 30 * M);
const afterEnd = (world: World) => (world.now = T0 + 30 * M + 1);

describe('a window ends mid-migration (migration-manager §2.5)', () => {
  it('in the final import: the transfer is stopped, the source powered back on, and the entry waits Idle for the next window', () => {
    const world = seeded({
      vms: [vm('web-01', { running: false })],
      batch: { windows: [night, window('night-2', T0 + 24 * H, T0 + 28 * H)] },
      entry: { status: 'final_import', import_stage: 'final', window: 'night', source_powered_off: true, placement: { target_name: 'incus', target_project: 'default', storage_pools: { '[ds1] web-01/web-01.vmdk': 'default' }, networks: {}, running: true } },
      created: true,
      op: { kind: 'import_disks', mode: 'final', observed: running() },
    });
    afterEnd(world);
    world.tick();
    expect(world.kinds()).toEqual(['cancel_operation']);
    world.end('cancel');
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'idle', import_stage: 'final', window: null, message: 'Migration window ended, waiting for next migration window' });
    expect(world.kinds()).toEqual(['power_on_source']);
    world.end();
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'idle', source_powered_off: false, message: 'Waiting for migration window night-2 (begins 2026-12-02 12:00 UTC)' });
  });

  it.each([
    ['post_import' as const, 'post_import' as const, 'succeeded' as const],
    ['worker_done' as const, 'finalize_instance' as const, 'failed' as const],
  ])('in %s: the target instance is deleted, the source powered back on, and the entry starts over from Waiting with a new attempt', (status, kind, outcome) => {
    const world = seeded({
      vms: [vm('web-01', { running: false })],
      batch: { windows: [night] },
      entry: { status, import_stage: 'complete', window: 'night', source_powered_off: true },
      created: true,
      op: { kind, observed: running() },
    });
    const step = world.entry('web-01').operation!.id;
    afterEnd(world);
    world.tick();
    // The source comes back at the window's end, not when the guest-side step in flight ends
    // (DESIGN §3, migration-manager's resetQueueEntry): the revert begins at once, source first …
    expect(world.entry('web-01')).toMatchObject({ status: 'waiting', window: null, import_stage: 'background', attempt: 2, operation: { kind: 'power_on_source' } });
    expect(world.kinds()).toEqual(['power_on_source']);
    world.end();
    // … whatever the step's outcome, it no longer counts …
    world.ops[step] = { state: outcome, message: '' };
    world.tick(M);
    // … and the target instance of attempt 1 is deleted (which stops the step, if it still runs).
    expect(world.last!.actions).toMatchObject([{ kind: 'delete_instance', attempt: world.entry('web-01').attempt_id.replace(/#2$/, '#1'), name: 'web-01' }]);
    world.end();
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'creating', cleanup: null });
    expect(world.entry('web-01').operation!.id).toMatch(/#2\/create-\d+$/);
  });

  it('after the final import, before post-import: the migration starts over as well', () => {
    const world = seeded({ vms: [vm('web-01', { running: false })], batch: { windows: [night] }, entry: { status: 'final_import', import_stage: 'final', window: 'night', source_powered_off: true }, created: true, op: { kind: 'import_disks', mode: 'final', observed: succeeded() } });
    afterEnd(world);
    world.tick();
    expect(world.entry('web-01')).toMatchObject({ status: 'waiting', attempt: 2 });
    expect(world.kinds()).toEqual(['power_on_source']);
  });

  it('post-migration retries stop once the window has ended', () => {
    const world = seeded({ vms: [vm('web-01', { running: false })], batch: { windows: [night], retries: 5 }, entry: { status: 'worker_done', import_stage: 'complete', window: 'night', source_powered_off: true }, created: true, op: { kind: 'finalize_instance', observed: { state: 'failed', message: 'no start' } } });
    afterEnd(world);
    world.tick();
    expect(world.entry('web-01')).toMatchObject({ status: 'waiting', retries: 0, attempt: 2 });
  });

  it('wakes the loop just after the assigned window ends', () => {
    const world = seeded({ vms: [vm('web-01', { running: false })], batch: { windows: [night] }, entry: { status: 'final_import', import_stage: 'final', window: 'night', source_powered_off: true }, created: true, op: { kind: 'import_disks', mode: 'final', observed: running() } });
    world.tick(M);
    // First the last moment a new cutover still fits in the window (its end minus the one-minute margin) …
    expect(world.last!.wakeAt).toBe(T0 + 29 * M);
    world.now = T0 + 29 * M;
    world.tick();
    // … then just after the end, when the final import must be stopped.
    expect(world.last!.wakeAt).toBe(T0 + 30 * M + 1);
  });
});

describe('constraints and window capacity while cutting over', () => {
  it('the last matching constraint caps the entries of this batch in their final steps', () => {
    const vms = ['db-1', 'db-2', 'db-3'].map((n) => vm(n));
    const world = new World(seeded({ batch: { constraints: [constraint('dbs', "name startsWith 'db'", 2)] } }).desired, vms);
    for (let i = 0; i < 6; i++) {
      world.tick(M);
      world.end('create');
      world.end('sync');
    }
    const statuses = vms.map((v) => world.entry(v.name).status).sort();
    expect(statuses).toEqual(['final_import', 'final_import', 'idle']);
    expect(world.entry('db-3').message).toMatch(/constraint "dbs" allows 2 at once/);
  });

  it('a window\'s capacity counts only this batch\'s holders of that window', () => {
    const vms = ['a', 'b'].map((n) => vm(n));
    const base = seeded({ batch: { windows: [window('night', T0 - H, T0 + 5 * H, { capacity: 1 })] } });
    const world = new World(base.desired, vms);
    for (let i = 0; i < 6; i++) {
      world.tick(M);
      world.end('create');
      world.end('sync');
    }
    expect(['a', 'b'].map((n) => world.entry(n).window)).toEqual(['night', null]);
    expect(world.entry('b').message).toMatch(/every migration window is at capacity/);
  });
});

describe('waking for window boundaries', () => {
  it('does not wake for windows when every open entry waits for a change to the repository', () => {
    const world = seeded({ batch: { windows: [window('night', T0 + 5 * H, T0 + 9 * H), window('later', T0 + 29 * H, T0 + 33 * H)] }, entry: { status: 'conflict', import_stage: 'final', message: 'Instance placement changed' }, created: true });
    world.tick(M);
    expect(world.entry('web-01').status).toBe('conflict');
    expect(world.last!.wakeAt).toBeNull();
  });
});
