import { describe, expect, it } from 'vitest';
import type { QueueEntry } from '../../src/engine/status.js';
import { batch, constraint, desired, failed, H, M, override, running, seeded, source, succeeded, T0, target, uuidOf, vm, window, World, type SeedOptions } from './fixture.js';

interface Row {
  name: string;
  seed: SeedOptions;
  /** Changes to the world after seeding (power, target contents, time). */
  then?: (world: World) => void;
  status: QueueEntry['status'];
  message?: string | RegExp;
  actions?: string[];
  fields?: Partial<QueueEntry>;
}

const later = (world: World) => (world.now += M);
const creating = { status: 'creating' as const, import_stage: 'background' as const };
const idleFinal = { status: 'idle' as const, import_stage: 'final' as const, last_background_sync: T0, syncs: 1 };

// migration-manager research §4.3, row by row, as Ferry maps them onto operations.
const rows: Row[] = [
  {
    name: 'Waiting → Creating new VM: the placement fits the target',
    seed: {},
    status: 'creating',
    message: 'Creating target instance definition',
    actions: ['create_instance'],
  },
  {
    name: 'Waiting → Blocked: the target project does not exist',
    seed: { batch: { project: 'nope' } },
    status: 'blocked',
    message: 'Cannot place instance: project "nope" does not exist on target incus',
    actions: [],
  },
  {
    name: 'Waiting → Blocked: a storage pool does not exist',
    seed: { batch: { pool: 'fast' } },
    status: 'blocked',
    message: /^Cannot place instance: storage pool "fast" \(for disk \[ds1\] web-01\/web-01.vmdk\) does not exist in project default of target incus$/,
  },
  {
    name: 'Waiting → Blocked: a NIC\'s network does not exist',
    seed: {},
    then: (w) => (w.projects.default!.networks = ['migration']),
    status: 'blocked',
    message: /network "VM-Network" \(for NIC 00:50:56:00:00:16\) does not exist/,
  },
  {
    name: 'Waiting → Blocked: another instance has the name',
    seed: {},
    then: (w) => (w.projects.default!.instances['web-01'] = { running: true, entry: null, attempt: null }),
    status: 'blocked',
    message: /an instance named "web-01" already exists in project default of target incus \(not created by Ferry/,
  },
  {
    name: 'Waiting → Blocked: a scriptlet sets a target the repository does not define',
    seed: { batch: { rerun: true, scriptlet: 'def placement(instance, batch):\n    set_target("elsewhere")\n' } },
    status: 'blocked',
    message: 'Cannot place instance: target "elsewhere" is not defined in the repository',
  },
  {
    name: 'Waiting → Blocked: a blocking rule applies now (an override disables the migration)',
    seed: {},
    then: (w) => (w.desired = { ...w.desired, instanceOverrides: [override({ uuid: uuidOf('web-01') }, { disable_migration: true })] }),
    status: 'blocked',
    message: 'Migration is manually disabled',
    actions: [],
  },
  {
    name: 'Waiting → Waiting: the target create_limit is reached',
    seed: { vms: [vm('web-01'), vm('web-00')], desired: { targets: [target('incus', { create_limit: 1 })] } },
    status: 'waiting',
    message: 'Waiting for other instances to finish creating (create_limit 1 of target incus)',
  },
  {
    name: 'Waiting → Waiting: the target does not answer',
    seed: {},
    then: (w) => (w.targetReachable = false),
    status: 'waiting',
    message: 'Waiting for the target to answer: target incus does not answer: timeout',
  },
  {
    name: 'Waiting → Idle: the target already holds this attempt\'s instance (a lost creation result)',
    seed: { created: true },
    status: 'background_import',
    actions: ['import_disks:background'],
  },
  {
    name: 'Creating → Idle → background import: the creation succeeded',
    seed: { entry: creating, created: true, op: { kind: 'create_instance', observed: succeeded() } },
    status: 'background_import',
    message: 'Performing background import tasks',
    actions: ['import_disks:background'],
  },
  {
    name: 'Creating → Waiting: the creation failed; a new attempt, the failed attempt\'s instance deleted first',
    seed: { entry: creating, created: true, op: { kind: 'create_instance', observed: failed('quota exceeded') } },
    status: 'waiting',
    message: 'Creating the target instance failed: quota exceeded; retrying with a new attempt',
    actions: ['delete_instance'],
    fields: { attempt: 2, attempt_id: `${uuidOf('web-01')}#2` },
  },
  {
    name: 'Creating → Creating: progress is reported while it runs',
    seed: { entry: creating, op: { kind: 'create_instance', observed: running() } },
    status: 'creating',
    actions: [],
  },
  {
    name: 'Idle → Idle: the source import_limit is reached',
    seed: {
      vms: [vm('web-01'), vm('web-00')],
      entry: { status: 'idle', import_stage: 'background' },
      created: true,
      desired: { sources: [source('dc1', 1)] },
    },
    then: (w) => {
      const other = w.entry('web-00');
      w.status.entries[other.uuid] = { ...other, status: 'background_import', operation: { id: `${other.attempt_id}/sync-1`, kind: 'import_disks', mode: 'background', decided_at: w.now, claimed_by: 'x', claimed_at: w.now } };
      w.ops[`${other.attempt_id}/sync-1`] = running();
    },
    status: 'idle',
    message: 'Waiting for other instances to finish importing (import_limit 1 of source dc1)',
    actions: [],
  },
  {
    name: 'Idle → Idle: the target import_limit is reached',
    seed: {
      vms: [vm('web-01'), vm('web-00')],
      entry: { status: 'idle', import_stage: 'background' },
      created: true,
      desired: { targets: [target('incus', { import_limit: 1 })] },
    },
    then: (w) => {
      const other = w.entry('web-00');
      w.status.entries[other.uuid] = { ...other, status: 'final_import', operation: null };
    },
    status: 'idle',
    message: 'Waiting for other instances to finish importing (import_limit 1 of target incus)',
  },
  {
    name: 'Idle → background import: stage background, the VM runs, background import works',
    seed: { entry: { status: 'idle', import_stage: 'background' }, created: true },
    status: 'background_import',
    actions: ['import_disks:background'],
    fields: { mode: 'live', syncs: 1 },
  },
  {
    name: 'Idle → final import: no background import (allowed), the window has begun',
    seed: { vms: [vm('web-01', { background_import: false })], batch: { allow: { allow_no_background_import: true } }, entry: { status: 'idle', import_stage: 'background' }, created: true },
    status: 'final_import',
    actions: ['power_off_source'],
  },
  {
    name: 'Idle → Idle: waiting for a window that has not begun',
    seed: { batch: { windows: [window('night', T0 + 5 * H, T0 + 9 * H)] }, entry: idleFinal, created: true },
    status: 'idle',
    message: 'Waiting for migration window night (begins 2026-12-01 17:00 UTC)',
    actions: [],
  },
  {
    name: 'Idle → background import: a top-up is due (an interval passed, the window is far away)',
    seed: { batch: { windows: [window('night', T0 + 5 * H, T0 + 9 * H)] }, entry: { ...idleFinal, last_background_sync: T0 - 11 * M }, created: true },
    status: 'background_import',
    actions: ['import_disks:background'],
    fields: { import_stage: 'background', syncs: 2 },
  },
  {
    name: 'Idle → Idle: on a mover target a top-up is never due (the delta at cutover reads what changed since the warm copy)',
    seed: {
      batch: { windows: [window('night', T0 + 5 * H, T0 + 9 * H)] },
      entry: { ...idleFinal, last_background_sync: T0 - 11 * M },
      created: true,
      desired: { targets: [{ ...target('incus'), transfer: 'mover' as const }] },
    },
    status: 'idle',
    message: 'Waiting for migration window night (begins 2026-12-01 17:00 UTC)',
    actions: [],
  },
  {
    name: 'Idle → Idle: every window has ended; no top-ups until a window is added',
    seed: { batch: { windows: [window('night', T0 - 9 * H, T0 + M / 2)] }, entry: { ...idleFinal, last_background_sync: T0 - 11 * M }, created: true },
    status: 'idle',
    message: /^Waiting for migration window: no migration window is still open; add a migration window/,
    actions: [],
  },
  {
    name: 'Idle → final import: the window has begun; the window is assigned and the running source VM is powered off',
    seed: { batch: { windows: [window('night', T0 - H, T0 + 3 * H)] }, entry: idleFinal, created: true },
    status: 'final_import',
    message: 'Powering off the source VM for the final import',
    actions: ['power_off_source'],
    fields: { window: 'night', source_powered_off: true },
  },
  {
    name: 'Idle → Idle: every window is at capacity (waits; no immediate cutover)',
    seed: { vms: [vm('web-01'), vm('web-00')], batch: { windows: [window('night', T0 - H, T0 + 3 * H, { capacity: 1 })] }, entry: idleFinal, created: true },
    then: (w) => {
      const other = w.entry('web-00');
      w.status.entries[other.uuid] = { ...other, status: 'post_import', window: 'night' };
    },
    status: 'idle',
    message: /^Waiting for migration window: every migration window is at capacity/,
  },
  {
    name: 'Idle → Idle: the last matching constraint is at its limit',
    seed: {
      vms: [vm('web-01'), vm('web-00')],
      batch: { constraints: [constraint('all', 'true', 5), constraint('web', "name startsWith 'web'", 1)] },
      entry: idleFinal,
      created: true,
    },
    then: (w) => {
      const other = w.entry('web-00');
      w.status.entries[other.uuid] = { ...other, status: 'worker_done' };
    },
    status: 'idle',
    message: /^Waiting for migration window: constraint "web" allows 1 at once/,
  },
  {
    name: 'Idle → post-import: stage complete and the window is still open',
    seed: { batch: { windows: [window('night', T0 - H, T0 + 3 * H)] }, entry: { status: 'idle', import_stage: 'complete', window: 'night', source_powered_off: true }, created: true },
    status: 'post_import',
    actions: ['post_import'],
  },
  {
    name: 'Background import → Idle: the pass succeeded (stage final, last sync recorded)',
    seed: { batch: { windows: [window('night', T0 + 5 * H, T0 + 9 * H)] }, entry: { status: 'background_import', import_stage: 'background', syncs: 1 }, created: true, op: { kind: 'import_disks', mode: 'background', observed: succeeded() } },
    status: 'idle',
    message: 'Waiting for migration window night (begins 2026-12-01 17:00 UTC)',
    fields: { import_stage: 'final', last_background_sync: T0 + M },
  },
  {
    name: 'Background import → Background import: the progress is shown',
    seed: { entry: { status: 'background_import', import_stage: 'background', syncs: 1 }, created: true, op: { kind: 'import_disks', mode: 'background', observed: { state: 'running', message: '', progress: { done: 5 * 1024 ** 3, total: 20 * 1024 ** 3 } } } },
    status: 'background_import',
    message: 'Performing background import tasks: 25% (5.0 GiB of 20.0 GiB)',
    actions: [],
  },
  {
    name: 'Background import → Error: the transfer failed',
    seed: { entry: { status: 'background_import', import_stage: 'background' }, created: true, op: { kind: 'import_disks', mode: 'background', observed: failed('disk read error') } },
    status: 'error',
    message: 'The background import failed: disk read error',
  },
  {
    name: 'Final import (VM running) → power off, recording that the target runs afterwards',
    seed: { vms: [vm('web-01')], entry: { status: 'final_import', import_stage: 'final', placement: { target_name: 'incus', target_project: 'default', storage_pools: { '[ds1] web-01/web-01.vmdk': 'default' }, networks: {}, running: false } }, created: true },
    status: 'final_import',
    actions: ['power_off_source'],
    fields: { source_powered_off: true, placement: expect.objectContaining({ running: true }) as never },
  },
  {
    name: 'Final import (VM off) → the final sync runs',
    seed: { vms: [vm('web-01', { running: false })], entry: { status: 'final_import', import_stage: 'final', source_powered_off: true }, created: true },
    status: 'final_import',
    message: 'Performing final import tasks',
    actions: ['import_disks:final'],
  },
  {
    name: 'Final import → Idle → post-import: the final sync succeeded',
    seed: { vms: [vm('web-01', { running: false })], entry: { status: 'final_import', import_stage: 'final', source_powered_off: true }, created: true, op: { kind: 'import_disks', mode: 'final', observed: succeeded() } },
    status: 'post_import',
    actions: ['post_import'],
    fields: { import_stage: 'complete' },
  },
  {
    name: 'Final import → Error: the final sync failed; the source VM is powered back on',
    seed: { vms: [vm('web-01', { running: false })], entry: { status: 'final_import', import_stage: 'final', source_powered_off: true }, created: true, op: { kind: 'import_disks', mode: 'final', observed: failed('target full') } },
    status: 'error',
    message: 'The final import failed: target full',
    actions: ['power_on_source'],
  },
  {
    name: 'Post import → Worker tasks complete → finalize: the guest steps succeeded',
    seed: { vms: [vm('web-01', { running: false })], entry: { status: 'post_import', import_stage: 'complete', source_powered_off: true }, created: true, op: { kind: 'post_import', observed: succeeded() } },
    status: 'worker_done',
    message: 'Starting target instance',
    actions: ['finalize_instance'],
  },
  {
    name: 'Post import → Error: the guest steps failed; the source VM is powered back on',
    seed: { vms: [vm('web-01', { running: false })], entry: { status: 'post_import', import_stage: 'complete', source_powered_off: true }, created: true, op: { kind: 'post_import', observed: failed('no agent') } },
    status: 'error',
    message: 'The post-import tasks failed: no agent',
    actions: ['power_on_source'],
  },
  {
    name: 'Post import → Worker tasks complete: what the preparation changed is kept in the history',
    seed: { vms: [vm('web-01', { running: false })], entry: { status: 'post_import', import_stage: 'complete', source_powered_off: true }, created: true, op: { kind: 'post_import', observed: { ...succeeded(), record: 'guest prepared (Debian GNU/Linux 12 (bookworm)): incus-agent, initramfs' } } },
    status: 'worker_done',
    fields: { history: expect.arrayContaining([expect.objectContaining({ to: 'worker_done', message: 'Starting target instance; guest prepared (Debian GNU/Linux 12 (bookworm)): incus-agent, initramfs' })]) },
    actions: ['finalize_instance'],
  },
  {
    name: 'Post import → Conflict: the mover could not prepare the guest (the reason, and how to settle it)',
    seed: { vms: [vm('web-01', { running: false })], entry: { status: 'post_import', import_stage: 'complete', source_powered_off: true }, created: true, op: { kind: 'post_import', observed: { ...failed('no-root-filesystem: no filesystem on the disks holds /etc/os-release'), conflict: true } } },
    status: 'conflict',
    message: /^Guest preparation failed: no-root-filesystem: no filesystem on the disks holds \/etc\/os-release\. Fix the source VM .*guest_preparation: skip.*action: resolve/,

    // As every Conflict after the final import (migration-manager): the source runs again meanwhile.
    actions: ['power_on_source'],
  },
  {
    name: 'Worker tasks complete → Finished: the instance was finalized (window cleared)',
    seed: { vms: [vm('web-01', { running: false })], entry: { status: 'worker_done', import_stage: 'complete', source_powered_off: true, window: 'night' }, batch: { windows: [window('night', T0 - H, T0 + H)] }, created: true, op: { kind: 'finalize_instance', observed: succeeded() } },
    status: 'finished',
    message: 'Finished',
    actions: [],
    fields: { window: null, source_powered_off: true },
  },
  {
    name: 'Worker tasks complete → retry: finalizing failed with retries left',
    seed: { vms: [vm('web-01', { running: false })], batch: { retries: 2 }, entry: { status: 'worker_done', import_stage: 'complete', source_powered_off: true }, created: true, op: { kind: 'finalize_instance', observed: failed('start failed') } },
    status: 'worker_done',
    actions: ['finalize_instance'],
    fields: { retries: 1 },
  },
  {
    name: 'Worker tasks complete → Conflict: finalizing failed with no retries left (not overwritten, §9)',
    seed: { vms: [vm('web-01', { running: false })], batch: { retries: 2 }, entry: { status: 'worker_done', import_stage: 'complete', source_powered_off: true, retries: 2 }, created: true, op: { kind: 'finalize_instance', observed: failed('start failed') } },
    status: 'conflict',
    message: /^Finishing the target instance failed after 2 retries: start failed/,
  },
];

describe('queue entry transitions (migration-manager §4.3)', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const world = seeded(row.seed);
    row.then?.(world);
    const before = world.entry('web-01').status;
    later(world);
    world.tick();
    const entry = world.entry('web-01');
    expect(entry.status).toBe(row.status);
    if (row.message !== undefined) {
      if (typeof row.message === 'string') expect(entry.message).toBe(row.message);
      else expect(entry.message).toMatch(row.message);
    }
    if (row.actions !== undefined) expect(world.kinds().filter((_, i) => world.last!.actions[i]!.entry === entry.uuid)).toEqual(row.actions);
    if (row.fields) expect(entry).toMatchObject(row.fields);
    if (entry.status !== before) expect(entry.history.at(-1)).toMatchObject({ to: entry.status, at: world.now });
  });
});

