import { describe, expect, it } from 'vitest';
import { diskCopies, executionLog, targetInstances } from '../../../src/providers/sim/index.js';
import { attemptOf, clockOf, GiB, MiB, openSim, record, settle, SIMULATION, type Sim } from './fixture.js';

async function created(sim: Sim, name: string) {
  const a = attemptOf(await record(sim, name));
  await sim.providers.target('east').createInstance(a.create());
  await settle(sim);
  return a;
}

const transfers = (sim: Sim) => sim.providers.transfers;

describe('disk content: only a final copy with the VM off equals the source', () => {
  it('a background copy of a running VM is behind; the final copy after power-off is equal', async () => {
    const sim = await openSim();
    const a = await created(sim, 'vm-a');
    await transfers(sim).importDisks(a.importDisks('background'));
    await settle(sim);
    expect(diskCopies(sim.world, 'vm-a').map((c) => c.equal)).toEqual([false]);
    await sim.providers.source('dc').powerOff(a.power('power_off_source'));
    expect(diskCopies(sim.world, 'vm-a')[0]!.equal).toBe(false);
    await transfers(sim).importDisks(a.importDisks('final'));
    await settle(sim);
    expect(diskCopies(sim.world, 'vm-a')).toMatchObject([{ name: 'vm-a', equal: true }]);
  });

  it('a final copy taken while the VM runs is refused; if the VM starts during it, the copy is behind', async () => {
    const sim = await openSim();
    const a = await created(sim, 'vm-a');
    await transfers(sim).importDisks(a.importDisks('final', 'final-running'));
    expect(await transfers(sim).operation(a.importDisks('final', 'final-running').op)).toMatchObject({ state: 'failed', message: 'VM vm-a is running; a final copy needs it powered off' });
    await sim.providers.source('dc').powerOff(a.power('power_off_source'));
    await transfers(sim).importDisks(a.importDisks('final'));
    await sim.providers.source('dc').powerOn(a.power('power_on_source'));
    await settle(sim);
    await clockOf(sim).advanceTo(sim.world.now() + 1000);
    expect(diskCopies(sim.world, 'vm-a')[0]!.equal).toBe(false);
  });

  it('an offline copy of a VM that is off is equal in one pass', async () => {
    const sim = await openSim();
    const c = await created(sim, 'vm-c');
    await transfers(sim).importDisks(c.importDisks('offline'));
    await settle(sim);
    expect(diskCopies(sim.world, 'vm-c')[0]).toMatchObject({ equal: true, disks: [{ source: 0, target: 0, equal: true }] });
  });
});

describe('transfer sizes and times', () => {
  it('the first pass moves the whole capacity at the target import rate; the next moves what the VM wrote meanwhile', async () => {
    const sim = await openSim();
    const b = await created(sim, 'vm-b');
    const started = sim.world.now();
    await transfers(sim).importDisks(b.importDisks('background', 'pass-1'));
    const first = 30 * GiB;
    expect(await transfers(sim).operation(b.importDisks('background', 'pass-1').op)).toMatchObject({ progress: { done: 0, total: first } });
    await settle(sim);
    const seconds = first / (100 * MiB);
    expect(sim.world.now()).toBe(started + Math.ceil(seconds * 1000));
    await clockOf(sim).advanceTo(sim.world.now() + 100_000);
    await transfers(sim).importDisks(b.importDisks('background', 'pass-2'));
    const second = await transfers(sim).operation(b.importDisks('background', 'pass-2').op);
    // 1 MiB/s spread over 10 GiB + 20 GiB disks, since the first pass's snapshot (its start).
    const written = Math.floor((MiB * (1 / 3) * (seconds * 1000 + 100_000)) / 1000) + Math.floor((MiB * (2 / 3) * (seconds * 1000 + 100_000)) / 1000);
    expect(second!.progress!.total).toBe(written);
  });

  it('with a dirty rate of zero a background copy is already equal', async () => {
    const sim = await openSim({ simulation: SIMULATION.replace('dirty_rate: 1MiB/s', 'dirty_rate: 0B/s') });
    const a = await created(sim, 'vm-a');
    await transfers(sim).importDisks(a.importDisks('background'));
    await settle(sim);
    expect(diskCopies(sim.world, 'vm-a')[0]!.equal).toBe(true);
  });

  it('background copies need the source and the VM to support them', async () => {
    const sim = await openSim({ simulation: SIMULATION.replace('{dirty_rate: 1MiB/s}', '{dirty_rate: 1MiB/s, background_import: false}') });
    expect(await sim.providers.source('dc').describe()).toEqual({ reachable: true, message: 'connected (simulated vCenter)', background_import: false });
    const a = await created(sim, 'vm-a');
    await transfers(sim).importDisks(a.importDisks('background'));
    expect(await transfers(sim).operation(a.importDisks('background').op)).toMatchObject({ state: 'failed', message: 'background import is not supported for VM vm-a on source dc' });
  });

  it('a second transfer of a VM while one runs fails: two transfers of one disk never run at once', async () => {
    const sim = await openSim();
    const a = await created(sim, 'vm-a');
    await transfers(sim).importDisks(a.importDisks('background', 'one'));
    await transfers(sim).importDisks(a.importDisks('background', 'two'));
    expect(await transfers(sim).operation(a.importDisks('background', 'two').op)).toMatchObject({
      state: 'failed',
      message: `another transfer of VM vm-a is still running (operation ${a.attemptId}/one); two transfers of one disk never run at once`,
    });
  });
});

