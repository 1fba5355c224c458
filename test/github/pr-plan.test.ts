// What a pull request's plan predicts (src/github/pr-plan.ts over src/engine/predict.ts), on the
// example campaign and its simulator: a batch the change starts is judged against the target as
// its entries' first checks would judge it, a batch that has not started shows what it would
// claim, and window assignments fill each window up to its capacity.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computePrPlan, type BatchDiff } from '../../src/github/pr-plan.js';
import { findTrustedRevision } from '../../src/trust/revision.js';
import { copyOfExampleRepo } from '../helpers/cli.js';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: GIT_ENV }).trim();

function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: nothing to replace`);
  writeFileSync(path, next);
}

/** The example campaign on main, and a change on top of it. */
function change(edits: (dir: string) => void): string {
  const dir = copyOfExampleRepo();
  edit(dir, 'ferry.yaml', '    branch: ferry/status', '    branch: ferry/status\n    local: true');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  edits(dir);
  git(dir, 'commit', '-qam', 'change');
  return dir;
}

const batch = (batches: BatchDiff[], name: string) => batches.find((b) => b.name === name)!;

describe('a pull request\'s plan', () => {
  it('predicts the conflicts of a batch it starts, from the placement its scriptlet gives against the target', async () => {
    const dir = change((d) => {
      edit(d, 'batches/wave-1-web.yaml', /^ {2}state: defined$/m, '  state: running');
      edit(d, 'batches/wave-1-web.star', '"dmz", "bridged"', '"dmz-x", "bridged"');
    });
    const plan = await computePrPlan({ repoDir: dir, baseRef: 'HEAD~1', headRef: 'HEAD', trusted: await findTrustedRevision(dir) });
    const web = batch(plan.batches, 'wave-1-web');
    expect(web.head).toEqual({ status: 'Running', state: 'running' });
    expect(web.conflicts_caused.map((c) => c.name).sort()).toEqual(['web-fe-01', 'web-fe-02']);
    expect(web.placement_changes.map((c) => [c.name, /→dmz \(bridged vlan 40\)/.test(c.before), /→dmz-x \(bridged vlan 40\)/.test(c.after)])).toEqual([
      ['web-fe-01', true, true],
      ['web-fe-02', true, true],
    ]);
    expect(web.conflicts_caused[0]!.message).toMatch(/network "dmz-x" \(for NIC [0-9a-f:]+\) does not exist in project web of target incus-east/);
    // Everything else waits for a window, in order, up to each window's capacity.
    const waiting = web.assignments.filter((a) => a.status === 'Waiting');
    expect(waiting.length).toBe(web.members - 2);
    expect(waiting.every((a) => a.window === 'night-1' && a.predicted)).toBe(true);
    expect(plan.summary).toMatchObject({ conflicts_caused: 2, conflicts: 2, errors: 0 });
  });

  it('shows what a batch that has not started would claim, and fills its windows by capacity', async () => {
    const dir = change((d) => edit(d, 'batches/wave-2-db.yaml', "location matches '^/DC1/vm/db/' or has_tag('role', 'database')", "location matches '^/DC1/vm/db/db-0[12]'"));
    const plan = await computePrPlan({ repoDir: dir, baseRef: 'HEAD~1', headRef: 'HEAD', trusted: await findTrustedRevision(dir) });
    const db = batch(plan.batches, 'wave-2-db');
    expect(db.head?.status).toBe('Defined');
    expect(db.leaving.length).toBeGreaterThan(0);
    expect(db.entering).toEqual([]);
    const assigned = db.assignments.filter((a) => a.window === 'weekend').length;
    const capacity = db.windows.find((w) => w.name === 'weekend')!.capacity;
    expect(assigned).toBe(Math.min(capacity, db.assignments.filter((a) => a.status === 'Waiting').length));
    expect(db.assignments.every((a) => a.predicted)).toBe(true);
    expect(batch(plan.batches, 'wave-1-web').changed).toBe(false);
  });

  it('fails, rather than plans without it, when the status branch cannot be read', async () => {
    // The started-batch rules come from the status branch: a pull request planned without it could
    // un-start a running batch unnoticed, so the plan (and the Action's check) fails instead.
    const dir = change((d) => edit(d, 'batches/wave-0-pilot.yaml', /^ {2}state: running$/m, '  state: defined'));
    git(dir, 'checkout', '-q', '--orphan', 'ferry/status');
    git(dir, 'rm', '-rqf', '.');
    writeFileSync(join(dir, 'status.yaml'), 'format: [unclosed\n');
    git(dir, 'add', 'status.yaml');
    git(dir, 'commit', '-qm', 'a hand-made status branch');
    git(dir, 'checkout', '-q', 'main');
    await expect(computePrPlan({ repoDir: dir, baseRef: 'HEAD~1', headRef: 'HEAD', trusted: await findTrustedRevision(dir) })).rejects.toMatchObject({ code: 'status-corrupt' });
  });
});
