// Helpers of the \`ferry doctor\`/\`ferry repair\` suites (test/cli/repair*.test.ts): hand commits on a
// status branch made with Git's plumbing, small status branches written by the store, and what a
// campaign on the simulator ended with.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openSimWorld, executedTwice, targetInstances } from '../../src/providers/sim/index.js';
import { desiredAtCommit } from '../../src/reconcile/desired.js';
import { openStatusStore } from '../../src/store/index.js';
import { ferry, repoWith, tempDir, type CliRun } from './cli.js';
import { generateStatus } from './status.js';

export const BRANCH = 'ferry/status';
export const OPERATOR = { GIT_AUTHOR_NAME: 'Ana Operator', GIT_AUTHOR_EMAIL: 'ana@example.com' };

/** `git ARGS` in `dir` with a hand editor's identity, an optional standard input and more environment. */
export function git(dir: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    input: options.input,
    env: { ...process.env, GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com', ...options.env },
  }).trim();
}

export type Change = string | null | { link: string };

/**
 * A commit on the status branch of `dir` (a work repository or a bare one) made with Git's plumbing,
 * as a hand edit is: files replaced, removed (null) or made symbolic links; more parents make a merge.
 */
export function commitOnStatus(dir: string, changes: Record<string, Change>, message: string, mergeWith: string[] = []): string {
  const env = { GIT_INDEX_FILE: join(tempDir('ferry-index-'), 'index') };
  git(dir, ['read-tree', BRANCH], { env });
  for (const [path, change] of Object.entries(changes)) {
    if (change === null) {
      git(dir, ['update-index', '--force-remove', path], { env });
      continue;
    }
    const [mode, text] = typeof change === 'string' ? ['100644', change] : ['120000', change.link];
    const blob = git(dir, ['hash-object', '-w', '--stdin'], { input: text });
    git(dir, ['update-index', '--add', '--cacheinfo', `${mode},${blob},${path}`], { env });
  }
  const tree = git(dir, ['write-tree'], { env });
  const commit = git(dir, ['commit-tree', tree, '-p', BRANCH, ...mergeWith.flatMap((p) => ['-p', p]), '-F', '-'], { input: message });
  git(dir, ['update-ref', `refs/heads/${BRANCH}`, commit]);
  return commit;
}

export const fileAt = (dir: string, path: string, rev = BRANCH) => git(dir, ['show', `${rev}:${path}`]);
export const tipOf = (dir: string) => git(dir, ['rev-parse', BRANCH]);

/** A repository holding only a Project whose status branch is local, and `commits` status commits written by the store. */
export async function statusRepository(commits = 1): Promise<string> {
  const dir = repoWith({ 'ferry.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: repair}\nspec:\n  status: {branch: ferry/status, local: true}\n' });
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'campaign']);
  const store = await openStatusStore({ repoDir: dir, branch: BRANCH, remote: null });
  for (let i = 0; i < commits; i++) {
    const written = await store.write(await store.read(), { ...generateStatus({ batches: 1, entriesPerBatch: 3 }), updated_at: i * 60_000 }, `ferry: tick ${i + 1}`);
    if (!written.ok) throw new Error(written.message);
  }
  return dir;
}

/** The run failed in one coded line on stderr and printed nothing on stdout. */
export function expectRefusal(run: CliRun, command: string, code: string): void {
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr.split('\n')).toHaveLength(2);
  expect(run.stderr).toMatch(new RegExp(`^ferry ${command}: error ${code}: .+\\n$`));
}

/** Per entry name, its status. */
export async function entryStatuses(dir: string): Promise<Record<string, string>> {
  const run = await ferry(['status', '--repo', dir, '--batch', 'wave-0-pilot', '--json']);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  return Object.fromEntries((JSON.parse(run.stdout) as { entries: { instance: string; status: string }[] }).entries.map((e) => [e.instance, e.status]));
}

/** The simulated target's instances per entry (`unmarked`: not Ferry's), and the operations the simulator did twice. */
export async function simulatedWorld(dir: string): Promise<{ instancesPerEntry: Record<string, number>; twice: string[] }> {
  const desired = await desiredAtCommit(dir, 'HEAD');
  const world = await openSimWorld({ desired: desired.state, files: desired.files, stateFile: join(dir, '.git/ferry/sim/world.json'), readOnly: true });
  try {
    const instancesPerEntry: Record<string, number> = {};
    for (const instance of targetInstances(world)) instancesPerEntry[instance.entry ?? 'unmarked'] = (instancesPerEntry[instance.entry ?? 'unmarked'] ?? 0) + 1;
    return { instancesPerEntry, twice: executedTwice(world) };
  } finally {
    await world.close();
  }
}

