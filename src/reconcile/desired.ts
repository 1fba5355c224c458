// The desired state a tick acts on: the repository at a commit (apply), or its working tree
// (plan), loaded and compiled once.

import { simpleGit } from 'simple-git';
import type { DesiredState } from '../model/desired.js';
import { hasErrors, type Problem } from '../model/problem.js';
import { directoryFiles, gitRevisionFiles, GitRevisionError, type RepoFiles } from '../repo/files.js';
import { loadRepository } from '../repo/load.js';
import type { EvaluationLimits } from '../engine/compiled.js';
import { compileHooks } from './compile-hooks.js';
import { quoted } from '../text/excerpt.js';

export interface DesiredAt {
  state: DesiredState;
  problems: Problem[];
  files: RepoFiles;
  /** The commit it was read from; null for a working tree that differs from HEAD. */
  commit: string | null;
  /** Where it was read from, for messages. */
  describe: string;
}

export class DesiredStateError extends Error {}

/** Whether `dir` is inside a Git work tree, and its top directory and Git directory. */
export async function gitLocation(dir: string): Promise<{ top: string; gitDir: string } | null> {
  try {
    const git = simpleGit({ baseDir: dir });
    const [top, gitDir] = (await git.raw(['rev-parse', '--show-toplevel', '--absolute-git-dir'])).trim().split('\n');
    return { top: top!, gitDir: gitDir! };
  } catch {
    return null;
  }
}

export async function resolveCommit(dir: string, rev: string): Promise<string> {
  try {
    return (await simpleGit({ baseDir: dir }).raw(['rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`])).trim();
  } catch {
    throw new DesiredStateError(`${quoted(rev)} is not a commit in ${dir}`);
  }
}

export interface LoadDesiredOptions {
  /** false: expressions and scriptlets are not compiled (reading only settings: the trusted revision's). */
  compile?: boolean;
  /** The limits compiling runs within (a scriptlet's top level): the trusted revision's budgets. */
  limits?: EvaluationLimits;
}

/** Loads the repository at a commit (nothing is checked out). */
export async function desiredAtCommit(dir: string, rev: string, options: LoadDesiredOptions = {}): Promise<DesiredAt> {
  const commit = await resolveCommit(dir, rev);
  let files: RepoFiles;
  try {
    files = await gitRevisionFiles(dir, commit);
  } catch (error) {
    if (error instanceof GitRevisionError) throw new DesiredStateError(error.message);
    throw error;
  }
  const loaded = await loadRepository(files, options.compile === false ? {} : { hooks: compileHooks(options.limits) });
  return { state: loaded.state, problems: loaded.problems, files, commit, describe: `${rev} (${commit.slice(0, 12)})` };
}

/**
 * Loads the working tree. Its commit is HEAD's when no file under the repository directory
 * differs from HEAD (tracked or untracked, ignored files aside), otherwise null.
 */
export async function desiredInWorkTree(dir: string, options: Pick<LoadDesiredOptions, 'limits'> = {}): Promise<DesiredAt> {
  const files = directoryFiles(dir);
  const loaded = await loadRepository(files, { hooks: compileHooks(options.limits) });
  let commit: string | null = null;
  if ((await gitLocation(dir)) !== null) {
    const git = simpleGit({ baseDir: dir });
    try {
      const head = (await git.raw(['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
      const dirty = (await git.raw(['status', '--porcelain', '--untracked-files=all', '--', '.'])).trim();
      if (dirty === '') commit = head;
    } catch {
      commit = null;
    }
  }
  return { state: loaded.state, problems: loaded.problems, files, commit, describe: dir };
}

export function desiredErrors(desired: DesiredAt): Problem[] {
  return hasErrors(desired.problems) ? desired.problems.filter((p) => p.severity === 'error') : [];
}
