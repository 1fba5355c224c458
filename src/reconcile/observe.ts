// Observe: ask the providers what is true now, for decide. Read-only: plan runs exactly this.
// Which sources are synced (a full inventory) follows the project's sync interval; source VMs of
// entries in flight are read fresh every tick; each target is asked about the projects the
// batches and entries use; every operation the status has in flight is looked up by its id.

import type { Observations, OperationObservation, SourceObservation, TargetObservation } from '../engine/observations.js';
import { operationIdsToObserve, operationTarget } from '../engine/operations.js';
import { isMigrating, type OperationKind, type QueueEntry, type SourceInventory, type StatusState } from '../engine/status.js';
import type { DesiredState } from '../model/desired.js';
import { operationOwner, type ProviderSet } from '../providers/ports.js';
import { mapLimit } from '../util/map-limit.js';

/** How many provider calls one tick keeps in flight at once. */
const CONCURRENCY = 16;

export interface ObserveOptions {
  now: number;
  /** `due`: sync a source when its snapshot is older than the sync interval (or missing). */
  sync: 'due' | 'always' | 'never';
  /** Reads of a source's inventory that found nothing new (not in the snapshot): they count as syncs. */
  syncedAt?: ReadonlyMap<string, number>;
  /**
   * A target the providers do not contact is judged by the layout the status branch recorded
   * (plans); without this it is left unobserved (a tick never acts on a recorded layout).
   */
  recordedTargets?: boolean;
}

export interface ObserveResult {
  observations: Observations;
  /** The sources whose inventory was read this tick. */
  synced: string[];
  /** Provider failures worth telling the operator (never secrets). */
  notes: string[];
}

/** Entries whose source VM is read fresh every tick (their power state and identity matter now). */
export function needsFreshVm(entry: QueueEntry): boolean {
  return isMigrating(entry) || entry.source_powered_off || entry.operation !== null;
}

