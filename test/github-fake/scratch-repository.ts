// A bare repository for the fake to serve, with a clone to push commits to it, in a temporary
// directory.
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Ferry Test', GIT_AUTHOR_EMAIL: 'test@ferry.invalid',
  GIT_COMMITTER_NAME: 'Ferry Test', GIT_COMMITTER_EMAIL: 'test@ferry.invalid',
};

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: { ...process.env, ...IDENTITY } }, (error, stdout, stderr) =>
      (error ? reject(new Error(`git ${args.join(' ')}: ${stderr.trim() || error.message}`)) : resolve(stdout.trim())));
  });
}

/** A clone of the bare repository that pushes nowhere, standing for a fork's owner's clone. */
export interface ForkClone {
  path: string;
  /** Commits files (path → text, null to delete) on top of what it has; returns the commit SHA. */
  commit(files: Record<string, string | null>, message?: string): Promise<string>;
}

export interface ScratchRepository {
  /** The bare repository: give it to startGitHubFake as `repository`. */
  bare: string;
  /** A clone of it with a work tree. */
  work: string;
  /** Runs git in the bare repository (to inspect what the fake did). */
  bareGit(...args: string[]): Promise<string>;
  /**
   * Commits files (path → text, null to delete) to a branch and pushes it; a new branch starts
   * from `from` (default: the default branch). Returns the commit SHA.
   */
  commit(branch: string, files: Record<string, string | null>, options?: { from?: string; message?: string }): Promise<string>;
  /** A new clone of the default branch whose commits reach the bare repository only through the fake's fork helpers. */
  fork(): Promise<ForkClone>;
  remove(): void;
}

async function commitFiles(work: string, changes: Record<string, string | null>, message: string): Promise<string> {
  for (const [path, text] of Object.entries(changes)) {
    if (text === null) {
      await git(work, ['rm', '-q', '--', path]);
    } else {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), text);
      await git(work, ['add', '--', path]);
    }
  }
  await git(work, ['commit', '-q', '-m', message]);
  return git(work, ['rev-parse', 'HEAD']);
}

const describeChange = (changes: Record<string, string | null>): string => `Change ${Object.keys(changes).join(', ')}`;

export async function createScratchRepository(files: Record<string, string> = { 'README.md': 'campaign\n' }, defaultBranch = 'main'): Promise<ScratchRepository> {
  const root = mkdtempSync(join(tmpdir(), 'ferry-github-fake-'));
  const bare = join(root, 'origin.git');
  const work = join(root, 'work');
  await git(root, ['init', '-q', '--bare', '-b', defaultBranch, bare]);
  await git(root, ['clone', '-q', bare, work]);

  const commit: ScratchRepository['commit'] = async (branch, changes, options = {}) => {
    await git(work, ['fetch', '-q', 'origin']);
    const remote = await git(work, ['branch', '-r', '--list', `origin/${branch}`]);
    const start = remote ? `origin/${branch}` : `origin/${options.from ?? defaultBranch}`;
    const empty = !(await git(work, ['branch', '-r', '--list', `origin/${defaultBranch}`]));
    await git(work, empty ? ['checkout', '-q', '--orphan', branch] : ['checkout', '-q', '-B', branch, start]);
    const sha = await commitFiles(work, changes, options.message ?? describeChange(changes));
    await git(work, ['push', '-q', 'origin', `HEAD:refs/heads/${branch}`]);
    return sha;
  };

  let forks = 0;
  const fork: ScratchRepository['fork'] = async () => {
    const path = join(root, `fork-${++forks}`);
    await git(root, ['clone', '-q', bare, path]);
    return { path, commit: (changes, message = describeChange(changes)) => commitFiles(path, changes, message) };
  };

  await commit(defaultBranch, files, { message: 'Start the campaign' });
  return {
    bare,
    work,
    bareGit: (...args) => git(bare, args),
    commit,
    fork,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
