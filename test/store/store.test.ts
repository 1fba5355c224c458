import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyStatus, STATUS_FORMAT, type StatusState } from '../../src/engine/status.js';
import { openStatusStore, StatusStoreError, type StatusSnapshot, type StatusStore } from '../../src/store/index.js';
import { FERRY_VERSION } from '../../src/model/version.js';
import { shardOf } from '../../src/store/paths.js';
import { generateStatus } from '../helpers/status.js';

const BRANCH = 'ferry/status';

/** Git for the test's own setup, with an identity of its own. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Tester', GIT_AUTHOR_EMAIL: 'tester@example.com', GIT_COMMITTER_NAME: 'Tester', GIT_COMMITTER_EMAIL: 'tester@example.com' },
  }).trim();
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ferry-store-'));
}

/** A repository with one commit on main and a dirty work tree, as an operator's checkout would be. */
function workRepository(): string {
  const dir = tempDir();
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'ferry.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: demo}\n');
  git(dir, 'add', 'ferry.yaml');
  git(dir, 'commit', '-qm', 'campaign');
  writeFileSync(join(dir, 'ferry.yaml'), 'edited but not committed\n');
  writeFileSync(join(dir, 'untracked.txt'), 'new\n');
  return dir;
}

/** A bare "origin" and two clones of it: two reconcilers on two machines. */
function remoteSetup(): { origin: string; a: string; b: string } {
  const root = tempDir();
  const seed = join(root, 'seed');
  git(root, 'init', '-q', '-b', 'main', seed);
  writeFileSync(join(seed, 'ferry.yaml'), 'kind: Project\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-qm', 'campaign');
  git(root, 'clone', '-q', '--bare', seed, 'origin.git');
  git(root, 'clone', '-q', join(root, 'origin.git'), 'a');
  git(root, 'clone', '-q', join(root, 'origin.git'), 'b');
  return { origin: join(root, 'origin.git'), a: join(root, 'a'), b: join(root, 'b') };
}

function local(repoDir: string): Promise<StatusStore> {
  return openStatusStore({ repoDir, branch: BRANCH, remote: null });
}

/** The next tick's status: a few entries changed the way the engine changes them (copies). */
function tick(status: StatusState, uuids: readonly string[], message: string): StatusState {
  const entries = { ...status.entries };
  for (const uuid of uuids) entries[uuid] = { ...entries[uuid]!, message, updated_at: entries[uuid]!.updated_at + 1000 };
  return { ...status, entries, updated_at: (status.updated_at ?? 0) + 60_000 };
}

function changedPaths(repo: string, from: string, to: string): string[] {
  return git(repo, 'diff-tree', '-r', '--name-only', '--no-commit-id', from, to).split('\n').filter(Boolean).sort();
}

function expectOk(result: Awaited<ReturnType<StatusStore['write']>>): string {
  if (!result.ok) throw new Error(`write refused: ${result.message}`);
  return result.revision;
}

