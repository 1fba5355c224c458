import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { StatusState } from '../../src/engine/status.js';
import type { VirtualClock } from '../../src/providers/ports.js';
import { desiredAtCommit } from '../../src/reconcile/desired.js';
import { openReconciler } from '../../src/reconcile/open.js';
import { tick } from '../../src/reconcile/reconciler.js';
import { runUntilIdle } from '../../src/reconcile/run.js';
import { openStatusStore, type StatusBranch, type StatusStore, type StoreCounters } from '../../src/store/index.js';
import { contactAll } from '../../src/trust/connections.js';
import { writeCampaignRepo } from '../../scripts/campaign.js';
import { copyOfExampleRepo, tempDir } from '../helpers/cli.js';

const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const BRANCH = 'ferry/status';
const M = 60_000;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
}

function commitAll(dir: string): void {
  for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-qm', 'campaign']]) git(dir, ...args);
}

async function opened(dir: string) {
  const desired = await desiredAtCommit(dir, 'HEAD');
  const reconciler = await openReconciler(dir, desired.state, desired.files, { connections: contactAll(desired.state), readOnly: false, log: pino({ level: 'silent' }) });
  return { desired, reconciler, store: reconciler.store as StatusBranch, clock: reconciler.setup.providers.clock as VirtualClock };
}

/** A generated campaign (scripts/campaign.ts) whose batches all run, on the simulator. */
async function generatedCampaign(instances: number) {
  const dir = tempDir('ferry-warm-');
  writeCampaignRepo(dir, { instances, batches: 8, constraintsPerBatch: 2, scriptlets: true, allRunning: true });
  commitAll(dir);
  return { dir, ...(await opened(dir)) };
}

function cold(dir: string, branch = BRANCH): Promise<StatusBranch> {
  return openStatusStore({ repoDir: dir, branch, remote: null });
}

/** What the store did since `before`. */
function work(store: StatusBranch, before: StoreCounters): StoreCounters {
  const now = store.counters;
  return Object.fromEntries(Object.entries(now).map(([key, value]) => [key, value - before[key as keyof StoreCounters]])) as unknown as StoreCounters;
}

const NOTHING = { heldReads: 1, treesListed: 0, treesDiffed: 0, blobsRead: 0, assembled: 0, filesRendered: 0 };

function changedPaths(dir: string, from: string, to: string): string[] {
  return git(dir, 'diff-tree', '-r', '--name-only', '--no-commit-id', from, to).split('\n').filter(Boolean);
}

/** The tree a store that holds nothing writes for the same status on the same base: the warm write must be the same bytes. */
async function coldTree(dir: string, base: string | null, status: StatusState): Promise<string> {
  const branch = 'ferry/cold';
  if (base === null) git(dir, 'update-ref', '-d', `refs/heads/${branch}`);
  else git(dir, 'update-ref', `refs/heads/${branch}`, base);
  const store = await cold(dir, branch);
  const written = await store.write(await store.read(), status, 'cold');
  if (!written.ok) throw new Error(written.message);
  return git(dir, 'rev-parse', `${written.revision}^{tree}`);
}

