// `ferry doctor` and `ferry repair` (docs/operations.md, "Repairing the status branch") through the
// CLI with real Git: a remote branch, every refusal, --from, the walk's bound, on small branches
// written by the store itself. The campaign broken in the middle of its migrations is
// repair-round-trip.test.ts (npm run test:slow).

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATUS_FORMAT } from '../../src/engine/status.js';
import { FERRY_VERSION } from '../../src/model/version.js';
import { examineStatusBranch, openStatusStore, planRepair, writeRepair } from '../../src/store/index.js';
import { committedExample, ferry, gitIn, repoWith, tempDir } from '../helpers/cli.js';
import { generateStatus } from '../helpers/status.js';
import { BRANCH, OPERATOR, commitOnStatus, expectRefusal, fileAt, git, statusRepository, tipOf } from '../helpers/status-branch.js';

describe('a status branch on a remote', () => {
  it('is fetched by ferry doctor and repaired with a push that the remote takes as a fast-forward', async () => {
    const campaign = committedExample();
    const origin = join(tempDir('ferry-origin-'), 'campaign.git');
    gitIn(campaign, 'clone', '-q', '--bare', campaign, origin);
    const work = join(tempDir('ferry-clone-'), 'campaign');
    gitIn(campaign, 'clone', '-q', origin, work);
    const store = await openStatusStore({ repoDir: work, branch: BRANCH, remote: 'origin' });
    const written = await store.write(await store.read(), generateStatus({ batches: 1, entriesPerBatch: 3 }), 'ferry: a tick');
    if (!written.ok) throw new Error(written.message);
    // A hand commit pushed from another clone: status.yaml no longer YAML.
    commitOnStatus(origin, { 'status.yaml': `${fileAt(origin, 'status.yaml')}\n  - [unclosed\n` }, 'Tidy status.yaml');
    const damaged = tipOf(origin);

    expect((await ferry(['status', '--repo', work])).stderr).toMatch(/^ferry status: status\.yaml:\d+: error status-corrupt: not valid YAML/);
    const doctor = JSON.parse((await ferry(['doctor', '--repo', work, '--json'])).stdout);
    expect(doctor).toMatchObject({ branch: 'the branch ferry/status on the remote origin', health: 'damaged', tip: damaged, readable: { id: written.revision }, damaged: [{ id: damaged, problem: { code: 'status-corrupt', file: 'status.yaml' } }] });

    // A shallow clone (as CI checks out) fetches the tip alone: the walk says where its history ends.
    const shallow = join(tempDir('ferry-shallow-'), 'campaign');
    gitIn(campaign, 'clone', '-q', '--depth', '1', `file://${origin}`, shallow);
    const cut = JSON.parse((await ferry(['doctor', '--repo', shallow, '--json'])).stdout);
    expect(cut).toMatchObject({ health: 'damaged', readable: null, walk: { commits: 1, stopped: 'shallow' }, repair: { refused: true, code: 'repair-no-readable-commit' } });
    expect(cut.repair.hint).toContain('git fetch --unshallow');

    const repair = await ferry(['repair', '--repo', work, '--json'], { env: OPERATOR });
    expect(repair.code, repair.stdout).toBe(0);
    const result = JSON.parse(repair.stdout);
    expect(result).toMatchObject({ branch: 'the branch ferry/status on the remote origin', tip: damaged, repaired_from: { id: written.revision }, skipped: [{ id: damaged }], author: 'Ana Operator <ana@example.com>' });
    expect(tipOf(origin)).toBe(result.revision);
    expect(git(origin, ['rev-parse', `${result.revision}^`])).toBe(damaged);
    expect((await ferry(['status', '--repo', work])).code).toBe(0);
  });
});

