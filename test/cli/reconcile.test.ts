import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyOfExampleRepo, ferry } from '../helpers/cli.js';

const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
}

/** The example campaign in a fresh Git repository whose status branch stays local. */
function exampleCampaign(edit?: (dir: string) => void): string {
  const dir = copyOfExampleRepo();
  const project = join(dir, 'ferry.yaml');
  writeFileSync(project, readFileSync(project, 'utf8').replace('    branch: ferry/status', '    branch: ferry/status\n    local: true'));
  edit?.(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'campaign');
  return dir;
}

function startWebWave(dir: string): void {
  const file = join(dir, 'batches/wave-1-web.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('  state: defined', '  state: running'));
}

const statusCommits = (dir: string) => Number(git(dir, 'rev-list', '--count', 'ferry/status').trim());

describe('ferry plan', () => {
  it('shows the batch starts it would make, and changes nothing', async () => {
    const dir = exampleCampaign();
    const run = await ferry(['plan', '--repo', dir, '--detailed-exitcode']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/batch wave-0-pilot\n {2}\(batch\): Running/);
    expect(run.stdout).toContain('tools-01: Waiting — Performing initial migration checks');
    expect(run.stdout).toMatch(/plan: \d+ changes, 0 actions/);
    expect(() => git(dir, 'rev-parse', '--verify', '--quiet', 'ferry/status')).toThrow();
    expect(existsSync(join(dir, '.git/ferry/sim/world.json'))).toBe(false);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('prints JSON with a format_version, and exits 0 without --detailed-exitcode', async () => {
    const dir = exampleCampaign();
    const run = await ferry(['plan', '--repo', dir, '--json']);
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(plan).toMatchObject({ format_version: '1.0', kind: 'ferry-plan', status_revision: null, virtual_clock: true });
    expect(plan.desired_commit).toMatch(/^[0-9a-f]{40}$/);
    expect(plan.changes.some((c: { batch: string; to: string }) => c.batch === 'wave-0-pilot' && c.to === 'Running')).toBe(true);
  });

  it('refuses an invalid desired state with positioned errors and exit 1', async () => {
    const dir = exampleCampaign((d) => writeFileSync(join(d, 'batches/broken.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: broken}\nspec: {state: go}\n'));
    const run = await ferry(['plan', '--repo', dir, '--detailed-exitcode']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('batches/broken.yaml:4:15: error invalid-value');
    expect(run.stderr).toContain('nothing was planned');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('saves a plan for apply, and apply refuses it once it is stale', async () => {
    const dir = exampleCampaign();
    const planFile = join(dir, '..', `plan-${Date.now()}.json`);
    expect((await ferry(['plan', '--repo', dir, '--out', planFile])).code).toBe(0);
    const applied = await ferry(['apply', planFile, '--repo', dir]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(statusCommits(dir)).toBe(1);
    const again = await ferry(['apply', planFile, '--repo', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/the plan is stale: the status branch moved since it was made/);
    expect(statusCommits(dir)).toBe(1);
  });

  it('refuses a plan file that is not one, saying where', async () => {
    const dir = exampleCampaign();
    const broken = join(dir, '..', `broken-plan-${Date.now()}.json`);
    writeFileSync(broken, '{\n  "kind": "ferry-plan",\n  "desired_commit": 12,,\n}\n');
    const run = await ferry(['apply', broken, '--repo', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/broken-plan-\d+\.json(:3:\d+)?: error plan-invalid: not valid JSON/);
    writeFileSync(broken, '{"kind": "terraform"}');
    const other = await ferry(['apply', broken, '--repo', dir]);
    expect(other.stderr).toMatch(/broken-plan-\d+\.json:1:1: error plan-invalid: not a plan written by "ferry plan --out"/);
    expect(() => git(dir, 'rev-parse', '--verify', '--quiet', 'ferry/status')).toThrow();
  });

  it('will not save a plan of uncommitted changes', async () => {
    const dir = exampleCampaign();
    startWebWave(dir);
    const run = await ferry(['plan', '--repo', dir, '--out', join(dir, '..', 'p.json')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('a plan of uncommitted changes cannot be saved for apply');
  });

  it('says when the status remote is missing', async () => {
    const dir = copyOfExampleRepo();
    git(dir, 'init', '-q', '-b', 'main');
    const run = await ferry(['plan', '--repo', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the status branch is pushed to the remote "origin"');
    expect(run.stderr).toContain('spec.status.local: true');
  });
});

describe('ferry apply', () => {
  it('needs a Git repository', async () => {
    const run = await ferry(['apply', '--repo', copyOfExampleRepo()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is not in a Git repository/);
  });

  it('refuses two modes at once', async () => {
    const run = await ferry(['apply', '--once', '--watch', '--repo', exampleCampaign()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('choose one of --once, --until-idle, --until and --watch');
  });

  it('runs one tick with --once: one status commit, then status shows it', async () => {
    const dir = exampleCampaign();
    const run = await ferry(['apply', '--once', '--repo', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/apply: 1 tick, 1 status commit/);
    expect(statusCommits(dir)).toBe(1);
    const status = await ferry(['status', '--repo', dir]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/wave-0-pilot\s+Running\s+5\s+0\s+0\s+5/);
    expect(status.stdout).toMatch(/wave-1-web\s+Defined\s+0/);
    const json = JSON.parse((await ferry(['status', '--repo', dir, '--batch', 'wave-0-pilot', '--json'])).stdout);
    expect(json.entries).toHaveLength(5);
    expect(json.entries[0]).toMatchObject({ instance: 'tools-01', status: 'waiting', status_text: 'Waiting' });
  });

  it('makes ferry validate check started batches against what they started with', async () => {
    const dir = exampleCampaign();
    expect((await ferry(['apply', '--once', '--repo', dir])).code).toBe(0);
    const file = join(dir, 'batches/wave-0-pilot.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace("location matches '^/DC1/vm/tools/'", "location matches '^/DC1/vm/'"));
    const run = await ferry(['validate', '--repo', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/batches\/wave-0-pilot\.yaml:\d+:\d+: error started-batch-include-expression/);
    expect((await ferry(['validate', '--no-status', '--repo', dir])).code).toBe(0);
    const plan = await ferry(['plan', '--repo', dir]);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('started-batch-include-expression');
  });

  it('runs the pilot to the end with --until-idle, acting only after each decision is committed', async () => {
    const dir = exampleCampaign();
    const run = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^  finished: .*wave-0-pilot\/tools-03/m);
    expect(run.stdout).toMatch(/nothing more can progress/);
    const status = JSON.parse((await ferry(['status', '--repo', dir, '--json'])).stdout);
    expect(status.batches.find((b: { name: string }) => b.name === 'wave-0-pilot')).toMatchObject({ status: 'Finished', entries: 5, by_status: { finished: 5 } });
    // Every commit on the status branch records the desired commit it acted on.
    expect(git(dir, 'log', '--format=%b', 'ferry/status')).toContain(`Ferry-Desired-Commit: ${git(dir, 'rev-parse', 'HEAD').trim()}`);
    // A second run has nothing to do.
    const again = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(again.stdout).toMatch(/apply: \d+ ticks?, 0 status commits, 0 actions/);
  });
});

describe('ferry resolve', () => {
  it('writes a valid Resolution document', async () => {
    const dir = exampleCampaign();
    const run = await ferry(['resolve', 'wave-2-db', 'db-07', '--action', 'cancel', '--cleanup', '--comment', 'rebuilt instead', '--date', '2026-12-01', '--repo', dir]);
    expect(run.code).toBe(0);
    const text = readFileSync(join(dir, 'resolutions/2026-12-01-cancel-db-07.yaml'), 'utf8');
    expect(text).toContain('kind: Resolution');
    expect(text).toContain('  action: cancel\n  cleanup: true\n  comment: rebuilt instead');
    expect((await ferry(['validate', '--repo', dir])).code).toBe(0);
    const twice = await ferry(['resolve', 'wave-2-db', 'db-07', '--action', 'cancel', '--date', '2026-12-01', '--repo', dir]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('already exists');
  });

  it.each([
    [['wave-2-db', 'db-07'], '--action is required'],
    [['wave-2-db', 'db-07', '--action', 'retyr'], 'did you mean "retry"?'],
    [['wave-2-db', 'db-07', '--action', 'reset'], 'reset applies to a whole batch'],
    [['wave-2-db', '--action', 'resolve'], 'resolve applies to one entry'],
    [['wave-2-db', 'db-07', '--action', 'retry', '--cleanup'], '--cleanup only goes with --action cancel'],
    [['wave-2-db', '--action', 'reset', '--force', '--date', 'yesterday'], '--date must look like'],
    [['wave-2-bd', 'db-07', '--action', 'retry'], 'did you mean "wave-2-db"?'],
  ])('refuses %j', async (args, message) => {
    const run = await ferry(['resolve', ...args, '--repo', exampleCampaign()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
  });
});
