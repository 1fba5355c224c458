import { describe, expect, it } from 'vitest';
import { diskCopies, executionLog, targetInstances, vmPower, vmState } from '../../../src/providers/sim/index.js';
import { attemptOf, clockOf, GiB, MiB, openSim, record, settle, START, type Sim } from './fixture.js';

const HOUR = 3_600_000;

async function created(sim: Sim, name: string) {
  const a = attemptOf(await record(sim, name));
  await sim.providers.target('east').createInstance(a.create());
  await settle(sim, sim.world.now() + 60_000);
  return a;
}

async function at(sim: Sim, time: number): Promise<void> {
  await clockOf(sim).advanceTo(time);
}

describe('scripted VM events', () => {
  it('power_off and power_on change the power state when the clock reaches them', async () => {
    const sim = await openSim({ events: '    - {at: +1h, type: power_off, vm: vm-a}\n    - {at: "2026-01-01 02:00:00", type: power_on, vm: /DC/vm/vm-a}\n' });
    expect(clockOf(sim).nextEventAt()).toBe(START + HOUR);
    await at(sim, START + HOUR - 1);
    expect(vmPower(sim.world, 'vm-a')).toBe(true);
    await at(sim, START + HOUR);
    expect((await sim.providers.source('dc').readVm('00000000-0000-0000-0000-000000000001'))!.running).toBe(false);
    await at(sim, START + 2 * HOUR);
    expect(vmPower(sim.world, 'vm-a')).toBe(true);
    expect(clockOf(sim).nextEventAt()).toBeNull();
  });

  it('change_disk rewrites part of a disk: a copy that was equal is behind by that much', async () => {
    const sim = await openSim({ events: '    - {at: +1h, type: change_disk, vm: vm-c, disk: "[ds] vm-c/vm-c.vmdk", bytes: 1GiB}\n' });
    const c = await created(sim, 'vm-c');
    await sim.providers.transfers.importDisks(c.importDisks('offline'));
    await settle(sim, START + HOUR - 1);
    expect(diskCopies(sim.world, 'vm-c')[0]!.equal).toBe(true);
    await at(sim, START + HOUR);
    expect(diskCopies(sim.world, 'vm-c')[0]!.equal).toBe(false);
    await sim.providers.transfers.importDisks(c.importDisks('offline', 'again'));
    expect((await sim.providers.transfers.operation(c.importDisks('offline', 'again').op))!.progress!.total).toBe(GiB);
  });

  it('add_disk, remove_disk and resize_disk change the disk list; a transfer then fails with the reason', async () => {
    const sim = await openSim({
      events: [
        '    - {at: +1h, type: add_disk, vm: vm-a, disk: "[ds] vm-a/extra.vmdk", capacity: 1GiB}',
        '    - {at: +2h, type: remove_disk, vm: vm-a, disk: "[ds] vm-a/extra.vmdk"}',
        '    - {at: +2h, type: remove_disk, vm: vm-b, disk: "[ds] vm-b/vm-b_1.vmdk"}',
        '    - {at: +3h, type: resize_disk, vm: vm-c, disk: "[ds] vm-c/vm-c.vmdk", capacity: 6GiB}',
        '',
      ].join('\n'),
    });
    const a = await created(sim, 'vm-a');
    const b = await created(sim, 'vm-b');
    const c = await created(sim, 'vm-c');
    await at(sim, START + HOUR);
    expect(vmState(sim.world, 'vm-a')!.disks.map((d) => d.name)).toEqual(['[ds] vm-a/vm-a.vmdk', '[ds] vm-a/extra.vmdk']);
    await sim.providers.transfers.importDisks(a.importDisks('background'));
    expect(await sim.providers.transfers.operation(a.importDisks('background').op)).toMatchObject({ state: 'failed', message: 'disk [ds] vm-a/extra.vmdk of VM vm-a is not on instance vm-a' });
    await at(sim, START + 2 * HOUR);
    expect((await record(sim, 'vm-a')).disks).toHaveLength(1);
    await sim.providers.transfers.importDisks(b.importDisks('background'));
    expect(await sim.providers.transfers.operation(b.importDisks('background').op)).toMatchObject({ state: 'failed', message: 'disk [ds] vm-b/vm-b_1.vmdk of instance vm-b no longer exists on VM vm-b' });
    await at(sim, START + 3 * HOUR);
    await sim.providers.transfers.importDisks(c.importDisks('offline'));
    expect(await sim.providers.transfers.operation(c.importDisks('offline').op)).toMatchObject({ state: 'failed', message: expect.stringContaining('is larger on the source (6442450944 bytes)') });
  });

  it('change_uuid, rename_vm and set_config change what vCenter reports', async () => {
    const sim = await openSim({
      events: [
        '    - {at: +1h, type: change_uuid, vm: vm-a, new_uuid: 11111111-2222-3333-4444-555555555555}',
        '    - {at: +1h, type: rename_vm, vm: vm-b, new_name: vm-b2}',
        '    - {at: +1h, type: set_config, vm: vm-c, config: {tag.tenant: payments}}',
        '    - {at: +2h, type: set_config, vm: vm-c, config: {tag.tenant: ""}}',
        '',
      ].join('\n'),
    });
    await at(sim, START + HOUR);
    const source = sim.providers.source('dc');
    expect((await source.readVm('00000000-0000-0000-0000-000000000001'))!.uuid).toBe('11111111-2222-3333-4444-555555555555');
    expect((await source.readVm('11111111-2222-3333-4444-555555555555'))!.name).toBe('vm-a');
    expect((await source.inventory()).instances.map((i) => [i.uuid.slice(0, 8), i.name, i.location])).toEqual([
      ['11111111', 'vm-a', '/DC/vm/vm-a'],
      ['00000000', 'vm-b2', '/DC/vm/vm-b2'],
      ['00000000', 'vm-c', '/DC/vm/vm-c'],
    ]);
    expect((await record(sim, 'vm-c')).config).toEqual({ 'tag.tenant': 'payments' });
    await at(sim, START + 2 * HOUR);
    expect((await record(sim, 'vm-c')).config).toEqual({});
  });
});