export async function observe(desired: DesiredState, status: StatusState, providers: ProviderSet, options: ObserveOptions): Promise<ObserveResult> {
  const notes: string[] = [];
  const observations: Observations = { inventory: {}, sources: {}, vms: {}, targets: {}, operations: {} };
  const synced: string[] = [];
  const offline = providers.offline ?? { sources: new Set<string>(), targets: new Set<string>() };

  await mapLimit(desired.sources, CONCURRENCY, async (source) => {
    const name = source.meta.name;
    if (offline.sources.has(name)) {
      // Not contacted: its last synced inventory, and nothing about its VMs or operations.
      const snapshot = status.inventory[name];
      if (snapshot !== undefined) observations.inventory[name] = snapshot;
      return;
    }
    let described: SourceObservation;
    try {
      described = await providers.source(name).describe();
    } catch (error) {
      described = { reachable: false, message: errorText(error), background_import: false };
    }
    observations.sources[name] = described;
    const snapshot = status.inventory[name];
    const last = Math.max(snapshot?.synced_at ?? -Infinity, options.syncedAt?.get(name) ?? -Infinity);
    const due = options.sync === 'always'
      || (options.sync === 'due' && (snapshot === undefined || options.now - last >= desired.project.reconcile.sync_interval_ms));
    if (due && described.reachable) {
      try {
        const read = await providers.source(name).inventory();
        const inventory: SourceInventory = {
          synced_at: options.now,
          instances: read.instances.map((instance) => (instance.source === name ? instance : { ...instance, source: name })),
          networks: read.networks,
        };
        observations.inventory[name] = inventory;
        synced.push(name);
        return;
      } catch (error) {
        notes.push(`source ${name}: the inventory could not be read: ${errorText(error)}`);
      }
    } else if (due) {
      notes.push(`source ${name}: not reachable: ${described.message}`);
    }
    if (snapshot !== undefined) observations.inventory[name] = snapshot;
  });

  notes.push(...duplicateNotes(observations.inventory, synced));

  const entries = Object.values(status.entries);
  const knownSources = new Set(desired.sources.map((s) => s.meta.name));
  const fresh = entries.filter((entry) => needsFreshVm(entry) && knownSources.has(entry.source) && observations.sources[entry.source]?.reachable);
  await mapLimit(fresh, CONCURRENCY, async (entry) => {
    try {
      observations.vms[entry.uuid] = await providers.source(entry.source).readVm(entry.uuid);
    } catch (error) {
      notes.push(`source ${entry.source}: VM ${entry.name} could not be read: ${errorText(error)}`);
    }
  });

  const projects = targetProjects(desired, entries);
  const knownTargets = new Set(desired.targets.map((t) => t.meta.name));
  await mapLimit([...projects].filter(([target]) => knownTargets.has(target)), CONCURRENCY, async ([target, names]) => {
    if (offline.targets.has(target)) {
      const recorded = options.recordedTargets ? status.targets[target] : undefined;
      if (recorded !== undefined) observations.targets[target] = { reachable: true, message: 'not contacted: the layout the status branch recorded', projects: recorded.projects, recorded_at: recorded.recorded_at };
      return;
    }
    let observed: TargetObservation;
    try {
      observed = await providers.target(target).observe([...names].sort());
    } catch (error) {
      observed = { reachable: false, message: errorText(error), projects: {} };
    }
    observations.targets[target] = observed;
  });

  // Every operation decide will ask about: an entry's own, and for a cancel also the one it stops.
  const lookups: { entry: QueueEntry; id: string; kind: OperationKind }[] = [];
  for (const entry of entries) {
    if (entry.operation === null) continue;
    for (const id of operationIdsToObserve(entry)) {
      const kind = id === entry.operation.id ? entry.operation.kind : 'import_disks';
      lookups.push({ entry, id, kind });
    }
  }
  await mapLimit(lookups, CONCURRENCY, async ({ entry, id, kind }) => {
    let found: OperationObservation | undefined;
    const owner = operationOwner(kind);
    const target = operationTarget(entry, entry.operation!);
    // A system that is not contacted is not asked; decide leaves its operations as they are.
    const sourceOffline = offline.sources.has(entry.source);
    const targetOffline = offline.targets.has(target);
    if (owner === 'source' ? sourceOffline : owner === 'target' ? targetOffline : sourceOffline || targetOffline) return;
    try {
      if (owner === 'source') {
        if (!knownSources.has(entry.source)) return;
        found = await providers.source(entry.source).operation(id);
      } else if (owner === 'target') {
        if (!knownTargets.has(target)) return;
        found = await providers.target(target).operation(id);
      } else {
        // A byte transfer that outlived its process is recorded on the target instance.
        found = await providers.transfers.operation(id, { source: entry.source, target: entry.placement.target_name, project: entry.placement.target_project, name: entry.name });
      }
    } catch (error) {
      // Not knowing is not the same as "never started": report it as still running.
      notes.push(`operation ${id}: its state could not be read: ${errorText(error)}`);
      found = { state: 'running', message: `state unknown: ${errorText(error)}` };
    }
    if (found !== undefined) observations.operations[id] = found;
  });

  return { observations, synced, notes };
}

/** The projects each target is asked about: batch defaults, migration networks and entries' placements. */
function targetProjects(desired: DesiredState, entries: readonly QueueEntry[]): Map<string, Set<string>> {
  const projects = new Map<string, Set<string>>();
  const add = (target: string, project: string) => {
    if (target === '' || project === '') return;
    let set = projects.get(target);
    if (!set) projects.set(target, (set = new Set()));
    set.add(project);
  };
  for (const target of desired.targets) if (!projects.has(target.meta.name)) projects.set(target.meta.name, new Set());
  for (const batch of desired.batches) {
    add(batch.defaults.placement.target, batch.defaults.placement.target_project);
    for (const network of batch.defaults.migration_network) add(network.target, network.target_project);
  }
  for (const entry of entries) {
    add(entry.placement.target_name, entry.placement.target_project);
    const owed = entry.cleanup?.delete_target;
    if (owed) add(owed.target, owed.project);
  }
  return projects;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A VM reported by two sources (the same vCenter added twice, a VM registered in two datacenters):
 * decide takes the first source in name order and skips the others; say so once per sync.
 */
export function duplicateNotes(inventory: Record<string, SourceInventory>, synced: readonly string[]): string[] {
  const owner = new Map<string, string>();
  const notes: string[] = [];
  for (const source of Object.keys(inventory).sort()) {
    for (const instance of inventory[source]!.instances) {
      const first = owner.get(instance.uuid);
      if (first === undefined) owner.set(instance.uuid, source);
      else if (synced.includes(source) || synced.includes(first)) {
        notes.push(`VM ${instance.name} (${instance.uuid}) is in the inventory of source ${first} and of source ${source}: the one of ${source} is skipped`);
      }
    }
  }
  return notes;
}
