import type { DesiredState } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';
import { MAX_INVENTORY_BYTES, type RepoFiles } from './files.js';
import { parseInstances } from './instances-file.js';

export type InventoryLookup =
  | { found: true; instances: readonly InstanceRecord[] }
  | { found: false; reason: string };

/**
 * The instances a repository knows of without asking a live source: the VMs of its simulated
 * sources (their inventory_file). Each instance is stamped with the name of the Source it is in.
 */
export async function repositoryInventory(files: RepoFiles, state: DesiredState): Promise<InventoryLookup> {
  const sources = state.sources.filter((source) => source.inventory_file !== null);
  if (sources.length === 0) {
    return {
      found: false,
      reason: 'the repository has no inventory to read: a sim Source lists its VMs in spec.inventory_file, and the inventory of a vmware Source is not stored in the repository; pass --instances FILE.json',
    };
  }
  const instances: InstanceRecord[] = [];
  for (const source of sources) {
    const path = source.inventory_file!;
    const text = await files.read(path, MAX_INVENTORY_BYTES);
    if (text === undefined) return { found: false, reason: `${path}: no such file` };
    const parsed = parseInstances(text, path);
    if (!parsed.ok) return { found: false, reason: parsed.message };
    for (const instance of parsed.instances) instances.push({ ...instance, source: source.meta.name });
  }
  return { found: true, instances };
}
