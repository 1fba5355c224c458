import type { InstanceDisk, InstanceNic, InstanceRecord } from '../model/instance.js';
import type { ViewFieldName } from './env.js';
import { TimeValue, ZERO_TIME, parseRfc3339 } from './time-values.js';
import { markStructList } from './values.js';

/**
 * An instance as include expressions see it (migration-manager's `InstanceFilterable`): every
 * field of the record after the configurable overrides are applied — `name`, `architecture`,
 * `cpus` and `memory` when the override is set, `config` merged key by key — while `os_type` and
 * `distribution` keep their detected values and `overrides` itself is not visible.
 *
 * `config` is a `Map`, so no key (not even `constructor` or `__proto__`) can reach anything
 * but the data. Build the view once per instance and reuse it for every expression; it is typed
 * read-only but not frozen, because V8 reads frozen objects and arrays several times slower.
 */
export type ExpressionView = {
  readonly [K in Exclude<ViewFieldName, 'config' | 'nics' | 'disks' | 'snapshots' | 'last_update_from_source'>]: InstanceRecord[K];
} & {
  /** A time, which also reads as the text it was read from (see values.ts `equal`). */
  readonly last_update_from_source: TimeValue;
  readonly config: ReadonlyMap<string, string>;
  readonly nics: readonly Readonly<InstanceNic>[];
  readonly disks: readonly Readonly<InstanceDisk>[];
  readonly snapshots: readonly Readonly<{ name: string }>[];
};

export function expressionView(instance: InstanceRecord): ExpressionView {
  const overrides = instance.overrides ?? {};
  const config = new Map(Object.entries(instance.config));
  for (const [key, value] of Object.entries(overrides.config ?? {})) config.set(key, value);
  return {
    uuid: instance.uuid,
    source_specific_id: instance.source_specific_id,
    location: instance.location,
    name: overrides.name ? overrides.name : instance.name,
    description: instance.description,
    os: instance.os,
    os_description: instance.os_description,
    os_template: instance.os_template,
    architecture: overrides.architecture ? overrides.architecture : instance.architecture,
    cpus: overrides.cpus ? overrides.cpus : instance.cpus,
    memory: overrides.memory ? overrides.memory : instance.memory,
    config,
    secure_boot: instance.secure_boot,
    legacy_boot: instance.legacy_boot,
    tpm: instance.tpm,
    running: instance.running,
    background_import: instance.background_import,
    nics: markStructList(instance.nics.map((nic) => ({ ...nic })), '[]NIC'),
    disks: markStructList(instance.disks.map((disk) => ({ ...disk })), '[]Disk'),
    snapshots: markStructList(instance.snapshots.map((snapshot) => ({ name: snapshot.name })), '[]Snapshot'),
    source: instance.source,
    source_type: instance.source_type,
    os_type: instance.os_type,
    distribution: instance.distribution,
    distribution_version: instance.distribution_version,
    last_update_from_source: readTime(instance.last_update_from_source),
  };
}

/** The RFC 3339 text as a time (the empty string, and a text that is not RFC 3339, as the zero time), keeping the text. */
function readTime(text: string): TimeValue {
  const time = parseRfc3339(text) ?? ZERO_TIME;
  return new TimeValue(time.seconds, time.nanos, time.location, text);
}