describe('warm ticks: a long-running apply holds the status between ticks', () => {
  it('writes the trees a cold store writes, holds what a cold read gives, and reads and renders nothing on a tick where nothing changed', async () => {
    const { dir, desired, reconciler, store, clock } = await generatedCampaign(400);
    try {
      let committed = 0;
      for (let i = 0; i < 6; i++) {
        const base = git(dir, 'for-each-ref', '--format=%(objectname)', `refs/heads/${BRANCH}`) || null;
        const before = { ...store.counters };
        const report = await tick(reconciler.setup, desired);
        if (report.committed) {
          committed++;
          const done = work(store, before);
          // The read was the status held (no listing, no decode), except the very first.
          if (base !== null) expect(done).toMatchObject({ heldReads: 1, treesListed: 0, treesDiffed: 0, blobsRead: 0, assembled: 0 });
          // Rendered: the files that changed, status.yaml and CONFLICTS.md (rendered every time), the shards of a re-read inventory.
          const changed = base === null ? Infinity : changedPaths(dir, base, report.revision!).length;
          if (report.synced.length === 0) expect(done.filesRendered).toBeLessThanOrEqual(changed + 2);
          expect(git(dir, 'rev-parse', `${report.revision}^{tree}`)).toBe(await coldTree(dir, base, report.decision!.status));
          const held = await store.read();
          expect(held.revision).toBe(report.revision);
          expect(held.status).toEqual((await (await cold(dir)).read()).status);
        }
        await clock.advanceTo(clock.now() + 10 * M);
      }
      expect(committed).toBeGreaterThanOrEqual(3);

      // Ticks at the same instant until one has nothing to commit; the next reads, lists and renders nothing.
      for (let i = 0; i < 5 && (await tick(reconciler.setup, desired)).committed; i++);
      const before = { ...store.counters };
      const quiet = await tick(reconciler.setup, desired);
      expect(quiet.committed).toBe(false);
      expect(work(store, before)).toEqual(NOTHING);
    } finally {
      await reconciler.close();
    }
  });

  it('sees exactly what another reconciler wrote between two ticks, reading only the files it changed', async () => {
    const { dir, desired, reconciler, store, clock } = await generatedCampaign(300);
    try {
      for (let i = 0; i < 3; i++) {
        await tick(reconciler.setup, desired);
        await clock.advanceTo(clock.now() + 10 * M);
      }
      const held = await store.read();
      // Another reconciler (another process: its own store) changes one entry.
      const other = await cold(dir);
      const seen = await other.read();
      const [uuid, entry] = Object.entries(seen.status.entries)[0]!;
      const next = { ...seen.status, entries: { ...seen.status.entries, [uuid]: { ...entry, message: 'changed by another reconciler' } } };
      const written = await other.write(seen, next, 'another reconciler');
      if (!written.ok) throw new Error(written.message);
      const changed = changedPaths(dir, held.revision!, written.revision);
      expect(changed).toEqual([`entries/${entry.batch}/all.jsonl`]);

      const before = { ...store.counters };
      const after = await store.read();
      expect(after.revision).toBe(written.revision);
      expect(after.status).toEqual((await (await cold(dir)).read()).status);
      expect(after.status.entries[uuid]!.message).toBe('changed by another reconciler');
      // Only the changed file and status.yaml (the manifest, read every time the tip moved) were read; the records of the others are the ones held.
      expect(work(store, before)).toMatchObject({ heldReads: 0, treesListed: 0, treesDiffed: 1, blobsRead: 2, assembled: 1, filesRendered: 0 });
      const untouched = Object.values(held.status.entries).find((e) => e.batch !== entry.batch)!;
      expect(after.status.entries[untouched.uuid]).toBe(untouched);

      // The warm store's own write based on what it held before is refused; the tick re-reads and goes on.
      expect(await store.write(held, held.status, 'stale')).toMatchObject({ ok: false, reason: 'moved' });
      const report = await tick(reconciler.setup, desired);
      expect(report.casRetries).toBe(0);
      const again = await store.read();
      expect(again.status).toEqual((await (await cold(dir)).read()).status);
      expect(again.status.entries[uuid]!.message).not.toBe(undefined);
    } finally {
      await reconciler.close();
    }
  });
});

/** A store that holds nothing between calls: every read and write as a cold `apply --once` tick does them. */
function coldEveryTime(dir: string): StatusStore {
  return {
    description: `the local branch ${BRANCH} in ${dir}`,
    read: async () => (await cold(dir)).read(),
    write: async (base, next, message, options) => (await cold(dir)).write(base, next, message, options),
  };
}

describe('apply --until-idle on the example campaign', () => {
  it('ends with the same statuses, commits and actions with a warm store as with a cold one every tick', async () => {
    const run = async (warm: boolean) => {
      const dir = copyOfExampleRepo();
      const project = join(dir, 'ferry.yaml');
      writeFileSync(project, readFileSync(project, 'utf8').replace('    branch: ferry/status', '    branch: ferry/status\n    local: true'));
      commitAll(dir);
      const { desired, reconciler } = await opened(dir);
      const setup = warm ? reconciler.setup : { ...reconciler.setup, store: coldEveryTime(dir) };
      try {
        const summary = await runUntilIdle(setup, async () => desired);
        const { status } = await (await cold(dir)).read();
        return {
          summary: { ticks: summary.ticks, commits: summary.commits, actions: summary.actions, reason: summary.reason },
          entries: Object.fromEntries(Object.values(status.entries).map((e) => [`${e.batch}/${e.name}`, `${e.status} ${e.import_stage ?? ''} ${e.message}`])),
          batches: Object.fromEntries(Object.values(status.batches).map((b) => [b.name, `${b.status} ${b.message}`])),
          commits: Number(git(dir, 'rev-list', '--count', BRANCH)),
        };
      } finally {
        await reconciler.close();
      }
    };
    const warm = await run(true);
    expect(warm.summary.reason).toBe('idle');
    expect(Object.keys(warm.entries).length).toBeGreaterThan(0);
    expect(warm).toEqual(await run(false));
  });
});