describe('scripted target events', () => {
  it('delete_network removes a network, so finalizing a VM on it fails; add_network brings one', async () => {
    const sim = await openSim({ events: '    - {at: +1h, type: delete_network, target: east, network: VM-Network}\n    - {at: +2h, type: add_network, target: east, network: dmz}\n' });
    const a = await created(sim, 'vm-a');
    await at(sim, START + HOUR);
    expect((await sim.providers.target('east').observe(['default'])).projects.default!.networks).toEqual(['migration']);
    await sim.providers.target('east').finalizeInstance(a.finalize());
    expect(await sim.providers.target('east').operation(a.finalize().op)).toMatchObject({ state: 'failed', message: 'network "VM-Network" for NIC 00:50:56:00:00:01 does not exist on target east' });
    await at(sim, START + 2 * HOUR);
    expect((await sim.providers.target('east').observe(['default'])).projects.default!.networks).toEqual(['dmz', 'migration']);
  });
});

describe('scripted faults', () => {
  it('fail transfer for a VM: its next transfer runs its course, then fails; the one after works', async () => {
    const sim = await openSim({ events: '    - {at: +0s, type: fail, operation: transfer, vm: vm-a}\n' });
    const a = await created(sim, 'vm-a');
    const b = await created(sim, 'vm-b');
    await sim.providers.transfers.importDisks(b.importDisks('background'));
    await sim.providers.transfers.importDisks(a.importDisks('background', 'one'));
    expect(await sim.providers.transfers.operation(a.importDisks('background', 'one').op)).toMatchObject({ state: 'running' });
    await settle(sim);
    expect(await sim.providers.transfers.operation(a.importDisks('background', 'one').op)).toMatchObject({ state: 'failed', message: 'the disk transfer failed (simulated fault)' });
    expect(await sim.providers.transfers.operation(b.importDisks('background').op)).toMatchObject({ state: 'succeeded' });
    await sim.providers.transfers.importDisks(a.importDisks('background', 'two'));
    await settle(sim);
    expect(await sim.providers.transfers.operation(a.importDisks('background', 'two').op)).toMatchObject({ state: 'succeeded' });
  });

  it('fail create for every VM, twice: the instances disappear again; the third create works', async () => {
    const sim = await openSim({ events: '    - {at: +0s, type: fail, operation: create, count: 2}\n' });
    await at(sim, START);
    const target = sim.providers.target('east');
    const names = ['vm-a', 'vm-b', 'vm-c'];
    for (const name of names) await target.createInstance(attemptOf(await record(sim, name)).create());
    expect(targetInstances(sim.world, 'east').filter((i) => i.project === 'default')).toHaveLength(3);
    await settle(sim);
    const states = [];
    for (const name of names) states.push((await target.operation(attemptOf(await record(sim, name)).create().op))!.state);
    expect(states).toEqual(['failed', 'failed', 'succeeded']);
    expect(targetInstances(sim.world, 'east').filter((i) => i.project === 'default').map((i) => i.name)).toEqual(['vm-c']);
  });

  it('fail start and fail post_import make those steps fail when they would have completed', async () => {
    const sim = await openSim({ events: '    - {at: +0s, type: fail, operation: start, vm: vm-a}\n    - {at: +0s, type: fail, operation: post_import, vm: 00000000-0000-0000-0000-000000000001}\n' });
    const a = await created(sim, 'vm-a');
    await sim.providers.target('east').postImport(a.postImport());
    await settle(sim);
    expect(await sim.providers.target('east').operation(a.postImport().op)).toMatchObject({ state: 'failed', message: 'the post-import steps failed (simulated fault)' });
    await sim.providers.target('east').finalizeInstance(a.finalize());
    await settle(sim);
    expect(await sim.providers.target('east').operation(a.finalize().op)).toMatchObject({ state: 'failed', message: 'the instance failed to start (simulated fault)' });
    expect(targetInstances(sim.world, 'east').find((i) => i.name === 'vm-a')!.running).toBe(false);
  });

  it('an unreachable source answers nothing for a while; work in flight goes on', async () => {
    const sim = await openSim({ events: '    - {at: +1h, type: unreachable, source: dc, for: 30m}\n' });
    const a = await created(sim, 'vm-a');
    await sim.providers.transfers.importDisks(a.importDisks('background', 'before-outage'));
    await at(sim, START + HOUR);
    await expect(sim.providers.transfers.operation(a.importDisks('background', 'before-outage').op)).rejects.toMatchObject({ code: 'unreachable' });
    const source = sim.providers.source('dc');
    expect(await source.describe()).toMatchObject({ reachable: false, message: expect.stringContaining('does not answer') });
    await expect(source.inventory()).rejects.toMatchObject({ code: 'unreachable' });
    await expect(source.readVm('00000000-0000-0000-0000-000000000001')).rejects.toMatchObject({ code: 'unreachable' });
    await expect(source.powerOff(a.power('power_off_source'))).rejects.toMatchObject({ code: 'unreachable' });
    await expect(sim.providers.transfers.importDisks(a.importDisks('background'))).rejects.toMatchObject({ code: 'unreachable' });
    expect(executionLog(sim.world).map((e) => e.op)).toEqual([a.create().op, a.importDisks('background', 'before-outage').op]);
    expect(clockOf(sim).nextEventAt()).toBe(START + HOUR + 30 * 60_000);
    await at(sim, START + HOUR + 30 * 60_000);
    expect((await source.describe()).reachable).toBe(true);
    expect(await sim.providers.transfers.operation(a.importDisks('background', 'before-outage').op)).toMatchObject({ state: 'succeeded' });
    await source.powerOff(a.power('power_off_source'));
    expect(vmPower(sim.world, 'vm-a')).toBe(false);
  });

  it('an unreachable target: observe says so, calls and operation reads throw, nothing is recorded', async () => {
    const sim = await openSim({ events: '    - {at: +1m, type: unreachable, target: east, for: 1h}\n' });
    const a = attemptOf(await record(sim, 'vm-a'));
    await sim.providers.target('east').createInstance(a.create());
    await at(sim, START + 60_000);
    expect(await sim.providers.target('east').observe(['default'])).toMatchObject({ reachable: false, projects: {} });
    await expect(sim.providers.target('east').operation(a.create().op)).rejects.toMatchObject({ code: 'unreachable' });
    await expect(sim.providers.target('east').deleteInstance(a.delete())).rejects.toMatchObject({ code: 'unreachable' });
    await at(sim, START + HOUR + 60_000);
    expect(await sim.providers.target('east').operation(a.create().op)).toMatchObject({ state: 'succeeded', ended_at: START + 15_000 });
  });
});

