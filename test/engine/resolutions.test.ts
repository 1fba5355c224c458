import { describe, expect, it } from 'vitest';
import type { Resolution } from '../../src/model/desired.js';
import { batch, desired, M, resolution, running, seeded, uuidOf, vm, World, type SeedOptions } from './fixture.js';

function resolveWith(world: World, ...resolutions: Resolution[]): void {
  world.desired = { ...world.desired, resolutions };
}

function ledger(world: World, id: string) {
  return world.status.ledger[`resolutions/${id}.yaml#${id}`];
}

const committed: SeedOptions = {
  vms: [vm('web-01', { running: false })],
  entry: { status: 'final_import', import_stage: 'final', source_powered_off: true },
  created: true,
  op: { kind: 'import_disks', mode: 'final', observed: running() },
};

describe('cancel', () => {
  it('stops the transfer in flight and cancels the entry', () => {
    const world = seeded({ entry: { status: 'background_import' }, created: true, op: { kind: 'import_disks', mode: 'background', observed: running() } });
    resolveWith(world, resolution('c1', 'cancel', 'wave-1', 'web-01'));
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'canceled', import_stage: 'background', window: null, message: 'Canceled by resolution resolutions/c1.yaml#c1' });
    expect(world.kinds()).toEqual(['cancel_operation']);
    expect(ledger(world, 'c1')).toMatchObject({ outcome: 'applied', action: 'cancel', applied_at: world.now, desired_commit: 'c0ffee', message: expect.stringContaining('its operation in flight is stopped first') });
    world.end();
    world.tick(M);
    expect(world.kinds()).toEqual([]);
    expect(world.entry('web-01')).toMatchObject({ status: 'canceled', operation: null });
  });

  it('with cleanup, deletes the target instance (it carries the entry\'s markers)', () => {
    const world = seeded({ entry: { status: 'idle', import_stage: 'final' }, created: true });
    resolveWith(world, resolution('c1', 'cancel', 'wave-1', 'web-01', { cleanup: true }));
    world.tick(M);
    expect(world.last!.actions).toMatchObject([{ kind: 'delete_instance', name: 'web-01', attempt: `${uuidOf('web-01')}#1` }]);
    world.end();
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'canceled', cleanup: null, operation: null });
    expect(world.projects.default!.instances).toEqual({});
  });

  it('of an entry past the point of no return powers its source VM back on', () => {
    const world = seeded(committed);
    resolveWith(world, resolution('c1', 'cancel', 'wave-1', 'web-01'));
    world.tick(M);
    world.ops[world.entry('web-01').operation!.id.replace(/\/cancel$/, '')] = { state: 'canceled', message: '' };
    world.tick(M);
    expect(world.kinds()).toEqual(['power_on_source']);
  });

  it('is refused for a Finished entry', () => {
    const world = seeded({ entry: { status: 'finished' } });
    resolveWith(world, resolution('c1', 'cancel', 'wave-1', 'web-01'));
    world.tick(M);
    expect(ledger(world, 'c1')).toMatchObject({ outcome: 'rejected', message: 'web-01 is Finished: a finished migration cannot be canceled' });
    expect(world.entry('web-01').status).toBe('finished');
  });
});

