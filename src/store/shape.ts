// The shape of every record the status branch holds, written once and used three ways: to check
// what is read, to write it in one canonical key order (so the same status gives the same bytes),
// and to convert times for the files people read (status.yaml, batches/*.json). The field lists are typed against the
// engine's interfaces, so a field added there does not compile until it is added here.

import {
  ENTRY_STATUS_TEXT,
  type ArchivedTransition,
  type BatchAssignment,
  type BatchStatus,
  type BatchStatusCode,
  type EntryBaseline,
  type EntryCleanup,
  type ImportStage,
  type LedgerEntry,
  type MigrationMode,
  type NetworkRecord,
  type Operation,
  type OperationKind,
  type Pause,
  type QueueEntry,
  type ResolutionOutcome,
  type StartedSpec,
  type TargetInstanceRecord,
  type TargetInstanceRef,
  type TargetProjectRecord,
  type TargetRecord,
  type TransitionRecord,
} from '../engine/status.js';
import type { InstanceDisk, InstanceNic, InstanceOverrides, InstanceRecord } from '../model/instance.js';
import { parseTimestamp, formatTimestamp } from '../model/timestamp.js';
import type { NetworkPlacement, NicType, Placement } from '../placement/index.js';

export type Shape =
  | { kind: 'string' }
  | { kind: 'int' }
  | { kind: 'number' }
  | { kind: 'bool' }
  /** Epoch milliseconds: a number in JSON Lines, an RFC 3339 UTC string in the files people read. */
  | { kind: 'time' }
  | { kind: 'enum'; values: ReadonlySet<string> }
  | { kind: 'nullable'; of: Shape }
  /** Only as an object field: the key may be absent. */
  | { kind: 'optional'; of: Shape }
  | { kind: 'array'; of: Shape }
  /** A mapping with free keys (disk names, MAC addresses, config keys), written with sorted keys. */
  | { kind: 'record'; of: Shape }
  | { kind: 'object'; keys: readonly string[]; fields: Readonly<Record<string, Shape>> }
  /** Any JSON value (a source's free-form network properties), written with sorted keys. */
  | { kind: 'json' };

const string: Shape = { kind: 'string' };
const int: Shape = { kind: 'int' };
const number: Shape = { kind: 'number' };
const bool: Shape = { kind: 'bool' };
const time: Shape = { kind: 'time' };
const json: Shape = { kind: 'json' };
const nullable = (of: Shape): Shape => ({ kind: 'nullable', of });
const optional = (of: Shape): Shape => ({ kind: 'optional', of });
const array = (of: Shape): Shape => ({ kind: 'array', of });
const record = (of: Shape): Shape => ({ kind: 'record', of });

/** Every member of a string union, checked exhaustive by the compiler. */
function oneOf<T extends string>(members: Record<T, true>): Shape {
  return { kind: 'enum', values: new Set(Object.keys(members)) };
}

/** An object shape listing every key of T (optional ones too), in the order they are written. */
function object<T>(fields: { [K in keyof T]-?: Shape }): Shape {
  return { kind: 'object', keys: Object.keys(fields), fields: fields as Record<string, Shape> };
}

/** ENTRY_STATUS_TEXT has one key per status code, so this set is complete by construction. */
const entryStatus: Shape = { kind: 'enum', values: new Set(Object.keys(ENTRY_STATUS_TEXT)) };

const placement = object<Placement>({
  target_name: string,
  target_project: string,
  storage_pools: record(string),
  networks: record(
    object<NetworkPlacement>({
      network: string,
      nictype: oneOf<NicType>({ managed: true, bridged: true, physical: true }),
      vlan_id: string,
    }),
  ),
  running: bool,
});

const operation = object<Operation>({
  id: string,
  kind: oneOf<OperationKind>({
    create_instance: true,
    import_disks: true,
    cancel_operation: true,
    power_off_source: true,
    power_on_source: true,
    post_import: true,
    finalize_instance: true,
    delete_instance: true,
  }),
  mode: optional(oneOf<NonNullable<Operation['mode']>>({ background: true, final: true, offline: true })),
  decided_at: time,
  claimed_by: string,
  claimed_at: time,
});

/** A transition's folded repeats (src/engine/entry-history.ts). */
const REPEATS = object<{ times: number; last_at: number }>({ times: int, last_at: time });

