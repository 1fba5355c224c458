// What the simulated world holds according to the repository: the projects, pools and networks of
// each sim Target, and which inventory VM an event names. The loader checks Simulation documents
// with these, and the simulator builds its world from them, so both agree.

import type { DesiredState, SimulatedTarget } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';
import { networkOverrideMap } from '../model/migration-manager-json.js';
import { defaultNetworkName } from '../placement/default-placement.js';

export interface TargetLayout {
  projects: string[];
  storage_pools: string[];
  networks: string[];
}

/** Inventory VMs by sim Source name. */
export type Inventories = ReadonlyMap<string, readonly InstanceRecord[]>;

/**
 * The projects, pools and networks of a sim Target. A list the Simulation document gives is taken
 * as written (plus the `default` project, which every Incus has); an omitted one is what the
 * repository needs by default: the batches' default projects and pools for this target, the
 * networks the sources' NICs map to (by name or NetworkOverride) and the batches' migration networks.
 */
export function simulatedTargetLayout(state: DesiredState, inventories: Inventories, target: string): TargetLayout {
  const written: SimulatedTarget | undefined = state.simulation?.targets.find((t) => t.name === target);
  const projects = new Set<string>(['default']);
  const pools = new Set<string>();
  const networks = new Set<string>();
  for (const batch of state.batches) {
    if (batch.defaults.placement.target !== target) continue;
    projects.add(batch.defaults.placement.target_project);
    pools.add(batch.defaults.placement.storage_pool);
    for (const network of batch.defaults.migration_network) {
      if (network.target !== target) continue;
      projects.add(network.target_project);
      networks.add(network.network);
    }
  }
  if (written?.networks == null) {
    const overrides = networkOverrideMap(state);
    for (const instances of inventories.values()) {
      for (const instance of instances) {
        for (const nic of instance.nics) {
          const override = overrides.get(nic.location) ?? overrides.get(nic.uuid);
          networks.add(override?.network ?? defaultNetworkName(nic.location));
        }
      }
    }
  }
  return {
    projects: sorted(written?.projects ? new Set(['default', ...written.projects]) : projects),
    storage_pools: sorted(written?.storage_pools ? new Set(written.storage_pools) : pools),
    networks: sorted(written?.networks ? new Set(written.networks) : networks),
  };
}

function sorted(names: Set<string>): string[] {
  return [...names].sort();
}

export type VmLookup =
  | { found: true; source: string; instance: InstanceRecord }
  | { found: false; reason: 'unknown' | 'ambiguous'; candidates: string[] };

/**
 * `findInventoryVm` for many look-ups: the inventories are indexed once by UUID, location and
 * name, so checking thousands of events against tens of thousands of VMs stays linear. The
 * candidates of an unknown VM are shared between look-ups: do not change them.
 */
export function inventoryVmFinder(inventories: Inventories): (ref: string, source: string | null) => VmLookup {
  const byRef = new Map<string, { source: string; instance: InstanceRecord }[]>();
  const names = new Map<string | null, string[]>([[null, []]]);
  for (const [source, instances] of inventories) {
    const sourceNames: string[] = [];
    names.set(source, sourceNames);
    for (const instance of instances) {
      for (const ref of new Set([instance.uuid, instance.location, instance.name])) {
        let matches = byRef.get(ref);
        if (!matches) byRef.set(ref, (matches = []));
        matches.push({ source, instance });
      }
      sourceNames.push(instance.name);
      names.get(null)!.push(instance.name);
    }
  }
  return (ref, source) => {
    const matches = (byRef.get(ref) ?? []).filter((match) => source === null || match.source === source);
    if (matches.length === 1) return { found: true, ...matches[0]! };
    if (matches.length > 1) return { found: false, reason: 'ambiguous', candidates: matches.map((m) => `${m.source}:${m.instance.location}`) };
    return { found: false, reason: 'unknown', candidates: names.get(source) ?? [] };
  };
}

/** The inventory VM an event names by UUID, location or name, within one source or all of them. */
export function findInventoryVm(inventories: Inventories, ref: string, source: string | null): VmLookup {
  const matches: { source: string; instance: InstanceRecord }[] = [];
  for (const [name, instances] of inventories) {
    if (source !== null && name !== source) continue;
    for (const instance of instances) {
      if (instance.uuid === ref || instance.location === ref || instance.name === ref) matches.push({ source: name, instance });
    }
  }
  if (matches.length === 1) return { found: true, ...matches[0]! };
  if (matches.length > 1) return { found: false, reason: 'ambiguous', candidates: matches.map((m) => `${m.source}:${m.instance.location}`) };
  const candidates: string[] = [];
  for (const [name, instances] of inventories) {
    if (source === null || name === source) for (const instance of instances) candidates.push(instance.name);
  }
  return { found: false, reason: 'unknown', candidates };
}