describe('retry', () => {
  it('queues a Canceled entry again with a new attempt and a recomputed placement', () => {
    const world = seeded({ entry: { status: 'canceled', window: null } });
    resolveWith(world, resolution('r1', 'retry', 'wave-1', 'web-01'));
    world.tick(M);
    expect(world.entry('web-01').history.at(-2)).toMatchObject({ from: 'canceled', to: 'waiting', message: 'Retry requested by resolution resolutions/r1.yaml#r1' });
    expect(world.entry('web-01')).toMatchObject({ status: 'creating', attempt: 2, attempt_id: `${uuidOf('web-01')}#2`, import_stage: 'background', window: null });
    expect(ledger(world, 'r1')).toMatchObject({ outcome: 'applied', message: 'web-01 queued again as attempt 2' });
  });

  it('deletes the previous attempt\'s target instance first, then applies', () => {
    const world = seeded({ entry: { status: 'canceled' }, created: true });
    resolveWith(world, resolution('r1', 'retry', 'wave-1', 'web-01'));
    world.tick(M);
    expect(ledger(world, 'r1')).toBeUndefined();
    expect(world.last!.actions).toMatchObject([{ kind: 'delete_instance', attempt: `${uuidOf('web-01')}#1` }]);
    world.end();
    world.tick(M);
    // The delete's result is seen after this tick's resolutions: the retry applies on the next one.
    expect(world.entry('web-01')).toMatchObject({ status: 'canceled', cleanup: null });
    world.tick(M);
    expect(ledger(world, 'r1')).toMatchObject({ outcome: 'applied' });
    expect(world.entry('web-01')).toMatchObject({ status: 'creating', attempt: 2 });
  });

  it.each(['waiting', 'error', 'conflict', 'finished'] as const)('is refused for a %s entry', (status) => {
    const world = seeded({ entry: { status } });
    resolveWith(world, resolution('r1', 'retry', 'wave-1', 'web-01'));
    world.tick(M);
    expect(ledger(world, 'r1')).toMatchObject({ outcome: 'rejected', message: expect.stringContaining('only a Canceled entry can be retried') });
  });
});

describe('resolve', () => {
  it('after the final import re-runs the final checks: if nothing changed, it is a Conflict again', () => {
    const world = seeded({ vms: [vm('web-01', { running: false })], batch: { windows: [] }, entry: { status: 'conflict', import_stage: 'complete', source_powered_off: true, window: null }, created: true });
    world.projects.default!.networks = ['migration'];
    resolveWith(world, resolution('v1', 'resolve', 'wave-1', 'web-01'));
    world.tick(M);
    expect(ledger(world, 'v1')).toMatchObject({ outcome: 'applied', message: 'web-01: the final checks run again' });
    expect(world.entry('web-01').history.slice(-2).map((h) => h.to)).toEqual(['worker_done', 'conflict']);
  });

  it('after the final import, with the cause fixed, finishes the migration', () => {
    const world = seeded({ vms: [vm('web-01', { running: false })], entry: { status: 'conflict', import_stage: 'complete', source_powered_off: true }, created: true, op: undefined });
    resolveWith(world, resolution('v1', 'resolve', 'wave-1', 'web-01'));
    world.tick(M);
    expect(world.kinds()).toEqual(['finalize_instance']);
  });

  it('once the source was powered back on, sends the entry back to wait for a window (a new final sync)', () => {
    const world = seeded({ entry: { status: 'conflict', import_stage: 'final' }, created: true });
    resolveWith(world, resolution('v1', 'resolve', 'wave-1', 'web-01'));
    world.tick(M);
    expect(world.entry('web-01').history.at(-2)).toMatchObject({ to: 'idle', message: 'Conflict resolved by resolution resolutions/v1.yaml#v1' });
  });

  it('before the target instance exists, sends the entry to Waiting', () => {
    const world = seeded({ entry: { status: 'conflict', import_stage: 'background' } });
    resolveWith(world, resolution('v1', 'resolve', 'wave-1', 'web-01'));
    world.tick(M);
    expect(world.entry('web-01').history.at(-2)).toMatchObject({ from: 'conflict', to: 'waiting' });
  });

  it('is refused for an entry that is not a Conflict', () => {
    const world = seeded();
    resolveWith(world, resolution('v1', 'resolve', 'wave-1', 'web-01'));
    world.tick(M);
    expect(ledger(world, 'v1')).toMatchObject({ outcome: 'rejected', message: 'web-01 is Waiting: resolve applies to Conflict entries' });
  });
});