describe('batch start (migration-manager §4.3, first rows)', () => {
  it('creates Waiting entries with the initial message and the default placement', () => {
    const world = new World(desired({ batches: [batch('wave-1', { pool: 'ssd' })] }), [vm('web-01')]);
    world.tick();
    expect(world.entry('web-01')).toMatchObject({
      status: 'waiting',
      message: 'Performing initial migration checks',
      import_stage: 'background',
      attempt: 1,
      placement: { target_name: 'incus', target_project: 'default', storage_pools: { '[ds1] web-01/web-01.vmdk': 'ssd' }, running: true },
    });
    expect(world.last!.actions).toEqual([]);
  });

  it('records the placement a scriptlet sets', () => {
    const scriptlet = 'def placement(instance, batch):\n    set_pool(instance.disks[0].name, "ssd")\n';
    const world = new World(desired({ batches: [batch('wave-1', { scriptlet })] }), [vm('web-01')]);
    world.tick();
    expect(world.entry('web-01').placement.storage_pools).toEqual({ '[ds1] web-01/web-01.vmdk': 'ssd' });
  });

  it('a power override decides whether the target runs afterwards', () => {
    const off = vm('web-01');
    const world = new World(desired({ batches: [batch('wave-1')], overrides: [override({ uuid: off.uuid }, { stopped_after_migration: true })] }), [off]);
    world.tick();
    expect(world.entry('web-01').placement.running).toBe(false);
  });
});

