import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crashRequested } from '../../../src/providers/sim/crash.js';
import { executedTwice, executionLog, openSimWorld, operations, readWorld, targetInstances, vmPower, WorldFileError } from '../../../src/providers/sim/index.js';
import { tempDir } from '../../helpers/cli.js';
import { attemptOf, clockOf, INVENTORY, loadDesired, openSim, record, repositoryFiles, settle, START, type Sim } from './fixture.js';

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

  it('keeps the ended records of the two newest operations of each entry: the live world grows with the entries, not with what they did', async () => {
    const stateFile = stateFileIn();
    let sim = await openSim({ stateFile });
    const a = attemptOf(await record(sim, 'vm-a'));
    const b = attemptOf(await record(sim, 'vm-b'));
    await sim.providers.target('east').createInstance(a.create());
    await sim.providers.target('east').createInstance(b.create());
    await settle(sim);
    // Eight background top-ups of vm-a, each in a process of its own (a compaction at every close).
    for (let step = 1; step <= 8; step++) {
      await sim.providers.transfers.importDisks(a.importDisks('background', `sync-${step}`));
      await settle(sim);
      await sim.providers.close();
      sim = await openSim({ stateFile });
    }
    // vm-b: an import, then a cancel of it that is still to answer for the import.
    await sim.providers.transfers.importDisks(b.importDisks('background', 'sync-1'));
    await sim.providers.transfers.cancel(b.cancel(`${b.attemptId}/sync-1`));
    await settle(sim);
    await sim.providers.close();
    sim = await openSim({ stateFile });
    const ended = Object.keys(sim.world.state.ended).sort();
    expect(ended).toEqual([`${a.attemptId}/sync-7`, `${a.attemptId}/sync-8`, `${b.attemptId}/cancel-sync-1`, `${b.attemptId}/sync-1`].sort());
    // The ids a reconciler can still ask about answer as before, and a repeat of them stays a repeat.
    expect(await sim.providers.transfers.operation(`${a.attemptId}/sync-8`)).toMatchObject({ state: 'succeeded' });
    expect(await sim.providers.transfers.operation(`${b.attemptId}/sync-1`)).toMatchObject({ state: 'canceled' });
    await sim.providers.transfers.importDisks(a.importDisks('background', 'sync-8'));
    expect(executedTwice(sim.world)).toEqual([]);
    // What was dropped from the live world is still in the history.
    expect([...operations(sim.world)].filter((op) => op.entry === a.attemptId.split('#')[0]).map((op) => op.id)).toContain(`${a.attemptId}/create`);
    await sim.providers.close();
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

describe('what ended leaves the live world for its history', () => {
  /** What each of vm-a's operations answers, by the provider that ran it. */
  async function outcomes(sim: Sim, a: ReturnType<typeof attemptOf>) {
    return [
      await sim.providers.target('east').operation(a.create().op),
      await sim.providers.transfers.operation(a.importDisks('background').op),
      await sim.providers.source('dc').operation(a.power('power_off_source').op),
      await sim.providers.transfers.operation(a.importDisks('final').op),
    ];
  }

  it('ended operations and logged calls move to the history when the world compacts; the ids a reconciler can still ask about answer as before', async () => {
    const stateFile = stateFileIn();
    const first = await openSim({ stateFile });
    const a = attemptOf(await record(first, 'vm-a'));
    await first.providers.target('east').createInstance(a.create());
    await settle(first);
    await first.providers.transfers.importDisks(a.importDisks('background'));
    await settle(first);
    await first.providers.source('dc').powerOff(a.power('power_off_source'));
    await first.providers.transfers.importDisks(a.importDisks('final'));
    const before = await outcomes(first, a);
    const log = executionLog(first.world);
    await first.providers.close();

    const snapshot = readFileSync(stateFile, 'utf8').split('\n');
    expect(snapshot.filter((line) => line.startsWith('{"op":')).map((line) => JSON.parse(line).op.id)).toEqual([a.importDisks('final').op]);
    // The entry's two newest ended operations keep their records; the create is in the history only.
    expect(snapshot.filter((line) => line.startsWith('{"ended":')).map((line) => JSON.parse(line).ended[0])).toEqual([a.importDisks('background').op, a.power('power_off_source').op]);
    expect(snapshot.some((line) => line.startsWith('{"call":'))).toBe(false);
    expect(readdirSync(`${stateFile}.history`).sort()).toEqual(['calls-000001.jsonl', 'operations-000001.jsonl']);

    const second = await openSim({ stateFile });
    expect(Object.keys(second.world.state.ops)).toEqual([a.importDisks('final').op]);
    expect(await outcomes(second, a)).toEqual([undefined, ...before.slice(1)]);
    expect(executionLog(second.world)).toEqual(log);
    await second.providers.source('dc').powerOff(a.power('power_off_source'));
    await second.providers.transfers.cancel(a.cancel(a.importDisks('background').op));
    expect(await second.providers.transfers.operation(a.cancel(a.importDisks('background').op).op)).toMatchObject({ state: 'succeeded', message: `operation ${a.importDisks('background').op} had already ended (succeeded)` });
    expect(executionLog(second.world).slice(log.length).map((e) => [e.kind, e.outcome])).toEqual([['power_off_source', 'repeat'], ['cancel_operation', 'executed']]);
    expect(executedTwice(second.world)).toEqual([]);
    expect([...operations(second.world)].map((op) => op.kind).sort()).toEqual(['cancel_operation', 'create_instance', 'import_disks', 'import_disks', 'power_off_source']);
    await second.providers.close();
  });

  it('opening and closing never read the history: a damaged one is reported only where it is read', async () => {
    const stateFile = stateFileIn();
    const first = await openSim({ stateFile });
    await first.providers.target('east').createInstance(attemptOf(await record(first, 'vm-a')).create());
    await first.providers.close();
    const calls = `${stateFile}.history/calls-000001.jsonl`;
    writeFileSync(calls, readFileSync(calls, 'utf8').replace(/[^\n]/g, '#'));

    const sim = await openSim({ stateFile });
    await sim.providers.source('dc').powerOff(attemptOf(await record(sim, 'vm-a')).power('power_off_source'));
    await sim.providers.close();
    const again = await openSim({ stateFile, readOnly: true });
    expect(vmPower(again.world, 'vm-a')).toBe(false);
    expect(() => executionLog(again.world)).toThrow(WorldFileError);
    expect(() => executionLog(again.world)).toThrow(`${calls}:1: a line of the simulated world's history is damaged`);
    await again.providers.close();
  });

  it('a damaged or cut snapshot, or one of a format this Ferry does not read, is refused with its place', async () => {
    const stateFile = stateFileIn();
    await (await openSim({ stateFile })).providers.close();
    const lines = readFileSync(stateFile, 'utf8').split('\n');
    writeFileSync(stateFile, [lines[0], lines[1]!.slice(0, 20), ...lines.slice(2)].join('\n'));
    await expect(openSim({ stateFile })).rejects.toThrow(WorldFileError);
    await expect(openSim({ stateFile })).rejects.toThrow(`${stateFile}:2: the simulated world's state file is damaged (`);
    writeFileSync(stateFile, lines.slice(0, -2).join('\n') + '\n');
    await expect(openSim({ stateFile })).rejects.toThrow(`${stateFile}:${lines.length - 2}: the simulated world's state file ends early (damaged)`);
    writeFileSync(stateFile, '{"format":"ferry.dev/sim-world/v9","journal_seq":0}\n');
    await expect(openSim({ stateFile })).rejects.toThrow('not a simulated world this Ferry reads (format "ferry.dev/sim-world/v9", expected ferry.dev/sim-world/v2)');
  });

  it('a world written by the format before (one JSON value) opens, and its past moves to the history', async () => {
    const stateFile = stateFileIn();
    cpSync(fileURLToPath(new URL('../../fixtures/sim-world/v1/world.json', import.meta.url)), stateFile);
    const old = JSON.parse(readFileSync(stateFile, 'utf8')) as { state: { ops: Record<string, { state: string; message: string }>; log: unknown[] } };
    const sim = await openSim({ stateFile });
    const a = attemptOf(await record(sim, 'vm-a'));
    expect(readFileSync(stateFile, 'utf8').split('\n', 1)[0]).toContain('"format":"ferry.dev/sim-world/v2"');
    expect(Object.keys(sim.world.state.ops)).toEqual([a.importDisks('final').op]);
    const now = await outcomes(sim, a);
    // The create is the entry's third newest: only the history has it now.
    expect(now[0]).toBeUndefined();
    expect(now.slice(1, 3).map((o) => o && { state: o.state, message: o.message })).toEqual(Object.values(old.state.ops).slice(1, 3).map((op) => ({ state: op.state, message: op.message })));
    expect(now[3]).toMatchObject({ state: 'running' });
    expect(executionLog(sim.world)).toEqual(old.state.log);
    await sim.providers.source('dc').powerOff(a.power('power_off_source'));
    expect(executionLog(sim.world).at(-1)).toMatchObject({ kind: 'power_off_source', outcome: 'repeat' });
    await settle(sim);
    expect(await sim.providers.transfers.operation(a.importDisks('final').op)).toMatchObject({ state: 'succeeded' });
    await sim.providers.close();
  });

  it('a compaction killed after writing the history, before its snapshot, leaves nothing twice', async () => {
    const stateFile = stateFileIn();
    // The first compaction is the world's creation; the second is at the child's close.
    expect(runChild(stateFile, { FERRY_CRASH_AT: 'sim:compact:history#2' }).signal).toBe('SIGKILL');
    const written = readFileSync(`${stateFile}.history/calls-000001.jsonl`, 'utf8');
    expect(written.split('\n').filter(Boolean)).toHaveLength(3);
    expect(readWorld(stateFile)!.history.mark.calls.bytes).toBe(0);

    const sim = await openSim({ stateFile });
    expect(executionLog(sim.world).map((e) => [e.kind, e.outcome])).toEqual([['create_instance', 'executed'], ['import_disks', 'executed'], ['power_off_source', 'executed']]);
    await sim.providers.close();
    expect(readFileSync(`${stateFile}.history/calls-000001.jsonl`, 'utf8')).toBe(written);
    const again = await openSim({ stateFile, readOnly: true });
    expect(executionLog(again.world)).toHaveLength(3);
    expect(executedTwice(again.world)).toEqual([]);
    await again.providers.close();
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