describe('every resolution applies once', () => {
  it('is recorded by id and content hash; an edited resolution is a new one', () => {
    const world = seeded({ entry: { status: 'canceled' } });
    const retry = resolution('r1', 'retry', 'wave-1', 'web-01');
    resolveWith(world, retry);
    world.tick(M);
    expect(world.entry('web-01').attempt).toBe(2);
    world.status.entries[uuidOf('web-01')] = { ...world.entry('web-01'), status: 'canceled', operation: null };
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'canceled', attempt: 2 });
    resolveWith(world, { ...retry, hash: 'edited' });
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'creating', attempt: 3 });
  });

  it.each([
    ['an instance no batch queued', resolution('x', 'cancel', 'wave-1', 'ghost'), 'instance "ghost" has no entry in batch "wave-1" (no queued instance has that name, location or UUID)'],
    ['an instance queued in another batch', resolution('x', 'cancel', 'wave-2', 'web-01'), 'instance "web-01" has no entry in batch "wave-2"; its entry is in batch "wave-1"'],
    ['a batch that does not exist', resolution('x', 'cancel', 'nope', 'web-01'), 'batch "nope" does not exist'],
  ])('naming %s is rejected with a clear message', (_what, r, message) => {
    const world = seeded();
    world.desired = { ...world.desired, batches: [...world.desired.batches, batch('wave-2', { state: 'defined' })], resolutions: [r] };
    world.tick(M);
    expect(world.status.ledger[r.id]).toMatchObject({ outcome: 'rejected', message });
    expect(world.last!.changes).toContainEqual(expect.objectContaining({ kind: 'resolution', to: 'Rejected' }));
  });

  it('finds the entry by location or UUID as well as by name', () => {
    for (const ref of ['/DC1/vm/web-01', uuidOf('web-01')]) {
      const world = seeded();
      resolveWith(world, resolution('c', 'cancel', 'wave-1', ref));
      world.tick(M);
      expect(world.entry('web-01').status).toBe('canceled');
    }
  });
});

describe('reset', () => {
  it('is refused while an entry is past the point of no return, unless forced', () => {
    const world = seeded(committed);
    resolveWith(world, resolution('z', 'reset', 'wave-1', null));
    world.tick(M);
    expect(ledger(world, 'z')).toMatchObject({ outcome: 'rejected', message: expect.stringMatching(/^reset refused: 1 entry has begun the final import.*add force: true/) });
    expect(world.status.batches['wave-1']!.status).toBe('Running');
  });

  it('with force cleans every entry up (transfer stopped, source on, target deleted), removes them, and the batch is Defined', () => {
    const world = seeded(committed);
    world.desired = { ...world.desired, batches: [batch('wave-1', { state: 'defined' })], resolutions: [resolution('z', 'reset', 'wave-1', null, { force: true })] };
    world.tick(M);
    expect(world.last!.problems).toEqual([]);
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Defined', start_date: null, started_spec: null, message: 'Reset by resolution resolutions/z.yaml#z: removing 1 entry' });
    expect(world.kinds()).toEqual(['cancel_operation']);
    world.ops[world.entry('web-01').operation!.id.replace(/\/cancel$/, '')] = { state: 'canceled', message: '' };
    world.end();
    world.tick(M);
    expect(world.kinds()).toEqual(['power_on_source']);
    world.end();
    world.tick(M);
    expect(world.kinds()).toEqual(['delete_instance']);
    world.end();
    world.tick(M);
    expect(world.status.entries).toEqual({});
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Defined', message: 'Defined', retired_attempts: { [uuidOf('web-01')]: 1 } });
    expect(world.last!.changes).toContainEqual(expect.objectContaining({ kind: 'entry', to: 'Removed' }));
  });

  it('keeps finished target instances, and a later entry for the same VM never reuses an attempt id', () => {
    const world = new World(desired({ batches: [batch('wave-1')] }), [vm('web-01')]);
    world.runUntil('web-01', 'finished', 12);
    world.desired = { ...world.desired, resolutions: [resolution('z', 'reset', 'wave-1', null)] };
    world.tick(M);
    expect(world.kinds()).toEqual([]);
    expect(world.status.entries).toEqual({});
    expect(world.projects.default!.instances['web-01']).toMatchObject({ entry: uuidOf('web-01'), attempt: `${uuidOf('web-01')}#1` });
    world.tick(M);
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ attempt: 2, attempt_id: `${uuidOf('web-01')}#2`, status: 'blocked' });
    expect(world.entry('web-01').message).toMatch(/an instance named "web-01" already exists .*\(left by an earlier migration of this VM/);
  });

  it('of a batch that never started is applied with nothing to do', () => {
    const world = new World(desired({ batches: [batch('wave-1', { state: 'defined' })], resolutions: [resolution('z', 'reset', 'wave-1', null)] }), [vm('web-01')]);
    world.tick();
    expect(ledger(world, 'z')).toMatchObject({ outcome: 'applied', message: 'batch "wave-1" has not started: nothing to reset' });
  });
});
