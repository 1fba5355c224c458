// What the status branch keeps of each target (TargetRecord), so that a pull request is planned
// without contacting it — and what decide makes of such a recorded layout: placements are judged
// by it, but nothing in flight is taken from it.

import { describe, expect, it } from 'vitest';
import { compileDesired, decide, recordTargets } from '../../src/engine/index.js';
import type { TargetObservation } from '../../src/engine/observations.js';
import { batch, desired, seeded, T0, vm, World, M } from './fixture.js';

const layout = (instances: TargetObservation['projects'][string]['instances'] = {}) => ({ pools: ['ssd', 'default'], networks: ['VM-Network'], instances });

describe('the targets\' recorded layouts', () => {
  it('keep the pools, networks and the instances that block a name — not those of entries\' current attempts', () => {
    const world = seeded({ created: true });
    const own = world.entry('web-01');
    world.projects.default!.instances['legacy-db'] = { running: true, entry: null, attempt: null };
    world.projects.default!.instances['web-09'] = { running: false, entry: own.uuid, attempt: `${own.uuid}#0` };
    world.tick(M);
    const record = world.status.targets.incus!;
    expect(record.recorded_at).toBe(world.now);
    expect(record.projects.default).toEqual({
      pools: ['default', 'ssd'],
      networks: ['VM-Network', 'migration'],
      instances: { 'legacy-db': { running: true, entry: null, attempt: null }, 'web-09': { running: false, entry: own.uuid, attempt: `${own.uuid}#0` } },
    });
    // Seen again unchanged: the same record, so the store writes nothing.
    const before = world.status.targets.incus;
    world.tick(M);
    expect(world.status.targets.incus).toBe(before);
  });

  it('are kept as they were when the target does not answer or was not contacted, and dropped with the Target', () => {
    const state = desired({ batches: [batch('wave-1')] });
    const previous = { incus: { recorded_at: T0, projects: { default: layout() } } };
    const unreachable = recordTargets(state, previous, { incus: { reachable: false, message: 'timeout', projects: {} } }, {}, T0 + M);
    expect(unreachable.incus).toBe(previous.incus);
    const recorded = recordTargets(state, previous, { incus: { reachable: true, message: '', projects: { default: layout({ x: { running: true, entry: null, attempt: null } }) }, recorded_at: T0 } }, {}, T0 + M);
    expect(recorded.incus).toBe(previous.incus);
    expect(recordTargets({ ...state, targets: [] }, previous, {}, {}, T0 + M)).toEqual({});
  });
});

describe('a plan from a recorded layout', () => {
  it('judges a new placement against it: a network the target lacks is a conflict of the plan', () => {
    const world = new World(desired({ batches: [batch('wave-1')] }), [vm('web-01')]);
    world.credentials = false;
    const observations = world.observations();
    observations.targets.incus = { reachable: true, message: 'recorded', projects: { default: { pools: ['default'], networks: [], instances: {} } }, recorded_at: T0 - M };
    world.tick();
    const decision = decide({ desired: world.desired, compiled: compileDesired(world.desired), status: world.status, observations, now: world.now + M, reconciler: 'plan', desiredCommit: null });
    const entry = Object.values(decision.status.entries)[0]!;
    expect(entry.status).toBe('blocked');
    expect(entry.message).toMatch(/network "VM-Network".*does not exist/);
  });

  it('never redispatches an operation the recorded target would know about, nor deletes what it lists', () => {
    const world = seeded({ created: true, op: { kind: 'create_instance' } });
    const observations = world.observations();
    const live = observations.targets.incus!;
    observations.targets.incus = { ...live, recorded_at: T0 };
    observations.operations = {};
    // The operation's own reconciler, which would dispatch it again at once were the target contacted.
    const decision = decide({ desired: world.desired, compiled: compileDesired(world.desired), status: world.status, observations, now: world.now + M, reconciler: world.reconciler, desiredCommit: null });
    expect(decision.actions).toEqual([]);
    expect(decision.status.entries[world.entry('web-01').uuid]!.operation?.kind).toBe('create_instance');
  });
});
