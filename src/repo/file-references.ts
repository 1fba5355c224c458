import type { DesiredState } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';
import type { Problem } from '../model/problem.js';
import { MAX_FILE_BYTES, MAX_INVENTORY_BYTES, type NonRegularType, type RepoFiles } from './files.js';
import type { CompileHooks } from './hooks.js';
import { parseInstances } from './instances-file.js';
import { excerpt, quoted } from '../text/excerpt.js';
import { describeNonRegular } from './non-regular.js';
import { resolveRepoPath } from './repo-path.js';

/**
 * Resolves the files documents refer to. Every sim Source's inventory_file must exist inside the
 * repository (the simulator and the inventory readers open it later); the valid inventories are
 * returned by Source name, for the checks of the Simulation document.
 * Every batch's placement_scriptlet_file (relative to the batch's file, never outside the
 * repository), reads it into the batch, and compiles it, reporting at the .star file's positions.
 */
export async function checkFileReferences(
  state: DesiredState,
  files: RepoFiles,
  listing: { sizes: Map<string, number>; nonRegular: Map<string, NonRegularType> },
  hooks: CompileHooks,
): Promise<{ problems: Problem[]; inventories: Map<string, InstanceRecord[]> }> {
  const { sizes } = listing;
  /** Why a referenced path cannot be read when it, or a folder on its way, is not a regular file or directory. */
  const notAFile = (path: string): string | undefined => {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const type = listing.nonRegular.get(prefix);
      if (type !== undefined) return `${prefix === path ? path : `${path} lies under ${prefix}, which`} is ${describeNonRegular(type)}`;
    }
    return undefined;
  };
  const problems: Problem[] = [];
  const inventories = new Map<string, InstanceRecord[]>();
  for (const source of state.sources) {
    if (source.inventory_file === null) continue;
    const at = source.meta.at['spec.inventory_file'] ?? source.meta.origin;
    const resolved = resolveRepoPath(source.meta.origin.file, source.inventory_file);
    const unreadable = resolved.ok ? notAFile(resolved.path) : undefined;
    if (!resolved.ok) {
      problems.push({ ...at, code: 'inventory-path', severity: 'error', message: `inventory_file ${resolved.reason}` });
    } else if (unreadable !== undefined) {
      problems.push({ ...at, code: 'not-a-regular-file', severity: 'error', message: `inventory_file ${quoted(source.inventory_file)} was not read: ${unreadable}; put the file itself there` });
    } else if (!sizes.has(resolved.path)) {
      problems.push({ ...at, code: 'missing-inventory-file', severity: 'error', message: `inventory_file ${quoted(source.inventory_file)} does not exist (looked for ${excerpt(resolved.path)})` });
    } else if (sizes.get(resolved.path)! > MAX_INVENTORY_BYTES) {
      problems.push({ ...at, code: 'file-too-large', severity: 'error', message: `inventory_file ${quoted(source.inventory_file)} is larger than ${MAX_INVENTORY_BYTES / 1024 / 1024} MiB` });
    } else {
      source.inventory_file = resolved.path;
      const read = parseInstances((await files.read(resolved.path, MAX_INVENTORY_BYTES)) ?? '', resolved.path);
      if (read.ok) inventories.set(source.meta.name, read.instances);
      else problems.push(read.problem);
    }
  }
  // Batches often share one scriptlet file: it is read and compiled once, its problems reported once.
  const scriptlets = new Map<string, string>();
  for (const batch of state.batches) {
    const reference = batch.config.placement_scriptlet_file;
    if (reference === null) continue;
    const at = batch.meta.origin;
    const report = (code: string, message: string) => problems.push({ file: at.file, line: at.line, column: at.column, code, severity: 'error', message });
    const resolved = resolveRepoPath(batch.meta.origin.file, reference);
    if (!resolved.ok) {
      report('scriptlet-path', `placement_scriptlet_file ${resolved.reason}`);
      continue;
    }
    const path = resolved.path;
    const size = sizes.get(path);
    const unreadable = notAFile(path);
    if (unreadable !== undefined) {
      report('not-a-regular-file', `placement_scriptlet_file ${quoted(reference)} was not read: ${unreadable}; put the file itself there`);
      continue;
    }
    if (size === undefined) {
      report('missing-scriptlet-file', `placement_scriptlet_file ${quoted(reference)} does not exist (looked for ${excerpt(path)})`);
      continue;
    }
    if (size > MAX_FILE_BYTES) {
      report('file-too-large', `placement_scriptlet_file ${quoted(reference)} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
      continue;
    }
    let text = scriptlets.get(path);
    if (text === undefined) {
      text = (await files.read(path)) ?? '';
      scriptlets.set(path, text);
      for (const problem of hooks.scriptlet?.(text, path) ?? []) {
        problems.push({ file: path, line: problem.line, column: problem.column, code: problem.code, severity: 'error', message: problem.message });
      }
    }
    batch.config.placement_scriptlet_file = path;
    batch.config.placement_scriptlet = { text, origin: { file: path, line: 1, column: 1 } };
  }
  return { problems, inventories };
}
