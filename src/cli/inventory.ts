import { stat } from 'node:fs/promises';
import { hasErrors } from '../model/problem.js';
import { withInstanceOverrides } from '../model/migration-manager-json.js';
import { directoryFiles } from '../repo/files.js';
import { repositoryInventory, type InventoryLookup } from '../repo/inventory.js';
import { loadRepository } from '../repo/load.js';
import { compileHooks } from './compile-hooks.js';

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
    const lookup = await repositoryInventory(files, state);
    return lookup.found ? { found: true, instances: withInstanceOverrides(lookup.instances, state) } : lookup;
  },
};
