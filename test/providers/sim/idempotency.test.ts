import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/providers/ports.js';
import { executedTwice, executionLog, targetInstances, vmPower } from '../../../src/providers/sim/index.js';
import { attemptOf, clockOf, openSim, record, settle } from './fixture.js';

describe('a repeated call with the same operation id does nothing more', () => {
  it('through a whole migration where every call is made twice', async () => {
    const sim = await openSim();
    const vm = await record(sim, 'vm-a');
    const a = attemptOf(vm);
    const target = sim.providers.target('east');
    const source = sim.providers.source('dc');
    const twice = async (call: () => Promise<void>) => {
      await call();
      await call();
    };
    await twice(() => target.createInstance(a.create()));
    await settle(sim);
    await twice(() => sim.providers.transfers.importDisks(a.importDisks('background')));
    await settle(sim);
    await twice(() => source.powerOff(a.power('power_off_source')));
    await twice(() => sim.providers.transfers.importDisks(a.importDisks('final')));
    await settle(sim);
    await twice(() => target.postImport(a.postImport()));
    await settle(sim);
    await twice(() => target.finalizeInstance(a.finalize()));
    await settle(sim);
    await twice(() => target.deleteInstance(a.delete()));

    expect(executedTwice(sim.world)).toEqual([]);
    const log = executionLog(sim.world);
    const ops = [...new Set(log.map((entry) => entry.op))];
    expect(ops).toHaveLength(7);
    for (const op of ops) expect(log.filter((e) => e.op === op).map((e) => e.outcome)).toEqual(['executed', 'repeat']);
    expect(targetInstances(sim.world, 'east').map((i) => i.name)).toEqual(['taken']);
  });

  it('a repeated create after the instance was deleted does not create it again', async () => {
    const sim = await openSim();
    const a = attemptOf(await record(sim, 'vm-a'));
    const target = sim.providers.target('east');
    await target.createInstance(a.create());
    await settle(sim);
    await target.deleteInstance(a.delete());
    await target.createInstance(a.create());
    expect(targetInstances(sim.world, 'east').filter((i) => i.project === 'default')).toEqual([]);
    expect(await target.operation(a.create().op)).toMatchObject({ state: 'succeeded' });
  });

  it('a repeated power-off after the VM was started again leaves it running', async () => {
    const sim = await openSim();
    const a = attemptOf(await record(sim, 'vm-a'));
    const source = sim.providers.source('dc');
    await source.powerOff(a.power('power_off_source', 'off-1'));
    await source.powerOn(a.power('power_on_source', 'on-1'));
    await source.powerOff(a.power('power_off_source', 'off-1'));
    expect(vmPower(sim.world, 'vm-a')).toBe(true);
  });

  it('a repeated transfer after it completed starts nothing', async () => {
    const sim = await openSim();
    const a = attemptOf(await record(sim, 'vm-a'));
    await sim.providers.target('east').createInstance(a.create());
    await settle(sim);
    await sim.providers.transfers.importDisks(a.importDisks('background'));
    await settle(sim);
    const before = sim.world.now();
    await sim.providers.transfers.importDisks(a.importDisks('background'));
    expect(clockOf(sim).nextEventAt()).toBeNull();
    expect(sim.world.now()).toBe(before);
  });

  it('a repeated delete after a new instance of that name appeared leaves the new one alone', async () => {
    const sim = await openSim();
    const vm = await record(sim, 'vm-a');
    const first = attemptOf(vm, 1);
    const second = attemptOf(vm, 2);
    const target = sim.providers.target('east');
    await target.createInstance(first.create());
    await settle(sim);
    await target.deleteInstance(first.delete());
    await target.createInstance(second.create());
    await settle(sim);
    await target.deleteInstance(first.delete());
    expect(targetInstances(sim.world, 'east').find((i) => i.name === 'vm-a')).toMatchObject({ attempt: second.attemptId });
  });
});

