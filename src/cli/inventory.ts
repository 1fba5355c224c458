import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { hasErrors } from '../model/problem.js';
import { withInstanceOverrides } from '../model/migration-manager-json.js';
import { directoryFiles, MAX_INVENTORY_BYTES } from '../repo/files.js';
import { parseInstances } from '../repo/instances-file.js';
import { repositoryInventory, type InventoryLookup } from '../repo/inventory.js';
import { loadRepository } from '../repo/load.js';
import type { DesiredState } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';
import { openRepositoryStore, StatusLocationError } from '../reconcile/store.js';
import { compileHooks } from '../reconcile/compile-hooks.js';
import type { CliIo } from './io.js';
import { OperatorError } from './failure.js';

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

/**
 * The instances of `--instances FILE` (query, placement), read as a sim Source's inventory file
 * is, each failure one coded line: no such file, or a directory (`path-not-found`); larger than a
 * sim inventory may be (`file-too-large`); not migration-manager's instance JSON
 * (`invalid-inventory`, at its line and column). `file` is named as it was given; a pipe
 * (`--instances /dev/stdin`) is read up to the same bound.
 */
export async function readInstancesOption(io: Pick<CliIo, 'cwd'>, file: string): Promise<InstanceRecord[]> {
  const path = resolve(io.cwd, file);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  const exportIt = 'export the instances with "migration-manager instance list -f json"';
  if (info === undefined) throw new OperatorError('path-not-found', 'no such file', { file, hint: `check the path; ${exportIt}` });
  if (info.isDirectory()) throw new OperatorError('path-not-found', 'a directory, not a JSON file of instances', { file, hint: 'name the file' });
  const text = info.size > MAX_INVENTORY_BYTES ? undefined : await readAtMost(path, MAX_INVENTORY_BYTES);
  if (text === undefined) {
    throw new OperatorError('file-too-large', `the file is larger than ${MAX_INVENTORY_BYTES / 1024 / 1024} MiB, the most an inventory may be`, { file, hint: 'query fewer instances at once' });
  }
  const parsed = parseInstances(text, file);
  if (!parsed.ok) {
    const { line, column, code, message } = parsed.problem;
    throw new OperatorError(code, message, { file, line, column, hint: `fix the file, or ${exportIt} again` });
  }
  return parsed.instances;
}

/** The text of a file or a pipe, or undefined when it holds more than `most` bytes (reading stops there). */
async function readAtMost(path: string, most: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop closes the stream.
    if (size > most) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
