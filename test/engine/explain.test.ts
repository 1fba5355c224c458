import { describe, expect, it } from 'vitest';
import { compileDesired, explainInstance, type ExplainResult } from '../../src/engine/index.js';
import { batch, desired, H, M, override, seeded, T0, vm, window, World } from './fixture.js';

function explain(world: World, query: string): ExplainResult {
  return explainInstance({ desired: world.desired, compiled: compileDesired(world.desired), status: world.status, observations: world.observations(), now: world.now }, query);
}

function explanation(world: World, query: string) {
  const result = explain(world, query);
  if (!result.ok) throw new Error(result.message);
  return result.explanation;
}

describe('ferry explain', () => {
  it('names the batches that match an instance and the one that holds it', () => {
    const world = new World(desired({ batches: [batch('wave-b'), batch('wave-a', { include: "name == 'web-01'" }), batch('wave-c', { include: 'false', state: 'defined' })] }), [vm('web-01')]);
    world.tick();
    const e = explanation(world, 'web-01');
    expect(e.matching_batches.map((b) => b.batch)).toEqual(['wave-a', 'wave-b']);
    expect(e.claimed_by).toBe('wave-a');
    expect(e.entry).toMatchObject({ status: 'waiting', status_text: 'Waiting', message: 'Performing initial migration checks', attempt: 1 });
  });

  it('finds an instance by UUID, location or name, and asks which one when a name is ambiguous', () => {
    const twin = { ...vm('web-01'), uuid: 'other', location: '/DC2/vm/web-01' };
    const world = new World(desired({ batches: [batch('wave-1', { state: 'defined' })] }), [vm('web-01'), twin]);
    world.tick();
    expect(explanation(world, '/DC2/vm/web-01').instance.uuid).toBe('other');
    expect(explanation(world, 'other').instance.location).toBe('/DC2/vm/web-01');
    const ambiguous = explain(world, 'web-01');
    expect(ambiguous).toMatchObject({ ok: false, message: '2 instances are named "web-01"; name one by its location or UUID' });
    expect(!ambiguous.ok && ambiguous.candidates.map((c) => c.location).sort()).toEqual(['/DC1/vm/web-01', '/DC2/vm/web-01']);
    expect(explain(world, 'nothing')).toMatchObject({ ok: false, candidates: [] });
  });

  it('explains an instance no batch matches', () => {
    const world = new World(desired({ batches: [batch('wave-1', { include: 'false', state: 'defined' })] }), [vm('web-01')]);
    world.tick();
    const e = explanation(world, 'web-01');
    expect(e.reason).toMatch(/^No batch's include expression matches this instance/);
    expect(e.advice[0]).toMatch(/ferry query/);
  });

  it('explains an instance a batch will claim when it starts, and what would block it then', () => {
    const subject = vm('web-01', { distribution: 'other' });
    const world = new World(desired({ batches: [batch('wave-1', { state: 'defined' })] }), [subject]);
    world.tick();
    const e = explanation(world, 'web-01');
    expect(e.reason).toBe('Batch wave-1 matches it and will claim it when it starts. Once queued it would be Blocked: Could not determine instance OS, check if guest agent is running.');
    expect(e.advice).toEqual(['Set spec.state: running on batch wave-1 to start it.', expect.stringContaining('allow_unknown_os')]);
  });

  it('explains an instance that began to match after its batch started', () => {
    const world = new World(desired({ batches: [batch('wave-1', { include: "name startsWith 'web'" })] }), [vm('web-01')]);
    world.tick();
    world.vms[vm('web-02').uuid] = vm('web-02');
    const e = explanation(world, 'web-02');
    expect(e.claimed_by).toBeNull();
    expect(e.reason).toMatch(/entries are created only when a batch starts/);
    expect(e.advice[0]).toMatch(/^Stop and start batch wave-1 again/);
  });

  it('says why a blocked entry is blocked and which override lifts it', () => {
    const subject = vm('web-01');
    const world = new World(desired({ batches: [batch('wave-1')], overrides: [override({ uuid: subject.uuid }, { disable_migration: true })] }), [subject]);
    world.tick();
    const e = explanation(world, 'web-01');
    expect(e.reason).toBe('Blocked: Migration is manually disabled.');
    expect(e.advice).toEqual(['Its InstanceOverride sets disable_migration: true; remove that to migrate it.']);
  });

  it('says which window an entry waits for, and shows its history', () => {
    const world = new World(desired({ batches: [batch('wave-1', { windows: [window('night', T0 + 5 * H, T0 + 9 * H)] })] }), [vm('web-01')]);
    world.runUntil('web-01', 'idle');
    const e = explanation(world, 'web-01');
    expect(e.reason).toBe('Idle: Waiting for migration window night (begins 2026-12-01 17:00 UTC).');
    expect(e.entry!.history.map((h) => h.to)).toEqual(['waiting', 'creating', 'idle', 'background_import', 'idle']);
  });

  it('tells how to resolve a conflict and how to recover from an error', () => {
    const conflict = seeded({ entry: { status: 'conflict', import_stage: 'background', message: 'Instance no longer matches batch expression' } });
    const c = explanation(conflict, 'web-01');
    expect(c.advice.join('\n')).toMatch(/action: resolve/);
    const error = seeded({ entry: { status: 'error', message: 'The final import failed: target full' } });
    expect(explanation(error, 'web-01').advice.join('\n')).toMatch(/cancel the entry \(cleanup: true removes its target instance\), then retry it/);
  });

  it('mentions an operation in flight and a stopped batch', () => {
    const world = seeded({ entry: { status: 'creating' }, op: { kind: 'create_instance' } });
    world.desired = { ...world.desired, batches: [batch('wave-1', { state: 'stopped' })] };
    world.tick(M);
    const e = explanation(world, 'web-01');
    expect(e.reason).toMatch(/Operation .*create_instance-9 \(create_instance\) is in flight since/);
    expect(e.reason).toMatch(/Batch wave-1 is stopped/);
  });
});