describe('operation(id) reports what happened to each call', () => {
  it('running with progress, then succeeded, and undefined for ids it never saw or another owner ran', async () => {
    const sim = await openSim();
    const a = attemptOf(await record(sim, 'vm-a'));
    const target = sim.providers.target('east');
    expect(await target.operation(a.create().op)).toBeUndefined();
    await target.createInstance(a.create());
    expect(await target.operation(a.create().op)).toEqual({ state: 'running', message: 'creating instance vm-a' });
    expect(await sim.providers.transfers.operation(a.create().op)).toBeUndefined();
    expect(await sim.providers.source('dc').operation(a.create().op)).toBeUndefined();
    await settle(sim);
    await sim.providers.transfers.importDisks(a.importDisks('background'));
    await clockOf(sim).advanceTo(sim.world.now() + 10_000);
    const total = 10 * 1024 ** 3;
    expect(await sim.providers.transfers.operation(a.importDisks('background').op)).toEqual({
      state: 'running',
      message: `background copy: ${100 * 1024 ** 2 * 10} of ${total} bytes`,
      progress: { done: 100 * 1024 ** 2 * 10, total },
    });
    await settle(sim);
    expect(await sim.providers.transfers.operation(a.importDisks('background').op)).toMatchObject({ state: 'succeeded', progress: { done: total, total }, ended_at: sim.world.now() });
  });

  it('power changes are immediate operations', async () => {
    const sim = await openSim();
    const a = attemptOf(await record(sim, 'vm-a'));
    await sim.providers.source('dc').powerOff(a.power('power_off_source'));
    expect(await sim.providers.source('dc').operation(a.power('power_off_source').op)).toEqual({ state: 'succeeded', message: 'powered VM vm-a off', ended_at: sim.world.now() });
    expect(vmPower(sim.world, 'vm-a')).toBe(false);
    await sim.providers.source('dc').powerOff(a.power('power_off_source', 'again'));
    expect(await sim.providers.source('dc').operation(a.power('power_off_source', 'again').op)).toMatchObject({ state: 'succeeded', message: 'VM vm-a was already powered off' });
  });
});

describe('Ferry only touches target instances that carry its markers', () => {
  it('delete refuses an instance without markers (ProviderError marker-mismatch) and keeps it', async () => {
    const sim = await openSim();
    const a = attemptOf(await record(sim, 'vm-a'), 1, 'taken');
    const action = { ...a.delete(), project: 'web' };
    const refusal = sim.providers.target('east').deleteInstance(action);
    await expect(refusal).rejects.toBeInstanceOf(ProviderError);
    await expect(refusal).rejects.toMatchObject({ code: 'marker-mismatch', message: expect.stringContaining('no Ferry markers') });
    expect(targetInstances(sim.world, 'east').map((i) => i.name)).toContain('taken');
    expect(executionLog(sim.world).map((e) => e.outcome)).toEqual(['refused']);
    expect(await sim.providers.target('east').operation(action.op)).toBeUndefined();
  });

  it('delete refuses an instance of an earlier attempt', async () => {
    const sim = await openSim();
    const vm = await record(sim, 'vm-a');
    await sim.providers.target('east').createInstance(attemptOf(vm, 1).create());
    await settle(sim);
    await expect(sim.providers.target('east').deleteInstance(attemptOf(vm, 2).delete())).rejects.toMatchObject({ code: 'marker-mismatch' });
    expect(targetInstances(sim.world, 'east').find((i) => i.name === 'vm-a')?.attempt).toBe(attemptOf(vm, 1).attemptId);
  });

  it('create fails over a foreign instance of the same name, and adopts one with this attempt\'s markers', async () => {
    const sim = await openSim();
    const vm = await record(sim, 'vm-a');
    const foreign = { ...attemptOf(vm, 1, 'taken').create('create-taken'), project: 'web' };
    await sim.providers.target('east').createInstance(foreign);
    expect(await sim.providers.target('east').operation(foreign.op)).toMatchObject({
      state: 'failed',
      message: 'an instance named taken already exists in project web with no Ferry markers; it is not this attempt\'s, so Ferry does not reuse it',
    });
    const a = attemptOf(vm);
    await sim.providers.target('east').createInstance(a.create('create'));
    await settle(sim);
    await sim.providers.target('east').createInstance(a.create('create-again'));
    expect(await sim.providers.target('east').operation(a.create('create-again').op)).toMatchObject({ state: 'succeeded', message: "instance vm-a already exists with this attempt's markers" });
  });

  it('create fails for a project, pool or migration network the target does not have', async () => {
    const sim = await openSim();
    const a = attemptOf(await record(sim, 'vm-a'));
    const target = sim.providers.target('east');
    const cases = [
      [{ ...a.create('p'), project: 'nope' }, 'project "nope" does not exist on target east'],
      [{ ...a.create('s'), placement: { ...a.placement, storage_pools: { x: 'hdd' } } }, 'storage pool "hdd" (for disk x) does not exist on target east'],
      [{ ...a.create('m'), migration_network: { network: 'mig', nictype: 'bridged', vlan_id: '' } }, 'migration network "mig" does not exist on target east'],
    ] as const;
    for (const [action, message] of cases) {
      await target.createInstance(action);
      expect(await target.operation(action.op)).toMatchObject({ state: 'failed', message });
    }
    expect(targetInstances(sim.world, 'east').map((i) => i.name)).toEqual(['taken']);
  });

  it('post-import, finalize and import fail on an instance of another attempt', async () => {
    const sim = await openSim();
    const vm = await record(sim, 'vm-a');
    await sim.providers.target('east').createInstance(attemptOf(vm, 1).create());
    await settle(sim);
    const other = attemptOf(vm, 2);
    await sim.providers.target('east').postImport(other.postImport());
    await sim.providers.target('east').finalizeInstance(other.finalize());
    await sim.providers.transfers.importDisks(other.importDisks('background'));
    for (const [provider, op] of [['east', other.postImport().op], ['east', other.finalize().op]] as const) {
      expect(await sim.providers.target(provider).operation(op)).toMatchObject({ state: 'failed', message: expect.stringContaining(`not this attempt's (${other.attemptId})`) });
    }
    expect(await sim.providers.transfers.operation(other.importDisks('background').op)).toMatchObject({ state: 'failed', message: expect.stringContaining("does not carry this attempt's markers") });
  });
});

