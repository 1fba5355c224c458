import { describe, expect, it } from 'vitest';
import type { InstanceDocument } from '../../src/model/instance.js';
import type { BatchFields } from './fixture.js';
import { batch, desired, H, M, override, running, seeded, T0, target, uuidOf, vm, window, World } from './fixture.js';

describe('starting a batch', () => {
  it('claims the matching instances of the inventory that no batch holds; batches starting together claim in name order', () => {
    const world = new World(
      desired({ batches: [batch('wave-b', { include: "name startsWith 'web'" }), batch('wave-a', { include: "name == 'web-02' or name == 'db-01'" })] }),
      [vm('web-01'), vm('web-02'), vm('db-01'), vm('app-01')],
    );
    world.tick();
    const claims = Object.values(world.status.entries).map((e) => [e.name, e.batch]).sort();
    expect(claims).toEqual([['db-01', 'wave-a'], ['web-01', 'wave-b'], ['web-02', 'wave-a']]);
    expect(world.last!.changes.filter((c) => c.kind === 'batch').map((c) => [c.batch, c.from, c.to])).toEqual([['wave-a', undefined, 'Running'], ['wave-b', undefined, 'Running']]);
  });

  it('a batch started later leaves instances other batches hold, and later inventory additions wait for a restart', () => {
    const world = new World(desired({ batches: [batch('wave-1', { include: "name startsWith 'web'" })] }), [vm('web-01')]);
    world.tick();
    world.desired = desired({ batches: [batch('wave-1', { include: "name startsWith 'web'" }), batch('wave-2')] });
    world.vms[uuidOf('web-02')] = vm('web-02');
    world.tick(M);
    expect(world.entry('web-01').batch).toBe('wave-1');
    expect(world.entry('web-02').batch).toBe('wave-2');
    world.vms[uuidOf('web-03')] = vm('web-03');
    world.tick(M);
    expect(() => world.entry('web-03')).toThrow();
  });

  it('does not start without a matching instance, and says why', () => {
    const world = new World(desired({ batches: [batch('wave-1', { include: 'false' })] }), [vm('web-01')]);
    world.tick();
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Defined', message: expect.stringMatching(/^Cannot start: no instance of the inventory matches/) });
  });

  it('does not start when every window has ended', () => {
    const world = new World(desired({ batches: [batch('wave-1', { windows: [window('old', T0 - 3 * H, T0 - H)] })] }), [vm('web-01')]);
    world.tick();
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Defined', message: 'Cannot start: every migration window has ended; add a window' });
    expect(world.last!.problems.map((p) => p.code)).toEqual(['window-ended']);
  });

  it('records the start date and the spec it started with', () => {
    const world = new World(desired({ batches: [batch('wave-1', { include: "name == 'web-01'" })] }), [vm('web-01')]);
    world.tick();
    expect(world.status.batches['wave-1']).toMatchObject({ start_date: T0, desired_commit: 'c0ffee', started_spec: { include_expression: "name == 'web-01'" } });
  });

  it('a failing scriptlet blocks that entry only; the batch starts (DESIGN §9)', () => {
    const scriptlet = 'def placement(instance, batch):\n    if instance.name == "web-02":\n        fail("no room for web-02")\n';
    const world = new World(desired({ batches: [batch('wave-1', { scriptlet })] }), [vm('web-01'), vm('web-02')]);
    world.tick();
    expect(world.status.batches['wave-1']!.status).toBe('Running');
    expect(world.entry('web-01').status).toBe('waiting');
    expect(world.entry('web-02')).toMatchObject({ status: 'blocked', message: expect.stringContaining('no room for web-02') });
  });
});

interface BlockRow {
  rule: string;
  instance: Partial<InstanceDocument>;
  batch?: BatchFields;
  override?: { disable_migration?: boolean; ignore_restrictions?: boolean; name?: string; distribution?: string };
  blocked: string | null;
}

