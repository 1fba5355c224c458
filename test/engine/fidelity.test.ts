// The migration-manager rules of issue #15, one block each: the batch assignment and the batch-start
// conflict, syncs frozen for a running batch, force_conflict_resolution keeping the whole
// placement, the UUID-change message, the source powered on at a window's end whatever runs on
// the target, and a history that is never cut.

import { describe, expect, it } from 'vitest';
import type { FinalizeInstanceAction } from '../../src/engine/actions.js';
import { appendTransition } from '../../src/engine/entry-history.js';
import { entryLife } from '../../src/engine/entry-life.js';
import { ENTRY_HISTORY_LIMIT, type TransitionRecord } from '../../src/engine/status.js';
import type { NetworkOverride, Resolution } from '../../src/model/desired.js';
import { batch, desired, H, M, resolution, running, seeded, T0, uuidOf, vm, window, World, type BatchFields } from './fixture.js';

const tier = (name: string, value: string, fields = {}) => vm(name, { config: { 'tag.tier': value }, ...fields });
const WEB = 'config["tag.tier"] == "web"';

function campaign(fields: BatchFields, vms = [tier('web-01', 'web'), tier('web-02', 'web'), tier('db-01', 'db')]): World {
  const world = new World(desired({ batches: [batch('wave-1', { include: WEB, ...fields })] }), vms);
  world.tick();
  return world;
}

function setBatch(world: World, fields: BatchFields): void {
  world.desired = { ...world.desired, batches: [batch('wave-1', { include: WEB, ...fields })] };
}

function resolveWith(world: World, ...resolutions: Resolution[]): void {
  world.desired = { ...world.desired, resolutions };
}

describe('the instances a Defined batch holds (migration-manager batch assignment, research §1.2)', () => {
  it('are those its include expression matched when first seen', () => {
    const world = campaign({ state: 'defined' });
    expect(world.status.assignments['wave-1']).toEqual({ include_expression: WEB, instances: [uuidOf('web-01'), uuidOf('web-02')].sort() });
    expect(world.status.entries).toEqual({});
  });

  it('keep an instance a sync moved out of the expression, and take in one a sync made match', () => {
    const world = campaign({ state: 'defined' });
    world.vms[uuidOf('web-02')] = tier('web-02', 'db');
    world.vms[uuidOf('db-01')] = tier('db-01', 'web');
    world.tick(M);
    expect(world.status.assignments['wave-1']!.instances).toEqual([uuidOf('web-01'), uuidOf('web-02'), uuidOf('db-01')].sort());
  });

  it('are computed again when the include expression is edited: what no longer matches leaves without a conflict', () => {
    const world = campaign({ state: 'defined' });
    world.vms[uuidOf('web-02')] = tier('web-02', 'db');
    world.tick(M);
    setBatch(world, { state: 'defined', include: 'config["tag.tier"] in ["web", "cache"]' });
    world.tick(M);
    expect(world.status.assignments['wave-1']!.instances).toEqual([uuidOf('web-01')]);
    setBatch(world, { state: 'running', include: 'config["tag.tier"] in ["web", "cache"]' });
    world.tick(M);
    expect(Object.values(world.status.entries).map((e) => [e.name, e.status])).toEqual([['web-01', 'waiting']]);
  });

  it('are dropped once the batch starts: it holds entries then', () => {
    const world = campaign({ state: 'defined' });
    setBatch(world, { state: 'running' });
    world.tick(M);
    expect(world.status.assignments).toEqual({});
  });
});

