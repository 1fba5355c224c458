import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GuestPreparation } from '../../../src/engine/preparation.js';
import { tempDir } from '../../helpers/cli.js';
import { attemptOf, openSim, record, settle, SIMULATION, type Sim } from './fixture.js';

// No writes: a copy's time is its disks' size alone.
const QUIET = SIMULATION.replace('dirty_rate: 1MiB/s', 'dirty_rate: 0B/s');

async function created(sim: Sim, name: string) {
  const a = attemptOf(await record(sim, name));
  await sim.providers.target('east').createInstance(a.create());
  await settle(sim);
  return a;
}

type Attempt = Awaited<ReturnType<typeof created>>;

function postImport(a: Attempt, preparation: GuestPreparation | null, step = 'post-import') {
  const action = a.postImport(step);
  return preparation === null ? action : { ...action, guest: { preparation, reason: 'the test says so', os_type: preparation, distribution: '' } };
}

function importDisks(a: Attempt, mode: 'background' | 'final' | 'offline', preparation: Exclude<GuestPreparation, 'none'> | null, step: string = mode) {
  const action = a.importDisks(mode, step);
  return preparation === null ? action : { ...action, guest: { preparation } };
}

/** Runs a post-import to its end and returns what its target answers for it. */
async function prepared(sim: Sim, action: ReturnType<typeof postImport>) {
  await sim.providers.target('east').postImport(action);
  await settle(sim);
  return sim.providers.target('east').operation(action.op);
}

async function copied(sim: Sim, action: ReturnType<typeof importDisks>) {
  await sim.providers.transfers.importDisks(action);
  await settle(sim);
  return sim.providers.transfers.operation(action.op);
}

const pending = (sim: Sim) => sim.world.state.faults.map((f) => `${f.operation} ${f.remaining}`);