export const QUEUE_ENTRY = object<QueueEntry>({
  uuid: string,
  batch: string,
  source: string,
  name: string,
  location: string,
  status: entryStatus,
  message: string,
  import_stage: oneOf<ImportStage>({ background: true, final: true, complete: true }),
  mode: oneOf<MigrationMode>({ live: true, offline: true }),
  placement,
  window: nullable(string),
  attempt: int,
  attempt_id: string,
  retries: int,
  syncs: int,
  last_background_sync: nullable(time),
  source_powered_off: bool,
  expression_conflict_raised: bool,
  baseline: object<EntryBaseline>({ uuid: string, source_specific_id: string, name: string, location: string, disks_digest: string }),
  operation: nullable(operation),
  created_at: time,
  updated_at: time,
  history: array(object<TransitionRecord>({ at: time, attempt: int, from: nullable(entryStatus), to: entryStatus, message: string, repeats: optional(REPEATS) })),
  steps: optional(int),
  cleanup: optional(
    nullable(
      object<EntryCleanup>({
        delete_target: nullable(object<TargetInstanceRef>({ target: string, project: string, name: string, attempt_id: string })),
        remove_entry: bool,
      }),
    ),
  ),
});

const stringMap = record(string);

export const INSTANCE_RECORD = object<InstanceRecord>({
  uuid: string,
  source_specific_id: string,
  location: string,
  name: string,
  description: string,
  os: string,
  os_description: string,
  os_template: string,
  architecture: string,
  cpus: number,
  memory: number,
  config: stringMap,
  secure_boot: bool,
  legacy_boot: bool,
  tpm: bool,
  running: bool,
  background_import: bool,
  nics: array(
    object<InstanceNic>({
      uuid: string,
      source_specific_id: string,
      hardware_address: string,
      location: string,
      ipv4_address: string,
      ipv6_address: string,
    }),
  ),
  disks: array(object<InstanceDisk>({ name: string, capacity: number, shared: bool, supported: bool, background_import_verified: bool })),
  snapshots: array(object<{ name: string }>({ name: string })),
  source: string,
  source_type: string,
  os_type: string,
  distribution: string,
  distribution_version: string,
  last_update_from_source: string,
  overrides: optional(
    object<InstanceOverrides>({
      name: optional(string),
      cpus: optional(number),
      memory: optional(number),
      config: optional(stringMap),
      architecture: optional(string),
      os_type: optional(string),
      distribution: optional(string),
      distribution_version: optional(string),
      comment: optional(string),
      disable_migration: optional(bool),
      ignore_restrictions: optional(bool),
      started_after_migration: optional(bool),
      stopped_after_migration: optional(bool),
      guest_preparation: optional(string),
    }),
  ),
});

export const NETWORK_RECORD = object<NetworkRecord>({
  uuid: string,
  source_specific_id: string,
  source: string,
  type: oneOf<NetworkRecord['type']>({ standard: true, distributed: true, 'nsx-distributed': true, nsx: true }),
  location: string,
  properties: record(json),
});

export const LEDGER_ENTRY = object<LedgerEntry>({
  id: string,
  hash: string,
  action: oneOf<LedgerEntry['action']>({ resolve: true, retry: true, cancel: true, reset: true }),
  batch: string,
  instance: nullable(string),
  applied_at: time,
  outcome: oneOf<ResolutionOutcome>({ applied: true, rejected: true }),
  message: string,
  desired_commit: nullable(string),
});

export const BATCH_STATUS = object<BatchStatus>({
  name: string,
  status: oneOf<BatchStatusCode>({ Defined: true, Running: true, Stopped: true, Finished: true, Error: true }),
  message: string,
  start_date: nullable(time),
  desired_commit: nullable(string),
  started_spec: nullable(
    object<StartedSpec>({
      include_expression: string,
      placement: object<StartedSpec['placement']>({ target: string, target_project: string, storage_pool: string }),
      migration_network: array(
        object<StartedSpec['migration_network'][number]>({ target: string, target_project: string, network: string, nictype: string, vlan_id: string }),
      ),
      placement_scriptlet: nullable(string),
      windows: array(
        object<StartedSpec['windows'][number]>({ name: string, start: nullable(time), end: nullable(time), lockout: nullable(time), capacity: int }),
      ),
      constraints: array(
        object<StartedSpec['constraints'][number]>({
          name: string,
          include_expression: string,
          max_concurrent_instances: int,
          min_instance_boot_time_ms: nullable(int),
        }),
      ),
    }),
  ),
  retired_attempts: optional(record(int)),
});

/** An operator's pause (status.yaml's `paused:`), times as RFC 3339 there. */
export const PAUSE = object<Pause>({ by: string, at: time, reason: string });

/** The archived transitions of one instance (archive/<shard>.jsonl), oldest first. */
export const ARCHIVE_RECORD = object<{ uuid: string; transitions: ArchivedTransition[] }>({
  uuid: string,
  transitions: array(object<ArchivedTransition>({ at: time, attempt: int, batch: string, from: nullable(entryStatus), to: entryStatus, message: string, repeats: optional(REPEATS) })),
});

