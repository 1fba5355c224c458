import { posix } from 'node:path';
import type { DesiredState } from '../model/desired.js';
import type { Problem } from '../model/problem.js';
import { MAX_FILE_BYTES, type RepoFiles } from './files.js';
import type { CompileHooks } from './hooks.js';

/**
 * Resolves every batch's placement_scriptlet_file (relative to the batch's file, never outside the
 * repository), reads it into the batch, and compiles it, reporting at the .star file's positions.
 */
export async function checkScriptletFiles(
  state: DesiredState,
  files: RepoFiles,
  sizes: Map<string, number>,
  hooks: CompileHooks,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const batch of state.batches) {
    const reference = batch.config.placement_scriptlet_file;
    if (reference === null) continue;
    const at = batch.meta.origin;
    const report = (code: string, message: string) => problems.push({ file: at.file, line: at.line, column: at.column, code, severity: 'error', message });
    if (reference.startsWith('/') || /^[A-Za-z]:/.test(reference) || reference.includes('\\')) {
      report('scriptlet-path', `placement_scriptlet_file "${reference}" must be a relative path inside the repository`);
      continue;
    }
    const path = posix.normalize(posix.join(posix.dirname(batch.meta.origin.file), reference));
    if (path.startsWith('../') || path === '..') {
      report('scriptlet-path', `placement_scriptlet_file "${reference}" points outside the repository`);
      continue;
    }
    const size = sizes.get(path);
    if (size === undefined) {
      report('missing-scriptlet-file', `placement_scriptlet_file "${reference}" does not exist (looked for ${path})`);
      continue;
    }
    if (size > MAX_FILE_BYTES) {
      report('file-too-large', `placement_scriptlet_file "${reference}" is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
      continue;
    }
    const text = (await files.read(path)) ?? '';
    batch.config.placement_scriptlet_file = path;
    batch.config.placement_scriptlet = { text, origin: { file: path, line: 1, column: 1 } };
    for (const problem of hooks.scriptlet?.(text, path) ?? []) {
      problems.push({ file: path, line: problem.line, column: problem.column, code: problem.code, severity: 'error', message: problem.message });
    }
  }
  return problems;
}
