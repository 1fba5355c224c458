import type { Disk, Instance, Nic, Overrides } from './generated/instance.js';

export type { Instance as InstanceDocument, Disk as DiskDocument, Nic as NicDocument, Overrides as InstanceOverrides };

/** A source NIC with every field present. */
export type InstanceNic = Required<Nic>;
/** A source disk with every field present. */
export type InstanceDisk = Required<Disk>;

/**
 * A source VM in migration-manager's instance shape with every field present (defaults filled in).
 * This is what include expressions and placement scriptlets see, and what the inventory holds.
 */
export interface InstanceRecord extends Required<Omit<Instance, 'nics' | 'disks' | 'overrides' | 'snapshots'>> {
  nics: InstanceNic[];
  disks: InstanceDisk[];
  snapshots: { name: string }[];
  overrides?: Overrides;
}

export function normalizeInstance(input: Instance): InstanceRecord {
  const record: InstanceRecord = {
    uuid: input.uuid,
    source_specific_id: input.source_specific_id ?? '',
    location: input.location,
    name: input.name,
    description: input.description ?? '',
    os: input.os ?? '',
    os_description: input.os_description ?? '',
    os_template: input.os_template ?? '',
    architecture: input.architecture ?? '',
    cpus: input.cpus ?? 0,
    memory: input.memory ?? 0,
    config: { ...(input.config ?? {}) },
    secure_boot: input.secure_boot ?? false,
    legacy_boot: input.legacy_boot ?? false,
    tpm: input.tpm ?? false,
    running: input.running ?? false,
    background_import: input.background_import ?? false,
    nics: (input.nics ?? []).map((nic) => ({
      uuid: nic.uuid ?? '',
      source_specific_id: nic.source_specific_id ?? '',
      hardware_address: nic.hardware_address,
      location: nic.location ?? '',
      ipv4_address: nic.ipv4_address ?? '',
      ipv6_address: nic.ipv6_address ?? '',
    })),
    disks: (input.disks ?? []).map((disk) => ({
      name: disk.name,
      capacity: disk.capacity ?? 0,
      shared: disk.shared ?? false,
      supported: disk.supported ?? true,
      background_import_verified: disk.background_import_verified ?? false,
    })),
    snapshots: (input.snapshots ?? []).map((snapshot) => ({ name: snapshot.name })),
    source: input.source ?? '',
    source_type: input.source_type ?? '',
    os_type: input.os_type ?? '',
    distribution: input.distribution ?? '',
    distribution_version: input.distribution_version ?? '',
    last_update_from_source: input.last_update_from_source ?? '',
  };
  if (input.overrides) record.overrides = { ...input.overrides };
  return record;
}