describe('the virtual clock', () => {
  it('applies what is due in time order, each at its own time, when moved far ahead at once', async () => {
    const sim = await openSim({ events: '    - {at: +10m, type: power_off, vm: vm-a}\n' });
    await clockOf(sim).advanceTo(START + 5 * HOUR);
    expect(vmState(sim.world, 'vm-a')!.running).toBe(false);
    // vm-a wrote at 1 MiB/s for exactly the 10 minutes it ran.
    const a = await created(sim, 'vm-a');
    await sim.providers.transfers.importDisks(a.importDisks('offline'));
    await settle(sim);
    expect(diskCopies(sim.world, 'vm-a')[0]!.disks[0]).toMatchObject({ source: 600 * MiB, equal: true });
  });

  it('at one instant, scripted events apply in document order before operations complete', async () => {
    const sim = await openSim({ events: '    - {at: +15s, type: power_off, vm: vm-a}\n    - {at: +15s, type: power_on, vm: vm-a}\n    - {at: +15s, type: delete_network, target: east, network: migration}\n' });
    const a = attemptOf(await record(sim, 'vm-a'));
    await sim.providers.target('east').createInstance(a.create());
    expect(clockOf(sim).nextEventAt()).toBe(START + 15_000);
    await at(sim, START + 15_000);
    expect(vmPower(sim.world, 'vm-a')).toBe(true);
    expect(sim.world.state.events.map((e) => e.outcome)).toEqual(['powered VM vm-a off', 'powered VM vm-a on', 'deleted network migration']);
    expect(await sim.providers.target('east').operation(a.create().op)).toMatchObject({ state: 'succeeded', ended_at: START + 15_000 });
  });

  it('never goes back, and reports the next thing that happens on its own', async () => {
    const sim = await openSim({ events: '    - {at: +1h, type: power_off, vm: vm-a}\n    - {at: +30m, type: crash, step: "act:create_instance:before"}\n' });
    // Closed whatever happens: a world left open keeps its due crash event armed for every later
    // test of this process, and the next create_instance there would kill it.
    try {
      const clock = clockOf(sim);
      expect(clock.nextEventAt()).toBe(START + 30 * 60_000);
      await clock.advanceTo(START + 40 * 60_000);
      expect(clock.nextEventAt()).toBe(START + HOUR);
      await clock.advanceTo(START);
      expect(clock.now()).toBe(START + 40 * 60_000);
      await clock.advanceTo(START + 2 * HOUR);
      expect(clock.nextEventAt()).toBeNull();
      expect(sim.world.state.events.find((e) => e.event.type === 'crash')).toMatchObject({ applied: false });
    } finally {
      await sim.world.close();
    }
  });
});
