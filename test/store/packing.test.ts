import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusState } from '../../src/engine/status.js';
import { openStatusStore, type StatusStore } from '../../src/store/index.js';
import { generateStatus } from '../helpers/status.js';

const BRANCH = 'ferry/status';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();
}

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repository(config: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-packing-'));
  made.push(dir);
  git(dir, 'init', '-q', '-b', 'main');
  for (const [name, value] of Object.entries(config)) git(dir, 'config', name, value);
  return dir;
}

function packs(repo: string): string[] {
  return readdirSync(join(repo, '.git', 'objects', 'pack')).filter((name) => name.endsWith('.pack'));
}

/**
 * 120 batches of one entry: 240 small files, so every write that changes all entries is a large
 * one (more than fastimport.unpackLimit objects) and Git keeps it as a pack of its own.
 */
const wide = (): StatusState => generateStatus({ batches: 120, entriesPerBatch: 1, instances: 0 });

function everyEntryChanged(status: StatusState, round: number): StatusState {
  const entries = Object.fromEntries(Object.entries(status.entries).map(([uuid, entry]) => [uuid, { ...entry, message: `round ${round}` }]));
  return { ...status, entries };
}

async function writeRounds(store: StatusStore, rounds: number, onWritten: () => void = () => {}): Promise<void> {
  let status = wide();
  for (let round = 0; round < rounds; round++) {
    status = everyEntryChanged(status, round);
    const written = await store.write(await store.read(), status, `round ${round}`);
    expect(written.ok).toBe(true);
    onWritten();
  }
}

describe('how the status branch is stored', () => {
  it('writes a large commit as one pack of whole objects at Git\'s own compression level', async () => {
    // docs/performance.md, "The status branch over a year": Git reuses a pack's objects as written.
    const sizes: number[] = [];
    for (const config of [{}, { 'pack.compression': '1' }] as Record<string, string>[]) {
      const repo = repository(config);
      const store = await openStatusStore({ repoDir: repo, branch: BRANCH, remote: null });
      expect((await store.write(await store.read(), wide(), 'full')).ok).toBe(true);
      const [pack] = packs(repo);
      const listing = git(repo, 'verify-pack', '-v', join(repo, '.git', 'objects', 'pack', pack!));
      expect(listing).toMatch(/^non delta: \d+ objects$/m);
      expect(listing).not.toMatch(/^chain length/m);
      sizes.push(statSync(join(repo, '.git', 'objects', 'pack', pack!)).size);
    }
    // Git's default level against the light one an operator may still choose (zlib is deterministic).
    expect(sizes[0]!).toBeLessThan(sizes[1]!);
  });

  it('keeps the repository packed: after many large writes the number of packs stays within Git\'s limit', async () => {
    // Thresholds as an operator may set them; the repack is waited for, so the count is observed after it.
    const repo = repository({ 'gc.autoPackLimit': '2', 'gc.autoDetach': 'false' });
    const store = await openStatusStore({ repoDir: repo, branch: BRANCH, remote: null, onHousekeeping: (problem) => expect.fail(problem) });
    const counts: number[] = [];
    await writeRounds(store, 5, () => counts.push(packs(repo).length));
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    expect(git(repo, 'rev-list', '--count', BRANCH)).toBe('5');
    expect(git(repo, 'fsck', '--no-progress', '--connectivity-only')).toBe('');
  });

  it('reports housekeeping that fails once, and the writes stand', async () => {
    const repo = repository({ 'gc.autoPackLimit': '1' });
    // What an earlier detached gc leaves when it fails; Git skips its housekeeping until the file is removed.
    writeFileSync(join(repo, '.git', 'gc.log'), 'fatal: No space left on device\n');
    const problems: string[] = [];
    const store = await openStatusStore({ repoDir: repo, branch: BRANCH, remote: null, onHousekeeping: (problem) => problems.push(problem) });
    await writeRounds(store, 3);
    expect(git(repo, 'rev-list', '--count', BRANCH)).toBe('3');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Git's housekeeping of .+ failed \(the status was written; .+\): .*gc\.log.*No space left on device$/);
    expect(packs(repo).length).toBe(3);
  });
});
