// The placement of one instance on the target, in migration-manager's shape (queue entry
// `placement`, shared/api/queue.go).

export type NicType = 'managed' | 'bridged' | 'physical';

export interface NetworkPlacement {
  network: string;
  nictype: NicType;
  /** "" or comma-separated VLAN ids (only with bridged or physical NICs). */
  vlan_id: string;
}

export interface Placement {
  target_name: string;
  target_project: string;
  /** Storage pool by disk name (supported disks only). */
  storage_pools: Record<string, string>;
  /** Network placement by NIC hardware (MAC) address. */
  networks: Record<string, NetworkPlacement>;
  /** Whether the target instance should run after migration. */
  running: boolean;
}

/**
 * An empty record for keys that are unique to each instance (disk names, MAC addresses).
 * V8 gives every new key of an ordinary object a new hidden class, which is slow when keys
 * never repeat; deleting a property that is not the last one switches the object to its
 * hash-table representation first, which is 3-4x cheaper here (bench/starlark.bench.ts).
 */
export function uniqueKeyRecord<T>(): Record<string, T> {
  const record: Record<string, unknown> = { first: 0, second: 0 };
  delete record.first;
  delete record.second;
  return record as Record<string, T>;
}

export function copyPlacement(p: Placement): Placement {
  const storage_pools = uniqueKeyRecord<string>();
  for (const disk in p.storage_pools) storage_pools[disk] = p.storage_pools[disk];
  const networks = uniqueKeyRecord<NetworkPlacement>();
  for (const mac in p.networks) {
    const n = p.networks[mac];
    networks[mac] = { network: n.network, nictype: n.nictype, vlan_id: n.vlan_id };
  }
  return { target_name: p.target_name, target_project: p.target_project, storage_pools, networks, running: p.running };
}
