import type { DesiredState } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';
import { formatProblem } from '../model/problem.js';
import { MAX_INVENTORY_BYTES, type RepoFiles } from './files.js';
import { parseInstances } from './instances-file.js';

export type InventoryLookup =
  | { found: true; instances: readonly InstanceRecord[] }
  | { found: false; reason: string };

/**
 * The instances a repository knows of without asking a live source: the VMs of its simulated
 * sources (their inventory_file), and for the other sources the inventory the caller has (the
 * status branch's last sync, `synced`). Each instance is stamped with the name of its Source.
 */
export async function repositoryInventory(files: RepoFiles, state: DesiredState, synced: Readonly<Record<string, readonly InstanceRecord[]>> = {}): Promise<InventoryLookup> {
  if (state.sources.length === 0) return { found: false, reason: 'the repository has no Source, so no inventory; pass --instances FILE.json' };
  const instances: InstanceRecord[] = [];
  for (const source of state.sources) {
    const name = source.meta.name;
    if (source.inventory_file === null) {
      const known = synced[name];
      if (known === undefined) {
        return {
          found: false,
          reason: `source ${name} (${source.type}) has no inventory on the status branch yet: "ferry apply" syncs it; or pass --instances FILE.json (migration-manager's instance JSON)`,
        };
      }
      for (const instance of known) instances.push({ ...instance, source: name });
      continue;
    }
    const path = source.inventory_file;
    const text = await files.read(path, MAX_INVENTORY_BYTES);
    if (text === undefined) return { found: false, reason: `${path}: no such file` };
    const parsed = parseInstances(text, path);
    if (!parsed.ok) return { found: false, reason: formatProblem(parsed.problem) };
    for (const instance of parsed.instances) instances.push({ ...instance, source: name });
  }
  return { found: true, instances };
}
