import type { InstanceDisk, InstanceNic, InstanceRecord } from '../model/instance.js';
import type { ViewFieldName } from './env.js';

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
  readonly [K in Exclude<ViewFieldName, 'config' | 'nics' | 'disks' | 'snapshots'>]: InstanceRecord[K];
} & {
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
    nics: instance.nics.map((nic) => ({ ...nic })),
    disks: instance.disks.map((disk) => ({ ...disk })),
    snapshots: instance.snapshots.map((snapshot) => ({ name: snapshot.name })),
    source: instance.source,
    source_type: instance.source_type,
    os_type: instance.os_type,
    distribution: instance.distribution,
    distribution_version: instance.distribution_version,
    last_update_from_source: instance.last_update_from_source,
  };
}
