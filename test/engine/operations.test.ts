import { describe, expect, it } from 'vitest';
import { CLAIM_TTL_MS, compileDesired, decide, operationIdsToObserve, type DecideInput } from '../../src/engine/index.js';
import { batch, desired, H, M, ME, running, seeded, T0, vm, window, World } from './fixture.js';

describe('write-ahead: every action is recorded in the new status first', () => {
  it('records each action as its entry\'s operation, claimed by this reconciler at this tick', () => {
    const world = new World(desired({ batches: [batch('wave-1')] }), [vm('web-01'), vm('web-02')]);
    world.tick();
    const decision = world.tick(M);
    expect(decision.actions).toHaveLength(2);
    for (const action of decision.actions) {
      const entry = decision.status.entries[action.entry]!;
      expect(entry.operation).toEqual({ id: action.op, kind: action.kind, decided_at: world.now, claimed_by: ME, claimed_at: world.now });
      expect(action.op.startsWith(`${entry.attempt_id}/`)).toBe(true);
    }
  });

  it('never uses an operation id twice for an entry', () => {
    const world = new World(desired({ batches: [batch('wave-1', { windows: [window('w', T0 + 3 * H, T0 + 9 * H)], intervalMs: 30 * M })] }), [vm('web-01')]);
    world.tick();
    for (let i = 0; i < 40 && world.entry('web-01').status !== 'finished'; i++) {
      world.tick(15 * M);
      world.end();
    }
    expect(world.entry('web-01').status).toBe('finished');
    const ids = world.dispatched.map((a) => a.op);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.includes('/sync-')).length).toBeGreaterThan(2);
  });
});

describe('an operation recorded but absent from the providers (a crash before act)', () => {
  const absent = (claimedBy: string, claimedAt: number) => seeded({ entry: { status: 'creating' }, op: { kind: 'create_instance', claimedBy, claimedAt } });

  it('is dispatched again with the same id by the reconciler that claimed it, which renews its claim', () => {
    const world = absent(ME, T0);
    const id = world.entry('web-01').operation!.id;
    world.tick(M);
    expect(world.last!.actions.map((a) => [a.kind, a.op])).toEqual([['create_instance', id]]);
    expect(world.entry('web-01').operation).toMatchObject({ id, claimed_by: ME, claimed_at: T0 + M });
  });

  it('is left to its claimant when the claimant dispatches it again after CLAIM_TTL_MS (its call had failed)', () => {
    const world = absent(ME, T0);
    const id = world.entry('web-01').operation!.id;
    world.tick(CLAIM_TTL_MS + M);
    expect(world.last!.actions.map((a) => a.op)).toEqual([id]);
    expect(world.entry('web-01').operation).toMatchObject({ id, claimed_by: ME, claimed_at: T0 + CLAIM_TTL_MS + M });
    // Another reconciler decides on that commit before the call lands: the claim is fresh.
    delete world.ops[id];
    world.reconciler = 'laptop';
    world.tick();
    expect(world.last!.actions).toEqual([]);
    expect(world.entry('web-01').operation).toMatchObject({ id, claimed_by: ME });
  });

  it('is left to another reconciler while its claim is fresh, with a wake-up when the claim expires', () => {
    const world = absent('laptop', T0);
    world.tick(M);
    expect(world.last!.actions).toEqual([]);
    expect(world.last!.wakeAt).toBe(T0 + CLAIM_TTL_MS);
  });

  it('is re-claimed and dispatched again once the claim is older than CLAIM_TTL_MS', () => {
    const world = absent('laptop', T0);
    const id = world.entry('web-01').operation!.id;
    world.tick(CLAIM_TTL_MS);
    expect(world.last!.actions.map((a) => a.op)).toEqual([id]);
    expect(world.entry('web-01').operation).toMatchObject({ id, claimed_by: ME, claimed_at: T0 + CLAIM_TTL_MS });
  });

  it('is not dispatched when the providers were not asked (a plan without credentials)', () => {
    const world = absent(ME, T0);
    world.credentials = false;
    const before = world.status;
    world.tick(M);
    expect(world.last!.actions).toEqual([]);
    expect(world.status.entries).toEqual(before.entries);
  });
});

describe('operations to observe', () => {
  it('a cancel needs the state of the operation it stops as well', () => {
    expect(operationIdsToObserve({ operation: null })).toEqual([]);
    expect(operationIdsToObserve({ operation: { id: 'u#1/sync-3/cancel', kind: 'cancel_operation', decided_at: 0, claimed_by: ME, claimed_at: 0 } })).toEqual(['u#1/sync-3/cancel', 'u#1/sync-3']);
  });
});

describe('decide is pure', () => {
  function midCampaign(): DecideInput {
    const world = seeded({ vms: [vm('web-01'), vm('web-02'), vm('web-03', { running: false })], entry: { status: 'background_import', syncs: 1 }, created: true, op: { kind: 'import_disks', mode: 'background', observed: running() } });
    world.tick(M);
    world.end();
    return {
      desired: world.desired,
      compiled: compileDesired(world.desired),
      status: world.status,
      observations: world.observations(),
      now: world.now + M,
      reconciler: ME,
      desiredCommit: 'c0ffee',
    };
  }

  it('gives the same output for the same input', () => {
    const input = midCampaign();
    expect(JSON.stringify(decide(input))).toBe(JSON.stringify(decide(input)));
  });

  it('does not change its input', () => {
    const input = midCampaign();
    const copy = structuredClone({ status: input.status, observations: input.observations, desired: input.desired });
    decide(input);
    expect({ status: input.status, observations: input.observations, desired: input.desired }).toEqual(copy);
  });

  it('works on a deeply frozen status (what the store hands out)', () => {
    const input = midCampaign();
    const freeze = (value: unknown): void => {
      if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
      Object.freeze(value);
      for (const inner of Object.values(value)) freeze(inner);
    };
    freeze(input.status);
    expect(() => decide(input)).not.toThrow();
  });

  it('keeps the identity of every entry it does not change', () => {
    const input = midCampaign();
    const decision = decide(input);
    const changed = new Set(decision.changes.filter((c) => c.kind === 'entry').map((c) => c.uuid));
    for (const uuid in input.status.entries) {
      if (!changed.has(uuid)) expect(decision.status.entries[uuid]).toBe(input.status.entries[uuid]);
    }
    expect(changed.size).toBeGreaterThan(0);
    expect(changed.size).toBeLessThan(Object.keys(input.status.entries).length);
  });

  it('reports no change when nothing moves (so a plan says "no changes")', () => {
    const world = seeded({ batch: { windows: [window('w', T0 + 5 * H, T0 + 9 * H)] }, entry: { status: 'idle', import_stage: 'final', last_background_sync: T0 }, created: true });
    world.tick(M);
    world.tick(M);
    expect(world.last!.changes).toEqual([]);
    expect(world.last!.actions).toEqual([]);
  });
});
