import { describe, expect, it } from 'vitest';
import type { FinalizeInstanceAction } from '../../src/engine/actions.js';
import type { NetworkOverride } from '../../src/model/desired.js';
import { batch, H, M, override, resolution, seeded, T0, target, uuidOf, vm, window, World, type BatchFields } from './fixture.js';

const workerDone = { status: 'worker_done' as const, import_stage: 'complete' as const, source_powered_off: true };
const off = (fields = {}) => vm('web-01', { running: false, ...fields });
const toSsd = 'def placement(instance, batch):\n    set_pool(instance.disks[0].name, "ssd")\n';

/** web-01 ran when its batch started (so its target starts afterwards) and is off now, its worker tasks complete. */
function atFinalChecks(batchFields: BatchFields = {}): World {
  const world = seeded({ batch: batchFields, entry: workerDone, created: true });
  world.power('web-01', false);
  return world;
}

function withBatch(world: World, fields: BatchFields): void {
  world.desired = { ...world.desired, batches: [batch('wave-1', fields)] };
}

const dmz: NetworkOverride = {
  meta: { name: 'dmz', origin: { file: 'overrides/n.yaml', line: 1, column: 1 }, apiVersion: 'ferry.dev/v1alpha1', at: {} },
  match: { location: '/DC1/network/VM-Network' },
  network: 'dmz',
};

interface Row {
  name: string;
  then: (world: World) => void;
  status: string;
  message?: RegExp;
  actions: string[];
}

// migration-manager PR #495 (research §4.4): the checks once worker tasks are complete. An Error,
// and a Conflict in a batch without windows, power the source VM back on at once.
const rows: Row[] = [
  { name: 'nothing changed → the instance is finalized', then: () => {}, status: 'worker_done', message: /^Starting target instance$/, actions: ['finalize_instance'] },
  { name: 'the source VM runs again → it is powered off again first', then: (w) => w.power('web-01', true), status: 'worker_done', message: /powering it off before finishing/, actions: ['power_off_source'] },
  { name: 'the source VM is gone → Error', then: (w) => delete w.vms[uuidOf('web-01')], status: 'error', message: /^The source VM no longer exists on source dc1/, actions: [] },
  { name: 'its source identity changed → Error', then: (w) => (w.vms[uuidOf('web-01')] = off({ source_specific_id: 'vm-999' })), status: 'error', message: /^Instance source UUID has changed/, actions: ['power_on_source'] },
  { name: 'its name changed → Error', then: (w) => (w.vms[uuidOf('web-01')] = off({ name: 'web-01-renamed' })), status: 'error', message: /^Instance source name has changed from "web-01" to "web-01-renamed"/, actions: ['power_on_source'] },
  {
    name: 'its disks changed → Error',
    then: (w) => (w.vms[uuidOf('web-01')] = off({ disks: [{ name: '[ds1] web-01/web-01.vmdk', capacity: 40 * 1024 ** 3, supported: true, background_import_verified: true }] })),
    status: 'error',
    message: /^Instance source disks have changed/,
    actions: ['power_on_source'],
  },
  {
    name: 'the recomputed placement puts a disk in another pool → Conflict',
    then: (w) => withBatch(w, { scriptlet: toSsd }),
    status: 'conflict',
    message: /^Instance placement changed \(disk \[ds1\] web-01\/web-01.vmdk pool default → ssd\)\. Revert the change, or set defaults.force_conflict_resolution/,
    actions: ['power_on_source'],
  },
  {
    name: 'the placement changed, with force_conflict_resolution → the original placement is kept',
    then: (w) => withBatch(w, { scriptlet: toSsd, force: true }),
    status: 'worker_done',
    actions: ['finalize_instance'],
  },
  {
    name: 'a NIC\'s network is gone from the target → Conflict',
    then: (w) => (w.projects.default!.networks = ['migration']),
    status: 'conflict',
    message: /^Instance can no longer be placed on the target: network "VM-Network"/,
    actions: ['power_on_source'],
  },
  {
    name: 'a NIC\'s network is gone, with force_conflict_resolution → finalized anyway',
    then: (w) => {
      w.projects.default!.networks = ['migration'];
      withBatch(w, { force: true });
    },
    status: 'worker_done',
    actions: ['finalize_instance'],
  },
];

describe('final checks before finishing (migration-manager §4.4)', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const world = atFinalChecks();
    row.then(world);
    world.tick(M);
    const entry = world.entry('web-01');
    expect(entry.status).toBe(row.status);
    if (row.message) expect(entry.message).toMatch(row.message);
    expect(world.kinds()).toEqual(row.actions);
  });

  it('adopts changed networks, keeping the rest of the placement', () => {
    const world = atFinalChecks();
    world.projects.default!.networks.push('dmz');
    world.desired = { ...world.desired, networkOverrides: [dmz] };
    world.tick(M);
    const action = world.last!.actions[0] as FinalizeInstanceAction;
    expect(action.kind).toBe('finalize_instance');
    expect(Object.values(action.placement.networks)).toEqual([{ network: 'dmz', nictype: 'managed', vlan_id: '' }]);
    expect(world.entry('web-01').placement.storage_pools).toEqual({ '[ds1] web-01/web-01.vmdk': 'default' });
  });

  it('starts the target when the source ran, unless a power override says otherwise (applied live)', () => {
    const world = atFinalChecks();
    world.tick(M);
    expect((world.last!.actions[0] as FinalizeInstanceAction).start).toBe(true);
    const later = atFinalChecks();
    later.desired = { ...later.desired, instanceOverrides: [override({ uuid: uuidOf('web-01') }, { stopped_after_migration: true })] };
    later.tick(M);
    expect((later.last!.actions[0] as FinalizeInstanceAction).start).toBe(false);
  });
});

