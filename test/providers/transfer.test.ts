// Byte transfers between systems of different kinds (src/providers/transfer.ts), exercised between
// the simulator's source and target through the byte path: the simulator produces and checks real
// bytes (sha256 of what arrived against the source disk's bytes).

import { describe, expect, it } from 'vitest';
import { streamTransfers, type StreamTransfers } from '../../src/providers/transfer.js';
import { simDiskDigest } from '../../src/providers/sim/disk-bytes.js';
import { IMPORT_KEY, diskKey } from '../../src/providers/sim/providers.js';
import { findVm } from '../../src/providers/sim/index.js';
import { writtenAt } from '../../src/providers/sim/state.js';
import { attemptOf, MiB, openSim, record, settle, type Sim } from './sim/fixture.js';

function smallVm(n: number, name: string, running: boolean, disks: number[]): Record<string, unknown> {
  return {
    uuid: `00000000-0000-0000-0000-00000000000${n}`,
    source_specific_id: `vm-${n}`,
    location: `/DC/vm/${name}`,
    name,
    cpus: 1,
    memory: 512 * MiB,
    running,
    background_import: true,
    nics: [],
    disks: disks.map((size, i) => ({ name: `[ds] ${name}/${name}${i ? `_${i}` : ''}.vmdk`, capacity: size, supported: true, background_import_verified: true })),
  };
}

const INVENTORY = [smallVm(1, 'vm-a', true, [3 * MiB + 123]), smallVm(2, 'vm-b', false, [2 * MiB, MiB + 7]), smallVm(3, 'vm-c', false, [64 * MiB])];

function transfersOf(sim: Sim): StreamTransfers {
  return streamTransfers({ source: (n) => sim.providers.source(n), target: (n) => sim.providers.target(n), clock: sim.providers.clock });
}

async function created(sim: Sim, name: string) {
  const a = attemptOf(await record(sim, name));
  await sim.providers.target('east').createInstance(a.create());
  await settle(sim);
  return a;
}

function instanceConfig(sim: Sim, name: string): Record<string, string> {
  return sim.world.state.targets.east!.instances.default![name]!.config;
}

async function sourceDigests(sim: Sim, name: string): Promise<string[]> {
  const found = findVm(sim.world, name)!;
  const source = sim.world.state.sources[found.source]!;
  return Promise.all(found.vm.record.disks.map((d, i) => simDiskDigest(found.vm.key, d.name, writtenAt(source, found.vm, i, sim.world.now()), d.capacity)));
}

async function ended(transfers: StreamTransfers, op: string) {
  await transfers.drain();
  return transfers.operation(op);
}

describe('byte transfers', () => {
  it('copies every disk of a powered-off VM byte for byte, the boot disk first, and records the import on the target', async () => {
    const sim = await openSim({ inventory: INVENTORY });
    const b = await created(sim, 'vm-b');
    const transfers = transfersOf(sim);
    const action = b.importDisks('offline');
    await transfers.importDisks(action);
    expect((await transfers.operation(action.op))?.state).toBe('running');
    expect(await ended(transfers, action.op)).toMatchObject({ state: 'succeeded', progress: { done: 3 * MiB + 7, total: 3 * MiB + 7 } });
    const config = instanceConfig(sim, 'vm-b');
    const digests = await sourceDigests(sim, 'vm-b');
    expect([config[diskKey(0, 'sha256')], config[diskKey(1, 'sha256')]]).toEqual(digests);
    expect(config[diskKey(0, 'name')]).toBe('[ds] vm-b/vm-b.vmdk');
    expect(config[diskKey(1, 'size')]).toBe(String(MiB + 7));
    expect(config[IMPORT_KEY]).toBe(action.op);
  });

  it('is idempotent by operation id, and a new process learns from the target that the import completed', async () => {
    const sim = await openSim({ inventory: INVENTORY });
    const b = await created(sim, 'vm-b');
    const first = transfersOf(sim);
    const action = b.importDisks('offline');
    await first.importDisks(action);
    await first.importDisks(action);
    expect(first.inFlight).toBe(1);
    await first.drain();
    const restarted = transfersOf(sim);
    const where = { source: 'dc', target: 'east', project: 'default', name: 'vm-b' };
    expect(await restarted.operation(action.op)).toBeUndefined();
    expect(await restarted.operation(action.op, where)).toMatchObject({ state: 'succeeded' });
    await restarted.importDisks(action);
    expect(restarted.inFlight).toBe(0);
    // A lost transfer (never recorded) is unknown: the engine dispatches it again.
    expect(await restarted.operation(b.importDisks('offline', 'offline-2').op, where)).toBeUndefined();
  });

  it('a final or offline copy of a running VM fails with the reason, and a background pass copies the bytes as they are now', async () => {
    const sim = await openSim({ inventory: INVENTORY });
    const a = await created(sim, 'vm-a');
    const transfers = transfersOf(sim);
    const offline = a.importDisks('offline');
    await transfers.importDisks(offline);
    expect(await ended(transfers, offline.op)).toMatchObject({ state: 'failed', message: expect.stringContaining('vm-a is running') });
    const background = a.importDisks('background');
    await transfers.importDisks(background);
    expect(await ended(transfers, background.op)).toMatchObject({ state: 'succeeded' });
    expect(instanceConfig(sim, 'vm-a')[diskKey(0, 'sha256')]).toBe((await sourceDigests(sim, 'vm-a'))[0]);
  });

  it('refuses to write into an instance without the entry and attempt markers', async () => {
    const sim = await openSim({ inventory: INVENTORY });
    const b = await created(sim, 'vm-b');
    const transfers = transfersOf(sim);
    const stranger = { ...b.importDisks('offline', 'stranger'), attempt: `${b.attemptId}-other` };
    await transfers.importDisks(stranger);
    expect(await ended(transfers, stranger.op)).toMatchObject({ state: 'failed', message: expect.stringContaining('markers') });
    expect(instanceConfig(sim, 'vm-b')[diskKey(0, 'sha256')]).toBeUndefined();
  });

  it('a cancel stops a transfer in flight: it ends canceled and nothing is recorded', async () => {
    const sim = await openSim({ inventory: INVENTORY });
    const c = await created(sim, 'vm-c');
    const transfers = transfersOf(sim);
    const action = c.importDisks('offline');
    await transfers.importDisks(action);
    const cancel = c.cancel(action.op);
    await transfers.cancel(cancel);
    expect(await transfers.operation(action.op)).toMatchObject({ state: 'canceled' });
    expect(await transfers.operation(cancel.op)).toMatchObject({ state: 'succeeded' });
    expect(instanceConfig(sim, 'vm-c')[IMPORT_KEY]).toBeUndefined();
    // Canceling what this process never ran has nothing to stop.
    const other = transfersOf(sim);
    const lost = c.cancel(`${c.attemptId}/lost`, 'cancel-lost');
    await other.cancel(lost);
    expect(await other.operation(lost.op)).toMatchObject({ state: 'succeeded', message: expect.stringContaining('no transfer') });
  });
});
