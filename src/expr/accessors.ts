import type { InstanceDisk, InstanceNic } from '../model/instance.js';
import type { ViewFieldName } from './env.js';
import type { StructValue, Value } from './values.js';
import type { ExpressionView } from './view.js';

// One reader function per field, written out. Closures built from a single function expression
// share V8's type feedback, so one generic `view[name]` reader serving every field of every
// expression ends up megamorphic; a reader per field stays monomorphic and fast.

type Readers<T, K extends PropertyKey> = { readonly [F in K]-?: (object: T) => Value };

export const VIEW_READERS: Readers<ExpressionView, ViewFieldName> = {
  uuid: (view) => view.uuid,
  source_specific_id: (view) => view.source_specific_id,
  location: (view) => view.location,
  name: (view) => view.name,
  description: (view) => view.description,
  os: (view) => view.os,
  os_description: (view) => view.os_description,
  os_template: (view) => view.os_template,
  architecture: (view) => view.architecture,
  cpus: (view) => view.cpus,
  memory: (view) => view.memory,
  config: (view) => view.config,
  secure_boot: (view) => view.secure_boot,
  legacy_boot: (view) => view.legacy_boot,
  tpm: (view) => view.tpm,
  running: (view) => view.running,
  background_import: (view) => view.background_import,
  nics: (view) => view.nics as unknown as Value,
  disks: (view) => view.disks as unknown as Value,
  snapshots: (view) => view.snapshots as unknown as Value,
  source: (view) => view.source,
  source_type: (view) => view.source_type,
  os_type: (view) => view.os_type,
  distribution: (view) => view.distribution,
  distribution_version: (view) => view.distribution_version,
  last_update_from_source: (view) => view.last_update_from_source,
};

const DISK_READERS: Readers<InstanceDisk, keyof InstanceDisk> = {
  name: (disk) => disk.name,
  capacity: (disk) => disk.capacity,
  shared: (disk) => disk.shared,
  supported: (disk) => disk.supported,
  background_import_verified: (disk) => disk.background_import_verified,
};

const NIC_READERS: Readers<InstanceNic, keyof InstanceNic> = {
  uuid: (nic) => nic.uuid,
  source_specific_id: (nic) => nic.source_specific_id,
  hardware_address: (nic) => nic.hardware_address,
  location: (nic) => nic.location,
  ipv4_address: (nic) => nic.ipv4_address,
  ipv6_address: (nic) => nic.ipv6_address,
};

const SNAPSHOT_READERS: Readers<{ name: string }, 'name'> = {
  name: (snapshot) => snapshot.name,
};

const STRUCT_READERS: Readonly<Record<string, Readonly<Record<string, (object: never) => Value>>>> = {
  disk: DISK_READERS,
  nic: NIC_READERS,
  snapshot: SNAPSHOT_READERS,
};

/** The reader of a field of the instance view. */
export function viewReader(field: string): (view: ExpressionView) => Value {
  return VIEW_READERS[field as ViewFieldName];
}

/** The reader of a field of a disk, NIC or snapshot; undefined for other struct types. */
export function structReader(struct: string, field: string): ((object: StructValue) => Value) | undefined {
  const readers = STRUCT_READERS[struct];
  return readers && Object.hasOwn(readers, field) ? (readers[field] as (object: StructValue) => Value) : undefined;
}
