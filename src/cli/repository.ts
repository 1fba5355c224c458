import { stat } from 'node:fs/promises';
import { directoryFiles, gitRevisionFiles, GitRevisionError, type RepoFiles } from '../repo/files.js';
import { loadRepository, type LoadResult } from '../repo/load.js';
import type { CommandContext } from './command.js';
import { describeFailure, OperatorError, operatorError } from './failure.js';
import { compileHooks } from '../reconcile/compile-hooks.js';
import { evaluationLimitsFor } from './trust.js';

/** The repository a command works on: the directory of `--repo`, or a revision of it with `--ref`. */
export async function repositoryFiles(context: CommandContext, ref?: string): Promise<RepoFiles> {
  const dir = context.repoDir;
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new OperatorError('repo-not-found', `the repository directory ${dir} does not exist`, { hint: 'name the campaign repository with --repo DIR' });
  if (ref === undefined) return directoryFiles(dir);
  try {
    return await gitRevisionFiles(dir, ref);
  } catch (error) {
    if (error instanceof GitRevisionError) throw operatorError(describeFailure(error)!);
    throw error;
  }
}

export async function loadFromContext(context: CommandContext, ref?: string): Promise<{ files: RepoFiles; result: LoadResult }> {
  const files = await repositoryFiles(context, ref);
  const started = performance.now();
  // Repository content is evaluated within the trusted revision's budgets, whatever this one says.
  const result = await loadRepository(files, { hooks: compileHooks(await evaluationLimitsFor(context, { askRemote: false })) });
  context.log.debug({ documents: result.documents.length, problems: result.problems.length, ms: Math.round(performance.now() - started) }, 'loaded desired state');
  return { files, result };
}