describe('guest preparation on a sim target with transfer: mover', () => {
  it('a post-import prepares the guest its action names and records what it did; nothing without a preparation', async () => {
    const sim = await openSim({ transfer: 'mover' });
    const linux = await prepared(sim, postImport(await created(sim, 'vm-a'), 'linux'));
    expect(linux).toMatchObject({ state: 'succeeded', message: 'post-import steps done; guest prepared (simulated, linux): incus-agent, network-names, initramfs', record: 'guest prepared (simulated, linux): incus-agent, network-names, initramfs' });
    expect(await prepared(sim, postImport(await created(sim, 'vm-b'), 'windows'))).toMatchObject({ record: 'guest prepared (simulated, windows): virtio-drivers' });
    const none = await prepared(sim, postImport(await created(sim, 'vm-c'), 'none'));
    expect(none).toMatchObject({ state: 'succeeded', message: 'post-import steps done' });
    expect(none).not.toHaveProperty('record');
  });

  it('a stream target prepares nothing, as the real one', async () => {
    const sim = await openSim();
    const done = await prepared(sim, postImport(await created(sim, 'vm-a'), 'linux'));
    expect(done).toMatchObject({ state: 'succeeded', message: 'post-import steps done' });
    expect(done).not.toHaveProperty('record');
  });

  it('fail prepare: the next preparation of the VM fails as a Conflict with a code; a post-import that prepares nothing leaves the fault', async () => {
    const sim = await openSim({ transfer: 'mover', events: '    - {at: +0s, type: fail, operation: prepare, vm: vm-a}\n    - {at: +0s, type: fail, operation: prepare, vm: vm-b}\n' });
    const a = await created(sim, 'vm-a');
    expect(await prepared(sim, postImport(a, null, 'unprepared'))).toMatchObject({ state: 'succeeded' });
    expect(await prepared(sim, postImport(a, 'none', 'skipped'))).toMatchObject({ state: 'succeeded' });
    expect(pending(sim)).toEqual(['prepare 1', 'prepare 1']);
    const failed = await prepared(sim, postImport(a, 'linux'));
    expect(failed).toEqual({ state: 'failed', message: "initramfs-failed: the guest's initramfs tool failed to add the virtio drivers (simulated fault)", conflict: true, ended_at: expect.any(Number) });
    expect(await prepared(sim, postImport(a, 'linux', 'again'))).toMatchObject({ state: 'succeeded', record: expect.any(String) });
    const windows = await prepared(sim, postImport(await created(sim, 'vm-b'), 'windows'));
    expect(windows).toMatchObject({ state: 'failed', conflict: true, message: expect.stringMatching(/^virtio-drivers-missing: .* \(simulated fault\)$/) });
  });

  it('a post_import fault comes first: the post-import fails as before, not a Conflict, and the prepare fault waits', async () => {
    const sim = await openSim({ transfer: 'mover', events: '    - {at: +0s, type: fail, operation: post_import, vm: vm-a}\n    - {at: +0s, type: fail, operation: prepare, vm: vm-a}\n' });
    const a = await created(sim, 'vm-a');
    const failed = await prepared(sim, postImport(a, 'linux'));
    expect(failed).toMatchObject({ state: 'failed', message: 'the post-import steps failed (simulated fault)' });
    expect(failed).not.toHaveProperty('conflict');
    expect(pending(sim)).toEqual(['post_import 0', 'prepare 1']);
  });

  it('fail readiness: the next checked copy of the VM succeeds but finds the guest not ready; copies the real mover does not check leave the fault', async () => {
    const sim = await openSim({ transfer: 'mover', simulation: QUIET, events: '    - {at: +0s, type: fail, operation: readiness, vm: vm-c}\n' });
    const c = await created(sim, 'vm-c');
    // Not checked: no guest, a Linux guest (the real mover checks Windows and detected ones), a final (delta) pass.
    for (const [step, action] of [['plain', importDisks(c, 'offline', null, 'plain')], ['linux', importDisks(c, 'offline', 'linux', 'linux')], ['final', importDisks(c, 'final', 'windows', 'final')]] as const) {
      const observed = await copied(sim, action);
      expect(observed, step).toMatchObject({ state: 'succeeded' });
      expect(observed, step).not.toHaveProperty('guest_not_ready');
    }
    expect(pending(sim)).toEqual(['readiness 1']);
    const checked = await copied(sim, importDisks(c, 'offline', 'windows', 'checked'));
    const notReady = 'virtio-drivers-missing: the Windows guest has no virtio storage driver set to boot, and the target names no virtio-win image to add one from (simulated fault)';
    expect(checked).toMatchObject({ state: 'succeeded', guest_not_ready: notReady, message: `full pass (mover) done: ${5 * 1024 ** 3} bytes; the guest is not ready to boot on Incus: ${notReady}` });
    expect(await copied(sim, importDisks(c, 'offline', 'detect', 'after'))).not.toHaveProperty('guest_not_ready');
  });

  it('a copy that fails is not checked: the readiness fault waits for the next one', async () => {
    const sim = await openSim({ transfer: 'mover', events: '    - {at: +0s, type: fail, operation: transfer, vm: vm-a}\n    - {at: +0s, type: fail, operation: readiness, vm: vm-a}\n' });
    const a = await created(sim, 'vm-a');
    expect(await copied(sim, importDisks(a, 'background', 'windows', 'one'))).toMatchObject({ state: 'failed', message: 'the disk transfer failed (simulated fault)' });
    expect(await copied(sim, importDisks(a, 'background', 'windows', 'two'))).toMatchObject({ state: 'succeeded', guest_not_ready: expect.stringMatching(/^virtio-drivers-missing: /) });
  });

  it('a stream target checks nothing: its copy of a Windows guest leaves the readiness fault', async () => {
    const sim = await openSim({ simulation: QUIET, events: '    - {at: +0s, type: fail, operation: readiness}\n' });
    const c = await created(sim, 'vm-c');
    expect(await copied(sim, importDisks(c, 'offline', 'windows'))).not.toHaveProperty('guest_not_ready');
    expect(pending(sim)).toEqual(['readiness 1']);
  });

  it('what a preparation and a check said is kept in the ended records of a persisted world, and answers the same after a reopen', async () => {
    const stateFile = join(tempDir('ferry-sim-'), 'world.json');
    const events = '    - {at: +0s, type: fail, operation: readiness, vm: vm-a}\n    - {at: +0s, type: fail, operation: prepare, vm: vm-b}\n';
    let sim = await openSim({ transfer: 'mover', simulation: QUIET, events, stateFile });
    const a = await created(sim, 'vm-a');
    const b = await created(sim, 'vm-b');
    const c = await created(sim, 'vm-c');
    const answers = [
      await copied(sim, importDisks(a, 'background', 'windows')),
      await prepared(sim, postImport(b, 'linux')),
      await prepared(sim, postImport(c, 'windows')),
    ];
    const ids = [importDisks(a, 'background', 'windows').op, postImport(b, 'linux').op, postImport(c, 'windows').op];
    await sim.providers.close();
    // The close compacted the world: the operations left it, their records stayed in the snapshot.
    const ended = readFileSync(stateFile, 'utf8').split('\n').filter((line) => line.startsWith('{"ended":')).map((line) => JSON.parse(line).ended as unknown[]);
    expect(ended.filter((line) => ids.includes(line[0] as string)).map((line) => line[9])).toEqual([
      { guest_not_ready: expect.stringMatching(/^virtio-drivers-missing: /) },
      { conflict: true },
      { record: 'guest prepared (simulated, windows): virtio-drivers' },
    ]);
    sim = await openSim({ transfer: 'mover', simulation: QUIET, events, stateFile });
    expect(sim.world.state.ops[ids[0]!]).toBeUndefined();
    expect([
      await sim.providers.transfers.operation(ids[0]!),
      await sim.providers.target('east').operation(ids[1]!),
      await sim.providers.target('east').operation(ids[2]!),
    ]).toEqual(answers);
    await sim.providers.close();
  });
});
