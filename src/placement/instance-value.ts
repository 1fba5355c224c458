// The `instance` a placement scriptlet sees: migration-manager's instance JSON as an attribute
// value (instance.disks[0].capacity, instance.nics[i].hardware_address,
// instance.config['tag.x'], instance.overrides.cpus). Fields convert on first access, so an
// instance costs only what the scriptlet reads. Deviation from migration-manager: `uuid` is
// a string, not a list of 16 ints.

import { guestPreparation } from '../engine/preparation.js';
import type { InstanceOverrides, InstanceRecord } from '../model/instance.js';
import { AttributeObject, fromJSON, StarDict, StarList, toStarlarkString, type Value } from '../starlark/index.js';

/** A JSON value with strings, ints, floats, booleans, arrays and objects. */
export function plainValue(raw: unknown): Value {
  if (typeof raw === 'string') return toStarlarkString(raw);
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
  if (typeof raw === 'boolean') return raw;
  return fromJSON(raw);
}

function stringDict(raw: unknown): StarDict {
  const d = new StarDict();
  if (raw !== null && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) d.setKey(toStarlarkString(k), plainValue(v));
  }
  return d;
}

function plainField(_name: string, raw: unknown): Value {
  return plainValue(raw);
}

const OVERRIDE_DEFAULTS: Required<InstanceOverrides> = {
  name: '',
  cpus: 0,
  memory: 0,
  config: {},
  architecture: '',
  os_type: '',
  distribution: '',
  distribution_version: '',
  comment: '',
  disable_migration: false,
  ignore_restrictions: false,
  started_after_migration: false,
  stopped_after_migration: false,
  guest_preparation: 'auto',
};

function overridesValue(raw: InstanceOverrides | undefined): AttributeObject {
  return new AttributeObject('overrides', { ...OVERRIDE_DEFAULTS, ...raw }, (name, v) => (name === 'config' ? stringDict(v) : plainValue(v)));
}

function records(typeName: string, items: readonly object[]): StarList {
  return new StarList(items.map((item) => new AttributeObject(typeName, item as Record<string, unknown>, plainField)));
}

function instanceField(name: string, raw: unknown): Value {
  switch (name) {
    case 'config':
      return stringDict(raw);
    case 'disks':
      return records('disk', raw as object[]);
    case 'nics':
      return records('nic', raw as object[]);
    case 'snapshots':
      return records('snapshot', raw as object[]);
    case 'overrides':
      return overridesValue(raw as InstanceOverrides | undefined);
    default:
      return plainValue(raw);
  }
}

/** migration-manager's instance JSON, overrides always present. */
const RECORD_FIELDS = [
  'uuid',
  'source_specific_id',
  'location',
  'name',
  'description',
  'os',
  'os_description',
  'os_template',
  'architecture',
  'cpus',
  'memory',
  'config',
  'secure_boot',
  'legacy_boot',
  'tpm',
  'running',
  'background_import',
  'nics',
  'disks',
  'snapshots',
  'source',
  'source_type',
  'os_type',
  'distribution',
  'distribution_version',
  'last_update_from_source',
  'overrides',
] satisfies (keyof InstanceRecord)[];

/**
 * The fields of `instance`: migration-manager's, and Ferry's `guest_preparation` — what the mover
 * will prepare if the VM goes to a `transfer: mover` target: "linux", "windows", "detect" (forced;
 * the mover detects it from the disk) or "none" (src/engine/preparation.ts).
 */
export const INSTANCE_FIELDS: ReadonlySet<string> = new Set([...RECORD_FIELDS, 'guest_preparation']);

export function instanceValue(instance: InstanceRecord): AttributeObject {
  const convert = (name: string, raw: unknown): Value => (name === 'guest_preparation' ? toStarlarkString(guestPreparation(instance).preparation) : instanceField(name, raw));
  return new AttributeObject('instance', instance as unknown as Readonly<Record<string, unknown>>, convert, INSTANCE_FIELDS);
}
