import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STATUS_FORMAT } from '../../src/engine/status.js';
import { filesToStatus, openStatusStore, statusToFiles } from '../../src/store/index.js';
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/status');

function filesUnder(root: string): Map<string, string> {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
  return new Map(walk(root).map((path) => [relative(root, path), readFileSync(path, 'utf8')]));
}

describe('every status format Ferry ever wrote still reads', () => {
  const versions = readdirSync(FIXTURES).filter((name) => statSync(join(FIXTURES, name)).isDirectory());

  it('has a frozen fixture for the current format', () => {
    expect(versions).toContain(STATUS_FORMAT.split('/').pop());
  });

  it.each(versions)('reads the frozen %s branch', (version) => {
    const status = filesToStatus(filesUnder(join(FIXTURES, version)));
    expect(status.format).toBe(STATUS_FORMAT);
    expect(Object.keys(status.batches).sort()).toEqual(['wave-1-web', 'wave:2|db']);
    expect(Object.keys(status.entries).length).toBe(13);
    expect(Object.values(status.entries).filter((e) => e.batch === 'wave-0-removed').map((e) => e.status)).toEqual(['finished']);
    expect(Object.keys(status.inventory).sort()).toEqual(['dc1', 'vcenter-ü']);
    expect(status.inventory['vcenter-ü']!.instances.find((i) => i.overrides)?.overrides).toEqual({
      name: 'renamed-2',
      cpus: 8,
      config: { 'limits.cpu.allowance': '50%' },
      disable_migration: false,
      comment: 'bigger',
    });
    expect(status.inventory.dc1!.networks[0]!.properties).toEqual({ nested: { a: true, b: null }, uplinks: ['u1', 'u2'], vlan: 101 });
    expect(status.batches['wave-1-web']!.retired_attempts).toEqual({ '11111111-0000-4000-8000-000000000099': 2 });
    expect(status.batches['wave-1-web']!.started_spec!.placement_scriptlet).toContain('set_pool(instance.disks[0].name, "nvme")');
    const canceled = Object.values(status.entries).find((e) => e.status === 'canceled')!;
    expect([canceled.steps, canceled.cleanup]).toEqual([9, { delete_target: { target: 'incus-1', project: 'p1', name: 'app-21', attempt_id: 'x#2' }, remove_entry: false }]);
    expect(Object.values(status.entries).find((e) => e.operation !== null)!.operation).toMatchObject({ kind: 'import_disks', mode: 'background' });
    expect(Object.values(status.ledger).map((l) => l.outcome).sort()).toEqual(['applied', 'applied', 'rejected']);
    expect(status.updated_at).toBe(Date.UTC(2026, 10, 20, 23, 30));
    // v1 knew nothing of targets; from v2 on, what the reconciler last observed of each is kept.
    if (version === 'v1') expect(status.targets).toEqual({});
    else {
      expect(Object.keys(status.targets).sort()).toEqual(['incus-1', 'incus:edge|ü']);
      expect(status.targets['incus-1']!.projects.p1).toEqual({
        pools: ['default', 'nvme'],
        networks: ['dmz', 'lan'],
        instances: { 'app-21': { running: false, entry: '11111111-0000-4000-8000-000000000021', attempt: 'x#2' }, 'legacy-db': { running: true, entry: null, attempt: null } },
      });
    }
  });

  it.each(versions)('reads the assignments, the archive and the attempt of each transition of the frozen %s branch', (version) => {
    const status = filesToStatus(filesUnder(join(FIXTURES, version)));
    const entries = Object.values(status.entries);
    if (version === 'v1' || version === 'v2') {
      // Before v3 nothing was assigned or archived, and a transition belonged to its entry's current attempt.
      expect([status.assignments, status.archive]).toEqual([{}, {}]);
      for (const entry of entries) for (const t of entry.history) expect(t.attempt).toBe(entry.attempt);
      return;
    }
    expect(status.assignments).toEqual({
      'wave:2|db': { include_expression: 'location matches "^/DC1/vm/app-[13]/"', instances: ['9e3779b1-0000-4000-8000-000000000001', 'daa66d13-0000-4000-8000-000000000003'] },
      'wave-3-empty': { include_expression: 'false', instances: [] },
    });
    const removed = status.archive['11111111-0000-4000-8000-0000000000aa']!;
    expect(status.entries['11111111-0000-4000-8000-0000000000aa']).toBeUndefined();
    expect(removed.map((t) => [t.batch, t.attempt, t.from, t.to])).toEqual([
      ['wave-0-removed', 1, null, 'waiting'],
      ['wave-0-removed', 1, 'waiting', 'error'],
      ['wave-0-removed', 2, 'error', 'waiting'],
      ['wave-0-removed', 2, 'waiting', 'blocked'],
      ['wave-0-removed', 2, 'blocked', 'waiting'],
    ]);
    expect(removed.map((t) => t.repeats)).toEqual([undefined, undefined, undefined, { times: 2, last_at: Date.UTC(2026, 10, 17, 12, 1) }, { times: 2, last_at: Date.UTC(2026, 10, 17, 13, 1) }]);
    expect(entries.flatMap((e) => e.history.filter((t) => t.repeats !== undefined)).map((t) => t.repeats!.times)).toEqual([7, 7]);
    expect(removed[0]!.message).toBe('Queued: "quoted" and a line\nbreak');
    const retried = entries.find((e) => status.archive[e.uuid] !== undefined)!;
    expect(new Set(retried.history.map((t) => t.attempt)).size).toBe(2);
  });

  it.each(versions)('reads the operators’ pauses of the frozen %s branch', (version) => {
    const { pauses } = filesToStatus(filesUnder(join(FIXTURES, version)));
    if (version !== 'v4') {
      // Before v4 nothing could be paused.
      expect(pauses).toEqual({ campaign: null, batches: {} });
      return;
    }
    expect(pauses).toEqual({
      campaign: { by: 'Ana Operator <ana@example.com>', at: Date.UTC(2026, 10, 20, 23, 41, 7, 250), reason: 'Storage array "SAN-2" alarm\nat 23:40: hold everything ü' },
      batches: { 'wave:2|db': { by: 'Bob <bob@example.com>', at: Date.UTC(2026, 10, 20, 22, 15), reason: 'DBA change freeze until Monday' } },
    });
  });

  it('writes a pause in a format no Ferry before pauses reads (v3 refuses it rather than ignore it)', () => {
    const status = filesToStatus(filesUnder(join(FIXTURES, 'v3')));
    status.pauses = { campaign: { by: 'a <a@example.com>', at: 0, reason: 'x' }, batches: {} };
    const format = /^format: ferry\.dev\/status\/v(\d+)$/m.exec(statusToFiles(status).get('status.yaml')!)![1];
    expect(Number(format)).toBeGreaterThan(3);
  });

  it('writes the current format’s fixture back byte for byte (the format is canonical)', () => {
    const files = filesUnder(join(FIXTURES, STATUS_FORMAT.split('/').pop()!));
    expect(statusToFiles(filesToStatus(files))).toEqual(files);
  });

  it.each(versions)('reads the frozen %s branch from Git', async (version) => {
    const repo = mkdtempSync(join(tmpdir(), 'ferry-fixture-'));
    const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
    cpSync(join(FIXTURES, version), repo, { recursive: true });
    execFileSync('git', ['init', '-q', '-b', 'ferry/status'], { cwd: repo });
    execFileSync('git', ['add', '-A'], { cwd: repo });
    execFileSync('git', ['commit', '-qm', 'fixture'], { cwd: repo, env });
    execFileSync('git', ['checkout', '-q', '--detach'], { cwd: repo });
    const store = await openStatusStore({ repoDir: repo, branch: 'ferry/status', remote: null });
    const snapshot = await store.read();
    expect(snapshot.status).toStrictEqual(filesToStatus(filesUnder(join(FIXTURES, version))));
  });
});