describe('canceling transfers', () => {
  it('a transfer of its own stops at once, and the next pass copies in full', async () => {
    const sim = await openSim();
    const a = await created(sim, 'vm-a');
    await transfers(sim).importDisks(a.importDisks('background', 'one'));
    await settle(sim);
    await transfers(sim).importDisks(a.importDisks('background', 'two'));
    await clockOf(sim).advanceTo(sim.world.now() + 100);
    await transfers(sim).cancel(a.cancel(`${a.attemptId}/two`));
    expect(await transfers(sim).operation(`${a.attemptId}/two`)).toMatchObject({ state: 'canceled', ended_at: sim.world.now() });
    expect(await transfers(sim).operation(a.cancel(`${a.attemptId}/two`).op)).toMatchObject({ state: 'succeeded' });
    expect(diskCopies(sim.world, 'vm-a')[0]!.disks[0]!.target).toBeNull();
    await transfers(sim).importDisks(a.importDisks('background', 'three'));
    expect((await transfers(sim).operation(`${a.attemptId}/three`))!.progress!.total).toBe(10 * GiB);
  });

  it('an operation canceled before it started never starts', async () => {
    const sim = await openSim();
    const a = await created(sim, 'vm-a');
    await transfers(sim).cancel(a.cancel(`${a.attemptId}/late`));
    await transfers(sim).importDisks(a.importDisks('background', 'late'));
    expect(await transfers(sim).operation(`${a.attemptId}/late`)).toMatchObject({ state: 'canceled', message: 'canceled before it started' });
    expect(clockOf(sim).nextEventAt()).toBeNull();
    expect(executionLog(sim.world).filter((e) => e.op === `${a.attemptId}/late`).map((e) => e.outcome)).toEqual(['repeat']);
  });

  it('a create cannot be canceled', async () => {
    const sim = await openSim();
    const a = attemptOf(await record(sim, 'vm-a'));
    await sim.providers.target('east').createInstance(a.create());
    await transfers(sim).cancel(a.cancel(a.create().op, 'cancel-create'));
    expect(await transfers(sim).operation(a.cancel(a.create().op, 'cancel-create').op)).toMatchObject({
      state: 'failed',
      message: expect.stringContaining('only disk copies and guest-side operations (post-import, finalize) can be canceled'),
    });
  });
});

describe('stopping guest-side operations (as the real target does when the instance stops)', () => {
  async function postImporting(sim: Sim) {
    const a = await created(sim, 'vm-a');
    await transfers(sim).importDisks(a.importDisks('final'));
    await settle(sim);
    await sim.providers.target('east').postImport(a.postImport());
    await clockOf(sim).advanceTo(sim.world.now() + 10_000);
    expect(await sim.providers.target('east').operation(a.postImport().op)).toMatchObject({ state: 'running' });
    return a;
  }

  it('a cancel stops a running post-import at once', async () => {
    const sim = await openSim();
    const a = await postImporting(sim);
    await transfers(sim).cancel(a.cancel(a.postImport().op));
    expect(await sim.providers.target('east').operation(a.postImport().op)).toMatchObject({ state: 'canceled', ended_at: sim.world.now() });
    expect(await transfers(sim).operation(a.cancel(a.postImport().op).op)).toMatchObject({ state: 'succeeded', message: `canceled operation ${a.postImport().op}` });
    expect(clockOf(sim).nextEventAt()).toBeNull();
  });

  it('a cancel stops the final start: the instance stays stopped', async () => {
    const sim = await openSim();
    const a = await postImporting(sim);
    await settle(sim);
    await sim.providers.target('east').finalizeInstance(a.finalize(true));
    await transfers(sim).cancel(a.cancel(a.finalize().op));
    expect(await sim.providers.target('east').operation(a.finalize().op)).toMatchObject({ state: 'canceled' });
    await settle(sim);
    expect(targetInstances(sim.world, 'east').find((i) => i.name === 'vm-a')!.running).toBe(false);
  });

  it('deleting the instance stops the post-import that runs in it, and the delete succeeds', async () => {
    const sim = await openSim();
    const a = await postImporting(sim);
    await sim.providers.target('east').deleteInstance(a.delete());
    expect(await sim.providers.target('east').operation(a.delete().op)).toMatchObject({ state: 'succeeded', message: `deleted instance vm-a (its post_import operation ${a.postImport().op} was stopped)` });
    expect(await sim.providers.target('east').operation(a.postImport().op)).toMatchObject({ state: 'canceled', message: 'stopped: instance vm-a was deleted' });
    expect(targetInstances(sim.world, 'east').find((i) => i.name === 'vm-a')).toBeUndefined();
  });

  it('a disk copy still writing the instance is not stopped by a delete: it must be canceled first', async () => {
    const sim = await openSim();
    const a = await created(sim, 'vm-a');
    await transfers(sim).importDisks(a.importDisks('background'));
    await sim.providers.target('east').deleteInstance(a.delete());
    expect(await sim.providers.target('east').operation(a.delete().op)).toMatchObject({ state: 'failed', message: expect.stringContaining('cancel it first') });
  });
});