// migration-manager's DisabledReason (research §5.4), in order, with each override that lifts it.
const blockRows: BlockRow[] = [
  { rule: 'migration disabled', instance: {}, override: { disable_migration: true }, blocked: 'Migration is manually disabled' },
  { rule: 'migration disabled beats ignore_restrictions', instance: {}, override: { disable_migration: true, ignore_restrictions: true }, blocked: 'Migration is manually disabled' },
  { rule: 'a name that is no hostname', instance: { name: 'web_01!' }, blocked: 'Instance name "web_01!" is not a valid hostname; give it one with an InstanceOverride name' },
  { rule: 'a name that is no hostname, renamed by an override', instance: { name: 'web_01!' }, override: { name: 'web-01' }, blocked: null },
  { rule: 'unknown Linux distribution', instance: { distribution: 'other' }, blocked: 'Could not determine instance OS, check if guest agent is running' },
  { rule: 'unknown Linux distribution, allow_unknown_os', instance: { distribution: 'other' }, batch: { allow: { allow_unknown_os: true } }, blocked: null },
  { rule: 'unknown Linux distribution, distribution override', instance: { distribution: 'other' }, override: { distribution: 'debian' }, blocked: null },
  { rule: 'no architecture', instance: { architecture: '' }, blocked: 'Could not determine instance architecture' },
  { rule: 'NICs without an IPv4 address', instance: { nics: [{ hardware_address: '00:50:56:00:00:01', location: '/DC1/network/VM-Network' }] }, blocked: 'Could not determine instance IP, check if guest agent is running' },
  { rule: 'NICs without an IPv4 address, allow_no_ipv4', instance: { nics: [{ hardware_address: '00:50:56:00:00:01', location: '/DC1/network/VM-Network' }] }, batch: { allow: { allow_no_ipv4: true } }, blocked: null },
  { rule: 'no background import', instance: { background_import: false }, blocked: 'Background import is not supported' },
  { rule: 'no background import, allow_no_background_import', instance: { background_import: false }, batch: { allow: { allow_no_background_import: true } }, blocked: null },
  { rule: 'a disk not verified for background import', instance: { disks: [{ name: 'd1', supported: true, background_import_verified: false }] }, blocked: 'Verifying background import support: disk d1 is not verified yet (the next source sync checks it)' },
  { rule: 'an unsupported disk', instance: { disks: [{ name: 'd1', supported: true, background_import_verified: true }, { name: 'rdm', supported: false }] }, blocked: 'Disk rdm does not support snapshots' },
  { rule: 'an unsupported disk, ignore_restrictions', instance: { disks: [{ name: 'd1', supported: true, background_import_verified: true }, { name: 'rdm', supported: false }] }, override: { ignore_restrictions: true }, blocked: null },
  { rule: 'ignore_restrictions lifts every restriction', instance: { distribution: 'other', architecture: '', background_import: false }, override: { ignore_restrictions: true }, blocked: null },
  { rule: 'no supported disk at all (even with ignore_restrictions)', instance: { disks: [{ name: 'rdm', supported: false }] }, override: { ignore_restrictions: true }, blocked: 'The instance has no supported disk to migrate' },
];

describe('blocking rules at batch start (research §5.4)', () => {
  it.each(blockRows.map((row) => [row.rule, row] as const))('%s', (_rule, row) => {
    const subject = vm('web-01', row.instance);
    const overrides = row.override ? [override({ uuid: subject.uuid }, row.override)] : [];
    const world = new World(desired({ batches: [batch('wave-1', row.batch)], overrides }), [subject, vm('web-02')]);
    world.tick();
    const entry = Object.values(world.status.entries).find((e) => e.uuid === subject.uuid)!;
    if (row.blocked === null) expect(entry).toMatchObject({ status: 'waiting' });
    else expect(entry).toMatchObject({ status: 'blocked', message: row.blocked });
    expect(world.entry('web-02').status).toBe('waiting');
    expect(world.status.batches['wave-1']!.status).toBe('Running');
  });
});

