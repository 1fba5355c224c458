// A small simulated campaign for the simulator's tests: three VMs on source `dc`, target `east`.

import type { CreateInstanceAction, DeleteInstanceAction, FinalizeInstanceAction, ImportDisksAction, PostImportAction, PowerSourceAction, CancelOperationAction } from '../../../src/engine/actions.js';
import type { DesiredState } from '../../../src/model/desired.js';
import type { InstanceRecord } from '../../../src/model/instance.js';
import type { Placement } from '../../../src/placement/index.js';
import type { ProviderSet, VirtualClock } from '../../../src/providers/ports.js';
import { createSimProviders, openSimWorld, type SimWorld } from '../../../src/providers/sim/index.js';
import { memoryFiles, type RepoFiles } from '../../../src/repo/files.js';
import { loadRepository } from '../../../src/repo/load.js';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
export const START = Date.UTC(2026, 0, 1);

function vm(n: number, name: string, running: boolean, disks: number[]): Record<string, unknown> {
  return {
    uuid: `00000000-0000-0000-0000-00000000000${n}`,
    source_specific_id: `vm-${n}`,
    location: `/DC/vm/${name}`,
    name,
    architecture: 'x86_64',
    cpus: 2,
    memory: 4 * GiB,
    running,
    background_import: true,
    os_type: 'linux',
    nics: [{ hardware_address: `00:50:56:00:00:0${n}`, location: '/DC/network/VM Network', uuid: 'net-1', source_specific_id: 'network-1', ipv4_address: `10.0.0.${n}` }],
    disks: disks.map((size, i) => ({ name: `[ds] ${name}/${name}${i ? `_${i}` : ''}.vmdk`, capacity: size * GiB, supported: true, background_import_verified: true })),
  };
}

export const INVENTORY = [vm(1, 'vm-a', true, [10]), vm(2, 'vm-b', true, [10, 20]), vm(3, 'vm-c', false, [5])];

export const SIMULATION = `apiVersion: ferry.dev/v1alpha1
kind: Simulation
metadata: {name: world}
spec:
  start: 2026-01-01T00:00:00Z
  targets:
    east:
      projects: [default, web]
      storage_pools: [default, ssd]
      networks: [VM-Network, migration]
      instances: [{project: web, name: taken}]
      import_rate: 100MiB/s
      create_time: 10s
      post_import_time: 1m
      agent_start_time: 5s
  sources:
    dc: {dirty_rate: 1MiB/s}
`;

export function repositoryFiles(extra: { simulation?: string; events?: string; inventory?: unknown[]; transfer?: 'stream' | 'mover' } = {}): Record<string, string> {
  return {
    'sources/dc.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: dc}\nspec: {type: sim, inventory_file: ../inventory/dc.json}\n',
    'inventory/dc.json': JSON.stringify(extra.inventory ?? INVENTORY, null, 2),
    'targets/east.yaml': `apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: east}\nspec: {type: sim${extra.transfer ? `, transfer: ${extra.transfer}` : ''}}\n`,
    'simulation.yaml': (extra.simulation ?? SIMULATION) + (extra.events ? `  events:\n${extra.events}` : ''),
  };
}

export async function loadDesired(files: Record<string, string>): Promise<{ desired: DesiredState; repo: RepoFiles }> {
  const repo = memoryFiles(files);
  const loaded = await loadRepository(repo);
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((p) => `${p.file}:${p.line}:${p.column} ${p.code} ${p.message}`).join('\n'));
  return { desired: loaded.state, repo };
}

export interface Sim {
  world: SimWorld;
  providers: ProviderSet;
  desired: DesiredState;
  repo: RepoFiles;
}

export async function openSim(options: { events?: string; simulation?: string; inventory?: unknown[]; transfer?: 'stream' | 'mover'; stateFile?: string; readOnly?: boolean } = {}): Promise<Sim> {
  const { desired, repo } = await loadDesired(repositoryFiles(options));
  const world = await openSimWorld({ desired, files: repo, stateFile: options.stateFile ?? null, readOnly: options.readOnly ?? false });
  return { world, providers: createSimProviders(world, desired), desired, repo };
}

export async function record(sim: Sim, name: string): Promise<InstanceRecord> {
  const { instances } = await sim.providers.source('dc').inventory();
  const found = instances.find((i) => i.name === name);
  if (!found) throw new Error(`no VM ${name}`);
  return found;
}

/** The actions of one attempt of one VM, with operation ids `${attempt}/${step}`. */
export function attemptOf(instance: InstanceRecord, attempt = 1, name = instance.name) {
  const attemptId = `${instance.uuid}#${attempt}`;
  const base = { entry: instance.uuid, attempt: attemptId, batch: 'wave' };
  const ref = { target: 'east', project: 'default', name };
  const placement: Placement = {
    target_name: 'east',
    target_project: 'default',
    storage_pools: Object.fromEntries(instance.disks.map((d) => [d.name, 'default'])),
    networks: Object.fromEntries(instance.nics.map((n) => [n.hardware_address, { network: 'VM-Network', nictype: 'managed' as const, vlan_id: '' }])),
    running: true,
  };
  return {
    attemptId,
    placement,
    create: (step = 'create'): CreateInstanceAction => ({ ...base, ...ref, op: `${attemptId}/${step}`, kind: 'create_instance', source: 'dc', instance, placement, migration_network: null }),
    importDisks: (mode: ImportDisksAction['mode'], step: string = mode): ImportDisksAction => ({ ...base, ...ref, op: `${attemptId}/${step}`, kind: 'import_disks', source: 'dc', vm: instance.uuid, mode }),
    cancel: (cancel: string, step = `cancel-${cancel.split('/').pop()}`): CancelOperationAction => ({ ...base, op: `${attemptId}/${step}`, kind: 'cancel_operation', cancel }),
    power: (kind: PowerSourceAction['kind'], step: string = kind): PowerSourceAction => ({ ...base, op: `${attemptId}/${step}`, kind, source: 'dc', vm: instance.uuid }),
    postImport: (step = 'post-import'): PostImportAction => ({ ...base, ...ref, op: `${attemptId}/${step}`, kind: 'post_import' }),
    finalize: (start = true, step = 'finalize', override?: Placement): FinalizeInstanceAction => ({ ...base, ...ref, op: `${attemptId}/${step}`, kind: 'finalize_instance', placement: override ?? placement, start }),
    delete: (step = 'delete'): DeleteInstanceAction => ({ ...base, ...ref, op: `${attemptId}/${step}`, kind: 'delete_instance' }),
  };
}

export function clockOf(sim: Sim): VirtualClock {
  if (!sim.providers.clock.virtual) throw new Error('the simulator has a virtual clock');
  return sim.providers.clock as VirtualClock;
}

/** Runs the clock until nothing is scheduled before `limit`. */
export async function settle(sim: Sim, limit = Infinity): Promise<void> {
  const clock = clockOf(sim);
  for (let next = clock.nextEventAt(); next !== null && next <= limit; next = clock.nextEventAt()) await clock.advanceTo(next);
}
