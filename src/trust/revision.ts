// The trusted revision (docs/security.md): the branch the team reviews and merges into, as the
// remote has it. Only its Sources and Targets are ever contacted, and apply acts only on commits it
// contains. Where it is comes from the machine (a flag, the environment, GitHub's event, the
// remote's default branch), and `spec.trust.branch` is read from that default branch itself —
// never from the revision being planned, which may be a pull request's.

import { git } from '../store/git.js';
import { gitLocation, resolveCommit, desiredAtCommit, DesiredStateError, type DesiredAt } from '../reconcile/desired.js';
import { quoted } from '../text/excerpt.js';

export interface TrustedRevision {
  /** As people name it: `origin/main`, or `main` in a repository without a remote. */
  ref: string;
  commit: string;
  /** How it was found, for messages: "the default branch of origin", "spec.trust.branch", … */
  how: string;
  /** The desired state at that commit, read without compiling (its settings are what is used). */
  desired: DesiredAt;
}

/** Why no trusted revision could be found, as a sentence that says what to do. */
export interface NoTrustedRevision {
  missing: string;
}

export interface TrustLocation {
  /**
   * Named on the machine (--trusted-ref, FERRY_TRUSTED_REF) for unusual remote layouts: a branch as
   * a remote has it (`upstream/main`), or a local branch in a repository without a remote. It wins
   * over the remote's default branch; it cannot name an arbitrary commit.
   */
  explicit?: { ref: string; how: string };
  /** The repository's default branch as GitHub's event names it. */
  defaultBranch?: string;
  /** Ask the remote for its default branch when the local `<remote>/HEAD` does not say. */
  askRemote?: boolean;
}

export function isTrusted(found: TrustedRevision | NoTrustedRevision): found is TrustedRevision {
  return 'commit' in found;
}

async function lines(repoDir: string, args: string[]): Promise<string[] | null> {
  const result = await git(repoDir, args, { allow: [1, 2, 128] });
  if (result.code !== 0) return null;
  return result.stdout.split('\n').map((line) => line.trim()).filter(Boolean);
}

/** The remote the trusted branch lives on: origin, or the only remote. */
async function trustRemote(repoDir: string): Promise<string | null | 'ambiguous'> {
  const remotes = (await lines(repoDir, ['remote'])) ?? [];
  if (remotes.includes('origin')) return 'origin';
  if (remotes.length === 1) return remotes[0]!;
  return remotes.length === 0 ? null : 'ambiguous';
}

/** The remote's default branch: from `<remote>/HEAD`, or by asking the remote. */
async function remoteDefault(repoDir: string, remote: string, ask: boolean): Promise<string | null> {
  const local = await lines(repoDir, ['symbolic-ref', '--quiet', `refs/remotes/${remote}/HEAD`]);
  const prefix = `refs/remotes/${remote}/`;
  if (local?.[0]?.startsWith(prefix)) return local[0].slice(prefix.length);
  if (!ask) return null;
  const answer = await lines(repoDir, ['ls-remote', '--symref', '--', remote, 'HEAD']);
  const symref = answer?.find((line) => line.startsWith('ref: refs/heads/'));
  return symref ? symref.slice('ref: refs/heads/'.length).split(/\s/)[0]! : null;
}

/** A repository without a remote trusts its local default branch (init.defaultBranch, main or master). */
async function localDefault(repoDir: string): Promise<string | null> {
  const configured = (await lines(repoDir, ['config', '--get', 'init.defaultBranch']))?.[0];
  for (const branch of [configured, 'main', 'master']) {
    if (branch !== undefined && (await lines(repoDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`])) !== null) return branch;
  }
  return null;
}

async function load(repoDir: string, ref: string, how: string): Promise<TrustedRevision | NoTrustedRevision> {
  let commit: string;
  try {
    commit = await resolveCommit(repoDir, ref);
  } catch {
    return { missing: `the trusted revision ${ref} (${how}) is not in this repository: fetch it` };
  }
  try {
    const desired = await desiredAtCommit(repoDir, commit, { compile: false });
    return { ref, commit, how, desired: { ...desired, describe: `${ref} (${commit.slice(0, 12)})` } };
  } catch (error) {
    if (error instanceof DesiredStateError) return { missing: `the trusted revision ${ref} cannot be read: ${error.message}` };
    throw error;
  }
}

/** Finds the trusted revision of the repository at `repoDir`, or says why there is none. */
export async function findTrustedRevision(repoDir: string, location: TrustLocation = {}): Promise<TrustedRevision | NoTrustedRevision> {
  const top = await gitLocation(repoDir);
  if (top === null) return { missing: `${repoDir} is not in a Git repository, so no revision of it can be trusted` };
  const remote = await trustRemote(top.top);
  if (location.explicit) {
    const { ref, how } = location.explicit;
    const full = remote === null ? `refs/heads/${ref}` : `refs/remotes/${ref}`;
    if ((await lines(top.top, ['rev-parse', '--verify', '--quiet', `${full}^{commit}`])) === null) {
      return { missing: `${how} must name a branch as ${remote === null ? 'this repository' : 'a remote'} has it (${remote === null ? 'main' : `${remote}/main`}), and ${quoted(ref)} is none` };
    }
    return load(top.top, full, how).then((found) => (isTrusted(found) ? { ...found, ref } : found));
  }

  if (remote === 'ambiguous') {
    return { missing: 'the repository has several remotes and none is called origin: name the trusted revision with --trusted-ref (or FERRY_TRUSTED_REF)' };
  }
  let branch: string | null;
  let how: string;
  const refOf = (name: string) => (remote === null ? name : `${remote}/${name}`);
  if (remote !== null) {
    branch = location.defaultBranch ?? (await remoteDefault(top.top, remote, location.askRemote ?? true));
    how = location.defaultBranch !== undefined ? `the default branch GitHub names` : `the default branch of ${remote}`;
    if (branch === null) {
      return { missing: `the default branch of ${remote} is unknown: run "git remote set-head ${remote} --auto", or name the trusted revision with --trusted-ref` };
    }
  } else {
    branch = await localDefault(top.top);
    how = 'the local default branch (the repository has no remote)';
    if (branch === null) return { missing: 'the repository has no remote and no main or master branch: name the trusted revision with --trusted-ref' };
  }
  const found = await load(top.top, refOf(branch), how);
  if (!isTrusted(found)) return found;
  // The default branch may name another branch as the trusted one.
  const configured = found.desired.state.project.trust.branch;
  if (configured === null || configured === branch) return found;
  return load(top.top, refOf(configured), `spec.trust.branch of ${found.ref}`);
}

/** Whether `commit` is the trusted revision or one of its ancestors (merged into it). */
export async function isMerged(repoDir: string, commit: string, trusted: TrustedRevision): Promise<boolean> {
  if (commit === trusted.commit) return true;
  const result = await git(repoDir, ['merge-base', '--is-ancestor', commit, trusted.commit], { allow: [1, 128] });
  return result.code === 0;
}