describe('stopping a batch pauses it (DESIGN §9)', () => {
  function stop(world: World): void {
    world.desired = { ...world.desired, batches: [{ ...world.desired.batches[0]!, state: 'stopped' }] };
  }

  it('cancels background transfers (the entry goes back to Idle) and starts nothing new', () => {
    const world = seeded({ vms: [vm('web-01'), vm('web-02')], entry: { status: 'background_import', syncs: 1 }, created: true, op: { kind: 'import_disks', mode: 'background', observed: running() } });
    stop(world);
    world.tick(M);
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Stopped' });
    expect(world.kinds()).toEqual(['cancel_operation']);
    expect(world.entry('web-01').message).toBe('Stopping the background import: the batch is stopped');
    expect(world.entry('web-02').status).toBe('waiting');
    world.end();
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'idle', operation: null, message: 'The batch is stopped: its transfer was stopped, and it resumes when the batch runs again' });
    world.tick(H);
    expect(world.kinds()).toEqual([]);
  });

  it('lets a creation finish, to Idle', () => {
    const world = seeded({ entry: { status: 'creating' }, op: { kind: 'create_instance', observed: running() } });
    stop(world);
    world.tick(M);
    world.ops[world.entry('web-01').operation!.id] = { state: 'succeeded', message: '' };
    world.projects.default!.instances['web-01'] = { running: false, entry: uuidOf('web-01'), attempt: world.entry('web-01').attempt_id };
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'idle', operation: null });
    expect(world.kinds()).toEqual([]);
  });

  it('lets an entry past the point of no return run to completion', () => {
    const world = seeded({ vms: [vm('web-01', { running: false })], entry: { status: 'final_import', import_stage: 'final', source_powered_off: true }, created: true, op: { kind: 'import_disks', mode: 'final', observed: running() } });
    stop(world);
    world.tick(M);
    expect(world.kinds()).toEqual([]);
    world.ops[world.entry('web-01').operation!.id] = { state: 'succeeded', message: '' };
    world.runUntil('web-01', 'finished', 5);
    expect(world.status.batches['wave-1']!.status).toBe('Stopped');
  });

  it('restarts even when every instance is already queued (DESIGN §9)', () => {
    const world = seeded({ entry: { status: 'idle', import_stage: 'background' }, created: true });
    stop(world);
    world.tick(M);
    world.desired = { ...world.desired, batches: [{ ...world.desired.batches[0]!, state: 'running' }] };
    world.tick(M);
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Running', start_date: T0 + 2 * M });
    expect(world.kinds()).toEqual(['import_disks:background']);
  });
});

describe('an operator\'s pause (ferry pause) drives a batch as state: stopped does', () => {
  const PAUSE = { by: 'Ana Operator <ana@example.com>', at: T0 - H, reason: 'SAN-2 alarm\nINC-4711' };
  const pauseBatch = (world: World): void => void (world.status = { ...world.status, pauses: { campaign: null, batches: { 'wave-1': PAUSE } } });
  const pauseCampaign = (world: World): void => void (world.status = { ...world.status, pauses: { campaign: PAUSE, batches: {} } });
  const stopBatch = (world: World): void => void (world.desired = { ...world.desired, batches: [{ ...world.desired.batches[0]!, state: 'stopped' }] });

  const worlds: [string, () => World][] = [
    ['a background transfer', () => seeded({ vms: [vm('web-01'), vm('web-02')], entry: { status: 'background_import', syncs: 1 }, created: true, op: { kind: 'import_disks', mode: 'background', observed: running() } })],
    ['a creation', () => seeded({ entry: { status: 'creating' }, op: { kind: 'create_instance', observed: running() } })],
    ['a final import past the point of no return', () => seeded({ vms: [vm('web-01', { running: false })], entry: { status: 'final_import', import_stage: 'final', source_powered_off: true }, created: true, op: { kind: 'import_disks', mode: 'final', observed: running() } })],
    ['an idle entry waiting for its window', () => seeded({ entry: { status: 'idle', import_stage: 'background' }, created: true })],
  ];

  it.each(worlds)('%s: the same entries and actions as stopping it, tick after tick; the pause is the batch\'s message', (_what, make) => {
    for (const hold of [pauseBatch, pauseCampaign]) {
      const stopped = make();
      const paused = make();
      stopBatch(stopped);
      hold(paused);
      for (const step of [M, M, H]) {
        stopped.tick(step);
        paused.tick(step);
        expect(paused.status.entries).toEqual(stopped.status.entries);
        expect(paused.kinds()).toEqual(stopped.kinds());
        expect(paused.status.batches['wave-1']!.status).toBe(stopped.status.batches['wave-1']!.status);
      }
      expect(paused.status.batches['wave-1']!.message).toMatch(/^(Paused|The campaign was paused) by Ana Operator <ana@example\.com> at \d{4}-\d\d-\d\d \d\d:\d\d UTC: SAN-2 alarm INC-4711 — nothing new starts/);
      // The engine carries the pauses over unchanged: only ferry pause and ferry resume change them.
      expect(paused.status.pauses).toEqual(hold === pauseBatch ? { campaign: null, batches: { 'wave-1': PAUSE } } : { campaign: PAUSE, batches: {} });
    }
  });

  it('holds a batch that has not started, and a resume starts it', () => {
    const world = new World(desired({ batches: [batch('wave-1', { include: "name == 'web-01'" })] }), [vm('web-01')]);
    pauseCampaign(world);
    world.tick();
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Defined', message: expect.stringMatching(/^The campaign was paused by .* — it starts when resumed/) });
    expect(world.status.entries).toEqual({});
    world.status = { ...world.status, pauses: { campaign: null, batches: {} } };
    world.tick(M);
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Running', message: 'Running' });
    expect(world.entry('web-01').status).toBe('waiting');
  });

  it('leaves a batch the repository stopped as it is, and restarts a paused one when resumed', () => {
    const world = seeded({ entry: { status: 'idle', import_stage: 'background' }, created: true });
    pauseBatch(world);
    world.tick(M);
    expect(world.status.batches['wave-1']!.status).toBe('Stopped');
    world.status = { ...world.status, pauses: { campaign: null, batches: {} } };
    world.tick(M);
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Running', start_date: T0 + 2 * M });
    expect(world.kinds()).toEqual(['import_disks:background']);

    const stopped = seeded({ entry: { status: 'idle', import_stage: 'background' }, created: true });
    stopBatch(stopped);
    stopped.tick(M);
    const message = stopped.status.batches['wave-1']!.message;
    pauseCampaign(stopped);
    stopped.tick(M);
    expect(stopped.status.batches['wave-1']).toMatchObject({ status: 'Stopped', message });
  });
});

