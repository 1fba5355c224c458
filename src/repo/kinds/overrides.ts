import type { InstanceOverride, NetworkOverride, ObjectMatch } from '../../model/desired.js';
import type { InstanceMatch, InstanceOverrideDocument, NetworkOverrideDocument } from '../../model/generated/documents.js';
import { quoted } from '../../text/excerpt.js';
import type { DocumentContext } from '../document-context.js';

const HOSTNAME = /^(?=.{1,63}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;

function readMatch(ctx: DocumentContext, raw: InstanceMatch, what: string): ObjectMatch {
  if (raw.uuid === undefined && raw.location === undefined) {
    ctx.report(['spec', 'match'], 'empty-match', `spec.match must name the ${what} by "uuid" or "location"`, { prefer: 'key' });
  }
  const match: ObjectMatch = {};
  if (raw.uuid !== undefined) match.uuid = raw.uuid;
  if (raw.location !== undefined) match.location = raw.location;
  if (raw.source !== undefined) match.source = raw.source;
  return match;
}

export function readInstanceOverride(ctx: DocumentContext, raw: InstanceOverrideDocument): InstanceOverride {
  const spec = raw.spec;
  if (spec.started_after_migration && spec.stopped_after_migration) {
    ctx.report(['spec', 'stopped_after_migration'], 'conflicting-power-override', 'started_after_migration and stopped_after_migration cannot both be true', { prefer: 'key' });
  }
  if (spec.name !== undefined && !HOSTNAME.test(spec.name)) {
    ctx.report(['spec', 'name'], 'invalid-hostname', `${quoted(spec.name)} is not a valid hostname: letters, digits and "-", at most 63 characters, not starting or ending with "-"`);
  }
  const meta = ctx.meta(raw.metadata);
  ctx.noteReference(meta, ['spec', 'match', 'source']);
  const override: InstanceOverride = {
    meta,
    match: readMatch(ctx, spec.match, 'instance'),
    comment: spec.comment ?? '',
    disable_migration: spec.disable_migration ?? false,
    ignore_restrictions: spec.ignore_restrictions ?? false,
    started_after_migration: spec.started_after_migration ?? false,
    stopped_after_migration: spec.stopped_after_migration ?? false,
  };
  for (const field of ['name', 'cpus', 'memory', 'architecture', 'os_type', 'distribution', 'distribution_version'] as const) {
    if (spec[field] !== undefined) (override as unknown as Record<string, unknown>)[field] = spec[field];
  }
  if (spec.config !== undefined) override.config = { ...spec.config };
  if (spec.guest_preparation !== undefined && spec.guest_preparation !== 'auto') override.guest_preparation = spec.guest_preparation;
  return override;
}

export function readNetworkOverride(ctx: DocumentContext, raw: NetworkOverrideDocument): NetworkOverride {
  const spec = raw.spec;
  const vlan = spec.vlan_id === undefined ? undefined : String(spec.vlan_id);
  if (vlan !== undefined && (spec.nictype ?? 'managed') === 'managed') {
    ctx.report(['spec', 'vlan_id'], 'vlan-needs-bridged-or-physical', 'a VLAN can only be set with nictype bridged or physical');
  }
  const meta = ctx.meta(raw.metadata);
  ctx.noteReference(meta, ['spec', 'match', 'source']);
  const override: NetworkOverride = { meta, match: readMatch(ctx, spec.match, 'network') };
  if (spec.network !== undefined) override.network = spec.network;
  if (spec.nictype !== undefined) override.nictype = spec.nictype;
  if (vlan !== undefined) override.vlan_id = vlan;
  return override;
}
