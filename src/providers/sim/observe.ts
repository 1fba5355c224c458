// Read-only views of a simulated world in the shapes the ports return. Nothing here changes the
// world or its file (plan relies on it). Every view is a copy: callers may keep or change it.

import type { OperationObservation, SourceObservation, TargetInstanceObservation, TargetObservation } from '../../engine/observations.js';
import type { NetworkRecord } from '../../engine/status.js';
import type { InstanceRecord } from '../../model/instance.js';
import { formatTimestamp } from '../../model/timestamp.js';
import type { SimWorld } from './sim-world.js';
import { ATTEMPT_KEY, ENTRY_KEY, guestOutcome } from './state.js';
import { moverPass, wholeNote } from './mover-pass.js';
import { transferDone } from './transfer-calls.js';

export function describeSource(world: SimWorld, name: string): SourceObservation {
  const unreachable = world.unreachable('source', name);
  const source = world.state.sources[name];
  return { reachable: unreachable === null, message: unreachable ?? 'connected (simulated vCenter)', background_import: source?.background_import ?? false };
}

/** The VM as vCenter would report it, read at `readAt` (a timestamp). */
export function vmRecord(record: InstanceRecord, readAt: string): InstanceRecord {
  const copy: InstanceRecord = {
    ...record,
    config: { ...record.config },
    nics: record.nics.map((nic) => ({ ...nic })),
    disks: record.disks.map((disk) => ({ ...disk })),
    snapshots: record.snapshots.map((snapshot) => ({ ...snapshot })),
    last_update_from_source: readAt,
  };
  if (record.overrides) copy.overrides = { ...record.overrides };
  return copy;
}

/** Every VM of a source, and the networks its VMs' NICs are on. O(VMs). */
export function sourceInventory(world: SimWorld, name: string): { instances: InstanceRecord[]; networks: NetworkRecord[] } {
  const source = world.state.sources[name];
  const instances: InstanceRecord[] = [];
  const networks = new Map<string, NetworkRecord>();
  if (!source) return { instances, networks: [] };
  const readAt = formatTimestamp(world.now());
  for (const vm of Object.values(source.vms)) {
    instances.push(vmRecord(vm.record, readAt));
    for (const nic of vm.record.nics) {
      const key = nic.uuid || nic.location;
      if (!networks.has(key)) {
        networks.set(key, { uuid: nic.uuid, source_specific_id: nic.source_specific_id, source: name, type: 'standard', location: nic.location, properties: {} });
      }
    }
  }
  return { instances, networks: [...networks.values()] };
}

export function observeTarget(world: SimWorld, name: string, projects: readonly string[]): TargetObservation {
  const unreachable = world.unreachable('target', name);
  const target = world.state.targets[name];
  if (unreachable !== null || !target) return { reachable: false, message: unreachable ?? `target ${name} is not simulated`, projects: {} };
  const observed: TargetObservation = { reachable: true, message: 'connected (simulated Incus)', projects: {} };
  for (const project of projects) {
    if (!target.projects.includes(project)) continue;
    const instances: Record<string, TargetInstanceObservation> = {};
    for (const instance of Object.values(target.instances[project] ?? {})) {
      instances[instance.name] = {
        running: instance.running,
        entry: instance.config[ENTRY_KEY] ?? null,
        attempt: instance.config[ATTEMPT_KEY] ?? null,
      };
    }
    observed.projects[project] = { pools: [...target.storage_pools], networks: [...target.networks], instances };
  }
  return observed;
}

/** An operation as its owner reports it; undefined when it never ran there. */
export function observeOperation(world: SimWorld, id: string, owner: string): OperationObservation | undefined {
  const op = world.state.ops[id];
  if (!op) {
    const ended = world.state.ended[id];
    if (!ended || ended.owner !== owner) return undefined;
    return { state: ended.state, message: ended.message, ...(ended.progress ? { progress: { ...ended.progress } } : {}), ended_at: ended.ended_at, ...ended.guest };
  }
  if (op.owner !== owner) return undefined;
  const observed: OperationObservation = { state: op.state, message: op.message };
  if (op.transfer) {
    const done = transferDone(op, world.now());
    observed.progress = { done, total: op.transfer.total };
    if (op.state === 'running' && op.transfer.stopping_since === null) {
      const t = op.transfer;
      observed.message = t.transport === 'mover'
        ? `${moverPass(t.mode)} pass (mover): ${done} of ${t.total} bytes${wholeNote(t.disks)}`
        : `${t.mode} copy: ${done} of ${t.total} bytes`;
    }
  }
  if (op.ended_at !== null) observed.ended_at = op.ended_at;
  return { ...observed, ...guestOutcome(op) };
}
