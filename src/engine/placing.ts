// Where an entry goes (default placement, then the batch's scriptlet; DESIGN §3.3) and whether
// the observed target can take it (migration-manager's CanPlaceInstance).

import type { MigrationNetwork } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';
import { defaultPlacement, runPlacement, type NetworkOverrides, type Placement } from '../placement/index.js';
import { scriptletOrigin } from './compiled.js';
import type { EffectiveBatch } from './effective-batch.js';
import { scriptletBudgetError } from './evaluation.js';
import type { TargetObservation } from './observations.js';

export type PlacementOutcome = { ok: true; placement: Placement } | { ok: false; error: string };

/**
 * The placement of one instance. A scriptlet that fails places nothing (the entry is Blocked with
 * the reason); one that runs out of budget throws EvaluationBudgetError (see ./evaluation.ts).
 */
export function computePlacement(batch: EffectiveBatch, instance: InstanceRecord, networkOverrides: NetworkOverrides): PlacementOutcome {
  const defaults = defaultPlacement(instance, batch.batch.defaults, networkOverrides);
  if (batch.scriptlet === null) return { ok: true, placement: defaults };
  const origin = scriptletOrigin(batch.scriptlet);
  const result = runPlacement(batch.scriptlet, instance, batch.json, defaults, origin?.limits);
  if (result.ok) return { ok: true, placement: result.placement };
  if (result.error.budget !== undefined) {
    const at = origin?.source?.origin ?? origin?.fallback ?? batch.batch.meta.origin;
    throw scriptletBudgetError(origin?.what ?? `the placement scriptlet of batch "${batch.name}"`, at, instance.location, result.error.message);
  }
  return { ok: false, error: result.error.message };
}

/** The batch's migration network for the placement's target and project, if it has one. */
export function migrationNetworkFor(batch: EffectiveBatch, placement: Placement): MigrationNetwork | null {
  const defaults = batch.batch.defaults.placement;
  return batch.batch.defaults.migration_network.find((network) =>
    (network.target === '' ? defaults.target : network.target) === placement.target_name
    && (network.target_project === '' ? defaults.target_project : network.target_project) === placement.target_project) ?? null;
}

export type PlacementCheck =
  | { kind: 'ok' }
  /** The instance name is taken by this entry's own instance of the current attempt: it was created. */
  | { kind: 'own-instance' }
  /** The target was not contacted (a plan without credentials): nothing can be judged. */
  | { kind: 'unobserved' }
  | { kind: 'unreachable'; message: string }
  | { kind: 'problem'; message: string };

export interface PlacementSubject {
  uuid: string;
  name: string;
  attempt_id: string;
  placement: Placement;
}

/**
 * Checks a placement against the observed target: the target is defined and answers, the project,
 * every storage pool and every NIC's network (and the migration network) exist, and no other
 * instance has the name.
 */
export function checkPlacement(
  subject: PlacementSubject,
  batch: EffectiveBatch,
  knownTarget: boolean,
  observed: TargetObservation | undefined,
): PlacementCheck {
  const { placement } = subject;
  const target = placement.target_name;
  if (!knownTarget) return { kind: 'problem', message: `target "${target}" is not defined in the repository` };
  if (observed === undefined) return { kind: 'unobserved' };
  if (!observed.reachable) return { kind: 'unreachable', message: `target ${target} does not answer: ${observed.message}` };
  const project = observed.projects[placement.target_project];
  if (project === undefined) return { kind: 'problem', message: `project "${placement.target_project}" does not exist on target ${target}` };
  const where = `in project ${placement.target_project} of target ${target}`;
  for (const [disk, pool] of Object.entries(placement.storage_pools)) {
    if (!project.pools.includes(pool)) return { kind: 'problem', message: `storage pool "${pool}" (for disk ${disk}) does not exist ${where}` };
  }
  for (const [mac, nic] of Object.entries(placement.networks)) {
    if (!project.networks.includes(nic.network)) return { kind: 'problem', message: `network "${nic.network}" (for NIC ${mac}) does not exist ${where}` };
  }
  const migration = migrationNetworkFor(batch, placement);
  if (migration !== null && !project.networks.includes(migration.network)) {
    return { kind: 'problem', message: `migration network "${migration.network}" does not exist ${where}` };
  }
  const existing = project.instances[subject.name];
  if (existing !== undefined) {
    if (existing.entry === subject.uuid && existing.attempt === subject.attempt_id) return { kind: 'own-instance' };
    const whose = existing.entry === subject.uuid
      ? ` (left by an earlier migration of this VM, attempt ${existing.attempt ?? 'unknown'}; delete it or rename the target instance with an InstanceOverride name)`
      : existing.entry !== null
        ? ` (it is being migrated from another VM, ${existing.entry})`
        : ' (not created by Ferry; delete or rename it, or rename the target instance with an InstanceOverride name)';
    return { kind: 'problem', message: `an instance named "${subject.name}" already exists ${where}${whose}` };
  }
  return { kind: 'ok' };
}

/** Target, project and storage pools: what a final check may not see change (§4.4). */
export function placementCoreDiff(before: Placement, after: Placement): string | null {
  const diffs: string[] = [];
  if (before.target_name !== after.target_name) diffs.push(`target ${before.target_name} → ${after.target_name}`);
  if (before.target_project !== after.target_project) diffs.push(`project ${before.target_project} → ${after.target_project}`);
  const disks = new Set([...Object.keys(before.storage_pools), ...Object.keys(after.storage_pools)]);
  for (const disk of [...disks].sort()) {
    const a = before.storage_pools[disk], b = after.storage_pools[disk];
    if (a !== b) diffs.push(`disk ${disk} pool ${a ?? '(none)'} → ${b ?? '(none)'}`);
  }
  return diffs.length === 0 ? null : diffs.join(', ');
}

export function sameNetworks(a: Placement['networks'], b: Placement['networks']): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((mac) => {
    const x = a[mac]!, y = b[mac];
    return y !== undefined && x.network === y.network && x.nictype === y.nictype && x.vlan_id === y.vlan_id;
  });
}

export function samePlacement(a: Placement, b: Placement): boolean {
  return placementCoreDiff(a, b) === null && sameNetworks(a.networks, b.networks) && a.running === b.running;
}