describe('a batch starts with an instance it holds that no longer matches (migration-manager batch_service.go, PR #495)', () => {
  function movedOut(fields: BatchFields = {}): World {
    const world = campaign({ state: 'defined', ...fields });
    world.vms[uuidOf('web-02')] = tier('web-02', 'db');
    world.tick(M);
    setBatch(world, { state: 'running', ...fields });
    world.tick(M);
    return world;
  }

  it('its entry is a Conflict "Instance no longer matches batch expression"; the others start', () => {
    const world = movedOut();
    expect(world.entry('web-02')).toMatchObject({ status: 'conflict', expression_conflict_raised: true, message: expect.stringMatching(/^Instance no longer matches batch expression: /) });
    expect(world.entry('web-02').history).toEqual([expect.objectContaining({ from: null, to: 'conflict', attempt: 1 })]);
    expect(world.entry('web-01').status).toBe('waiting');
    expect(() => world.entry('db-01')).toThrow();
  });

  it('resolving it lets it migrate, and it is not raised again', () => {
    const world = movedOut();
    resolveWith(world, resolution('keep', 'resolve', 'wave-1', 'web-02'));
    world.tick(M);
    expect(['waiting', 'creating']).toContain(world.entry('web-02').status);
    for (let i = 0; i < 5; i++) world.tick(M);
    expect(world.entry('web-02').status).not.toBe('conflict');
    expect(world.entry('web-02').history.filter((t) => t.to === 'conflict')).toHaveLength(1);
  });

  it('with force_conflict_resolution it migrates with the others', () => {
    const world = movedOut({ force: true });
    expect(world.entry('web-02').status).toBe('waiting');
    expect(world.entry('web-02').expression_conflict_raised).toBe(false);
  });

  it('an instance the batch holds that another batch claimed first is not claimed twice', () => {
    const world = new World(desired({ batches: [batch('wave-0', { include: 'config["tag.tier"] == "db"', state: 'defined' }), batch('wave-1', { include: WEB, state: 'defined' })] }), [tier('web-01', 'web'), tier('web-02', 'web')]);
    world.tick();
    world.vms[uuidOf('web-02')] = tier('web-02', 'db');
    world.tick(M);
    world.desired = { ...world.desired, batches: [batch('wave-0', { include: 'config["tag.tier"] == "db"' }), batch('wave-1', { include: WEB })] };
    world.tick(M);
    expect([world.entry('web-02').batch, world.entry('web-02').status]).toEqual(['wave-0', 'waiting']);
  });
});

describe('syncs are frozen for a running batch\'s instances (research §1.2, PR #495)', () => {
  const byTag = 'def placement(instance, batch):\n    set_project(instance.config.get("tag.project", "default"))\n';

  function waiting(): World {
    const world = seeded({ batch: { scriptlet: byTag }, vms: [vm('web-01', { config: { 'tag.project': 'default' } })] });
    world.projects.web = { pools: ['default'], networks: ['VM-Network'], instances: {} };
    return world;
  }

  it('a tag changed in vCenter does not move a waiting entry: the record it was placed by stays', () => {
    const world = waiting();
    world.vms[uuidOf('web-01')] = vm('web-01', { config: { 'tag.project': 'web' } });
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'creating', placement: { target_project: 'default' } });
    expect(world.status.inventory.dc1!.instances[0]!.config['tag.project']).toBe('default');
  });

  it('the final check reads the VM fresh and judges the difference: the recomputed placement is a Conflict', () => {
    const world = waiting();
    world.vms[uuidOf('web-01')] = vm('web-01', { config: { 'tag.project': 'web' } });
    world.runUntil('web-01', 'conflict', 20);
    const life = world.entry('web-01').history.map((t) => t.to);
    // Migrated by the original placement all the way to the final check …
    expect(life.slice(-3)).toEqual(['post_import', 'worker_done', 'conflict']);
    expect(world.dispatched.filter((a) => a.kind === 'create_instance').map((a) => (a as { project: string }).project)).toEqual(['default']);
    // … which judged the difference.
    expect(world.entry('web-01').message).toMatch(/^Instance placement changed \(project default → web\)/);
  });

  it('a Blocked entry keeps syncing, so a fix made in vCenter reaches it', () => {
    const world = seeded({ vms: [vm('web-01', { architecture: '' })] });
    world.tick(M);
    expect(world.entry('web-01').status).toBe('blocked');
    world.vms[uuidOf('web-01')] = vm('web-01');
    world.tick(M);
    world.tick(M);
    expect(world.entry('web-01').status).not.toBe('blocked');
  });

  it('a Defined batch\'s instances sync freely', () => {
    const world = campaign({ state: 'defined' });
    world.vms[uuidOf('web-01')] = tier('web-01', 'web', { cpus: 16 });
    world.tick(M);
    expect(world.status.inventory.dc1!.instances.find((i) => i.uuid === uuidOf('web-01'))!.cpus).toBe(16);
  });
});

