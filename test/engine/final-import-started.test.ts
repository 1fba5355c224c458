// A source VM started during the final import, seen only once the sync is done (the VM was
// started and the sync completed between two ticks): the copy misses what the VM wrote since it
// was started, so it is treated like a start seen during the sync (DESIGN §3.2) — powered off
// again, the final sync again, as a retry. Found while building test/reconcile/crash.test.ts: the
// entry used to go on to post-import and finish with a target disk behind its source.

import { describe, expect, it } from 'vitest';
import { M, seeded, succeeded, vm } from './fixture.js';

describe('a final import that completed while the source VM was running', () => {
  it('is not taken as the final copy: the VM is powered off again and the final sync restarts, as a retry', () => {
    const world = seeded({
      vms: [vm('web-01', { running: false })],
      batch: { retries: 1 },
      entry: { status: 'final_import', import_stage: 'final', source_powered_off: true, syncs: 2 },
      created: true,
      op: { kind: 'import_disks', mode: 'final', observed: succeeded() },
    });
    world.power('web-01', true);
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'final_import', import_stage: 'final', retries: 1 });
    expect(world.kinds()).toEqual(['power_off_source']);
    world.end('poweroff');
    world.tick(M);
    expect(world.kinds()).toEqual(['import_disks:final']);
    expect(world.entry('web-01')).toMatchObject({ status: 'final_import', retries: 1, syncs: 3 });
    world.end();
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'post_import', import_stage: 'complete' });
  });

  it('past post_migration_retries: Error, and the VM keeps running', () => {
    const world = seeded({
      vms: [vm('web-01', { running: false })],
      entry: { status: 'final_import', import_stage: 'final', source_powered_off: true },
      created: true,
      op: { kind: 'import_disks', mode: 'final', observed: succeeded() },
    });
    world.power('web-01', true);
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'error', message: expect.stringContaining('powered on during the final import 1 time') });
    expect(world.kinds()).not.toContain('power_off_source');
  });

  it('with the VM still off, the final import is the final copy', () => {
    const world = seeded({
      vms: [vm('web-01', { running: false })],
      entry: { status: 'final_import', import_stage: 'final', source_powered_off: true },
      created: true,
      op: { kind: 'import_disks', mode: 'final', observed: succeeded() },
    });
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'post_import', import_stage: 'complete', retries: 0 });
  });
});