describe('offline copies started in the same instant share one transfer session', () => {
  async function session(simulation = SIMULATION) {
    const sim = await openSim({ simulation });
    const vms = [];
    for (const name of ['vm-a', 'vm-b', 'vm-c']) {
      const a = await created(sim, name);
      await sim.providers.source('dc').powerOff(a.power('power_off_source'));
      vms.push(a);
    }
    for (const a of vms) await transfers(sim).importDisks(a.importDisks('offline'));
    return { sim, vms };
  }

  it('canceling one copy: it stops moving data but is reported running until the session ends, then canceled', async () => {
    const { sim, vms } = await session();
    const [a, b, c] = vms as [ReturnType<typeof attemptOf>, ReturnType<typeof attemptOf>, ReturnType<typeof attemptOf>];
    await clockOf(sim).advanceTo(sim.world.now() + 1_000);
    await transfers(sim).cancel(a.cancel(a.importDisks('offline').op));
    const stopping = await transfers(sim).operation(a.importDisks('offline').op);
    expect(stopping).toMatchObject({ state: 'running', message: expect.stringContaining('stopping'), progress: { done: 100 * MiB } });
    await clockOf(sim).advanceTo(sim.world.now() + 5_000);
    expect((await transfers(sim).operation(a.importDisks('offline').op))!.progress!.done).toBe(100 * MiB);
    // A new transfer of that VM must wait for the old one to be really gone.
    await transfers(sim).importDisks(a.importDisks('background', 'too-early'));
    expect(await transfers(sim).operation(a.importDisks('background', 'too-early').op)).toMatchObject({ state: 'failed', message: expect.stringContaining('is still stopping') });
    // The session ends when vm-b's copy (30 GiB, the longest) is done.
    await settle(sim);
    const bDone = (await transfers(sim).operation(b.importDisks('offline').op))!;
    const cDone = (await transfers(sim).operation(c.importDisks('offline').op))!;
    expect([bDone.state, cDone.state]).toEqual(['succeeded', 'succeeded']);
    expect(await transfers(sim).operation(a.importDisks('offline').op)).toMatchObject({ state: 'canceled', ended_at: bDone.ended_at });
    expect(cDone.ended_at).toBeLessThan(bDone.ended_at!);
  });

  it('canceling every copy of the session ends it at once', async () => {
    const { sim, vms } = await session();
    await clockOf(sim).advanceTo(sim.world.now() + 1_000);
    for (const a of vms) await transfers(sim).cancel(a.cancel(a.importDisks('offline').op));
    for (const a of vms) expect(await transfers(sim).operation(a.importDisks('offline').op)).toMatchObject({ state: 'canceled', ended_at: sim.world.now() });
    expect(clockOf(sim).nextEventAt()).toBeNull();
  });

  it('with separate sessions a canceled copy stops at once', async () => {
    const { sim, vms } = await session(SIMULATION.replace('{dirty_rate: 1MiB/s}', '{dirty_rate: 1MiB/s, offline_sessions: separate}'));
    await transfers(sim).cancel(vms[0]!.cancel(vms[0]!.importDisks('offline').op));
    expect(await transfers(sim).operation(vms[0]!.importDisks('offline').op)).toMatchObject({ state: 'canceled' });
  });
});