describe('finalize applies the final NICs and starts the instance when asked', () => {
  it('fails without changing anything when a NIC\'s network does not exist', async () => {
    const sim = await openSim();
    const a = attemptOf(await record(sim, 'vm-a'));
    await sim.providers.target('east').createInstance(a.create());
    await settle(sim);
    const mac = Object.keys(a.placement.networks)[0]!;
    const placement = { ...a.placement, networks: { [mac]: { network: 'dmz', nictype: 'bridged' as const, vlan_id: '40' } } };
    await sim.providers.target('east').finalizeInstance(a.finalize(true, 'finalize', placement));
    expect(await sim.providers.target('east').operation(a.finalize().op)).toMatchObject({ state: 'failed', message: `network "dmz" for NIC ${mac} does not exist on target east` });
    expect(targetInstances(sim.world, 'east').find((i) => i.name === 'vm-a')).toMatchObject({ running: false, nics: [] });
  });

  it('applies NICs and leaves the instance stopped at once when start is false; starts it after the agent time otherwise', async () => {
    const sim = await openSim();
    const a = attemptOf(await record(sim, 'vm-a'));
    await sim.providers.target('east').createInstance(a.create());
    await settle(sim);
    await sim.providers.target('east').finalizeInstance(a.finalize(false, 'stopped'));
    expect(await sim.providers.target('east').operation(a.finalize(false, 'stopped').op)).toMatchObject({ state: 'succeeded', message: 'applied 1 NIC(s); instance vm-a stays stopped' });
    const started = sim.world.now();
    await sim.providers.target('east').finalizeInstance(a.finalize(true, 'start'));
    expect(await sim.providers.target('east').operation(a.finalize(true, 'start').op)).toMatchObject({ state: 'running' });
    await settle(sim);
    expect(await sim.providers.target('east').operation(a.finalize(true, 'start').op)).toMatchObject({ state: 'succeeded', ended_at: started + 5_000 });
    expect(targetInstances(sim.world, 'east').find((i) => i.name === 'vm-a')).toMatchObject({
      running: true,
      nics: [{ hardware_address: '00:50:56:00:00:01', network: 'VM-Network', nictype: 'managed', vlan_id: '' }],
    });
  });
});
