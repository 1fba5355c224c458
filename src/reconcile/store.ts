// Where a repository's status branch lives (ferry.yaml spec.status): in the repository itself
// (local mode) or on a remote it pushes to with compare-and-swap.

import { simpleGit } from 'simple-git';
import type { DesiredState } from '../model/desired.js';
import { openStatusStore, type StatusBranch } from '../store/index.js';
import { gitLocation } from './desired.js';

export class StatusLocationError extends Error {
  constructor(
    /** docs/errors.md, "Command failures". */
    readonly code: 'not-a-git-repository' | 'no-such-remote',
    message: string,
  ) {
    super(message);
    this.name = 'StatusLocationError';
  }
}

/** What the store tells as it goes: leftovers it cleaned up at open, Git's housekeeping failing after a write (once). */
export type StoreNotice = (code: 'status-recovered' | 'status-housekeeping', notice: string) => void;

export async function openRepositoryStore(repoDir: string, desired: DesiredState, onNotice?: StoreNotice): Promise<StatusBranch> {
  const git = await gitLocation(repoDir);
  if (git === null) {
    throw new StatusLocationError('not-a-git-repository', `${repoDir} is not in a Git repository: the status branch lives in Git (run "git init" and commit the repository first)`);
  }
  const { branch, remote, local } = desired.project.status;
  const notices = onNotice === undefined ? {} : { onRecovered: (n: string) => onNotice('status-recovered', n), onHousekeeping: (n: string) => onNotice('status-housekeeping', n) };
  if (local) return openStatusStore({ repoDir: git.top, branch, remote: null, ...notices });
  const remotes = (await simpleGit({ baseDir: git.top }).raw(['remote'])).split('\n').map((r) => r.trim()).filter(Boolean);
  if (!remotes.includes(remote)) {
    throw new StatusLocationError(
      'no-such-remote',
      `the status branch is pushed to the remote "${remote}" (ferry.yaml spec.status.remote), which this repository does not have; ` +
        'add the remote, or set spec.status.local: true to keep the status branch in this repository only',
    );
  }
  return openStatusStore({ repoDir: git.top, branch, remote, ...notices });
}
