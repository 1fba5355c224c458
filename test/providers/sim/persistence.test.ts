import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crashRequested } from '../../../src/providers/sim/crash.js';
import { executedTwice, executionLog, openSimWorld, targetInstances, vmPower, WorldFileError } from '../../../src/providers/sim/index.js';
import { tempDir } from '../../helpers/cli.js';
import { attemptOf, clockOf, INVENTORY, loadDesired, openSim, record, repositoryFiles, settle, START } from './fixture.js';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

function runChild(stateFile: string, env: Record<string, string> = {}, events?: string) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', CHILD, stateFile, ...(events ? [events] : [])], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

function stateFileIn(dir = tempDir('ferry-sim-')): string {
  return join(dir, 'world.json');
}

describe('a persisted world survives the process', () => {
  it('reopens with its clock, operations and instances, and repeats stay repeats', async () => {
    const stateFile = stateFileIn();
    const first = await openSim({ stateFile });
    const a = attemptOf(await record(first, 'vm-a'));
    await first.providers.target('east').createInstance(a.create());
    await settle(first);
    await first.providers.transfers.importDisks(a.importDisks('background'));
    await clockOf(first).advanceTo(first.world.now() + 10_000);
    const now = first.world.now();
    await first.providers.close();
    expect(existsSync(`${stateFile}.lock`)).toBe(false);

    const second = await openSim({ stateFile });
    expect(second.world.now()).toBe(now);
    expect(await second.providers.transfers.operation(a.importDisks('background').op)).toMatchObject({ state: 'running', progress: { done: 1000 * 1024 ** 2 } });
    await second.providers.target('east').createInstance(a.create());
    await settle(second);
    expect(await second.providers.transfers.operation(a.importDisks('background').op)).toMatchObject({ state: 'succeeded' });
    expect(executedTwice(second.world)).toEqual([]);
    expect(targetInstances(second.world, 'east').map((i) => i.name).sort()).toEqual(['taken', 'vm-a']);
    await second.providers.close();
  });

  it('opening the same state file twice in one process gives one shared world; each holder closes it', async () => {
    const stateFile = stateFileIn();
    const one = await openSim({ stateFile });
    const two = await openSim({ stateFile });
    expect(two.world).toBe(one.world);
    await one.providers.close();
    expect(existsSync(`${stateFile}.lock`)).toBe(true);
    await two.providers.close();
    expect(existsSync(`${stateFile}.lock`)).toBe(false);
  });

  it('keeps the journal short: it is folded into the snapshot as it grows', async () => {
    const stateFile = stateFileIn();
    const sim = await openSim({ stateFile });
    const a = attemptOf(await record(sim, 'vm-a'));
    for (let i = 0; i < 3000; i++) await sim.providers.source('dc').powerOff(a.power(i % 2 ? 'power_off_source' : 'power_on_source', `power-${i}`));
    expect(statSync(`${stateFile}.journal`).size).toBeLessThanOrEqual(Math.max(1024 * 1024, statSync(stateFile).size) + 1024);
    const log = executionLog(sim.world);
    await sim.providers.close();
    expect(statSync(`${stateFile}.journal`).size).toBe(0);
    const again = await openSim({ stateFile });
    expect(executionLog(again.world)).toEqual(log);
    await again.providers.close();
  });

  it('an in-memory world is not persisted and stays readable after it is closed', async () => {
    const sim = await openSim();
    await sim.providers.target('east').createInstance(attemptOf(await record(sim, 'vm-a')).create());
    expect(sim.world.persistent).toBe(false);
    await sim.providers.close();
    expect(targetInstances(sim.world, 'east')).toHaveLength(2);
  });
});

