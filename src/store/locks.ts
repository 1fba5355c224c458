// Leftovers of a Ferry process that was killed with its git child (a power cut, an OOM kill, a
// service stop): a Git lock file on a ref Ferry writes, which makes every later fetch, push and
// update of that ref fail with "File exists", and temporary refs under refs/ferry/tmp/. A lock is
// Ferry's to remove only when it is stale: no live git process works in this repository and the
// lock is older than a few seconds. Temporary refs name the process that made them; they are
// pruned once that process no longer runs.

import { readdir, readFile, readlink, realpath, stat, unlink } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { alive } from '../util/process.js';
import { git } from './git.js';

/** A lock younger than this may belong to a git process this machine cannot see (another PID namespace). */
export const STALE_LOCK_AGE_MS = 10_000;

/** Where temporary refs live; each name starts with the making process's ID (`<pid>-…` or `<purpose>-<pid>`). */
export const TEMPORARY_REFS = 'refs/ferry/tmp/';

export interface LockInspection {
  /** The lock file, as an absolute path. */
  path: string;
  /** When the lock file was last written, ms since the epoch. */
  modified: number;
  /** A live git process working in this repository, when one is found: the lock may be its. */
  liveGit: number | null;
}

/** The lock files of these refs (and of packed-refs and shallow) that exist now. */
export async function findLocks(repoDir: string, refs: readonly string[]): Promise<LockInspection[]> {
  const names = [...refs.map((ref) => `${ref}.lock`), 'packed-refs.lock', 'shallow.lock'];
  const { stdout } = await git(repoDir, ['rev-parse', '--path-format=absolute', ...names.flatMap((name) => ['--git-path', name])]);
  const paths = stdout.split('\n').filter(Boolean);
  const found: LockInspection[] = [];
  let live: number | null | undefined;
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info === null || !info.isFile()) continue;
    live ??= await liveGitProcess(repoDir);
    found.push({ path, modified: info.mtimeMs, liveGit: live });
  }
  return found;
}

/** Whether Ferry may remove this lock: nobody can be holding it. */
export function isStale(lock: LockInspection, now: number): boolean {
  return lock.liveGit === null && now - lock.modified >= STALE_LOCK_AGE_MS;
}

/**
 * Removes the stale locks of these refs and prunes temporary refs whose process is gone; returns
 * a sentence for each thing it removed. Locks a live process may hold are left alone (the git
 * command that meets one says so).
 */
export async function recoverLeftovers(repoDir: string, refs: readonly string[], now = Date.now()): Promise<string[]> {
  const notices: string[] = [];
  for (const lock of await findLocks(repoDir, refs)) {
    if (!isStale(lock, now)) continue;
    await unlink(lock.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    notices.push(`removed the stale Git lock ${lock.path} (written ${new Date(lock.modified).toISOString()}; no git process runs in this repository), left by a process that was killed`);
  }
  const pruned = await pruneTemporaryRefs(repoDir);
  if (pruned > 0) notices.push(`pruned ${pruned} temporary ref${pruned === 1 ? '' : 's'} under ${TEMPORARY_REFS} left by processes that no longer run`);
  return notices;
}

/** Deletes the temporary refs whose making process no longer runs; returns how many. */
export async function pruneTemporaryRefs(repoDir: string): Promise<number> {
  const { stdout } = await git(repoDir, ['for-each-ref', '--format=%(refname) %(objectname)', TEMPORARY_REFS]);
  const dead: string[] = [];
  for (const line of stdout.split('\n')) {
    const [ref, id] = line.split(' ');
    if (ref === undefined || id === undefined || ref === '') continue;
    const pid = makerOf(ref.slice(TEMPORARY_REFS.length));
    if (pid !== null && !alive(pid)) dead.push(`delete ${ref} ${id}\n`);
  }
  if (dead.length === 0) return 0;
  // One transaction; a ref that changed meanwhile (its old value no longer matches) fails it, and the refs wait for the next open.
  const result = await git(repoDir, ['update-ref', '--stdin'], { input: dead, allow: [1, 128] });
  return result.code === 0 ? dead.length : 0;
}

/** The process ID a temporary ref's name carries: `<pid>-<random>` or `<purpose>-<pid>`. */
export function makerOf(name: string): number | null {
  const match = /^(\d+)-[0-9a-f]+$/.exec(name) ?? /^[a-z]+-(\d+)$/.exec(name);
  if (match === null) return null;
  const pid = Number(match[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/**
 * A live git process (git, git-remote-*, git-upload-pack …) whose working directory is inside this
 * repository, or null. Reads /proc (Linux); where there is none the answer is null and the lock's
 * age alone decides (STALE_LOCK_AGE_MS).
 */
export async function liveGitProcess(repoDir: string): Promise<number | null> {
  const entries = await readdir('/proc').catch(() => null);
  if (entries === null) return null;
  const roots = await repositoryRoots(repoDir);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (!comm.startsWith('git')) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => null);
    if (cwd !== null && roots.some((root) => inside(cwd, root))) return pid;
  }
  return null;
}

/** The work tree's top and the Git directories (its own and the common one), resolved. */
async function repositoryRoots(repoDir: string): Promise<string[]> {
  const { stdout } = await git(repoDir, ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'], { allow: [128] });
  const top = await git(repoDir, ['rev-parse', '--show-toplevel'], { allow: [128] });
  const paths = [...stdout.split('\n'), top.stdout.trim(), repoDir].filter(Boolean);
  return Promise.all(paths.map((path) => realpath(path).catch(() => path)));
}

function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The lock file named in a git error ("Unable to create '/…/x.lock': File exists"), or null. */
export function lockInMessage(stderr: string): string | null {
  const match = /Unable to create '([^']+\.lock)': File exists/.exec(stderr);
  return match?.[1] ?? null;
}
