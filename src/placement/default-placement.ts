// The placement an instance gets before any scriptlet runs (migration-manager's
// Batch.GetIncusPlacement, research §5.5): the batch's default target, project and storage
// pool, one managed NIC per source NIC on a network named after the NIC's network, and the
// source power state adjusted by the instance's power overrides.

import type { InstanceRecord } from '../model/instance.js';
import { uniqueKeyRecord, type NetworkPlacement, type Placement } from './placement.js';

/** The batch's `defaults` (only the part placement uses). */
export interface BatchPlacementDefaults {
  placement: { target: string; target_project: string; storage_pool: string };
}

/** Network overrides by the network's location (inventory path) or uuid. */
export type NetworkOverrides = ReadonlyMap<string, Partial<NetworkPlacement>> | Readonly<Record<string, Partial<NetworkPlacement>>>;

function overrideFor(overrides: NetworkOverrides | undefined, keys: string[]): Partial<NetworkPlacement> | undefined {
  if (overrides === undefined) return undefined;
  for (const key of keys) {
    if (key === '') continue;
    const found = overrides instanceof Map ? overrides.get(key) : (overrides as Record<string, Partial<NetworkPlacement>>)[key];
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The target network name for a source network location: its basename, spaces as dashes. */
export function defaultNetworkName(location: string): string {
  let end = location.length;
  while (end > 1 && location[end - 1] === '/') end--;
  const base = location.slice(location.lastIndexOf('/', end - 1) + 1, end);
  return base.includes(' ') ? base.split(' ').join('-') : base;
}

export function defaultPlacement(instance: InstanceRecord, defaults: BatchPlacementDefaults, networkOverrides?: NetworkOverrides): Placement {
  const storage_pools = uniqueKeyRecord<string>();
  for (const disk of instance.disks) if (disk.supported) storage_pools[disk.name] = defaults.placement.storage_pool;

  const networks = uniqueKeyRecord<NetworkPlacement>();
  for (const nic of instance.nics) {
    const placement: NetworkPlacement = { network: defaultNetworkName(nic.location), nictype: 'managed', vlan_id: '' };
    const override = overrideFor(networkOverrides, [nic.location, nic.uuid]);
    networks[nic.hardware_address] = override === undefined ? placement : { ...placement, ...override };
  }

  let running = instance.running;
  if (instance.overrides?.started_after_migration === true) running = true;
  if (instance.overrides?.stopped_after_migration === true) running = false;

  return {
    target_name: defaults.placement.target,
    target_project: defaults.placement.target_project,
    storage_pools,
    networks,
    running,
  };
}
