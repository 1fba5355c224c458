// Syncs are frozen for a running batch's instances (migration-manager PR #495, research §1.2):
// once a batch runs, a source sync no longer changes the instance record its entries are placed
// and checked by — only the final source check reads the VM fresh and judges the difference. An
// entry that is Blocked keeps syncing, so a fix made in vCenter (an OS, an IP) reaches it. Pure.

import type { InstanceRecord } from '../model/instance.js';
import type { SourceInventory, StatusState } from './status.js';

/** The UUIDs of the source's instances whose records are frozen. */
function frozenInstances(status: StatusState, source: string): Set<string> {
  const frozen = new Set<string>();
  for (const uuid in status.entries) {
    const entry = status.entries[uuid]!;
    if (entry.source !== source || entry.status === 'blocked') continue;
    const batch = status.batches[entry.batch]?.status;
    if (batch === 'Running' || batch === 'Error') frozen.add(uuid);
  }
  return frozen;
}

/**
 * A synced inventory with every frozen instance's record as the previous snapshot had it. A VM the
 * sync no longer lists is not kept: its absence is not a change to its record but news the entry
 * acts on (a Waiting entry is Blocked rather than create a target for a VM that is gone; one in
 * flight learns it from its own VM fetch). The synced inventory itself when nothing is frozen.
 */
export function frozenInventory(status: StatusState, source: string, synced: SourceInventory): SourceInventory {
  const previous = status.inventory[source];
  if (previous === undefined || previous === synced) return synced;
  const frozen = frozenInstances(status, source);
  if (frozen.size === 0) return synced;
  const kept = new Map<string, InstanceRecord>();
  for (const instance of previous.instances) if (frozen.has(instance.uuid)) kept.set(instance.uuid, instance);
  if (kept.size === 0) return synced;
  return { ...synced, instances: synced.instances.map((instance) => kept.get(instance.uuid) ?? instance) };
}