/** A Defined batch's assignment (assignments/<batch>.json). The name is the file's; it is written first. */
export const BATCH_ASSIGNMENT = object<BatchAssignment & { batch: string }>({
  batch: string,
  include_expression: string,
  instances: array(string),
});

/** A target's recorded layout (targets/<target>.json). The name is the file's; it is written first. */
export const TARGET_RECORD = object<TargetRecord & { name: string }>({
  name: string,
  recorded_at: time,
  projects: record(
    object<TargetProjectRecord>({
      pools: array(string),
      networks: array(string),
      instances: record(object<TargetInstanceRecord>({ running: bool, entry: nullable(string), attempt: nullable(string) })),
    }),
  ),
});

/** A value that does not fit its shape: where (keys and indexes inside the record) and what was expected. */
export class ShapeError extends Error {
  readonly path: (string | number)[] = [];
  /** What is wrong, as a phrase: "expected an integer", "no such field (known: …)". */
  constructor(readonly problem: string) {
    super(problem);
  }

  /** The place as people read it: `placement.networks["00:16:3e:aa"].vlan_id`, `history[2].at`. */
  get where(): string {
    let out = '';
    for (const key of this.path) {
      if (typeof key === 'number') out += `[${key}]`;
      else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out += out ? `.${key}` : key;
      else out += `[${JSON.stringify(key)}]`;
    }
    return out;
  }
}

/** Rethrows a ShapeError from inside `key` with the key added to its path. */
function inside(error: unknown, key: string | number): never {
  if (error instanceof ShapeError) {
    error.path.unshift(key);
    error.message = `${error.where}: ${error.problem}`;
  }
  throw error;
}

