// Generated statuses for the store's tests and benchmark: realistic records (placements with
// disks and NICs, transition histories, operations in flight, inventories with tags), the same
// every time for the same parameters.

import {
  emptyStatus,
  type BatchStatus,
  type EntryStatusCode,
  type LedgerEntry,
  type NetworkRecord,
  type QueueEntry,
  type StatusState,
  type TransitionRecord,
} from '../../src/engine/status.js';
import type { InstanceRecord } from '../../src/model/instance.js';

export interface FleetSize {
  batches: number;
  entriesPerBatch: number;
  /** Instances per source in the inventory (the entries refer to the first ones). */
  instances?: number;
  sources?: number;
}

export const T0 = Date.UTC(2026, 10, 20, 22, 0, 0);

export function uuidOf(n: number): string {
  const hex = (n * 2654435761 >>> 0).toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

const STATUSES: EntryStatusCode[] = ['waiting', 'waiting', 'background_import', 'idle', 'final_import', 'finished', 'finished', 'blocked', 'conflict', 'error'];

export function instanceRecord(n: number, source: string): InstanceRecord {
  const name = `app-${n}`;
  return {
    uuid: uuidOf(n),
    source_specific_id: `vm-${1000 + n}`,
    location: `/DC1/vm/app-${n % 500}/${name}`,
    name,
    description: n % 7 === 0 ? `generated VM ${n}` : '',
    os: n % 3 === 0 ? 'Windows Server 2022' : 'Ubuntu 22.04',
    os_description: '',
    os_template: '',
    architecture: 'x86_64',
    cpus: 2 + (n % 14),
    memory: (4 + (n % 28)) * 1024 ** 3,
    config: { 'tag.env': n % 2 === 0 ? 'prod' : 'test', 'tag.team': `team-${n % 40}`, 'vmware.resource_pool': `pool-${n % 9}` },
    secure_boot: n % 5 === 0,
    legacy_boot: false,
    tpm: n % 11 === 0,
    running: n % 4 !== 0,
    background_import: true,
    nics: [
      { uuid: `net-${n % 20}`, source_specific_id: `network-${n % 20}`, hardware_address: mac(n, 1), location: `/DC1/network/vlan-${n % 20}`, ipv4_address: `10.${n % 250}.${(n >> 8) % 250}.10`, ipv6_address: '' },
    ],
    disks: [
      { name: `[ds-${n % 12}] ${name}/${name}.vmdk`, capacity: 64 * 1024 ** 3, shared: false, supported: true, background_import_verified: true },
      { name: `[ds-${n % 12}] ${name}/${name}_1.vmdk`, capacity: (100 + (n % 400)) * 1024 ** 3, shared: false, supported: true, background_import_verified: n % 3 !== 0 },
    ],
    snapshots: n % 13 === 0 ? [{ name: 'before-upgrade' }] : [],
    source,
    source_type: 'vmware',
    os_type: n % 3 === 0 ? 'windows' : 'linux',
    distribution: n % 3 === 0 ? '' : 'ubuntu',
    distribution_version: n % 3 === 0 ? '' : '22.04',
    last_update_from_source: '2026-11-20T21:00:00Z',
  };
}

function mac(n: number, nic: number): string {
  const hex = (n * 16 + nic).toString(16).padStart(6, '0');
  return `00:50:56:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}

export function queueEntry(n: number, batch: string, source: string): QueueEntry {
  const uuid = uuidOf(n);
  const name = `app-${n}`;
  const status = STATUSES[n % STATUSES.length]!;
  const at = T0 + n * 1000;
  const history: TransitionRecord[] = [
    { at, attempt: 1, from: null, to: 'waiting', message: '' },
    { at: at + 60_000, attempt: 1, from: 'waiting', to: 'creating', message: 'Creating the target instance' },
    { at: at + 120_000, attempt: 1, from: 'creating', to: 'background_import', message: 'Background import, pass 1' },
  ];
  if (status !== 'background_import') history.push({ at: at + 600_000, attempt: 1, from: 'background_import', to: status, message: messageFor(status) });
  return {
    uuid,
    batch,
    source,
    location: `/DC1/vm/app-${n % 500}/${name}`,
    name,
    status,
    message: messageFor(status),
    import_stage: status === 'finished' ? 'complete' : status === 'final_import' ? 'final' : 'background',
    mode: n % 9 === 0 ? 'offline' : 'live',
    placement: {
      target_name: `incus-${n % 3}`,
      target_project: `p${n % 7}`,
      storage_pools: { [`[ds-${n % 12}] ${name}/${name}.vmdk`]: 'ssd', [`[ds-${n % 12}] ${name}/${name}_1.vmdk`]: n % 2 === 0 ? 'ssd' : 'hdd' },
      networks: { [mac(n, 1)]: { network: `vlan-${n % 20}`, nictype: 'bridged', vlan_id: String(100 + (n % 20)) } },
      running: true,
    },
    window: status === 'final_import' ? 'night-a' : null,
    attempt: 1 + (n % 2),
    attempt_id: `${uuid}#${1 + (n % 2)}`,
    retries: 0,
    syncs: status === 'idle' ? 3 : 1,
    last_background_sync: status === 'waiting' ? null : at + 300_000,
    source_powered_off: status === 'final_import',
    expression_conflict_raised: false,
    baseline: { uuid, source_specific_id: `vm-${1000 + n}`, name, location: `/DC1/vm/app-${n % 500}/${name}`, disks_digest: `sha256:${uuid.replace(/-/g, '')}` },
    operation:
      status === 'background_import'
        ? { id: `${uuid}#1/import-3`, kind: 'import_disks', mode: 'background', decided_at: at + 120_000, claimed_by: 'ferry@ci', claimed_at: at + 120_000 }
        : null,
    created_at: at,
    updated_at: at + 600_000,
    history,
  };
}

