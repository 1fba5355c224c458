import { describe, expect, it } from 'vitest';
import { diskCopies, executionLog, worldView } from '../../../src/providers/sim/index.js';
import { attemptOf, clockOf, GiB, INVENTORY, MiB, openSim, record, settle, SIMULATION, type Sim } from './fixture.js';

// Target east imports at 100 MiB/s. With a dirty rate of zero only change_disk events write.
const QUIET = SIMULATION.replace('dirty_rate: 1MiB/s', 'dirty_rate: 0B/s');
const RATE = 100 * MiB;

async function created(sim: Sim, name: string) {
  const a = attemptOf(await record(sim, name));
  await sim.providers.target('east').createInstance(a.create());
  // Only the creation: the scripted writes come later.
  await settle(sim, sim.world.now() + 60_000);
  return a;
}

/** Runs one import to its end; returns its last observation and how long it took. */
async function pass(sim: Sim, action: ReturnType<ReturnType<typeof attemptOf>['importDisks']>) {
  const started = sim.world.now();
  await sim.providers.transfers.importDisks(action);
  const first = await sim.providers.transfers.operation(action.op);
  await settle(sim, sim.world.now() + 24 * 3600_000);
  const last = await sim.providers.transfers.operation(action.op);
  return { first: first!, last: last!, ms: last!.ended_at! - started };
}

const ms = (bytes: number) => Math.ceil((bytes / RATE) * 1000);

/** vm-b (10 GiB + 20 GiB) warm-copied while it runs, then written to, then powered off. */
async function warmThenWrites(options: { transfer: 'stream' | 'mover'; inventory?: unknown[]; events?: string }) {
  const sim = await openSim({ simulation: QUIET, transfer: options.transfer, ...(options.inventory ? { inventory: options.inventory } : {}), events: options.events ?? '' });
  const b = await created(sim, 'vm-b');
  const warm = await pass(sim, b.importDisks('background'));
  await clockOf(sim).advanceTo(Date.UTC(2026, 0, 1, 2));
  await sim.providers.source('dc').powerOff(b.power('power_off_source'));
  return { sim, b, warm };
}

// At +1h (after the warm pass, before the power-off at +2h): 256 MiB on the 10 GiB disk, 1 GiB on the 20 GiB one.
const WRITES = [
  '    - {at: +1h, type: change_disk, vm: vm-b, disk: "[ds] vm-b/vm-b.vmdk", bytes: 256MiB}',
  '    - {at: +1h, type: change_disk, vm: vm-b, disk: "[ds] vm-b/vm-b_1.vmdk", bytes: 1GiB}',
].join('\n') + '\n';

describe('transfer: mover in the simulator', () => {
  it('a warm pass copies every disk whole, in a time proportional to their size', async () => {
    const { warm } = await warmThenWrites({ transfer: 'mover', events: WRITES });
    expect(warm.first).toMatchObject({ state: 'running', message: 'warm pass (mover): 0 of 32212254720 bytes', progress: { done: 0, total: 30 * GiB } });
    expect(warm.last).toMatchObject({ state: 'succeeded', message: `warm pass (mover) done: ${30 * GiB} bytes` });
    expect(warm.ms).toBe(ms(30 * GiB));
  });

  it('the delta pass at cutover moves only what changed since the warm copy, and takes time in proportion', async () => {
    const { sim, b } = await warmThenWrites({ transfer: 'mover', events: WRITES });
    const delta = await pass(sim, b.importDisks('final'));
    expect(delta.last).toMatchObject({ state: 'succeeded', message: `delta pass (mover) done: ${256 * MiB + GiB} bytes`, progress: { total: 256 * MiB + GiB } });
    expect(delta.ms).toBe(ms(256 * MiB + GiB));
    expect(diskCopies(sim.world, 'vm-b')[0]!.equal).toBe(true);

    // Four times the writes, four times the delta.
    const { sim: more, b: b2 } = await warmThenWrites({ transfer: 'mover', events: WRITES.replace('256MiB', '1GiB').replace('bytes: 1GiB}', 'bytes: 4GiB}') });
    const bigger = await pass(more, b2.importDisks('final'));
    expect(bigger.last.progress!.total).toBe(5 * GiB);
    expect(bigger.ms).toBe(ms(5 * GiB));
  });

  it('a VM without change tracking is copied whole at cutover, and the pass says why', async () => {
    const untracked = INVENTORY.map((vm) => (vm.name === 'vm-b' ? { ...vm, background_import: false } : vm));
    const { sim, b } = await warmThenWrites({ transfer: 'mover', inventory: untracked, events: WRITES });
    const delta = await pass(sim, b.importDisks('final'));
    const why = 'copied whole: [ds] vm-b/vm-b.vmdk (no change tracking on the VM), [ds] vm-b/vm-b_1.vmdk (no change tracking on the VM)';
    expect(delta.first.message).toBe(`delta pass (mover): 0 of ${30 * GiB} bytes; ${why}`);
    expect(delta.last).toMatchObject({ state: 'succeeded', message: `delta pass (mover) done: ${30 * GiB} bytes; ${why}` });
    expect(delta.ms).toBe(ms(30 * GiB));
  });

  it('a disk without a change id, or added since the warm copy, is copied whole; the others by their changes', async () => {
    const unverified = INVENTORY.map((vm) => (vm.name === 'vm-b' ? { ...vm, disks: (vm.disks as Record<string, unknown>[]).map((d, i) => (i === 1 ? { ...d, background_import_verified: false } : d)) } : vm));
    const added = '    - {at: +90m, type: add_disk, vm: vm-b, disk: "[ds] vm-b/vm-b_2.vmdk", capacity: 2GiB}\n';
    const { sim, b } = await warmThenWrites({ transfer: 'mover', inventory: unverified, events: WRITES + added });
    const delta = await pass(sim, b.importDisks('final'));
    // A repeated call is the same call: nothing attached or copied twice.
    await sim.providers.transfers.importDisks(b.importDisks('final'));
    expect(executionLog(sim.world).filter((e) => e.op === b.importDisks('final').op).map((e) => e.outcome)).toEqual(['executed', 'repeat']);
    expect(delta.last.message).toBe(
      `delta pass (mover) done: ${256 * MiB + 20 * GiB + 2 * GiB} bytes; copied whole: [ds] vm-b/vm-b_1.vmdk (no change id: the disk is not verified for background import), [ds] vm-b/vm-b_2.vmdk (added since the warm copy)`,
    );
    expect(diskCopies(sim.world, 'vm-b')[0]).toMatchObject({ equal: true });
  });

  it('a mover reads a running VM even from a source that cannot stream one; sim show names its pass', async () => {
    const sim = await openSim({ simulation: QUIET.replace('{dirty_rate: 0B/s}', '{dirty_rate: 0B/s, background_import: false}'), transfer: 'mover' });
    const a = await created(sim, 'vm-a');
    await sim.providers.transfers.importDisks(a.importDisks('background'));
    expect(worldView(sim.world.state, null).vms.find((v) => v.name === 'vm-a')!.transfer).toMatchObject({ mode: 'warm (mover)', done: 0, total: 10 * GiB });
    await settle(sim);
    expect(await sim.providers.transfers.operation(a.importDisks('background').op)).toMatchObject({ state: 'succeeded' });
  });
});

