// A fork's pull request read as data (docs/security.md): the trusted job fetches the commits
// GitHub keeps for it in the base repository (refs/pull/N/head, and the test merge refs/pull/N/merge)
// into private refs, and Ferry reads them as Git objects. Nothing is checked out and nothing of the
// fork runs: fetching runs no hook and applies no attribute or filter.

import { git } from '../store/git.js';
import { GitHubContextError } from './context.js';

export interface FetchedPull {
  /** The pull request's head commit, as GitHub and the workflow run name it. */
  head: string;
  /** GitHub's merge of the head into the base, when it merges cleanly; null otherwise. */
  merge: string | null;
  /** The base commit the merge was made on (its first parent), or null without a merge. */
  mergeBase: string | null;
}

async function fetchRef(repoDir: string, remote: string, from: string, to: string): Promise<string | null> {
  const fetched = await git(repoDir, ['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', '--', remote, `+${from}:${to}`], { allow: [1, 128] });
  if (fetched.code !== 0) return null;
  const resolved = await git(repoDir, ['rev-parse', '--verify', '--quiet', `${to}^{commit}`], { allow: [1] });
  return resolved.code === 0 ? resolved.stdout.trim() : null;
}

/** Fetches pull request `number` from `remote`; its head must be `headSha`. */
export async function fetchPull(repoDir: string, remote: string, number: number, headSha: string): Promise<FetchedPull> {
  const head = await fetchRef(repoDir, remote, `refs/pull/${number}/head`, `refs/ferry/pull/${number}/head`);
  if (head === null) throw new GitHubContextError(`refs/pull/${number}/head cannot be fetched from ${remote}: check out the repository with credentials that can read it`);
  if (head !== headSha) throw new GitHubContextError(`pull request #${number} moved on (its head is ${head.slice(0, 12)}, not ${headSha.slice(0, 12)}): a newer run plans it`);
  const merge = await fetchRef(repoDir, remote, `refs/pull/${number}/merge`, `refs/ferry/pull/${number}/merge`);
  if (merge === null) return { head, merge: null, mergeBase: null };
  const parents = (await git(repoDir, ['rev-list', '--parents', '-n', '1', merge])).stdout.trim().split(/\s+/).slice(1);
  // A merge ref that is not the merge of this head is stale (GitHub recomputes it lazily): plan the head alone.
  if (parents.length !== 2 || parents[1] !== head) return { head, merge: null, mergeBase: null };
  return { head, merge, mergeBase: parents[0]! };
}
