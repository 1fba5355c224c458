import { describe, expect, it } from 'vitest';
import { blockReason, compileDesired, explainInstance } from '../../src/engine/index.js';
import { plannedTransfers } from '../../src/engine/planned-transfers.js';
import { batch, M, override, seeded, target, vm, window, type SeedOptions, type World, T0, H } from './fixture.js';

const mover = { targets: [{ ...target(), transfer: 'mover' as const }] };
const DISK = '[ds1] web-01/web-01.vmdk';

/** What `ferry plan` says of web-01 after the world's last tick. */
function planned(world: World) {
  const input = { desired: world.desired, compiled: compileDesired(world.desired), status: world.status, observations: world.observations(), now: world.now, reconciler: world.reconciler, desiredCommit: 'c0ffee' };
  const found = plannedTransfers(input, world.last!).find((t) => t.instance === 'web-01');
  if (!found) throw new Error('web-01 has no planned transfer');
  return found;
}

function explained(world: World) {
  const result = explainInstance({ desired: world.desired, compiled: compileDesired(world.desired), status: world.status, observations: world.observations(), now: world.now }, 'web-01');
  if (!result.ok) throw new Error(result.message);
  return result.explanation.transfer;
}

/** A world whose web-01 has its target instance and waits in Idle for its first copy, in a batch with a window in 5 hours. */
function idle(options: SeedOptions & { streams?: boolean } = {}): World {
  const world = seeded({
    ...options,
    batch: { windows: [window('night', T0 + 5 * H, T0 + 9 * H)], ...options.batch },
    entry: { status: 'idle', import_stage: 'background' },
    created: true,
  });
  world.sourceBackgroundImport = options.streams ?? true;
  return world;
}