describe('transfer: stream keeps its behaviour', () => {
  it('the final pass after a background copy moves the bytes written since, and a disk added since fails it', async () => {
    const { sim, b, warm } = await warmThenWrites({ transfer: 'stream', events: WRITES });
    expect(warm.last).toMatchObject({ state: 'succeeded', message: `background copy done: ${30 * GiB} bytes` });
    const final = await pass(sim, b.importDisks('final'));
    expect(final.last).toMatchObject({ state: 'succeeded', message: `final copy done: ${256 * MiB + GiB} bytes` });

    const { sim: grown, b: b2 } = await warmThenWrites({ transfer: 'stream', events: '    - {at: +90m, type: add_disk, vm: vm-b, disk: "[ds] vm-b/vm-b_2.vmdk", capacity: 2GiB}\n' });
    const refused = await pass(grown, b2.importDisks('final'));
    expect(refused.last).toMatchObject({ state: 'failed', message: 'disk [ds] vm-b/vm-b_2.vmdk of VM vm-b is not on instance vm-b' });
  });
});

describe('change tracking of a simulated VM', () => {
  it('enable_change_tracking takes effect at the next power-on, as in vSphere', async () => {
    const untracked = INVENTORY.map((vm) => (vm.name === 'vm-a' ? { ...vm, background_import: false, disks: (vm.disks as Record<string, unknown>[]).map((d) => ({ ...d, background_import_verified: false })) } : vm));
    const events = [
      '    - {at: +10m, type: enable_change_tracking, vm: vm-a}',
      '    - {at: +20m, type: power_off, vm: vm-a}',
      '    - {at: +30m, type: power_on, vm: vm-a}',
    ].join('\n') + '\n';
    const sim = await openSim({ inventory: untracked, events });
    const tracking = async () => {
      const vm = await record(sim, 'vm-a');
      return { vm: vm.background_import, disks: vm.disks.map((d) => d.background_import_verified) };
    };
    await clockOf(sim).advanceTo(Date.UTC(2026, 0, 1, 0, 15));
    expect(await tracking()).toEqual({ vm: false, disks: [false] });
    await clockOf(sim).advanceTo(Date.UTC(2026, 0, 1, 0, 25));
    expect(await tracking()).toEqual({ vm: false, disks: [false] });
    await clockOf(sim).advanceTo(Date.UTC(2026, 0, 1, 0, 35));
    expect(await tracking()).toEqual({ vm: true, disks: [true] });
    expect(sim.world.state.events.map((e) => e.outcome)).toEqual([
      'turned change tracking on for VM vm-a: it takes effect at its next power-on (a power cycle: power it off and on)',
      'powered VM vm-a off',
      'powered VM vm-a on; its change tracking is now on',
    ]);
  });
});
