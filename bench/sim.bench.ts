// The simulator at campaign scale: 50,000 VMs created on one target project, observed, and the
// world persisted. Each figure is printed next to a floor measured in the same run: copying the
// same records by hand (observations), and JSON.stringify of the same world (snapshots).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateInstanceAction } from '../src/engine/actions.js';
import type { DesiredState } from '../src/model/desired.js';
import type { InstanceRecord } from '../src/model/instance.js';
import { createSimProviders, openSimWorld, type SimWorld } from '../src/providers/sim/index.js';
import { memoryFiles } from '../src/repo/files.js';
import { loadRepository } from '../src/repo/load.js';

const VMS = 50_000;
const GiB = 1024 ** 3;

export function inventory(count: number): InstanceRecord[] {
  const out: InstanceRecord[] = [];
  for (let i = 0; i < count; i++) {
    const name = `vm-${String(i).padStart(5, '0')}`;
    out.push({
      uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, source_specific_id: `vm-${i}`, location: `/DC1/vm/app-${i % 500}/${name}`, name,
      description: '', os: 'Ubuntu 24.04', os_description: 'Ubuntu 24.04', os_template: '', architecture: 'x86_64', cpus: 2 + (i % 8), memory: 4 * GiB,
      config: { 'vmware.resource_pool': 'prod', 'tag.tenant': `t${i % 40}` }, secure_boot: false, legacy_boot: false, tpm: false, running: i % 5 !== 0, background_import: true,
      nics: [{ uuid: 'net-1', source_specific_id: 'network-1', hardware_address: `00:50:56:${(i >> 16 & 255).toString(16).padStart(2, '0')}:${(i >> 8 & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, location: '/DC1/network/VM Network', ipv4_address: '10.0.0.1', ipv6_address: '' }],
      disks: [{ name: `[ds] ${name}/${name}.vmdk`, capacity: 40 * GiB, shared: false, supported: true, background_import_verified: true }],
      snapshots: [], source: 'dc1', source_type: 'vmware', os_type: 'linux', distribution: 'ubuntu', distribution_version: '24.04', last_update_from_source: '',
    });
  }
  return out;
}

export async function desiredState(vms: InstanceRecord[]): Promise<{ desired: DesiredState; files: ReturnType<typeof memoryFiles> }> {
  const repository = {
    'source.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: dc1}\nspec: {type: sim, inventory_file: inventory.json}\n',
    'target.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: incus}\nspec: {type: sim}\n',
    'simulation.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Simulation\nmetadata: {name: w}\nspec:\n  start: 2026-12-01 20:00:00\n  targets:\n    incus: {projects: [default], storage_pools: [ssd], networks: [VM-Network], create_time: 0s, agent_start_time: 0s}\n',
  };
  // The loader only needs a valid inventory to accept the repository (and validating 50,000 VMs is
  // the load bench's business): it reads a one-VM inventory; the world reads the real one.
  const loaded = await loadRepository(memoryFiles({ ...repository, 'inventory.json': JSON.stringify(vms.slice(0, 1)) }));
  if (loaded.problems.some((p) => p.severity === 'error')) throw new Error(JSON.stringify(loaded.problems[0]));
  return { desired: loaded.state, files: memoryFiles({ ...repository, 'inventory.json': JSON.stringify(vms) }) };
}

function time<T>(work: () => T): { ms: number; result: T } {
  const started = performance.now();
  const result = work();
  return { ms: performance.now() - started, result };
}

export async function createAll(world: SimWorld, desired: DesiredState, vms: InstanceRecord[]): Promise<number> {
  const providers = createSimProviders(world, desired);
  const target = providers.target('incus');
  const started = performance.now();
  for (const vm of vms) {
    const action: CreateInstanceAction = {
      op: `${vm.uuid}#1/create`, entry: vm.uuid, attempt: `${vm.uuid}#1`, batch: 'b', kind: 'create_instance', target: 'incus', project: 'default', name: vm.name,
      source: 'dc1', instance: vm, migration_network: null,
      placement: { target_name: 'incus', target_project: 'default', storage_pools: { [vm.disks[0]!.name]: 'ssd' }, networks: {}, running: vm.running },
    };
    await target.createInstance(action);
  }
  return performance.now() - started;
}

export default async function bench(): Promise<void> {
  const vms = inventory(VMS);
  const { desired, files } = await desiredState(vms);

  const opened = performance.now();
  const memory = await openSimWorld({ desired, files });
  console.log(`open a world of ${VMS} VMs in memory: ${(performance.now() - opened).toFixed(0)} ms`);
  const createMs = await createAll(memory, desired, vms);
  console.log(`create ${VMS} instances in memory: ${(createMs / VMS * 1000).toFixed(1)} µs per call`);
  const advanced = performance.now();
  await memory.clock.advanceTo(memory.now() + 1000);
  console.log(`complete ${VMS} operations due at once: ${((performance.now() - advanced) / VMS * 1000).toFixed(1)} µs per operation`);

  const providers = createSimProviders(memory, desired);
  const observe = time(() => providers.target('incus').observe(['default']));
  await observe.result;
  const floorObserve = time(() => {
    const out: Record<string, { name: string; running: boolean }> = {};
    for (const vm of vms) out[vm.name] = { name: vm.name, running: vm.running };
    return out;
  });
  const inventoryRead = time(() => providers.source('dc1').inventory());
  await inventoryRead.result;
  const floorInventory = time(() => vms.map((vm) => ({ ...vm, config: { ...vm.config }, nics: vm.nics.map((n) => ({ ...n })), disks: vm.disks.map((d) => ({ ...d })) })));
  console.log(`observe one project of ${VMS} instances: ${observe.ms.toFixed(0)} ms (floor: a plain map of the names ${floorObserve.ms.toFixed(0)} ms, ${(observe.ms / floorObserve.ms).toFixed(1)}×)`);
  console.log(`read the inventory of ${VMS} VMs: ${inventoryRead.ms.toFixed(0)} ms (floor: copying the records ${floorInventory.ms.toFixed(0)} ms, ${(inventoryRead.ms / floorInventory.ms).toFixed(1)}×)`);

  const snapshot = time(() => JSON.stringify(memory.state));
  console.log(`the whole world as JSON: ${(snapshot.result.length / 1024 / 1024).toFixed(1)} MiB in ${snapshot.ms.toFixed(0)} ms — why every call appends to a journal instead of rewriting the state file`);

  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-sim-'));
  try {
    const stateFile = join(dir, 'world.json');
    const persistedOpen = performance.now();
    const persisted = await openSimWorld({ desired, files, stateFile });
    console.log(`create the state file of ${VMS} VMs: ${(performance.now() - persistedOpen).toFixed(0)} ms (${(statSync(stateFile).size / 1024 / 1024).toFixed(1)} MiB)`);
    const persistedCreate = await createAll(persisted, desired, vms.slice(0, 2_000));
    console.log(`create 2,000 instances on the persisted world: ${(persistedCreate / 2_000 * 1000).toFixed(0)} µs per call (journal append + fsync, compaction included), ${(persistedCreate / 2_000 / (createMs / VMS)).toFixed(0)}× the in-memory call`);
    const closed = performance.now();
    await persisted.close();
    console.log(`close (final compaction): ${(performance.now() - closed).toFixed(0)} ms`);
    const reopened = performance.now();
    const again = await openSimWorld({ desired, files, stateFile });
    console.log(`reopen: ${(performance.now() - reopened).toFixed(0)} ms`);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
