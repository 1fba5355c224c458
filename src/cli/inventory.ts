import { stat } from 'node:fs/promises';
import { hasErrors } from '../model/problem.js';
import { withInstanceOverrides } from '../model/migration-manager-json.js';
import { directoryFiles } from '../repo/files.js';
import { repositoryInventory, type InventoryLookup } from '../repo/inventory.js';
import { loadRepository } from '../repo/load.js';
import type { DesiredState } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';
import { openRepositoryStore, StatusLocationError } from '../reconcile/store.js';
import { compileHooks } from '../reconcile/compile-hooks.js';

/** Reads a repository's inventory for `ferry query` and `ferry placement`, with its instance overrides. */
export const repositoryInventoryProvider = {
  async instances(repoDir: string): Promise<InventoryLookup> {
    const info = await stat(repoDir).catch(() => undefined);
    if (!info?.isDirectory()) return { found: false, reason: `the repository directory ${repoDir} does not exist` };
    const files = directoryFiles(repoDir);
    const { state, problems } = await loadRepository(files, { hooks: compileHooks() });
    if (hasErrors(problems)) {
      const errors = problems.filter((p) => p.severity === 'error').length;
      return { found: false, reason: `the repository has ${errors} error${errors === 1 ? '' : 's'}; run "ferry validate" to see them` };
    }
    const lookup = await repositoryInventory(files, state, await syncedInventories(repoDir, state));
    return lookup.found ? { found: true, instances: withInstanceOverrides(lookup.instances, state) } : lookup;
  },
};

/**
 * The last synced inventory of each source that keeps none in the repository (a vCenter), from
 * the status branch; empty when there is no status branch (or no Git) to read.
 */
export async function syncedInventories(repoDir: string, state: DesiredState): Promise<Record<string, readonly InstanceRecord[]>> {
  if (state.sources.every((s) => s.inventory_file !== null)) return {};
  try {
    const store = await openRepositoryStore(repoDir, state);
    const { status } = await store.read();
    return Object.fromEntries(Object.entries(status.inventory).map(([name, inventory]) => [name, inventory.instances]));
  } catch (error) {
    if (error instanceof StatusLocationError) return {};
    throw error;
  }
}
