import type { InstanceDisk, InstanceNic, InstanceRecord } from '../model/instance.js';
import { BOOL, INT64, STRING, named, type ExprType, type IntType, type ObjectType, type StringType, type TimeType } from './types.js';

// The names an include expression can read and their types, derived from `InstanceRecord`. The
// `satisfies` clauses make TypeScript fail when a field is added to, removed from or retyped in the
// instance model without being reflected here; test/expr/env.test.ts compares with the JSON schema.
// Three string fields of the model have a type of their own in migration-manager, which its
// checker does not mix with strings (os_type, distribution, a NIC's uuid), and one is a time
// (last_update_from_source): their types say so, for the warnings of mm-typing.ts.

/** The instance fields an expression sees: all of `InstanceRecord` except `overrides`. */
export type ViewFieldName = Exclude<keyof InstanceRecord, 'overrides'>;

type StringT = StringType | TimeType;
type IntT = IntType;
type BoolT = typeof BOOL;
/** The expression type that corresponds to a TypeScript field type of the instance model. */
type TypeOf<T> = T extends string ? StringT
  : T extends number ? IntT
    : T extends boolean ? BoolT
      : T extends readonly (infer E)[] ? { readonly kind: 'list'; readonly element: { readonly kind: 'object'; readonly name: string; readonly fields: FieldTypes<E> }; readonly typed: true }
        : T extends Record<string, string> ? { readonly kind: 'map'; readonly key: StringT; readonly value: StringT }
          : never;
type FieldTypes<T> = { readonly [K in keyof T]-?: TypeOf<T[K]> };

const NIC_FIELDS = {
  uuid: named('uuid.UUID'),
  source_specific_id: STRING,
  hardware_address: STRING,
  location: STRING,
  ipv4_address: STRING,
  ipv6_address: STRING,

} as const satisfies FieldTypes<InstanceNic>;

const DISK_FIELDS = {
  name: STRING,
  capacity: INT64,
  shared: BOOL,
  supported: BOOL,
  background_import_verified: BOOL,
} as const satisfies FieldTypes<InstanceDisk>;

const SNAPSHOT_FIELDS = { name: STRING } as const satisfies FieldTypes<InstanceRecord['snapshots'][number]>;

export const NIC_TYPE: ObjectType = { kind: 'object', name: 'nic', fields: NIC_FIELDS };
export const DISK_TYPE: ObjectType = { kind: 'object', name: 'disk', fields: DISK_FIELDS };
export const SNAPSHOT_TYPE: ObjectType = { kind: 'object', name: 'snapshot', fields: SNAPSHOT_FIELDS };

const INSTANCE_FIELDS = {
  uuid: STRING,
  source_specific_id: STRING,
  location: STRING,
  name: STRING,
  description: STRING,
  os: STRING,
  os_description: STRING,
  os_template: STRING,
  architecture: STRING,
  cpus: INT64,
  memory: INT64,
  config: { kind: 'map', key: STRING, value: STRING },
  secure_boot: BOOL,
  legacy_boot: BOOL,
  tpm: BOOL,
  running: BOOL,
  background_import: BOOL,
  nics: { kind: 'list', element: { kind: 'object', name: 'nic', fields: NIC_FIELDS }, typed: true },
  disks: { kind: 'list', element: { kind: 'object', name: 'disk', fields: DISK_FIELDS }, typed: true },
  snapshots: { kind: 'list', element: { kind: 'object', name: 'snapshot', fields: SNAPSHOT_FIELDS }, typed: true },
  source: STRING,
  source_type: STRING,
  os_type: named('api.OSType'),
  distribution: named('api.Distro'),
  distribution_version: STRING,
  last_update_from_source: { kind: 'time', field: true },
} as const satisfies { readonly [K in ViewFieldName]-?: TypeOf<InstanceRecord[K]> };

/** The type of the instance view: the names an expression can use at the top level. */
export const INSTANCE_TYPE: ObjectType = { kind: 'object', name: 'instance', fields: INSTANCE_FIELDS };

export function fieldType(name: string): ExprType | undefined {
  return Object.hasOwn(INSTANCE_FIELDS, name) ? INSTANCE_TYPE.fields[name] : undefined;
}