function describe(shape: Shape): string {
  switch (shape.kind) {
    case 'string':
      return 'a string';
    case 'int':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'bool':
      return 'true or false';
    case 'time':
      return 'a time in epoch milliseconds';
    case 'enum':
      return `one of ${[...shape.values].join(', ')}`;
    case 'nullable':
      return `${describe(shape.of)} or null`;
    case 'optional':
      return describe(shape.of);
    case 'array':
      return 'a list';
    case 'record':
    case 'object':
      return 'a mapping';
    case 'json':
      return 'a JSON value';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * One copy of each short string the records read share. JSON.parse makes a new string for every
 * value, and a status repeats most of them: an entry's status, message and history words, batch
 * and source names, and the VM's UUID, name and location in its entry and its baseline. The
 * copies were 8 of the 70 MiB a status of 10,000 entries in flight takes in memory
 * (docs/performance.md, "200,000 instances"). Bounded: emptied when full, which costs a copy of
 * each string seen again, never a wrong value.
 */
const STRING_POOL_LIMIT = 1 << 16;
const INTERNED_MAX_LENGTH = 128;
const stringPool = new Map<string, string>();

function internString(value: string): string {
  if (value.length > INTERNED_MAX_LENGTH) return value;
  const known = stringPool.get(value);
  if (known !== undefined) return known;
  if (stringPool.size >= STRING_POOL_LIMIT) stringPool.clear();
  stringPool.set(value, value);
  return value;
}

/** A shape turned into closures once, so checking and writing millions of values does not dispatch on kinds. */
interface Compiled {
  /** Checks a value read from a file and freezes it, deeply. */
  check(value: unknown): void;
  /** The value as canonical compact JSON (shape order, sorted free keys), checked on the way. */
  write(value: unknown): string;
}

const compiledShapes = new WeakMap<Shape, Compiled>();

function compile(shape: Shape): Compiled {
  let compiled = compiledShapes.get(shape);
  if (!compiled) compiledShapes.set(shape, (compiled = build(shape)));
  return compiled;
}

function fail(shape: Shape): never {
  throw new ShapeError(`expected ${describe(shape)}`);
}

function build(shape: Shape): Compiled {
  switch (shape.kind) {
    case 'string':
      return {
        check: (v) => void (typeof v === 'string' || fail(shape)),
        write: (v) => (typeof v === 'string' ? JSON.stringify(v) : fail(shape)),
      };
    case 'int':
    case 'time':
      return {
        check: (v) => void (Number.isSafeInteger(v) || fail(shape)),
        write: (v) => (Number.isSafeInteger(v) ? String(v) : fail(shape)),
      };
    case 'number':
      return {
        check: (v) => void ((typeof v === 'number' && Number.isFinite(v)) || fail(shape)),
        write: (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : fail(shape)),
      };
    case 'bool':
      return {
        check: (v) => void (typeof v === 'boolean' || fail(shape)),
        write: (v) => (v === true ? 'true' : v === false ? 'false' : fail(shape)),
      };
    case 'enum':
      return {
        check: (v) => void ((typeof v === 'string' && shape.values.has(v)) || fail(shape)),
        write: (v) => (typeof v === 'string' && shape.values.has(v) ? JSON.stringify(v) : fail(shape)),
      };
    case 'nullable':
    case 'optional': {
      const inner = compile(shape.of);
      const empty = shape.kind === 'nullable' ? null : undefined;
      return {
        check: (v) => void (v === empty || inner.check(v)),
        write: (v) => (v === null && shape.kind === 'nullable' ? 'null' : inner.write(v)),
      };
    }
    case 'array': {
      const item = compile(shape.of);
      return {
        check(v) {
          if (!Array.isArray(v)) fail(shape);
          let i = 0;
          try {
            for (; i < v.length; i++) item.check(v[i]);
          } catch (error) {
            inside(error, i);
          }
          Object.freeze(v);
        },
        write(v) {
          if (!Array.isArray(v)) fail(shape);
          let out = '[';
          let i = 0;
          try {
            for (; i < v.length; i++) out += (i === 0 ? '' : ',') + item.write(v[i]);
          } catch (error) {
            inside(error, i);
          }
          return `${out}]`;
        },
      };
    }
    case 'record': {
      const item = compile(shape.of);
      return {
        check(v) {
          if (!isPlainObject(v)) fail(shape);
          let key = '';
          try {
            for (key in v) {
              const value = v[key];
              item.check(value);
              if (typeof value === 'string') v[key] = internString(value);
            }
          } catch (error) {
            inside(error, key);
          }
          Object.freeze(v);
        },
        write(v) {
          if (!isPlainObject(v)) fail(shape);
          // The default sort compares UTF-16 code units: compareCodeUnits' order.
          const keys = Object.keys(v).sort();
          let out = '{';
          let key = '';
          try {
            for (let i = 0; i < keys.length; i++) {
              key = keys[i]!;
              out += `${i === 0 ? '' : ','}${JSON.stringify(key)}:${item.write(v[key])}`;
            }
          } catch (error) {
            inside(error, key);
          }
          return `${out}}`;
        },
      };
    }
    case 'object': {
      const fields = shape.keys.map((key) => ({
        key,
        prefix: `${JSON.stringify(key)}:`,
        optional: shape.fields[key]!.kind === 'optional',
        compiled: compile(shape.fields[key]!),
        missing: `expected ${describe(shape.fields[key]!)} (the field is missing)`,
      }));
      const known = `no such field (known: ${shape.keys.join(', ')})`;
      return {
        check(v) {
          if (!isPlainObject(v)) fail(shape);
          let key = '';
          try {
            let present = 0;
            for (const field of fields) {
              key = field.key;
              const item = v[key];
              if (item === undefined) {
                if (hasOwn.call(v, key)) throw new ShapeError('expected a value, not undefined');
                if (field.optional) continue;
                throw new ShapeError(field.missing);
              }
              present++;
              field.compiled.check(item);
              if (typeof item === 'string') v[key] = internString(item);
            }
            // Same number of keys as known fields found: nothing unknown. Otherwise find the stranger.
            if (Object.keys(v).length !== present) {
              for (key in v) if (!hasOwn.call(shape.fields, key)) throw new ShapeError(known);
            }
          } catch (error) {
            inside(error, key);
          }
          Object.freeze(v);
        },
        write(v) {
          if (!isPlainObject(v)) fail(shape);
          let out = '{';
          let key = '';
          try {
            for (const field of fields) {
              key = field.key;
              const item = v[key];
              if (item === undefined && field.optional) continue;
              out += (out.length === 1 ? '' : ',') + field.prefix + field.compiled.write(item);
            }
          } catch (error) {
            inside(error, key);
          }
          return `${out}}`;
        },
      };
    }
    case 'json':
      return { check: checkJson, write: (v) => JSON.stringify(canonicalJson(v)) };
  }
}

/**
 * Checks a record read from a file and freezes it, deeply: what the store hands out is immutable,
 * so a record that is still the same object later is still the same record (the write fast path).
 * Unknown keys are refused: a field this Ferry does not know means the file is not its format.
 */
export function checkAndFreeze(shape: Shape, value: unknown): void {
  compile(shape).check(value);
}

/** One record as a line of canonical JSON: the same record always gives the same bytes. */
export function jsonLine(shape: Shape, value: unknown): string {
  return compile(shape).write(value);
}

function checkJson(value: unknown): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ShapeError('expected a finite number');
    return;
  }
  if (Array.isArray(value)) {
    let i = 0;
    try {
      for (; i < value.length; i++) checkJson(value[i]);
    } catch (error) {
      inside(error, i);
    }
    Object.freeze(value);
    return;
  }
  if (isPlainObject(value)) {
    let key = '';
    try {
      for (key in value) checkJson(value[key]);
    } catch (error) {
      inside(error, key);
    }
    Object.freeze(value);
    return;
  }
  throw new ShapeError('expected a JSON value');
}

