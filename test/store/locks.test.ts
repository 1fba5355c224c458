// Stale Git locks and temporary refs left by a Ferry process killed with its git child: the next
// open recovers them when nobody can hold them, and says so; a lock a live git process may hold
// is left alone and named in a coded error.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyStatus } from '../../src/engine/status.js';
import { makerOf, STALE_LOCK_AGE_MS } from '../../src/store/locks.js';
import { openStatusStore, StatusStoreError } from '../../src/store/index.js';
import { committedExample, ferry, gitIn, tempDir } from '../helpers/cli.js';

const BRANCH = 'ferry/status';
const TRACKING_LOCK = ['refs', 'remotes', 'origin', 'ferry', 'status.lock'];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Tester', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Tester', GIT_COMMITTER_EMAIL: 't@example.com' },
  }).trim();
}

/**
 * A clone of a bare origin whose status branch has one commit, pushed by Ferry. Another clone
 * moves the branch on afterwards, as the next tick of another reconciler would: the clone's next
 * fetch must then update its remote-tracking ref, the one whose lock a kill leaves.
 */
async function clonedCampaign(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'ferry-locks-'));
  const seed = join(root, 'seed');
  git(root, 'init', '-q', '-b', 'main', seed);
  writeFileSync(join(seed, 'ferry.yaml'), 'kind: Project\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-qm', 'campaign');
  git(root, 'clone', '-q', '--bare', seed, 'origin.git');
  git(root, 'clone', '-q', join(root, 'origin.git'), 'clone');
  const dir = join(root, 'clone');
  const store = await openStatusStore({ repoDir: dir, branch: BRANCH, remote: 'origin' });
  const written = await store.write(await store.read(), { ...emptyStatus(), updated_at: 1 }, 'first');
  expect(written.ok).toBe(true);
  git(root, 'clone', '-q', join(root, 'origin.git'), 'other');
  const other = await openStatusStore({ repoDir: join(root, 'other'), branch: BRANCH, remote: 'origin' });
  const next = await other.read();
  expect((await other.write(next, { ...next.status, updated_at: 2 }, 'second')).ok).toBe(true);
  return dir;
}

/** A process ID that ran and is gone. */
function deadPid(): number {
  const pid = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
  return pid;
}

/** Leaves what a kill during the tracking-ref update leaves: the lock, holding the new ID. */
function leaveLock(dir: string, ageMs: number): string {
  const path = join(dir, '.git', ...TRACKING_LOCK);
  writeFileSync(path, `${git(dir, 'rev-parse', `refs/remotes/origin/${BRANCH}`)}\n`);
  const when = (Date.now() - ageMs) / 1000;
  utimesSync(path, when, when);
  return path;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('leftovers of a killed process', () => {
  it('a stale lock on the remote-tracking ref is removed at open, and the branch reads and writes again', async () => {
    const dir = await clonedCampaign();
    const lock = leaveLock(dir, 60_000);
    // Without recovery, git itself refuses: the failure the operator met.
    expect(() => git(dir, 'fetch', '-q', 'origin', `+refs/heads/${BRANCH}:refs/remotes/origin/${BRANCH}`)).toThrow(/File exists/);
    const notices: string[] = [];
    const store = await openStatusStore({ repoDir: dir, branch: BRANCH, remote: 'origin', onRecovered: (n) => notices.push(n) });
    expect(existsSync(lock)).toBe(false);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('status.lock');
    const snapshot = await store.read();
    expect(snapshot.status.updated_at).toBe(2);
    expect((await store.write(snapshot, { ...snapshot.status, updated_at: 3 }, 'third')).ok).toBe(true);
  });

  it('temporary refs of processes that are gone are pruned; this process’s own are kept', async () => {
    const dir = await clonedCampaign();
    const tip = git(dir, 'rev-parse', `refs/remotes/origin/${BRANCH}`);
    const dead = deadPid();
    for (const name of [`${dead}-0a1b2c3d4e5f`, `conflicts-${dead}`, `${process.pid}-ffffffffffff`, 'not-a-maker-name']) {
      git(dir, 'update-ref', `refs/ferry/tmp/${name}`, tip);
    }
    const notices: string[] = [];
    await openStatusStore({ repoDir: dir, branch: BRANCH, remote: 'origin', onRecovered: (n) => notices.push(n) });
    const left = git(dir, 'for-each-ref', '--format=%(refname)', 'refs/ferry/tmp/').split('\n').sort();
    expect(left).toEqual([`refs/ferry/tmp/${process.pid}-ffffffffffff`, 'refs/ferry/tmp/not-a-maker-name']);
    expect(notices).toEqual(['pruned 2 temporary refs under refs/ferry/tmp/ left by processes that no longer run']);
  });

  it('a lock younger than the threshold is left alone and named in a coded error', async () => {
    const dir = await clonedCampaign();
    const lock = leaveLock(dir, 0);
    const store = await openStatusStore({ repoDir: dir, branch: BRANCH, remote: 'origin' });
    expect(existsSync(lock)).toBe(true);
    const error = await store.read().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StatusStoreError);
    expect((error as StatusStoreError).code).toBe('status-git-locked');
    expect((error as StatusStoreError).message).toContain(lock);
    expect((error as StatusStoreError).message).not.toMatch(/\n\s+at /);
  });

  it('an old lock is left alone while a git process works in the repository, and recovered once it ends', async () => {
    const dir = await clonedCampaign();
    const lock = leaveLock(dir, 10 * STALE_LOCK_AGE_MS);
    const child = spawn('git', ['cat-file', '--batch'], { cwd: dir, stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    const held = await openStatusStore({ repoDir: dir, branch: BRANCH, remote: 'origin' });
    expect(existsSync(lock)).toBe(true);
    await expect(held.read()).rejects.toMatchObject({ code: 'status-git-locked' });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const store = await openStatusStore({ repoDir: dir, branch: BRANCH, remote: 'origin' });
    expect(existsSync(lock)).toBe(false);
    expect((await store.read()).status.updated_at).toBe(2);
  });

  it('reads the maker of a temporary ref from its name', () => {
    expect(makerOf('1234-abcdef012345')).toBe(1234);
    expect(makerOf('conflicts-77')).toBe(77);
    expect(makerOf('0-abc')).toBeNull();
    expect(makerOf('x-y')).toBeNull();
    expect(makerOf('../1-a')).toBeNull();
  });
});

describe('through the CLI', () => {
  it('ferry status and ferry apply recover a stale lock left by a killed reconciler, and say so once', async () => {
    const campaign = committedExample();
    const root = tempDir('ferry-locks-cli-');
    gitIn(root, 'clone', '-q', '--bare', campaign, 'origin.git');
    gitIn(root, 'clone', '-q', join(root, 'origin.git'), 'a');
    gitIn(root, 'clone', '-q', join(root, 'origin.git'), 'b');
    const a = join(root, 'a');
    const b = join(root, 'b');
    expect((await ferry(['apply', '--once'], { cwd: a })).code).toBe(0);
    // Another reconciler's tick moves the branch; then a's clone is left with a killed push's lock.
    expect((await ferry(['apply', '--once'], { cwd: b })).code).toBe(0);
    const lock = leaveLock(a, 60_000);
    const status = await ferry(['status'], { cwd: a });
    expect(status.code, status.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
    expect(status.stderr.match(/removed the stale Git lock/g)).toHaveLength(1);
    expect(status.stderr).not.toMatch(/\n\s+at /);
    leaveLock(a, 60_000);
    const apply = await ferry(['apply', '--once'], { cwd: a });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr + apply.stdout).toMatch(/removed the stale Git lock/);
  }, 120_000);
});