function messageFor(status: EntryStatusCode): string {
  switch (status) {
    case 'blocked':
      return 'The instance has no IPv4 address';
    case 'conflict':
      return 'The target network "vlan-7" does not exist in project "p3" on incus-1';
    case 'error':
      return 'Post-import tasks failed: the VM agent did not start within 5m';
    case 'finished':
      return 'Finished';
    default:
      return '';
  }
}

export function batchStatus(b: number): BatchStatus {
  const name = `wave-${String(b).padStart(3, '0')}`;
  const started = b % 3 !== 0;
  return {
    name,
    status: started ? 'Running' : 'Defined',
    message: '',
    start_date: started ? T0 : null,
    desired_commit: started ? '3f1c2a9e0b7d4c6f8a1e2d3c4b5a69788796a5b4' : null,
    started_spec: started
      ? {
          include_expression: `location matches '^/DC1/vm/app-${b}/'`,
          placement: { target: 'incus-0', target_project: 'default', storage_pool: 'ssd' },
          migration_network: [{ target: 'incus-0', target_project: 'default', network: 'mig', nictype: 'bridged', vlan_id: '100' }],
          placement_scriptlet: null,
          windows: [{ name: 'night-a', start: T0, end: T0 + 4 * 3_600_000, lockout: null, capacity: 20 }],
          constraints: [{ name: 'windows', include_expression: "os_type == 'windows'", max_concurrent_instances: 2, min_instance_boot_time_ms: 1_200_000 }],
        }
      : null,
  };
}

export function ledgerEntry(i: number, batch: string): LedgerEntry {
  return {
    id: `resolutions/r-${i}.yaml#retry-${i}`,
    hash: `sha256:${String(i).padStart(64, '0')}`,
    action: 'retry',
    batch,
    instance: `app-${i}`,
    applied_at: T0 + i * 60_000,
    outcome: 'applied',
    message: 'Queued again',
    desired_commit: '3f1c2a9e0b7d4c6f8a1e2d3c4b5a69788796a5b4',
  };
}

export function networkRecord(i: number, source: string): NetworkRecord {
  return {
    uuid: `net-${i}`,
    source_specific_id: `network-${i}`,
    source,
    type: i % 2 === 0 ? 'standard' : 'distributed',
    location: `/DC1/network/vlan-${i}`,
    properties: { vlan: 100 + i, uplinks: ['uplink-1', 'uplink-2'] },
  };
}

/** A campaign's status: `batches` batches of `entriesPerBatch` entries, and the inventory they came from. */
export function generateStatus(size: FleetSize): StatusState {
  const status = emptyStatus();
  const sources = size.sources ?? 1;
  const instances = size.instances ?? size.batches * size.entriesPerBatch;
  status.desired_commit = '3f1c2a9e0b7d4c6f8a1e2d3c4b5a69788796a5b4';
  status.updated_at = T0 + 3_600_000;
  for (let s = 0; s < sources; s++) {
    const source = `dc${s + 1}`;
    const list: InstanceRecord[] = [];
    for (let n = s; n < instances; n += sources) list.push(instanceRecord(n, source));
    // The store returns inventories sorted by UUID; generated ones are too, so they compare equal.
    list.sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
    const networks = Array.from({ length: 20 }, (_, i) => networkRecord(i, source)).sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
    status.inventory[source] = { synced_at: T0, instances: list, networks };
  }
  let n = 0;
  for (let b = 0; b < size.batches; b++) {
    const batch = batchStatus(b);
    status.batches[batch.name] = batch;
    for (let e = 0; e < size.entriesPerBatch; e++, n++) {
      const entry = queueEntry(n, batch.name, `dc${(n % sources) + 1}`);
      status.entries[entry.uuid] = entry;
    }
    if (b % 10 === 0) {
      const resolution = ledgerEntry(b, batch.name);
      status.ledger[resolution.id] = resolution;
    }
  }
  return status;
}