/** Plain code-unit order: the same in every locale and every JavaScript engine. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).sort(compareCodeUnits);
}

/**
 * A copy of `value` for a file people read (batches/*.json): keys in canonical order (shape order
 * for objects, sorted for records), times as RFC 3339 strings, checked on the way.
 */
export function toReadable(shape: Shape, value: unknown): unknown {
  switch (shape.kind) {
    case 'time':
      if (!Number.isSafeInteger(value)) throw new ShapeError(`expected ${describe(shape)}`);
      return formatTimestamp(value as number);
    case 'string':
    case 'int':
    case 'number':
    case 'bool':
    case 'enum':
      compile(shape).check(value);
      return value;
    case 'nullable':
      return value === null ? null : toReadable(shape.of, value);
    case 'optional':
      return value === undefined ? undefined : toReadable(shape.of, value);
    case 'array': {
      if (!Array.isArray(value)) throw new ShapeError(`expected ${describe(shape)}`);
      const out = new Array<unknown>(value.length);
      let i = 0;
      try {
        for (; i < value.length; i++) out[i] = toReadable(shape.of, value[i]);
      } catch (error) {
        inside(error, i);
      }
      return out;
    }
    case 'record': {
      if (!isPlainObject(value)) throw new ShapeError(`expected ${describe(shape)}`);
      const out: Record<string, unknown> = {};
      let key = '';
      try {
        for (key of sortedKeys(value)) out[key] = toReadable(shape.of, value[key]);
      } catch (error) {
        inside(error, key);
      }
      return out;
    }
    case 'object': {
      if (!isPlainObject(value)) throw new ShapeError(`expected ${describe(shape)}`);
      const out: Record<string, unknown> = {};
      let key = '';
      try {
        for (key of shape.keys) {
          const field = shape.fields[key]!;
          const item = value[key];
          if (item === undefined && field.kind === 'optional') continue;
          out[key] = toReadable(field, item);
        }
      } catch (error) {
        inside(error, key);
      }
      return out;
    }
    case 'json':
      return canonicalJson(value);
  }
}

function canonicalJson(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ShapeError('expected a finite number');
    return value;
  }
  if (Array.isArray(value)) {
    let i = 0;
    const out = new Array<unknown>(value.length);
    try {
      for (; i < value.length; i++) out[i] = canonicalJson(value[i]);
    } catch (error) {
      inside(error, i);
    }
    return out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    let key = '';
    try {
      for (key of sortedKeys(value)) out[key] = canonicalJson(value[key]);
    } catch (error) {
      inside(error, key);
    }
    return out;
  }
  throw new ShapeError('expected a JSON value');
}

/** The inverse of `toReadable` for values read from a readable file (status.yaml, batches/*.json): RFC 3339 strings back to epoch ms. */
export function fromReadable(shape: Shape, value: unknown): unknown {
  switch (shape.kind) {
    case 'time': {
      const parsed = typeof value === 'string' ? parseTimestamp(value) : undefined;
      if (!parsed?.ok) throw new ShapeError(`expected a time such as 2025-12-01T01:00:00Z, not ${JSON.stringify(value)}`);
      return parsed.ms;
    }
    case 'nullable':
      return value === null ? null : fromReadable(shape.of, value);
    case 'optional':
      return value === undefined ? undefined : fromReadable(shape.of, value);
    case 'array': {
      if (!Array.isArray(value)) return value;
      const out = new Array<unknown>(value.length);
      let i = 0;
      try {
        for (; i < value.length; i++) out[i] = fromReadable(shape.of, value[i]);
      } catch (error) {
        inside(error, i);
      }
      return out;
    }
    case 'record':
    case 'object': {
      if (!isPlainObject(value)) return value;
      const out: Record<string, unknown> = {};
      let key = '';
      try {
        for (key in value) {
          const field = shape.kind === 'record' ? shape.of : shape.fields[key];
          out[key] = field ? fromReadable(field, value[key]) : value[key];
        }
      } catch (error) {
        inside(error, key);
      }
      return out;
    }
    default:
      return value;
  }
}