describe('force_conflict_resolution keeps the whole original placement (research §4.4)', () => {
  const dmz: NetworkOverride = {
    meta: { name: 'dmz', origin: { file: 'overrides/n.yaml', line: 1, column: 1 }, apiVersion: 'ferry.dev/v1alpha1', at: {} },
    match: { location: '/DC1/network/VM-Network' },
    network: 'dmz',
  };
  const toSsd = 'def placement(instance, batch):\n    set_pool(instance.disks[0].name, "ssd")\n';

  function atFinalChecks(fields: BatchFields): World {
    const world = seeded({ entry: { status: 'worker_done', import_stage: 'complete', source_powered_off: true }, created: true });
    world.power('web-01', false);
    world.projects.default!.networks.push('dmz');
    world.desired = { ...world.desired, batches: [batch('wave-1', fields)], networkOverrides: [dmz] };
    return world;
  }

  it('a changed pool with new networks: forced, the original networks stay too', () => {
    const world = atFinalChecks({ scriptlet: toSsd, force: true });
    world.tick(M);
    const action = world.last!.actions[0] as FinalizeInstanceAction;
    expect(action.kind).toBe('finalize_instance');
    expect(Object.values(action.placement.networks).map((n) => n.network)).toEqual(['VM-Network']);
    expect(action.placement.storage_pools).toEqual({ '[ds1] web-01/web-01.vmdk': 'default' });
  });

  it('not forced, only the networks changed: they are adopted', () => {
    const world = atFinalChecks({});
    world.tick(M);
    expect(Object.values((world.last!.actions[0] as FinalizeInstanceAction).placement.networks).map((n) => n.network)).toEqual(['dmz']);
  });

  it('a placement the target can no longer take, forced: the original networks are kept', () => {
    const world = atFinalChecks({ force: true });
    world.projects.default!.networks = ['migration'];
    world.tick(M);
    const action = world.last!.actions[0] as FinalizeInstanceAction;
    expect(action.kind).toBe('finalize_instance');
    expect(Object.values(action.placement.networks).map((n) => n.network)).toEqual(['VM-Network']);
  });
});

describe('a changed source UUID (research §4.4 step 2)', () => {
  it('is an Error naming the expected and the found UUID', () => {
    const world = seeded({ entry: { status: 'worker_done', import_stage: 'complete', source_powered_off: true }, created: true });
    world.power('web-01', false);
    // The VM fetched by its source id (the provider reads the VM it synced) carries another UUID.
    world.vms[uuidOf('web-01')] = vm('web-01', { running: false, uuid: '42000000-0000-4000-8000-00000000beef' });
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({
      status: 'error',
      message: `Instance source UUID has changed (expected "${uuidOf('web-01')}", found "42000000-0000-4000-8000-00000000beef")`,
    });
  });

  it('the same UUID on another VM of the source is an Error naming both source ids', () => {
    const world = seeded({ entry: { status: 'worker_done', import_stage: 'complete', source_powered_off: true }, created: true });
    world.power('web-01', false);
    world.vms[uuidOf('web-01')] = vm('web-01', { running: false, source_specific_id: 'vm-999' });
    world.tick(M);
    expect(world.entry('web-01').message).toMatch(/^Instance source UUID has changed: .* \(expected "vm-web-01", found "vm-999"\)$/);
  });
});

describe('a window that ends powers the source back on at once (DESIGN §3, resetQueueEntry)', () => {
  const night = window('night', T0 - H, T0 + 30 * M);

  it.each(['post_import', 'finalize_instance'] as const)('even while %s runs on the target; the target is deleted after', (kind) => {
    const world = seeded({
      vms: [vm('web-01', { running: false })],
      batch: { windows: [night] },
      entry: { status: kind === 'post_import' ? 'post_import' : 'worker_done', import_stage: 'complete', window: 'night', source_powered_off: true },
      created: true,
      op: { kind, observed: running() },
    });
    world.now = T0 + 30 * M + 1;
    world.tick();
    expect(world.kinds()).toEqual(['power_on_source']);
    world.end('poweron');
    world.tick(M);
    expect(world.kinds()).toEqual(['delete_instance']);
    expect(world.entry('web-01').history.at(-1)).toMatchObject({ to: 'waiting', attempt: 2 });
  });
});