describe('ferry doctor and ferry repair refuse what they do not understand', () => {
  it('say so when there is nothing to repair: no status branch, or one that reads', async () => {
    const none = repoWith({ 'ferry.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: none}\nspec:\n  status: {branch: ferry/status, local: true}\n' });
    git(none, ['init', '-q', '-b', 'main']);
    const absent = await ferry(['doctor', '--wide', '--repo', none]);
    expect([absent.code, absent.stdout]).toEqual([0, `no status branch yet (the local branch ferry/status in ${none}): nothing to check\n`]);
    expectRefusal(await ferry(['repair', '--repo', none]), 'repair', 'status-healthy');

    const dir = await statusRepository();
    const healthy = await ferry(['doctor', '--repo', dir, '--json']);
    expect(healthy.code).toBe(0);
    expect(JSON.parse(healthy.stdout)).toMatchObject({ health: 'healthy', tip: tipOf(dir), readable: { id: tipOf(dir), written_by_ferry: true }, damaged: [], repair: null });
    const repair = await ferry(['repair', '--repo', dir]);
    expectRefusal(repair, 'repair', 'status-healthy');
    expect(repair.stderr).toContain(`reads at its tip ${tipOf(dir).slice(0, 12)}: nothing to repair`);
  });

  it('never roll back what a newer Ferry wrote, and name the Ferry to run', async () => {
    const dir = await statusRepository();
    const before = tipOf(dir);
    const newer = STATUS_FORMAT.replace(/\d+$/, (n) => String(Number(n) + 1));
    const newerCommit = commitOnStatus(dir, { 'status.yaml': fileAt(dir, 'status.yaml').replace(STATUS_FORMAT, newer) }, `ferry: 1 change\n\nFerry-Version: 9.0.0\nFerry-Status-Format: ${newer}`);
    const status = await ferry(['status', '--repo', dir]);
    expect(status.stderr).toBe(
      `ferry status: status.yaml: error status-newer-format: the status branch was written by Ferry 9.0.0 (format ${newer}); this Ferry reads formats up to ${STATUS_FORMAT}: run Ferry 9.0.0 or later; this is Ferry ${FERRY_VERSION}, and an older Ferry never rewrites what it does not understand\n`,
    );
    const doctor = await ferry(['doctor', '--repo', dir]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/^newer format: /);
    expect(doctor.stdout).toContain('the walk stops at the commit of a newer format');
    expect(doctor.stdout).toContain('"ferry repair" refuses: status-newer-format:');
    const refused = await ferry(['repair', '--repo', dir], { env: OPERATOR });
    expectRefusal(refused, 'repair', 'status-newer-format');
    expect(refused.stderr).toContain(`commit ${newerCommit.slice(0, 12)} of the local branch ferry/status in ${dir} is a newer Ferry's: the status branch was written by Ferry 9.0.0`);

    // A hand edit on top of it that breaks status.yaml: the newer Ferry's commit is still in the way.
    commitOnStatus(dir, { 'status.yaml': 'format: [' }, 'oops');
    const report = JSON.parse((await ferry(['doctor', '--repo', dir, '--json'])).stdout);
    expect(report).toMatchObject({ health: 'newer-format', readable: null, walk: { commits: 2, stopped: 'newer-format' }, damaged: [{ problem: { code: 'status-corrupt' } }, { id: newerCommit, ferry_version: '9.0.0', problem: { code: 'status-newer-format' } }] });
    expectRefusal(await ferry(['repair', '--repo', dir], { env: OPERATOR }), 'repair', 'status-newer-format');
    expect(git(dir, ['rev-list', '--count', `${before}..${BRANCH}`])).toBe('2');
  });

  it('do not go back past a damaged commit Ferry wrote itself, unless told to discard it', async () => {
    const dir = await statusRepository();
    const readable = tipOf(dir);
    const ferrys = commitOnStatus(dir, { 'ledger.jsonl': '{"id": truncated' }, `ferry: 3 changes, 2 actions\n\nFerry-Desired-Commit: abc\nFerry-Version: ${FERRY_VERSION}\nFerry-Status-Format: ${STATUS_FORMAT}`);
    const refused = await ferry(['repair', '--repo', dir], { env: OPERATOR });
    expectRefusal(refused, 'repair', 'repair-reconciler-commits');
    expect(refused.stderr).toContain(`commit ${ferrys.slice(0, 12)} ("ferry: 3 changes, 2 actions", Dev <dev@example.com>, `);
    expect(refused.stderr).toContain(`which does not read, was written by Ferry ${FERRY_VERSION}: going back past it discards what Ferry recorded there`);
    expect(refused.stderr).toContain('a bug in Ferry or damage to the repository: report it; --discard-reconciler-commits repairs anyway');
    expect(tipOf(dir)).toBe(ferrys);
    expect(JSON.parse((await ferry(['doctor', '--repo', dir, '--json'])).stdout).repair).toMatchObject({ refused: true, code: 'repair-reconciler-commits' });

    const repair = await ferry(['repair', '--discard-reconciler-commits', '--repo', dir], { env: OPERATOR });
    expect(repair.code, repair.stderr).toBe(0);
    expect(git(dir, ['rev-parse', `${BRANCH}^{tree}`])).toBe(git(dir, ['rev-parse', `${readable}^{tree}`]));
  });

  it('do not repair across a merge', async () => {
    const dir = await statusRepository();
    const side = git(dir, ['commit-tree', git(dir, ['rev-parse', `${BRANCH}^{tree}`]), '-m', 'a side line'], {});
    commitOnStatus(dir, { 'CONFLICTS.md': null, 'status.yaml': 'format: ferry.dev/status/v4\n' }, 'Merge the side line', [side]);
    const refused = await ferry(['repair', '--repo', dir], { env: OPERATOR });
    expectRefusal(refused, 'repair', 'repair-merge-commit');
    expect(refused.stderr).toContain('is a merge: what its other parents brought is not on the history the repair goes back along');
  });

  it('refuse when no commit reads, back to the first', async () => {
    const dir = repoWith({ 'ferry.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: x}\nspec:\n  status: {branch: ferry/status, local: true}\n' });
    git(dir, ['init', '-q', '-b', 'main']);
    git(dir, ['commit', '-q', '--allow-empty', '-m', 'campaign']);
    git(dir, ['branch', BRANCH, 'main']);
    commitOnStatus(dir, { 'notes.txt': 'not a status' }, 'notes');
    const doctor = await ferry(['doctor', '--repo', dir]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain("no readable commit: none reads, back to the branch's first commit");
    expect(doctor.stdout).toContain('2 commits walked do not read');
    expect(doctor.stdout).toContain('status.yaml: status-corrupt: the file is missing');
    expectRefusal(await ferry(['repair', '--repo', dir], { env: OPERATOR }), 'repair', 'repair-no-readable-commit');
  });

  it('go back further with --from, past Ferry\'s commits only when told, and only to a commit that reads', async () => {
    const dir = await statusRepository(3);
    const [third, second, first] = git(dir, ['rev-list', BRANCH]).split('\n') as [string, string, string];
    const broken = commitOnStatus(dir, { 'batches/wave-000.json': '{' }, 'edit a batch');
    expectRefusal(await ferry(['repair', '--from', 'main', '--repo', dir], { env: OPERATOR }), 'repair', 'repair-bad-from');
    expectRefusal(await ferry(['repair', '--from', 'no-such-thing', '--repo', dir], { env: OPERATOR }), 'repair', 'repair-bad-from');
    const damaged = await ferry(['repair', '--from', broken, '--repo', dir], { env: OPERATOR });
    expectRefusal(damaged, 'repair', 'repair-bad-from');
    expect(damaged.stderr).toContain('is one of the commits that do not read: batches/wave-000.json:1: status-corrupt');

    const past = await ferry(['repair', '--from', `${BRANCH}~3`, '--repo', dir], { env: OPERATOR });
    expectRefusal(past, 'repair', 'repair-reconciler-commits');
    expect(past.stderr).toContain(`commit ${third.slice(0, 12)} ("ferry: tick 3", Ferry <ferry@localhost>, `);
    expect(past.stderr).toContain('which --from goes back past, was written by Ferry');
    expect(past.stderr).toContain('(and 1 more of the commits gone over)');

    const repair = await ferry(['repair', '--from', first, '--discard-reconciler-commits', '--repo', dir, '--json'], { env: OPERATOR });
    expect(repair.code, repair.stdout).toBe(0);
    expect(JSON.parse(repair.stdout)).toMatchObject({ repaired_from: { id: first }, skipped: [{ id: broken, problem: { code: 'status-corrupt' } }, { id: third, problem: null }, { id: second, problem: null }] });
    expect(git(dir, ['rev-parse', `${BRANCH}^{tree}`])).toBe(git(dir, ['rev-parse', `${first}^{tree}`]));
  });

  it('write the status again over a tree that holds what Ferry never writes (a symbolic link)', async () => {
    const dir = await statusRepository();
    const readable = tipOf(dir);
    commitOnStatus(dir, { 'status.yaml': { link: '/etc/passwd' } }, 'link it');
    const report = JSON.parse((await ferry(['doctor', '--repo', dir, '--json'])).stdout);
    expect(report.damaged[0].problem).toMatchObject({ code: 'status-corrupt', file: 'status.yaml', message: expect.stringContaining('not a regular file') });
    expect((await ferry(['repair', '--repo', dir], { env: OPERATOR })).code).toBe(0);
    expect(git(dir, ['rev-parse', `${BRANCH}^{tree}`])).toBe(git(dir, ['rev-parse', `${readable}^{tree}`]));
  });
});

describe('the walk and the write', () => {
  it('stop at the bound and say so, and a repair whose tip moved meanwhile writes nothing', async () => {
    const dir = await statusRepository();
    for (let i = 0; i < 3; i++) commitOnStatus(dir, { 'status.yaml': `format: [${i}` }, `edit ${i}`);
    const store = await openStatusStore({ repoDir: dir, branch: BRANCH, remote: null });
    const bounded = await examineStatusBranch(store, 2);
    expect(bounded).toMatchObject({ readable: null, stopped: 'limit', limit: 2 });
    expect(bounded.damaged).toHaveLength(2);
    expect(await planRepair(store, bounded, { from: null, discardReconcilerCommits: false })).toMatchObject({ code: 'repair-no-readable-commit', message: expect.stringContaining('in the 2 commits walked from its tip') });

    const diagnosis = await examineStatusBranch(store);
    const plan = await planRepair(store, diagnosis, { from: null, discardReconcilerCommits: false });
    if ('code' in plan) throw new Error(plan.message);
    const moved = commitOnStatus(dir, { 'status.yaml': 'format: [3' }, 'edit 3');
    expect(await writeRepair(store, plan, { name: 'Ana', email: 'ana@example.com' })).toMatchObject({ code: 'repair-tip-moved' });
    expect(tipOf(dir)).toBe(moved);
  });
});