describe('restarting a batch whose instances changed', () => {
  function restartWith(fields: BatchFields): World {
    const world = seeded({ batch: { include: "name == 'web-01'", ...fields }, vms: [vm('web-01')] });
    world.desired = { ...world.desired, batches: [batch('wave-1', { include: "name == 'web-01'", state: 'stopped', ...fields })] };
    world.tick(M);
    world.vms[uuidOf('web-01')] = vm('web-01', { name: 'web-01-old', location: '/DC1/vm/web-01' });
    world.desired = { ...world.desired, batches: [batch('wave-1', { include: "name == 'web-01'", ...fields })] };
    world.tick(M);
    return world;
  }

  it('an entry whose instance no longer matches becomes a Conflict, once', () => {
    const world = restartWith({});
    const entry = Object.values(world.status.entries)[0]!;
    expect(entry).toMatchObject({ status: 'conflict', expression_conflict_raised: true, message: expect.stringMatching(/^Instance no longer matches batch expression\./) });
  });

  it('not with force_conflict_resolution', () => {
    const world = restartWith({ force: true });
    expect(Object.values(world.status.entries)[0]!.status).not.toBe('conflict');
  });
});

describe('batch status', () => {
  it('is Finished when every entry is Finished or Canceled and one is Finished', () => {
    const world = seeded({ vms: [vm('web-01'), vm('web-02')] });
    const other = world.entry('web-02');
    world.status.entries[other.uuid] = { ...other, status: 'canceled' };
    world.runUntil('web-01', 'finished', 12);
    world.tick(M);
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Finished', message: 'Finished' });
  });

  it('is Error while its default target does not answer, and Running again when it does', () => {
    const world = seeded();
    world.targetReachable = false;
    world.tick(M);
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Error', message: 'Target incus does not answer (timeout); its entries wait until it does' });
    world.targetReachable = true;
    world.tick(M);
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Running', message: 'Running' });
  });

  it('state: defined on a started batch is a positioned problem, and the batch pauses', () => {
    const world = seeded({ entry: { status: 'idle', import_stage: 'background' }, created: true });
    world.desired = { ...world.desired, batches: [batch('wave-1', { state: 'defined' })] };
    world.tick(M);
    expect(world.last!.problems).toEqual([
      expect.objectContaining({ code: 'batch-unstart', severity: 'error', file: 'batches/wave-1.yaml', message: expect.stringContaining('add a Resolution with action: reset') }),
    ]);
    expect(world.kinds()).toEqual([]);
  });

  it('a batch whose document was removed is stopped, its entries paused', () => {
    const world = seeded({ entry: { status: 'idle', import_stage: 'background' }, created: true, desired: { targets: [target()] } });
    world.desired = { ...world.desired, batches: [] };
    world.tick(M);
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Stopped', message: expect.stringContaining('document was removed') });
    expect(world.kinds()).toEqual([]);
  });
});