describe('history is never cut', () => {
  it('transitions beyond the last ENTRY_HISTORY_LIMIT are archived; the whole life reads back in order, with each attempt', () => {
    const world = seeded();
    // Cancel and retry the entry until it has far more transitions than it keeps.
    for (let round = 0; round < 12; round++) {
      resolveWith(world, resolution(`c${round}`, 'cancel', 'wave-1', 'web-01'));
      world.tick(M);
      world.end();
      world.tick(M);
      resolveWith(world, resolution(`r${round}`, 'retry', 'wave-1', 'web-01'));
      world.tick(M);
      world.end();
    }
    const entry = world.entry('web-01');
    expect(entry.history).toHaveLength(ENTRY_HISTORY_LIMIT);
    const life = entryLife(world.status, 'web-01');
    if (!life.ok) throw new Error(life.message);
    const all = life.life.transitions;
    expect(all.length).toBeGreaterThanOrEqual(2 * ENTRY_HISTORY_LIMIT);
    expect(all.slice(-ENTRY_HISTORY_LIMIT)).toEqual(entry.history.map((t) => ({ ...t, batch: 'wave-1' })));
    // Nothing is missing: each transition starts where the one before ended …
    for (let i = 1; i < all.length; i++) expect(all[i]!.from).toBe(all[i - 1]!.to);
    expect(all[0]!.from).toBeNull();
    // … in time order, and every attempt from the first to the current is there.
    const times = all.map((t) => t.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect([...new Set(all.map((t) => t.attempt))]).toEqual(Array.from({ length: entry.attempt }, (_, i) => i + 1));
  });

  it('an entry a reset removes keeps its transitions, and a new entry continues the life', () => {
    const world = seeded();
    const uuid = world.entry('web-01').uuid;
    const before = world.entry('web-01').history.length;
    resolveWith(world, resolution('again', 'reset', 'wave-1', null));
    for (let i = 0; i < 4 && world.status.entries[uuid] !== undefined; i++) {
      world.tick(M);
      world.end();
    }
    expect(world.status.entries[uuid]).toBeUndefined();
    expect(world.status.archive[uuid]!.length).toBeGreaterThanOrEqual(before);
    world.tick(M);
    const life = entryLife(world.status, uuid);
    if (!life.ok) throw new Error(life.message);
    expect(life.life.transitions.filter((t) => t.from === null)).toHaveLength(2);
    expect(life.life.entry).toMatchObject({ batch: 'wave-1' });
  });

  it('finds the instance by name, location or UUID, and says when a name is ambiguous', () => {
    const world = seeded({ vms: [vm('web-01'), vm('web-02', { location: '/DC2/vm/web-02' })] });
    expect(entryLife(world.status, '/DC1/vm/web-01')).toMatchObject({ ok: true, life: { name: 'web-01' } });
    expect(entryLife(world.status, uuidOf('web-02'))).toMatchObject({ ok: true, life: { location: '/DC2/vm/web-02' } });
    expect(entryLife(world.status, 'nope')).toMatchObject({ ok: false, message: expect.stringMatching(/^no instance has the UUID, location or name "nope"/) });
    const twins = seeded({ vms: [vm('web-01'), vm('web-01', { uuid: uuidOf('other'), location: '/DC2/vm/web-01' })] });
    expect(entryLife(twins.status, 'web-01')).toMatchObject({ ok: false, candidates: [expect.anything(), expect.anything()] });
  });
});

describe('a back-and-forth that repeats is folded, not cut', () => {
  const t = (at: number, from: TransitionRecord['from'], to: TransitionRecord['to'], message = '', attempt = 1): TransitionRecord => ({ at, attempt, from, to, message });

  it('A, B, A, B keeps A and B with one repeat each and when it last happened; a half round stays as it is', () => {
    let h: TransitionRecord[] = [t(0, null, 'idle')];
    h = appendTransition(h, t(1, 'idle', 'background_import', 'pass'));
    h = appendTransition(h, t(2, 'background_import', 'idle', 'wait'));
    h = appendTransition(h, t(3, 'idle', 'background_import', 'pass'));
    expect(h.map((x) => x.at)).toEqual([0, 1, 2, 3]);
    h = appendTransition(h, t(4, 'background_import', 'idle', 'wait'));
    expect(h).toEqual([t(0, null, 'idle'), { ...t(1, 'idle', 'background_import', 'pass'), repeats: { times: 1, last_at: 3 } }, { ...t(2, 'background_import', 'idle', 'wait'), repeats: { times: 1, last_at: 4 } }]);
    h = appendTransition(appendTransition(h, t(5, 'idle', 'background_import', 'pass')), t(6, 'background_import', 'idle', 'wait'));
    expect(h.map((x) => x.repeats?.times)).toEqual([undefined, 2, 2]);
  });

  it('another message, another attempt or another status is a new transition', () => {
    const base = [t(0, null, 'idle'), t(1, 'idle', 'background_import', 'pass'), t(2, 'background_import', 'idle', 'wait'), t(3, 'idle', 'background_import', 'pass')];
    expect(appendTransition(base, t(4, 'background_import', 'idle', 'other'))).toHaveLength(5);
    expect(appendTransition(base, t(4, 'background_import', 'idle', 'wait', 2))).toHaveLength(5);
    expect(appendTransition(base, t(4, 'background_import', 'error', 'wait'))).toHaveLength(5);
  });

  it('three days of background passes keep a short history that still counts every pass', () => {
    const world = seeded({ batch: { windows: [window('far', T0 + 72 * H, T0 + 76 * H)] } });
    for (let i = 0; i < 400 && world.now < T0 + 70 * H; i++) {
      world.tick(10 * M);
      world.end();
    }
    const e = world.entry('web-01');
    const passes = e.history.find((x) => x.to === 'background_import')!;
    expect(passes.repeats!.times).toBeGreaterThan(150);
    const counted = e.history.filter((x) => x.to === 'background_import').reduce((n, x) => n + 1 + (x.repeats?.times ?? 0), 0);
    expect(counted).toBe(e.syncs);
    expect(e.history.length).toBeLessThanOrEqual(6);
    expect(world.status.archive[e.uuid]).toBeUndefined();
  });
});