describe('a Conflict after the final import', () => {
  it('keeps the source VM off while its window is open, and powers it back on when the window ends', () => {
    const world = seeded({ vms: [off()], batch: { windows: [window('night', T0 - H, T0 + H)] }, entry: { ...workerDone, window: 'night' }, created: true });
    world.projects.default!.networks = ['migration'];
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'conflict', import_stage: 'complete', source_powered_off: true });
    expect(world.kinds()).toEqual([]);
    expect(world.last!.wakeAt).toBeLessThanOrEqual(T0 + H + 1);
    world.tick(10 * M);
    expect(world.kinds()).toEqual([]);
    world.now = T0 + H + 1;
    world.tick();
    expect(world.entry('web-01')).toMatchObject({ status: 'conflict', import_stage: 'final', window: null });
    expect(world.entry('web-01').message).toMatch(/The source VM is powered back on \(migration window night ended\)/);
    expect(world.kinds()).toEqual(['power_on_source']);
  });

  it('in a batch without windows, powers the source VM back on at once', () => {
    const world = atFinalChecks();
    world.projects.default!.networks = ['migration'];
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'conflict', import_stage: 'final' });
    expect(world.kinds()).toEqual(['power_on_source']);
  });

  it('never resolves by itself', () => {
    const world = atFinalChecks();
    world.projects.default!.networks = ['migration'];
    world.tick(M);
    world.end();
    world.projects.default!.networks = ['migration', 'VM-Network'];
    for (let i = 0; i < 3; i++) world.tick(H);
    expect(world.entry('web-01').status).toBe('conflict');
  });
});


describe('a guest the mover could not prepare (issue #20)', () => {
  it('is a Conflict; resolving it refreshes the copy in the next window before the guest is prepared again', () => {
    const world = seeded({
      vms: [off()],
      batch: { windows: [window('night', T0 - H, T0 + H)] },
      entry: { status: 'post_import', import_stage: 'complete', source_powered_off: true, window: 'night' },
      created: true,
      op: { kind: 'post_import', observed: { state: 'failed', message: 'unsupported-distribution: Alpine Linux is not a family Ferry prepares', conflict: true } },
    });
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'conflict', message: expect.stringMatching(/^Guest preparation failed: unsupported-distribution: Alpine Linux/) });
    world.end();
    world.desired = { ...world.desired, resolutions: [resolution('skip-prep', 'resolve', 'wave-1', 'web-01')] };
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'idle', import_stage: 'final', window: null });
  });
});

describe('a guest whose copy would not boot (issue #20, the readiness check before the cutover)', () => {
  const windows = () => vm('web-01', { os: 'Microsoft Windows Server 2019', os_type: 'windows', distribution: 'windows' });
  const notReady = 'virtio-drivers-missing: Windows Server 2019 Standard (build 17763) has no virtio storage driver set to boot (vioscsi)';

  it('asks the mover for the check on background copies of a guest it prepares, not on the final pass', () => {
    const world = seeded({ vms: [windows()], entry: { status: 'idle', import_stage: 'background' }, created: true });
    world.tick(M);
    const copy = world.last!.actions.find((a) => a.kind === 'import_disks');
    expect(copy).toMatchObject({ mode: 'background', guest: { preparation: 'windows' } });
    const skipped = seeded({
      vms: [windows()],
      entry: { status: 'idle', import_stage: 'background' },
      created: true,
      desired: { overrides: [override({ uuid: uuidOf('web-01') }, { guest_preparation: 'skip' })] },
    });
    skipped.tick(M);
    expect(skipped.last!.actions.find((a) => a.kind === 'import_disks')).not.toHaveProperty('guest');
  });

  it('holds the entry in Conflict before the cutover, the source still running; resolve lets it wait for its window', () => {
    const world = seeded({
      vms: [windows()],
      batch: { windows: [window('night', T0 + 5 * H, T0 + 9 * H)] },
      entry: { status: 'background_import', import_stage: 'background', syncs: 1 },
      created: true,
      op: { kind: 'import_disks', mode: 'background', observed: { state: 'succeeded', message: 'warm pass done', guest_not_ready: notReady } },
      desired: { targets: [{ ...target(), transfer: 'mover' as const }] },
    });
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'conflict', import_stage: 'final', source_powered_off: false, message: expect.stringMatching(/^Guest not ready to boot on Incus: virtio-drivers-missing: /) });
    expect(world.entry('web-01').last_background_sync).not.toBeNull();
    expect(world.kinds()).not.toContain('power_off_source');
    for (let i = 0; i < 3; i++) world.tick(H);
    expect(world.entry('web-01').status).toBe('conflict');
    world.desired = { ...world.desired, resolutions: [resolution('drivers-installed', 'resolve', 'wave-1', 'web-01')] };
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'idle', import_stage: 'final', message: expect.stringMatching(/^Waiting for migration window night/) });
  });
});