describe('an operation ends in the same tick as the next one starts', () => {
  it('a finished transfer leads straight to the next step, so an idle tick is never wasted', () => {
    const world = seeded({ entry: creating, created: true, op: { kind: 'create_instance', observed: succeeded() } });
    world.tick(M);
    expect(world.entry('web-01').history.slice(-2).map((h) => h.to)).toEqual(['idle', 'background_import']);
  });
});

describe('an instance that leaves the inventory', () => {
  it('blocks a Waiting entry, and its batch still runs', () => {
    const world = seeded({});
    world.inventory = [];
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'blocked', message: 'The instance is no longer in the source inventory (source dc1)' });
  });

  it('an Idle entry whose VM is gone from the source is an Error', () => {
    const world = seeded({ entry: { status: 'idle', import_stage: 'background' }, created: true });
    delete world.vms[uuidOf('web-01')];
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'error', message: 'The source VM no longer exists on source dc1' });
  });
});

describe('rerun_scriptlets', () => {
  const byTag = 'def placement(instance, batch):\n    set_project(instance.config.get("tag.project", "default"))\n';

  it('recomputes the placement of Waiting entries every tick, from the record frozen at the start with the overrides applied', () => {
    const byOverride = 'def placement(instance, batch):\n    set_project(instance.overrides.config.get("tag.project", instance.config.get("tag.project", "default")))\n';
    const world = seeded({ batch: { rerun: true, scriptlet: byOverride }, vms: [vm('web-01', { config: { 'tag.project': 'web' } })] });
    world.projects.web = { pools: ['default'], networks: ['VM-Network'], instances: {} };
    expect(world.entry('web-01').placement.target_project).toBe('web');
    // A tag changed in vCenter does not reach a running batch's entry (research §1.2) …
    world.vms[uuidOf('web-01')] = vm('web-01', { config: { 'tag.project': 'default' } });
    world.desired = { ...world.desired, instanceOverrides: [override({ uuid: uuidOf('web-01') }, { config: { 'tag.project': 'staging' } })] };
    world.projects.staging = { pools: ['default'], networks: ['VM-Network'], instances: {} };
    world.tick(M);
    // … an override in Git does, and the rerun places the entry by it.
    expect(world.entry('web-01')).toMatchObject({ status: 'creating', placement: { target_project: 'staging' } });
  });

  it('without it the placement computed at start stays', () => {
    const world = seeded({ batch: { scriptlet: byTag }, vms: [vm('web-01', { config: { 'tag.project': 'web' } })] });
    world.vms[uuidOf('web-01')] = vm('web-01', { config: { 'tag.project': 'default' } });
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'blocked', message: 'Cannot place instance: project "web" does not exist on target incus' });
  });
});

describe('blocked entries are reassessed every tick', () => {
  it('Blocked → Waiting "Instance has been unblocked" once the cause is gone, then it moves on', () => {
    const world = seeded({ batch: { project: 'web' } });
    world.tick(M);
    expect(world.entry('web-01').status).toBe('blocked');
    world.projects.web = { pools: ['default'], networks: ['VM-Network'], instances: {} };
    world.tick(M);
    expect(world.entry('web-01').history.slice(-2).map((h) => [h.to, h.message])).toEqual([
      ['waiting', 'Instance has been unblocked'],
      ['creating', 'Creating target instance definition'],
    ]);
  });

  it('keeps a Blocked entry Blocked while the target is not observed (a plan without credentials)', () => {
    const world = seeded({ batch: { project: 'web' } });
    world.tick(M);
    world.credentials = false;
    const before = world.entry('web-01');
    world.tick(M);
    expect(world.entry('web-01')).toBe(before);
  });
});

