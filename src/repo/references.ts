import type { DesiredState, DocumentMeta, Origin } from '../model/desired.js';
import type { Problem } from '../model/problem.js';
import type { Kind } from './schemas.js';
import { quoted } from '../text/excerpt.js';
import { didYouMean } from '../text/suggest.js';

/**
 * Checks that span documents: unique names per kind, and every reference (batch → target,
 * migration network → target, override → source, resolution → batch) names a document that exists.
 * Fills in references that have a default (a batch's target when the repository has only one).
 */
export function checkReferences(state: DesiredState, invalidNames: Map<Kind, Set<string>>): Problem[] {
  const problems: Problem[] = [];
  const error = (origin: Origin, code: string, message: string) => problems.push({ ...origin, code, severity: 'error', message });

  const unique = (kind: Kind, metas: DocumentMeta[]) => {
    const seen = new Map<string, DocumentMeta>();
    for (const meta of metas) {
      const first = seen.get(meta.name);
      if (first) error(meta.origin, 'duplicate-name', `another ${kind} is named "${meta.name}" (${first.origin.file}:${first.origin.line}); names are unique per kind`);
      else seen.set(meta.name, meta);
    }
  };
  unique('Source', state.sources.map((s) => s.meta));
  unique('Target', state.targets.map((t) => t.meta));
  unique('Batch', state.batches.map((b) => b.meta));
  unique('InstanceOverride', state.instanceOverrides.map((o) => o.meta));
  unique('NetworkOverride', state.networkOverrides.map((o) => o.meta));
  unique('Resolution', state.resolutions.map((r) => r.meta));

  const names = (kind: Kind, valid: string[]) => new Set([...valid, ...(invalidNames.get(kind) ?? [])]);
  const targets = names('Target', state.targets.map((t) => t.meta.name));
  const sources = names('Source', state.sources.map((s) => s.meta.name));
  const batches = names('Batch', state.batches.map((b) => b.meta.name));
  const unknown = (meta: DocumentMeta, kind: Kind, name: string, field: string, known: Set<string>) => {
    const origin = meta.at[field.replace(/\[(\d+)\]/g, '.$1')] ?? meta.origin;
    const hint = didYouMean(name, known);
    const none = known.size === 0 ? ` (the repository has no ${kind})` : '';
    error(origin, `unknown-${kind.toLowerCase()}`, `${field} names ${kind} ${quoted(name)}, which does not exist${none}${hint}`);
  };

  for (const batch of state.batches) {
    const placement = batch.defaults.placement;
    if (placement.target === '') {
      if (targets.size === 1) {
        placement.target = [...targets][0]!;
      } else {
        error(batch.meta.origin, 'missing-target', targets.size === 0
          ? `batch "${batch.meta.name}" needs a target, and the repository has no Target document`
          : `batch "${batch.meta.name}" must name its target in spec.defaults.placement.target; the repository has ${targets.size} Targets`);
      }
    } else if (!targets.has(placement.target)) {
      unknown(batch.meta, 'Target', placement.target, 'spec.defaults.placement.target', targets);
    }
    const networkKeys = new Set<string>();
    batch.defaults.migration_network.forEach((network, i) => {
      // A defaulted target is the batch's own, already checked above.
      const explicit = network.target !== '';
      if (!explicit) network.target = placement.target;
      if (network.target_project === '') network.target_project = placement.target_project;
      if (explicit && !targets.has(network.target)) {
        unknown(batch.meta, 'Target', network.target, `spec.defaults.migration_network[${i}].target`, targets);
      }
      const key = `${network.target}/${network.target_project}`;
      if (networkKeys.has(key)) {
        error(batch.meta.at[`spec.defaults.migration_network.${i}.target`] ?? batch.meta.origin, 'duplicate-migration-network', `batch "${batch.meta.name}" has two migration networks for target ${network.target}, project ${network.target_project}; keep one`);
      }
      networkKeys.add(key);
    });
  }

  for (const override of [...state.instanceOverrides, ...state.networkOverrides]) {
    const source = override.match.source;
    if (source !== undefined && !sources.has(source)) unknown(override.meta, 'Source', source, 'spec.match.source', sources);
  }
  const claimed = new Map<string, DocumentMeta>();
  for (const override of state.instanceOverrides) {
    for (const key of [override.match.uuid && `uuid ${override.match.uuid}`, override.match.location && `location ${override.match.location}`]) {
      if (!key) continue;
      const scoped = `${override.match.source ?? '*'} ${key}`;
      const first = claimed.get(scoped);
      if (first) error(override.meta.origin, 'duplicate-override', `InstanceOverride "${first.name}" (${first.origin.file}:${first.origin.line}) already matches ${key}; merge the two`);
      else claimed.set(scoped, override.meta);
    }
  }

  for (const resolution of state.resolutions) {
    if (!batches.has(resolution.batch)) unknown(resolution.meta, 'Batch', resolution.batch, 'spec.batch', batches);
  }
  return problems;
}