const saved: Record<string, string | undefined> = {};
const IDENTITY_VARS = ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL'];
beforeEach(() => {
  for (const name of IDENTITY_VARS) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
});
afterEach(() => {
  for (const name of IDENTITY_VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('local mode', () => {
  it('reads a branch that does not exist yet as an empty status', async () => {
    const store = await local(workRepository());
    expect(await store.read()).toEqual({ revision: null, status: emptyStatus() });
  });

  it('writes one commit per write, on top of the revision it read, and reads back what it wrote', async () => {
    const repo = workRepository();
    const store = await local(repo);
    const status = generateStatus({ batches: 3, entriesPerBatch: 40 });
    const first = expectOk(await store.write(await store.read(), status, 'ferry: first tick'));
    expect(git(repo, 'rev-list', '--count', BRANCH)).toBe('1');
    const snapshot = await store.read();
    expect(snapshot).toStrictEqual({ revision: first, status });

    const second = expectOk(await store.write(snapshot, tick(snapshot.status, [], 'x'), 'ferry: second tick\n\nwith a body'));
    expect(git(repo, 'rev-list', '--parents', '-n', '1', BRANCH)).toBe(`${second} ${first}`);
    expect(git(repo, 'log', '-1', '--format=%B', BRANCH)).toBe(`ferry: second tick\n\nwith a body\n\nFerry-Version: ${FERRY_VERSION}\nFerry-Status-Format: ${STATUS_FORMAT}`);
    // A fresh store (another process) reads the same.
    expect((await (await local(repo)).read()).status).toStrictEqual(tick(snapshot.status, [], 'x'));
  });

  it('commits as Ferry on a machine without a Git identity, and as the identity the environment gives', async () => {
    const repo = workRepository();
    const store = await local(repo);
    const first = expectOk(await store.write(await store.read(), emptyStatus(), 'one'));
    expect(git(repo, 'log', '-1', '--format=%an <%ae> | %cn <%ce>', first)).toBe('Ferry <ferry@localhost> | Ferry <ferry@localhost>');
    Object.assign(process.env, { GIT_AUTHOR_NAME: 'Ops Bot', GIT_AUTHOR_EMAIL: 'ops@example.com' });
    const second = expectOk(await store.write(await store.read(), emptyStatus(), 'two'));
    expect(git(repo, 'log', '-1', '--format=%an <%ae> | %cn <%ce>', second)).toBe('Ops Bot <ops@example.com> | Ops Bot <ops@example.com>');
  });

  it('rewrites only the shard files whose entries changed', async () => {
    const repo = workRepository();
    const store = await local(repo);
    const status = generateStatus({ batches: 4, entriesPerBatch: 300 });
    const base: StatusSnapshot = { revision: expectOk(await store.write(await store.read(), status, 'full')), status };
    const snapshot = await store.read();
    expect(snapshot.revision).toBe(base.revision);
    // Three entries of wave-002: their shards, the manifest and the report change, nothing else.
    const uuids = Object.values(snapshot.status.entries).filter((e) => e.batch === 'wave-002').slice(0, 3).map((e) => e.uuid);
    const next = expectOk(await store.write(snapshot, tick(snapshot.status, uuids, 'moved on'), 'three entries'));
    // 300 entries: 16 shards per batch.
    const shards = new Set(uuids.map((uuid) => `entries/wave-002/${shardOf(uuid, 16)}.jsonl`));
    expect(changedPaths(repo, base.revision!, next)).toEqual(['CONFLICTS.md', ...shards, 'status.yaml'].sort());
    expect(git(repo, 'ls-tree', '-r', '--name-only', next).split('\n').length).toBe(4 * 16 + 4 + 16 + 1 + 1 + 1 + 1);
  });

  it('writes only the changed files even when the records are copies, and for a store that did not read the base', async () => {
    const repo = workRepository();
    const status = generateStatus({ batches: 2, entriesPerBatch: 20 });
    const writer = await local(repo);
    const base = expectOk(await writer.write(await writer.read(), status, 'full'));
    // A deep copy: no record is the object the store read.
    const copy = structuredClone(status);
    const uuid = Object.keys(copy.entries)[5]!;
    copy.entries[uuid] = { ...copy.entries[uuid]!, retries: 1 };
    const other = await local(repo);
    const next = expectOk(await other.write({ revision: base, status }, copy, 'one entry'));
    // A finished entry: not in the report; same counts: same status.yaml.
    expect(copy.entries[uuid]!.status).toBe('finished');
    expect(changedPaths(repo, base, next)).toEqual([`entries/${copy.entries[uuid]!.batch}/all.jsonl`]);
  });

  it('gives the same tree for the same status, whatever the history', async () => {
    const status = generateStatus({ batches: 3, entriesPerBatch: 300 });
    const a = workRepository();
    const direct = expectOk(await (await local(a)).write({ revision: null, status: emptyStatus() }, status, 'at once'));
    const b = workRepository();
    const store = await local(b);
    let snapshot = await store.read();
    const half = { ...status, entries: Object.fromEntries(Object.entries(status.entries).slice(0, 400)) };
    snapshot = { revision: expectOk(await store.write(snapshot, half, 'half')), status: half };
    const stepwise = expectOk(await store.write(snapshot, status, 'the rest'));
    expect(git(b, 'rev-parse', `${stepwise}^{tree}`)).toBe(git(a, 'rev-parse', `${direct}^{tree}`));
  });

  it('refuses a write based on a revision that is no longer the tip: compare-and-swap', async () => {
    const repo = workRepository();
    const one = await local(repo);
    const two = await local(repo);
    const status = generateStatus({ batches: 1, entriesPerBatch: 5 });
    const start = expectOk(await one.write(await one.read(), status, 'start'));
    const [a, b] = await Promise.all([one.read(), two.read()]);
    const uuid = Object.keys(status.entries)[0]!;
    const won = expectOk(await one.write(a, tick(a.status, [uuid], 'by one'), 'one'));
    const lost = await two.write(b, tick(b.status, [uuid], 'by two'), 'two');
    expect(lost).toEqual({ ok: false, reason: 'moved', message: expect.stringMatching(/moved|is now at/) as string });
    expect(git(repo, 'rev-parse', BRANCH)).toBe(won);
    // Re-read, decide again, write: accepted.
    const again = await two.read();
    expect(again.status.entries[uuid]!.message).toBe('by one');
    expect(await two.write(again, tick(again.status, [uuid], 'by two'), 'two')).toMatchObject({ ok: true });
    expect(git(repo, 'rev-list', '--count', BRANCH)).toBe('3');
    expect(start).not.toBe(won);
  });

  it('lets only one of two simultaneous writes on the same base through', async () => {
    const repo = workRepository();
    const stores = await Promise.all([local(repo), local(repo), local(repo)]);
    const base = await stores[0]!.read();
    const results = await Promise.all(stores.map((store, i) => store.write(base, { ...generateStatus({ batches: 1, entriesPerBatch: 3 }), updated_at: i }, `writer ${i}`)));
    expect(results.filter((r) => r.ok).length).toBe(1);
    expect(results.filter((r) => !r.ok && r.reason === 'moved').length).toBe(2);
    expect(git(repo, 'rev-list', '--count', BRANCH)).toBe('1');
  });

  it('never touches the work tree, the index or HEAD, and leaves no temporary refs', async () => {
    const repo = workRepository();
    // --no-optional-locks: the test's own `git status` must not refresh the index either.
    const before = { status: git(repo, '--no-optional-locks', 'status', '--porcelain'), head: git(repo, 'symbolic-ref', 'HEAD'), index: readFileSync(join(repo, '.git/index')), indexTime: statSync(join(repo, '.git/index')).mtimeMs };
    const store = await local(repo);
    const status = generateStatus({ batches: 2, entriesPerBatch: 10 });
    const snapshot = { revision: expectOk(await store.write(await store.read(), status, 'one')), status };
    await store.write(snapshot, tick(status, Object.keys(status.entries).slice(0, 2), 'two'), 'two');
    await store.read();
    expect(git(repo, '--no-optional-locks', 'status', '--porcelain')).toBe(before.status);
    expect(git(repo, 'symbolic-ref', 'HEAD')).toBe(before.head);
    expect(readFileSync(join(repo, '.git/index')).equals(before.index)).toBe(true);
    expect(statSync(join(repo, '.git/index')).mtimeMs).toBe(before.indexTime);
    expect(readFileSync(join(repo, 'ferry.yaml'), 'utf8')).toBe('edited but not committed\n');
    expect(git(repo, 'for-each-ref', '--format=%(refname)')).toBe(`refs/heads/${BRANCH}\nrefs/heads/main`);
  });

  it('refuses to move the status branch while it is checked out', async () => {
    const repo = workRepository();
    const store = await local(repo);
    expectOk(await store.write(await store.read(), emptyStatus(), 'one'));
    git(repo, 'stash', '-u');
    git(repo, 'checkout', '-q', BRANCH);
    const error = await store.write(await store.read(), emptyStatus(), 'two').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatusStoreError);
    expect((error as StatusStoreError).code).toBe('status-checked-out');
  });

  it('refuses a status that cannot be written without committing anything', async () => {
    const repo = workRepository();
    const store = await local(repo);
    const status = generateStatus({ batches: 1, entriesPerBatch: 3 });
    const uuid = Object.keys(status.entries)[0]!;
    status.entries[uuid] = { ...status.entries[uuid]!, created_at: Number.POSITIVE_INFINITY };
    await expect(store.write(await store.read(), status, 'bad')).rejects.toThrow('created_at: expected a time in epoch milliseconds');
    expect(git(repo, 'for-each-ref', '--format=%(refname)')).toBe('refs/heads/main');
  });

  it('hands out frozen records and shares the unchanged ones between reads', async () => {
    const repo = workRepository();
    const store = await local(repo);
    const status = generateStatus({ batches: 2, entriesPerBatch: 10 });
    expectOk(await store.write(await store.read(), status, 'one'));
    const first = await store.read();
    const [changed, unchanged] = Object.values(first.status.entries).filter((e) => e.batch === 'wave-000');
    expect(() => {
      (changed as { message: string }).message = 'mutated';
    }).toThrow(TypeError);
    // Another store (another reconciler) writes: this one reads the files that changed, and only those.
    const other = await local(repo);
    expectOk(await other.write(await other.read(), tick(first.status, [changed!.uuid], 'new'), 'two'));
    const second = await store.read();
    expect(second.status.entries[changed!.uuid]!.message).toBe('new');
    expect(second.status.entries[unchanged!.uuid]).not.toBe(first.status.entries[unchanged!.uuid]);
    const otherBatch = Object.values(first.status.entries).find((e) => e.batch === 'wave-001')!;
    expect(second.status.entries[otherBatch.uuid]).toBe(otherBatch);
  });

  it('holds what it wrote: the next read is that status, its new records frozen', async () => {
    const repo = workRepository();
    const store = await local(repo);
    expectOk(await store.write(await store.read(), generateStatus({ batches: 2, entriesPerBatch: 10 }), 'one'));
    const first = await store.read();
    const [changed, unchanged] = Object.values(first.status.entries).filter((e) => e.batch === 'wave-000');
    const next = tick(first.status, [changed!.uuid], 'new');
    const revision = expectOk(await store.write(first, next, 'two'));
    const second = await store.read();
    expect(second.revision).toBe(revision);
    expect(second.status.entries[unchanged!.uuid]).toBe(first.status.entries[unchanged!.uuid]);
    expect(second.status.entries[changed!.uuid]).toBe(next.entries[changed!.uuid]);
    expect(() => {
      (second.status.entries[changed!.uuid] as { message: string }).message = 'mutated';
    }).toThrow(TypeError);
  });
});

describe('reading a damaged or foreign branch', () => {
  /** Commits files onto the status branch by hand, as someone editing it would. */
  function commitFiles(repo: string, files: Map<string, string>): string {
    const work = tempDir();
    git(work, 'init', '-q');
    for (const [path, text] of files) {
      execFileSync('mkdir', ['-p', join(work, path, '..')]);
      writeFileSync(join(work, path), text);
    }
    git(work, 'add', '-A');
    git(work, 'commit', '-qm', 'by hand');
    git(repo, 'fetch', '-q', work, `+HEAD:refs/heads/${BRANCH}`);
    return git(repo, 'rev-parse', BRANCH);
  }

  async function filesOf(repo: string): Promise<Map<string, string>> {
    const paths = git(repo, 'ls-tree', '-r', '--name-only', BRANCH).split('\n');
    return new Map(paths.map((p) => [p, execFileSync('git', ['show', `${BRANCH}:${p}`], { cwd: repo, encoding: 'utf8' })]));
  }

  it('names the file and line of a damaged record', async () => {
    const repo = workRepository();
    const store = await local(repo);
    expectOk(await store.write(await store.read(), generateStatus({ batches: 1, entriesPerBatch: 4 }), 'one'));
    const files = await filesOf(repo);
    const lines = files.get('entries/wave-000/all.jsonl')!.split('\n');
    lines[2] = lines[2]!.replace('"retries":0', '"retries":-0.5');
    files.set('entries/wave-000/all.jsonl', lines.join('\n'));
    commitFiles(repo, files);
    const error = (await (await local(repo)).read().catch((e: unknown) => e)) as StatusStoreError;
    expect(error.code).toBe('status-corrupt');
    expect([error.file, error.line]).toEqual(['entries/wave-000/all.jsonl', 3]);
    expect(error.message).toBe('entries/wave-000/all.jsonl:3: retries: expected an integer');
  });

  it('refuses a branch written by a newer Ferry and does not write over it', async () => {
    const repo = workRepository();
    const store = await local(repo);
    expectOk(await store.write(await store.read(), emptyStatus(), 'one'));
    const files = await filesOf(repo);
    files.set('status.yaml', files.get('status.yaml')!.replace(STATUS_FORMAT, 'ferry.dev/status/v5'));
    files.set('entries-v2/index.bin', 'something new');
    const tip = commitFiles(repo, files);
    await expect(store.read()).rejects.toThrow(
      `status.yaml: the status branch was written by a newer Ferry (format ferry.dev/status/v5); this Ferry reads formats up to ${STATUS_FORMAT}: upgrade Ferry`,
    );
    expect(git(repo, 'rev-parse', BRANCH)).toBe(tip);
  });

  it('does not take a branch without status.yaml for a status branch', async () => {
    const repo = workRepository();
    git(repo, 'branch', BRANCH, 'main');
    await expect((await local(repo)).read()).rejects.toThrow(/^status.yaml: the file is missing: the local branch ferry\/status in .* is not a Ferry status branch$/);
  });
});

describe('remote mode', () => {
  const remote = (repoDir: string): Promise<StatusStore> => openStatusStore({ repoDir, branch: BRANCH, remote: 'origin' });

  it('reads a branch the remote does not have as an empty status, and creates it on the first write', async () => {
    const { origin, a } = remoteSetup();
    const store = await remote(a);
    const empty = await store.read();
    expect(empty).toEqual({ revision: null, status: emptyStatus() });
    const status = generateStatus({ batches: 2, entriesPerBatch: 5 });
    const revision = expectOk(await store.write(empty, status, 'first'));
    expect(git(origin, 'rev-parse', BRANCH)).toBe(revision);
    expect(git(a, 'rev-parse', `origin/${BRANCH}`)).toBe(revision);
    // The local branch of that name is not created: the remote's is the status branch.
    expect(git(a, 'branch', '--list', BRANCH)).toBe('');
  });

  it('lets two reconcilers on two clones take turns: the stale push is refused, re-read, re-decided', async () => {
    const { origin, a, b } = remoteSetup();
    const storeA = await remote(a);
    const storeB = await remote(b);
    const [baseA, baseB] = await Promise.all([storeA.read(), storeB.read()]);
    const status = generateStatus({ batches: 1, entriesPerBatch: 6 });
    const first = expectOk(await storeA.write(baseA, status, 'A creates'));
    // B decided on the missing branch too: its push is refused, nothing is forced.
    expect(await storeB.write(baseB, { ...status, updated_at: 1 }, 'B creates')).toMatchObject({ ok: false, reason: 'moved' });
    expect(git(origin, 'rev-parse', BRANCH)).toBe(first);

    const readB = await storeB.read();
    expect(readB.revision).toBe(first);
    const uuid = Object.keys(status.entries)[0]!;
    const second = expectOk(await storeB.write(readB, tick(readB.status, [uuid], 'B was here'), 'B ticks'));
    // A still holds the first revision: refused again.
    const stale = await storeA.write({ revision: first, status }, tick(status, [uuid], 'A was here'), 'A ticks');
    expect(stale).toMatchObject({ ok: false, reason: 'moved' });
    expect(git(origin, 'rev-parse', BRANCH)).toBe(second);
    const readA = await storeA.read();
    expect(readA.status.entries[uuid]!.message).toBe('B was here');
    expect(git(origin, 'rev-list', '--count', BRANCH)).toBe('2');
  });

  it('reports a push the remote refuses for another reason as an error, not as a moved branch', async () => {
    const { origin, a } = remoteSetup();
    const hook = join(origin, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "protected branch" >&2\nexit 1\n', { mode: 0o755 });
    const store = await remote(a);
    const error = (await store.write(await store.read(), emptyStatus(), 'x').catch((e: unknown) => e)) as StatusStoreError;
    expect(error).toBeInstanceOf(StatusStoreError);
    expect(error.code).toBe('status-push-refused');
    expect(error.message).toMatch(/^the push to the branch ferry\/status on the remote origin was refused: \[remote rejected\]/);
    // The hook's own words say why, and usually what to do.
    expect(error.message).toMatch(/; the remote said: protected branch$/);
  });

  it('works from a shallow clone, as CI checks out', async () => {
    const { origin, a } = remoteSetup();
    const seedStore = await remote(a);
    let snapshot = await seedStore.read();
    for (let i = 0; i < 3; i++) {
      const status = { ...generateStatus({ batches: 1, entriesPerBatch: 3 }), updated_at: i };
      snapshot = { revision: expectOk(await seedStore.write(snapshot, status, `tick ${i}`)), status };
    }
    const shallow = join(tempDir(), 'shallow');
    git(tempDir(), 'clone', '-q', '--depth=1', `file://${origin}`, shallow);
    const store = await remote(shallow);
    const read = await store.read();
    expect(read.revision).toBe(snapshot.revision);
    expect(read.status).toStrictEqual(snapshot.status);
    const next = expectOk(await store.write(read, { ...read.status, updated_at: 99 }, 'from CI'));
    expect(git(origin, 'rev-list', '--parents', '-n', '1', BRANCH)).toBe(`${next} ${snapshot.revision}`);
  });

  it('keeps credentials in the remote URL out of its description and its errors', async () => {
    const { a } = remoteSetup();
    git(a, 'remote', 'add', 'secret', 'https://ferry-bot:ghp_SECRETTOKEN123@127.0.0.1:9/campaign.git');
    const store = await openStatusStore({ repoDir: a, branch: BRANCH, remote: 'secret' });
    expect(store.description).not.toContain('SECRET');
    const error = (await store.read().catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(StatusStoreError);
    expect(error.message).not.toContain('ghp_SECRETTOKEN123');
  });

  it('refuses a remote the repository does not have', async () => {
    const { a } = remoteSetup();
    await expect(openStatusStore({ repoDir: a, branch: BRANCH, remote: 'upstream' })).rejects.toThrow(`the repository ${a} has no remote named "upstream"`);
    await expect(openStatusStore({ repoDir: a, branch: 'bad..name', remote: null })).rejects.toThrow('"bad..name" is not a valid branch name');
  });
});

describe('what the branch holds', () => {
  it('holds nothing from the environment: no secrets, no paths of the machine', async () => {
    const repo = workRepository();
    process.env.VCENTER_PASSWORD = 'hunter2-vcenter';
    try {
      const store = await local(repo);
      const status = generateStatus({ batches: 2, entriesPerBatch: 20 });
      const revision = expectOk(await store.write(await store.read(), status, 'tick'));
      const everything = execFileSync('git', ['-C', repo, 'archive', '--format=tar', revision]).toString('latin1');
      expect(everything).not.toContain('hunter2-vcenter');
      expect(everything).not.toContain(repo);
      expect(everything).not.toContain(tmpdir());
    } finally {
      delete process.env.VCENTER_PASSWORD;
    }
  });
});
