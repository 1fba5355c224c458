// A cutover step decided inside the window but never run — the reconciler died between committing
// it and calling the provider, and its successor may take the step over only CLAIM_TTL_MS later —
// is not started once the window has ended (found by test/reconcile/crash.test.ts).

import { describe, expect, it } from 'vitest';
import { CLAIM_TTL_MS } from '../../src/engine/status.js';
import { H, M, running, seeded, T0, vm, window } from './fixture.js';

const night = window('night', T0 - H, T0 + 30 * M);
const nextNight = window('night-2', T0 + 24 * H, T0 + 28 * H);
/** Decided a minute before the window ends by a reconciler that died before calling the provider. */
const claim = { claimedBy: 'dead-reconciler', claimedAt: T0 + 29 * M };

describe('a cutover step that never ran before its window ended', () => {
  it('power-off: the source VM is not powered off outside the window; the entry waits for the next one', () => {
    const world = seeded({
      vms: [vm('web-01', { running: true })],
      batch: { windows: [night, nextNight] },
      entry: { status: 'final_import', import_stage: 'final', window: 'night', source_powered_off: true },
      created: true,
      op: { kind: 'power_off_source', ...claim },
    });
    // Within the claim the successor waits (the claimant might still call) …
    world.now = T0 + 31 * M;
    world.tick();
    expect(world.kinds()).toEqual([]);
    // … then it takes over, and the power-off is dropped rather than made after the window.
    world.now = claim.claimedAt + CLAIM_TTL_MS;
    for (let i = 0; i < 3; i++) {
      world.tick(i === 0 ? 0 : M);
      expect(world.kinds()).not.toContain('power_off_source');
      world.end();
    }
    expect(world.vms[world.entry('web-01').uuid]!.running).toBe(true);
    expect(world.entry('web-01')).toMatchObject({ status: 'idle', import_stage: 'final', window: null, operation: null, source_powered_off: false });
    expect(world.entry('web-01').message).toMatch(/^Waiting for migration window night-2/);
  });

  it.each([
    ['post_import' as const, 'post_import' as const],
    ['worker_done' as const, 'finalize_instance' as const],
  ])('%s: %s is not started; the migration starts over at once (source on, target deleted, new attempt)', (status, kind) => {
    const world = seeded({
      vms: [vm('web-01', { running: false })],
      batch: { windows: [night, nextNight] },
      entry: { status, import_stage: 'complete', window: 'night', source_powered_off: true },
      created: true,
      op: { kind, ...claim },
    });
    world.now = claim.claimedAt + CLAIM_TTL_MS;
    world.tick();
    expect(world.kinds()).toEqual(['power_on_source']);
    expect(world.entry('web-01')).toMatchObject({ status: 'waiting', window: null, attempt: 2 });
    world.end();
    world.tick(M);
    expect(world.kinds()).toEqual(['delete_instance']);
  });

  it('a step in flight when the window ends does not hold the source off: it is powered on at once, then the delete stops the step', () => {
    const world = seeded({
      vms: [vm('web-01', { running: false })],
      batch: { windows: [night, nextNight] },
      entry: { status: 'post_import', import_stage: 'complete', window: 'night', source_powered_off: true },
      created: true,
      op: { kind: 'post_import', observed: running(), ...claim },
    });
    world.now = claim.claimedAt + CLAIM_TTL_MS;
    world.tick();
    expect(world.kinds()).toEqual(['power_on_source']);
    expect(world.entry('web-01')).toMatchObject({ status: 'waiting', window: null, attempt: 2 });
    world.end();
    world.tick(M);
    expect(world.kinds()).toEqual(['delete_instance']);
  });
});
