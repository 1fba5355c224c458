import type { Batch, DesiredState } from './desired.js';
import type { InstanceRecord } from './instance.js';
import { batchDocument } from './to-document.js';

/**
 * A batch in migration-manager's Batch JSON shape (what its API returns and what a placement
 * scriptlet's `batch` argument mirrors): the spec's fields at the top level beside `name`.
 * Durations and times are strings here (migration-manager's Starlark shows durations as
 * {Duration: ns} objects and times as empty objects: a documented deviation).
 */
export function batchJson(batch: Batch): Record<string, unknown> {
  const { state, ...spec } = batchDocument(batch).spec;
  const status = state === 'running' ? 'Running' : state === 'stopped' ? 'Stopped' : 'Defined';
  return { name: batch.meta.name, status, ...spec };
}

/**
 * The instances with the repository's InstanceOverrides attached as `overrides` (matched by UUID
 * or location, and source when given), the way migration-manager attaches instance overrides.
 */
export function withInstanceOverrides(instances: readonly InstanceRecord[], state: DesiredState): InstanceRecord[] {
  if (state.instanceOverrides.length === 0) return [...instances];
  return instances.map((instance) => {
    const override = state.instanceOverrides.find(({ match }) =>
      (match.uuid === undefined || match.uuid === instance.uuid)
      && (match.location === undefined || match.location === instance.location)
      && (match.source === undefined || match.source === instance.source));
    if (!override) return instance;
    const { meta: _meta, match: _match, ...fields } = override;
    return { ...instance, overrides: { ...instance.overrides, ...fields } };
  });
}

/** The repository's NetworkOverrides keyed by network location and UUID, as placement reads them. */
export function networkOverrideMap(state: DesiredState): Map<string, { network?: string; nictype?: 'managed' | 'bridged' | 'physical'; vlan_id?: string }> {
  const map = new Map<string, { network?: string; nictype?: 'managed' | 'bridged' | 'physical'; vlan_id?: string }>();
  for (const override of state.networkOverrides) {
    const value = {
      ...(override.network !== undefined ? { network: override.network } : {}),
      ...(override.nictype !== undefined ? { nictype: override.nictype } : {}),
      ...(override.vlan_id !== undefined ? { vlan_id: override.vlan_id } : {}),
    };
    if (override.match.location !== undefined) map.set(override.match.location, value);
    if (override.match.uuid !== undefined) map.set(override.match.uuid, value);
  }
  return map;
}