describe('which transport and pass an entry gets', () => {
  it('a VM with change tracking on a mover target: warm copies while it runs, then a delta in its window — even from a source that cannot stream a running VM', () => {
    const world = idle({ desired: mover, streams: false });
    world.tick(M);
    expect(world.kinds()).toEqual(['import_disks:background']);
    expect(planned(world)).toMatchObject({
      transport: 'mover',
      next: 'warm',
      whole: [],
      text: 'mover (target incus): warm copies while the VM runs, then a delta pass (only what changed since the warm copy) in its window, with the VM off; then the guest is prepared (Linux)',
    });
    world.end();
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'idle', import_stage: 'final' });
    expect(planned(world)).toMatchObject({ next: 'delta', whole: [], text: 'mover (target incus): a delta pass (only what changed since the warm copy) in its window, with the VM off; then the guest is prepared (Linux)' });
    expect(explained(world)?.text).toBe(planned(world).text);
    world.runUntil('web-01', 'final_import', 10, H);
    expect(world.kinds()).toEqual(['power_off_source']);
    world.end();
    world.tick(M);
    expect(world.kinds()).toEqual(['import_disks:final']);
  });

  it('a VM with change tracking on a stream target whose source cannot stream a running VM is not blocked: it is copied whole in its window', () => {
    const fresh = seeded();
    fresh.sourceBackgroundImport = false;
    fresh.tick(M);
    expect(fresh.entry('web-01')).toMatchObject({ status: 'creating' });
    const world = idle({ streams: false });
    world.tick(M);
    expect(world.kinds()).toEqual([]);
    expect(world.entry('web-01').message).toMatch(/^Waiting for migration window night/);
    expect(planned(world)).toMatchObject({
      transport: 'stream',
      next: 'final',
      text: 'stream (target incus): source dc1 cannot stream a running VM\'s disks (use a target with transfer: mover for warm copies), so the whole copy happens in its window, with the VM off; the guest boots as copied (transfer: stream prepares nothing)',
    });
    world.runUntil('web-01', 'final_import', 10, H);
    expect(world.kinds()).toEqual(['power_off_source']);
    world.end();
    world.tick(M);
    expect(world.kinds()).toEqual(['import_disks:final']);
  });

  it('a stream target whose source streams running VMs keeps its background copies', () => {
    const world = idle();
    world.tick(M);
    expect(world.kinds()).toEqual(['import_disks:background']);
    expect(planned(world)).toMatchObject({ transport: 'stream', next: 'background', text: 'stream (target incus): background copies while the VM runs, then a final sync in its window, with the VM off; the guest boots as copied (transfer: stream prepares nothing)' });
  });

  it('a VM without change tracking is blocked, unless allow_no_background_import: then it is copied whole in its window, and the plan says why', () => {
    const untracked = vm('web-01', { background_import: false });
    expect(blockReason(untracked, batch('wave-1'))).toEqual({ code: 'no-background-import', message: 'Background import is not supported' });
    expect(blockReason(untracked, batch('wave-1', { allow: { allow_no_background_import: true } }))).toBeNull();
    expect(seeded({ vms: [untracked], desired: mover }).entry('web-01')).toMatchObject({ status: 'blocked', message: 'Background import is not supported' });

    const world = idle({ vms: [untracked], desired: mover, batch: { allow: { allow_no_background_import: true } } });
    world.tick(M);
    expect(world.kinds()).toEqual([]);
    expect(planned(world)).toMatchObject({
      next: 'delta',
      whole: [{ disk: DISK, reason: 'no change tracking on the VM' }],
      text: `mover (target incus): no change tracking on the VM, no warm copy, so the whole copy happens in its window, with the VM off; copied whole: ${DISK} (no change tracking on the VM); then the guest is prepared (Linux)`,
    });
  });

  it('a disk without a change id, or added since the warm copy, is named with its reason', () => {
    const disks = [
      { name: DISK, capacity: 20 * 1024 ** 3, shared: false, supported: true, background_import_verified: true },
      { name: '[ds1] web-01/web-01_1.vmdk', capacity: 10 * 1024 ** 3, shared: false, supported: true, background_import_verified: false },
    ];
    const world = idle({ vms: [vm('web-01', { disks })], desired: mover, batch: { allow: { allow_no_background_import: true } } });
    world.tick(M);
    world.end();
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'idle', import_stage: 'final' });
    // The VM gets a disk: the inventory the batch froze does not have it.
    const uuid = world.entry('web-01').uuid;
    world.inventory = [world.vms[uuid]!];
    world.vms[uuid] = { ...world.vms[uuid]!, disks: [...disks, { name: '[ds1] web-01/web-01_2.vmdk', capacity: 1024 ** 3, shared: false, supported: true, background_import_verified: true }] };
    world.tick(M);
    expect(planned(world).whole).toEqual([
      { disk: '[ds1] web-01/web-01_1.vmdk', reason: 'no change id: the disk is not verified for background import' },
      { disk: '[ds1] web-01/web-01_2.vmdk', reason: 'added since the warm copy' },
    ]);
  });

  it('after an offline copy (the VM was off), the delta has no change ids to start from', () => {
    const world = idle({ vms: [vm('web-01', { running: false })], desired: mover });
    world.tick(M);
    expect(world.kinds()).toEqual(['import_disks:offline']);
    expect(planned(world)).toMatchObject({ next: 'full', text: 'mover (target incus): a full copy now (the VM is off), then a delta pass (only what changed since the warm copy) in its window; then the guest is prepared (Linux)' });
    world.end();
    world.tick(M);
    expect(planned(world).whole).toEqual([{ disk: DISK, reason: 'no warm copy to start from (the copy was made with the VM off)' }]);
  });

  it('says what the mover prepares in the guest: a Windows guest is checked before its cutover, a skipped one boots as copied', () => {
    const windows = vm('web-01', { os: 'Microsoft Windows Server 2019', os_type: 'windows', distribution: 'windows' });
    const world = idle({ desired: mover, vms: [windows] });
    world.tick(M);
    expect(planned(world)).toMatchObject({ guest: 'windows', text: expect.stringMatching(/; its copy is checked for virtio drivers before the cutover, then the guest is prepared \(Windows, experimental\)$/) });
    expect(explained(world)?.guest).toBe('windows');
    const skipped = idle({ desired: { ...mover, overrides: [override({ uuid: windows.uuid }, { guest_preparation: 'skip' })] }, vms: [windows] });
    skipped.tick(M);
    expect(planned(skipped)).toMatchObject({ guest: 'none', text: expect.stringMatching(/; the guest boots as copied \(guest_preparation: skip\)$/) });
  });
});