describe('a crash at any moment leaves a consistent world', () => {
  it('killed right after a transfer was recorded: the restart sees it running and a repeat does nothing', async () => {
    const stateFile = stateFileIn();
    const run = runChild(stateFile, { FERRY_CRASH_AT: 'sim:import_disks:after' });
    expect(run.signal).toBe('SIGKILL');
    expect(existsSync(`${stateFile}.lock`)).toBe(true);
    const sim = await openSim({ stateFile });
    const a = attemptOf(await record(sim, 'vm-a'));
    expect(await sim.providers.transfers.operation(a.importDisks('background').op)).toMatchObject({ state: 'running' });
    expect(vmPower(sim.world, 'vm-a')).toBe(true);
    await sim.providers.transfers.importDisks(a.importDisks('background'));
    expect(executionLog(sim.world).map((e) => [e.kind, e.outcome])).toEqual([
      ['create_instance', 'executed'],
      ['import_disks', 'executed'],
      ['import_disks', 'repeat'],
    ]);
    await sim.providers.close();
  });

  it('killed just before a call was applied: the call never happened', async () => {
    const stateFile = stateFileIn();
    expect(runChild(stateFile, { FERRY_CRASH_AT: 'sim:import_disks:before' }).signal).toBe('SIGKILL');
    const sim = await openSim({ stateFile });
    const a = attemptOf(await record(sim, 'vm-a'));
    expect(await sim.providers.transfers.operation(a.importDisks('background').op)).toBeUndefined();
    await sim.providers.close();
  });

  it('a line torn by a crash at the end of the journal is dropped', async () => {
    const stateFile = stateFileIn();
    runChild(stateFile, { FERRY_CRASH_AT: 'sim:power_off_source:after' });
    appendFileSync(`${stateFile}.journal`, '{"s":99,"c":{"c":"adv');
    const sim = await openSim({ stateFile });
    expect(vmPower(sim.world, 'vm-a')).toBe(false);
    await sim.providers.source('dc').powerOn(attemptOf(await record(sim, 'vm-a')).power('power_on_source'));
    await sim.providers.close();
    const again = await openSim({ stateFile });
    expect(vmPower(again.world, 'vm-a')).toBe(true);
    await again.providers.close();
  });

  it('a scripted crash event kills the process once: the restart is not killed again', async () => {
    const stateFile = stateFileIn();
    const events = '    - {name: boom, at: +0s, type: crash, step: "sim:import_disks:after"}\n';
    expect(runChild(stateFile, {}, events).signal).toBe('SIGKILL');
    const second = runChild(stateFile, {}, events);
    expect({ signal: second.signal, stdout: second.stdout }).toEqual({ signal: null, stdout: 'done\n' });
    const sim = await openSim({ stateFile, events });
    expect(sim.world.state.events).toMatchObject([{ id: 'boom', applied: true, outcome: 'crashed the process at sim:import_disks:after' }]);
    await sim.providers.close();
  });

  it('FERRY_CRASH_AT names a step, or the n-th time it is reached with #n', () => {
    expect(crashRequested('tick:act', 'tick:act', 1)).toBe(true);
    expect(crashRequested('tick:act', 'tick:act', 2)).toBe(false);
    expect(crashRequested('tick:act', 'tick:act#3', 2)).toBe(false);
    expect(crashRequested('tick:act', 'tick:act#3', 3)).toBe(true);
    expect(crashRequested('tick:act', 'tick:observe', 1)).toBe(false);
    expect(crashRequested('tick:act', undefined, 1)).toBe(false);
  });
});

describe('one process at a time runs a persisted world', () => {
  it('refuses a world another live process holds, and takes over one whose process died', async () => {
    const stateFile = stateFileIn();
    const sim = await openSim({ stateFile });
    await sim.providers.close();
    writeFileSync(`${stateFile}.lock`, String(process.ppid));
    await expect(openSim({ stateFile })).rejects.toThrow(WorldFileError);
    await expect(openSim({ stateFile })).rejects.toThrow(`is open in process ${process.ppid}`);
    writeFileSync(`${stateFile}.lock`, '999999999');
    const taken = await openSim({ stateFile });
    await taken.providers.close();
  });
});

