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

export function copyPlacement(p: Placement): Placement {
  const networks: Record<string, NetworkPlacement> = {};
  for (const [mac, n] of Object.entries(p.networks)) networks[mac] = { ...n };
  return { ...p, storage_pools: { ...p.storage_pools }, networks };
}