describe('reading never writes (plan)', () => {
  it('a read-only world observes everything and changes no file', async () => {
    const stateFile = stateFileIn();
    runChild(stateFile, { FERRY_CRASH_AT: 'sim:power_off_source:after' });
    const before = [stateFile, `${stateFile}.journal`, `${stateFile}.lock`].map((f) => [readFileSync(f, 'utf8'), statSync(f).mtimeMs]);
    const sim = await openSim({ stateFile, readOnly: true, events: '    - {at: +1h, type: power_on, vm: vm-b}\n' });
    const a = attemptOf(await record(sim, 'vm-a'));
    await sim.providers.source('dc').describe();
    await sim.providers.source('dc').inventory();
    await sim.providers.source('dc').readVm(a.create().entry);
    await sim.providers.target('east').observe(['default', 'web']);
    await sim.providers.transfers.operation(a.importDisks('background').op);
    expect(clockOf(sim).nextEventAt()).toBe(START + 15_000 + 102_400);
    expect(sim.world.state.events).toHaveLength(1);
    await expect(sim.providers.source('dc').powerOn(a.power('power_on_source'))).rejects.toThrow('read-only');
    await expect(clockOf(sim).advanceTo(START + 7_200_000)).rejects.toThrow('read-only');
    await sim.providers.close();
    const after = [stateFile, `${stateFile}.journal`, `${stateFile}.lock`].map((f) => [readFileSync(f, 'utf8'), statSync(f).mtimeMs]);
    expect(after).toEqual(before);
  });

  it('a read-only world without a state file yet is built in memory and not written', async () => {
    const stateFile = stateFileIn();
    const sim = await openSim({ stateFile, readOnly: true });
    expect((await sim.providers.source('dc').inventory()).instances).toHaveLength(3);
    await sim.providers.close();
    expect(existsSync(stateFile)).toBe(false);
  });
});

describe('edits of the repository merge into an existing world', () => {
  it('adds new VMs and events, drops VMs gone from the inventory, keeps what the world changed', async () => {
    const stateFile = stateFileIn();
    const events = '    - {name: off-a, at: +1m, type: power_off, vm: vm-a}\n    - {name: later, at: +2h, type: power_off, vm: vm-b}\n';
    const first = await openSim({ stateFile, events });
    await clockOf(first).advanceTo(START + 60_000);
    expect(vmPower(first.world, 'vm-a')).toBe(false);
    await first.providers.close();

    const vmD = { ...INVENTORY[0] as Record<string, unknown>, uuid: '00000000-0000-0000-0000-000000000004', name: 'vm-d', location: '/DC/vm/vm-d', running: true };
    const edited = await openSim({
      stateFile,
      inventory: [INVENTORY[0]!, INVENTORY[1]!, vmD],
      events: '    - {name: off-a, at: +1m, type: power_off, vm: vm-a}\n    - {name: on-d, at: +1h, type: power_off, vm: vm-d}\n',
      simulation: repositoryFiles()['simulation.yaml']!.replace('networks: [VM-Network, migration]', 'networks: [VM-Network, dmz]'),
    });
    expect((await edited.providers.source('dc').inventory()).instances.map((i) => [i.name, i.running])).toEqual([['vm-a', false], ['vm-b', true], ['vm-d', true]]);
    expect(edited.world.state.events.map((e) => [e.id, e.applied])).toEqual([['off-a', true], ['on-d', false]]);
    expect((await edited.providers.target('east').observe(['default'])).projects.default!.networks).toEqual(['VM-Network', 'dmz']);
    await clockOf(edited).advanceTo(START + 3_600_000);
    expect(vmPower(edited.world, 'vm-d')).toBe(false);
    await edited.providers.close();
  });

  it('a network a scripted event deleted stays deleted when the repository lists it unchanged', async () => {
    const stateFile = stateFileIn();
    const events = '    - {at: +1m, type: delete_network, target: east, network: migration}\n';
    const first = await openSim({ stateFile, events });
    await clockOf(first).advanceTo(START + 60_000);
    await first.providers.close();
    const again = await openSim({ stateFile, events });
    expect((await again.providers.target('east').observe(['default'])).projects.default!.networks).toEqual(['VM-Network']);
    await again.providers.close();
  });

  it('opening the world from a repository with a broken inventory fails with the reason', async () => {
    const { desired, repo } = await loadDesired(repositoryFiles());
    const broken = { ...repo, read: async (path: string) => (path.endsWith('.json') ? '[{"name": 1}]' : repo.read(path)) };
    await expect(openSimWorld({ desired, files: broken })).rejects.toThrow('inventory/dc.json');
  });
});
