// The GitHub integration end to end: real Git (a bare "origin" that the GitHub fake also serves),
// the example campaign on the simulator, and the fake checking every request and response against
// GitHub's OpenAPI description. The code under test is what the Action and `ferry github` run.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGitHub, type GitHubCommand, type GitHubRunResult } from '../../src/github/run.js';
import { startGitHubFake, type GitHubFake } from '../github-fake/index.js';
import { copyOfExampleRepo, tempDir } from '../helpers/cli.js';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: GIT_ENV }).trim();
}

function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: nothing to replace`);
  writeFileSync(path, next);
}

interface World {
  root: string;
  origin: string;
  fake: GitHubFake;
}

/** The example campaign pushed to a bare origin that the fake serves. */
async function world(): Promise<World> {
  const root = tempDir('ferry-gh-');
  const origin = join(root, 'origin.git');
  const seed = copyOfExampleRepo();
  git(seed, 'init', '-q', '-b', 'main');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-qm', 'The campaign');
  git(root, 'init', '-q', '--bare', '-b', 'main', origin);
  git(seed, 'remote', 'add', 'origin', origin);
  git(seed, 'push', '-q', 'origin', 'main');
  const fake = await startGitHubFake({ repository: origin });
  return { root, origin, fake };
}

/** A developer's clone: edits a branch and pushes it. */
function developerPush(w: World, branch: string, change: (dir: string) => void, message: string, from = 'main'): string {
  const dir = join(w.root, `dev-${branch.replace(/\W/g, '-')}-${Math.random().toString(36).slice(2, 8)}`);
  git(w.root, 'clone', '-q', w.origin, dir);
  git(dir, 'switch', '-q', '-C', branch, `origin/${from}`);
  change(dir);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', message);
  git(dir, 'push', '-q', '-f', 'origin', branch);
  return git(dir, 'rev-parse', 'HEAD');
}

/** What actions/checkout with fetch-depth 0 leaves: every branch fetched, the wanted commit checked out. */
function checkout(w: World, ref: string, dir = join(w.root, `checkout-${Math.random().toString(36).slice(2, 8)}`)): string {
  if (!existsSync(dir)) git(w.root, 'clone', '-q', w.origin, dir);
  git(dir, 'fetch', '-q', 'origin', '+refs/heads/*:refs/remotes/origin/*');
  git(dir, 'checkout', '-q', '--detach', ref.startsWith('origin/') || /^[0-9a-f]{40}$/.test(ref) ? ref : `origin/${ref}`);
  return dir;
}

function jobEnv(w: World, event: string, payload: object): Record<string, string> {
  const dir = join(w.root, 'job');
  mkdirSync(dir, { recursive: true });
  const eventPath = join(dir, `event-${Math.random().toString(36).slice(2, 8)}.json`);
  writeFileSync(eventPath, JSON.stringify(payload));
  return {
    GITHUB_REPOSITORY: `${w.fake.owner}/${w.fake.repo}`,
    GITHUB_API_URL: w.fake.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_TOKEN: w.fake.token,
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_RUN_ID: '4242',
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
  };
}

async function run(command: GitHubCommand, repoDir: string, env: Record<string, string>, extra: { planFile?: string } = {}): Promise<GitHubRunResult & { lines: string[] }> {
  const lines: string[] = [];
  const result = await runGitHub({ command, repoDir, env, log: pino({ level: 'silent' }), out: (line) => lines.push(line), ...extra });
  return { ...result, lines };
}

async function planPullRequest(w: World, number: number): Promise<GitHubRunResult & { lines: string[]; sha: string }> {
  const pull = (await w.fake.pulls()).find((p) => p.number === number)!;
  const dir = checkout(w, pull.head.sha);
  const env = jobEnv(w, 'pull_request', {
    pull_request: { number, head: { sha: pull.head.sha, ref: pull.head.ref, repo: { full_name: `${w.fake.owner}/${w.fake.repo}` } }, base: { sha: pull.base.sha, ref: pull.base.ref, repo: { full_name: `${w.fake.owner}/${w.fake.repo}` } } },
    repository: { default_branch: 'main', full_name: `${w.fake.owner}/${w.fake.repo}` },
  });
  env.GITHUB_SHA = pull.head.sha;
  return { ...(await run('plan', dir, env)), sha: pull.head.sha };
}

function startWeb(dir: string): void {
  edit(dir, 'batches/wave-1-web.yaml', /^ {2}state: defined$/m, '  state: running');
}

describe('ferry github on a pull request', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.fake.close();
  });

  it('keeps one sticky comment, updated in place on the next push, and a passing check', async () => {
    developerPush(w, 'start-web', startWeb, 'Start the web wave');
    const pr = await w.fake.openPullRequest({ head: 'start-web', base: 'main', title: 'Start the web wave' });
    const first = await planPullRequest(w, pr.number);
    expect(first.failed).toBe(false);
    expect(first.hasChanges).toBe(true);
    let comments = w.fake.comments(pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('<b>wave-1-web</b> — Defined → Running');
    expect(comments[0]!.body).toContain('```mermaid\ngantt');
    expect(comments[0]!.body).toContain(`"sha":"${first.sha}"`);
    // Neutral, not failure: the example's expressions carry migration-manager warnings (docs/expressions.md), which never block.
    expect(w.fake.checkRuns(first.sha)).toMatchObject([{ name: 'ferry plan', conclusion: 'neutral' }]);
    expect(readFileSync(jobEnv(w, 'x', {}).GITHUB_STEP_SUMMARY!, 'utf8')).toContain('### Ferry plan for');

    // A second push changes the plan: the same comment is edited, no new one appears.
    developerPush(w, 'start-web', (dir) => {
      startWeb(dir);
      edit(dir, 'batches/wave-1-web.yaml', 'capacity: 25', 'capacity: 20');
    }, 'Start the web wave, 20 a night');
    const second = await planPullRequest(w, pr.number);
    comments = w.fake.comments(pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(w.fake.comments(pr.number)[0]!.id);
    expect(comments[0]!.body).toContain(`"sha":"${second.sha}"`);
    expect(second.lines).toContain(`updated the plan comment on #${pr.number}`);

    // Planned again without a change: nothing is written.
    const third = await planPullRequest(w, pr.number);
    expect(third.lines).toContain(`the plan comment on #${pr.number} is up to date`);
    expect(w.fake.requests.filter((r) => r.operation === 'issues/update-comment')).toHaveLength(1);
    expect(w.fake.violations).toEqual([]);
  });

  it('an invalid batch gets a failing check with annotations on the right lines, and the comment says nothing was planned', async () => {
    developerPush(w, 'typo', (dir) => {
      edit(dir, 'batches/wave-1-web.yaml', /^ {2}state: defined$/m, '  state: runing');
      edit(dir, 'batches/wave-2-db.yaml', /max_concurrent_instances: \d+/, 'max_concurrent_instances: many');
    }, 'Broken');
    const pr = await w.fake.openPullRequest({ head: 'typo', base: 'main', title: 'Broken' });
    const planned = await planPullRequest(w, pr.number);
    expect(planned.failed).toBe(true);
    const [check] = w.fake.checkRuns(planned.sha);
    expect(check).toMatchObject({ name: 'ferry plan', conclusion: 'failure' });
    const stateLine = readFileSync(join(checkout(w, planned.sha), 'batches/wave-1-web.yaml'), 'utf8').split('\n').findIndex((l) => l.includes('state: runing')) + 1;
    expect(check!.annotations).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'batches/wave-1-web.yaml', start_line: stateLine, end_line: stateLine, annotation_level: 'failure', title: 'invalid-value' }),
      expect.objectContaining({ path: 'batches/wave-2-db.yaml', annotation_level: 'failure' }),
    ]));
    expect(w.fake.comments(pr.number)[0]!.body).toContain('**Plan failed:**');
    expect(w.fake.violations).toEqual([]);
  });

  it('a fork\'s pull request is planned by the trusted workflow_run job from the fork\'s commit read as data; a forged plan file changes nothing', async () => {
    // The fork: a clone of the campaign with its own commit, which reaches the base repository only as refs/pull/N/head.
    const fork = join(w.root, 'fork');
    git(w.root, 'clone', '-q', w.origin, fork);
    edit(fork, 'batches/wave-2-db.yaml', 'capacity: 3', 'capacity: 2');
    git(fork, 'commit', '-qam', 'Fewer databases a night');
    const sha = git(fork, 'rev-parse', 'HEAD');
    const pr = await w.fake.openForkPullRequest({ fork: 'someone/fork', branch: 'fork-change', from: fork, sha, base: 'main', title: 'Fewer DBs' });
    const repository = `${w.fake.owner}/${w.fake.repo}`;

    // The untrusted stage (the fork's own workflow, a read-only token): it publishes nothing, and
    // whatever it writes — here a forged plan claiming "no changes" — is never read by the trusted one.
    const untrustedDir = checkout(w, 'main');
    git(untrustedDir, 'fetch', '-q', 'origin', `+refs/pull/${pr.number}/head:refs/remotes/pr/head`);
    git(untrustedDir, 'checkout', '-q', '--detach', 'refs/remotes/pr/head');
    const prEvent = { pull_request: { number: pr.number, head: { sha, ref: 'fork-change', repo: { full_name: 'someone/fork' } }, base: { sha: pr.base.sha, ref: 'main', repo: { full_name: repository } } }, repository: { default_branch: 'main', full_name: repository } };
    const requestsBefore = w.fake.requests.length;
    const untrusted = await run('plan', untrustedDir, { ...jobEnv(w, 'pull_request', prEvent), GITHUB_TOKEN: 'read-only' });
    expect(untrusted.lines.at(-1)).toContain('the trusted workflow_run job plans and publishes it');
    expect(w.fake.requests.length).toBe(requestsBefore);

    // The trusted stage: the default branch checked out, a forged plan file lying in the workspace.
    const trustedDir = checkout(w, 'main');
    const forged = { kind: 'ferry-pr-plan-file', pr: pr.number, head_sha: sha, path_prefix: '', plan: { valid: true, summary: { batches_changed: 0 }, batches: [], notes: ['forged'] } };
    writeFileSync(join(trustedDir, 'ferry-plan.json'), JSON.stringify(forged));
    await expect(run('comment', trustedDir, jobEnv(w, 'workflow_run', { workflow_run: { head_sha: sha, pull_requests: [] } }), { planFile: 'ferry-plan.json' })).rejects.toThrow(/no longer publishes a plan file another job wrote/);
    const event = { workflow_run: { head_sha: sha, head_branch: 'fork-change', pull_requests: [], head_repository: { full_name: 'someone/fork', owner: { login: 'someone' } } }, repository: { default_branch: 'main', full_name: repository } };
    const trusted = await run('plan', trustedDir, jobEnv(w, 'workflow_run', event));
    expect(trusted.failed).toBe(false);
    expect(trusted.lines.join('\n')).toContain(`planning pull request #${pr.number}`);
    const [comment] = w.fake.comments(pr.number);
    expect(comment!.body).toContain('wave-2-db');
    expect(comment!.body).toContain(`"sha":"${sha}"`);
    expect(comment!.body).not.toContain('forged');
    expect(w.fake.checkRuns(sha)).toMatchObject([{ name: 'ferry plan', conclusion: 'neutral' }]);

    // The fork pushes a broken change: the trusted job plans it and fails its check, whatever the fork uploads.
    edit(fork, 'batches/wave-2-db.yaml', /max_concurrent_instances: \d+/, 'max_concurrent_instances: many');
    git(fork, 'commit', '-qam', 'Broken');
    const broken = git(fork, 'rev-parse', 'HEAD');
    await w.fake.pushToFork(pr.number, { from: fork, sha: broken });
    await run('plan', checkout(w, 'main'), jobEnv(w, 'workflow_run', { ...event, workflow_run: { ...event.workflow_run, head_sha: broken } }));
    expect(w.fake.checkRuns(broken)).toMatchObject([{ name: 'ferry plan', conclusion: 'failure' }]);
    expect(w.fake.comments(pr.number)).toHaveLength(1);
    expect(w.fake.comments(pr.number)[0]!.body).toContain('**Plan failed:**');

    // A run for a commit the pull request no longer has publishes nothing.
    const stale = await run('plan', checkout(w, 'main'), jobEnv(w, 'workflow_run', event));
    expect(stale.summary).toBe('no open pull request for this run: nothing was planned');
    expect(w.fake.checkRuns(sha)).toHaveLength(1);
    expect(w.fake.violations).toEqual([]);
  });

  it('adopts, edits and deletes only its own plan comments: a comment someone else wrote with the marker is left alone', async () => {
    developerPush(w, 'owned', startWeb, 'Start the web wave');
    const pr = await w.fake.openPullRequest({ head: 'owned', base: 'main', title: 'Start the web wave' });
    const marker = `<!-- ferry-plan:{"v":1,"pr":${pr.number},"sha":"${'0'.repeat(40)}","plan":"${'0'.repeat(64)}"} -->\n### Ferry plan\n\n**No changes.**`;
    const foreign = await w.fake.addComment(pr.number, marker);
    const planned = await planPullRequest(w, pr.number);
    expect(planned.failed).toBe(false);
    const comments = w.fake.comments(pr.number);
    expect(comments).toHaveLength(2);
    expect(comments.find((c) => c.id === foreign.id)!.body).toBe(marker);
    const ours = comments.find((c) => c.id !== foreign.id)!;
    expect(ours.user.login).toBe('github-actions[bot]');
    expect(ours.body).toContain('Defined → Running');
    // Planned again: Ferry's own comment is the sticky one; the foreign one is never edited or deleted.
    await planPullRequest(w, pr.number);
    expect(w.fake.comments(pr.number).map((c) => c.id).sort()).toEqual([foreign.id, ours.id].sort());
    expect(w.fake.commentEdits().filter((e) => e.id === foreign.id)).toEqual([]);
    expect(w.fake.violations).toEqual([]);
  });
});

describe('ferry github apply', () => {
  it('opens a conflict pull request with resolution files; a fix pushed to it is kept; merging it resolves the entries on the next apply', async () => {
    const w = await world();
    try {
      developerPush(w, 'start-web', startWeb, 'Start the web wave');
      const start = await w.fake.openPullRequest({ head: 'start-web', base: 'main', title: 'Start the web wave' });
      await w.fake.mergePullRequest(start.number);

      // The apply job: the same runner directory each time (the simulated world lives in it).
      const runner = join(w.root, 'runner');
      const applyOnce = async (command: GitHubCommand = 'apply') => {
        const dir = checkout(w, 'main', runner);
        const env = jobEnv(w, 'push', { repository: { default_branch: 'main', full_name: `${w.fake.owner}/${w.fake.repo}` } });
        env.GITHUB_SHA = git(dir, 'rev-parse', 'HEAD');
        return { ...(await run(command, dir, env)), sha: env.GITHUB_SHA };
      };
      const first = await applyOnce();
      expect(first.conflicts).toBe(2);
      const branch = 'ferry/conflicts/wave-1-web';
      let pulls = (await w.fake.pulls()).filter((p) => p.head.ref === branch && p.state === 'open');
      expect(pulls).toHaveLength(1);
      const conflictPr = pulls[0]!;
      expect(conflictPr.title).toBe('Ferry: resolve 2 conflicts in wave-1-web');
      expect(conflictPr.body).toContain('### web-fe-01');
      expect(conflictPr.body).toContain('network "dmz"');
      expect(conflictPr.body).toContain('NetworkOverride');
      expect(w.fake.labels(conflictPr.number)).toContain('ferry-conflict');
      const files = git(w.origin, 'ls-tree', '-r', '--name-only', branch).split('\n').filter((f) => f.startsWith('resolutions/'));
      expect(files).toEqual(['resolutions/conflict-wave-1-web-web-fe-01.yaml', 'resolutions/conflict-wave-1-web-web-fe-02.yaml']);
      expect(git(w.origin, 'show', `${branch}:resolutions/conflict-wave-1-web-web-fe-01.yaml`)).toMatch(/action: resolve/);
      const statuses = w.fake.statuses(first.sha);
      expect(statuses.find((s) => s.context === 'ferry/wave-1-web')).toMatchObject({ state: 'failure' });
      expect(statuses.find((s) => s.context === 'ferry/wave-0-pilot')).toMatchObject({ state: 'success' });

      // Reported again with nothing new: the pull request is left as it is.
      const again = await applyOnce('report');
      expect(again.lines.some((l) => l.includes(`#${conflictPr.number} unchanged`))).toBe(true);

      // Someone pushes the real fix to the conflict branch first: Ferry keeps its hands off it.
      developerPush(w, branch, (dir) => {
        edit(dir, 'overrides/networks.yaml', /^ {2}network: dmz$/m, '  network: dmz-v2');
        edit(dir, 'batches/wave-1-web.star', '"dmz", "bridged"', '"dmz-v2", "bridged"');
      }, 'Map the DMZ to dmz-v2', branch);
      const humanHead = git(w.origin, 'rev-parse', branch);
      const kept = await applyOnce('report');
      expect(kept.lines.some((l) => l.includes('branch left alone'))).toBe(true);
      expect(git(w.origin, 'rev-parse', branch)).toBe(humanHead);

      // Merging it resolves both entries on the next apply; the batch finishes.
      await w.fake.mergePullRequest(conflictPr.number);
      const last = await applyOnce();
      expect(last.conflicts).toBe(0);
      pulls = (await w.fake.pulls()).filter((p) => p.head.ref === branch && p.state === 'open');
      expect(pulls).toHaveLength(0);
      const final = w.fake.statuses(last.sha);
      expect(final.find((s) => s.context === 'ferry/wave-1-web')).toMatchObject({ state: 'success' });
      expect(w.fake.violations).toEqual([]);
    } finally {
      await w.fake.close();
    }
  });

  it('closes the conflict pull request (and deletes its branch) when the conflicts clear another way', async () => {
    const w = await world();
    try {
      developerPush(w, 'start-web', startWeb, 'Start the web wave');
      await w.fake.mergePullRequest((await w.fake.openPullRequest({ head: 'start-web', base: 'main', title: 'Start' })).number);
      const runner = join(w.root, 'runner');
      const applyOnce = async () => {
        const dir = checkout(w, 'main', runner);
        const env = jobEnv(w, 'push', { repository: { default_branch: 'main', full_name: `${w.fake.owner}/${w.fake.repo}` } });
        env.GITHUB_SHA = git(dir, 'rev-parse', 'HEAD');
        return run('apply', dir, env);
      };
      expect((await applyOnce()).conflicts).toBe(2);
      const branch = 'ferry/conflicts/wave-1-web';
      const [conflictPr] = (await w.fake.pulls()).filter((p) => p.head.ref === branch && p.state === 'open');
      // The fix and its resolutions go straight to main, not through Ferry's pull request.
      developerPush(w, 'main', (dir) => {
        edit(dir, 'overrides/networks.yaml', /^ {2}network: dmz$/m, '  network: dmz-v2');
        edit(dir, 'batches/wave-1-web.star', '"dmz", "bridged"', '"dmz-v2", "bridged"');
        mkdirSync(join(dir, 'resolutions'), { recursive: true });
        for (const name of ['web-fe-01', 'web-fe-02']) {
          writeFileSync(join(dir, `resolutions/fixed-${name}.yaml`), `apiVersion: ferry.dev/v1alpha1\nkind: Resolution\nmetadata: {name: fixed-${name}}\nspec: {batch: wave-1-web, instance: ${name}, action: resolve}\n`);
        }
      }, 'Map the DMZ to dmz-v2 and resolve', 'main');
      const last = await applyOnce();
      expect(last.conflicts).toBe(0);
      expect(last.lines).toContain(`batch wave-1-web: conflicts cleared, closed #${conflictPr!.number}`);
      const closed = (await w.fake.pulls()).find((p) => p.number === conflictPr!.number)!;
      expect(closed).toMatchObject({ state: 'closed', merged: false });
      expect(w.fake.comments(conflictPr!.number).at(-1)!.body).toContain('have cleared');
      expect(() => git(w.origin, 'rev-parse', '--verify', `refs/heads/${branch}`)).toThrow();
      expect(w.fake.violations).toEqual([]);
    } finally {
      await w.fake.close();
    }
  });

  it('refuses to apply on a pull-request event', async () => {
    const w = await world();
    try {
      const dir = checkout(w, 'main');
      await expect(run('apply', dir, jobEnv(w, 'pull_request', {}))).rejects.toThrow(/never runs on a pull_request event/);
    } finally {
      await w.fake.close();
    }
  });
});

describe('check runs', () => {
  it('carry every annotation, 50 per request', async () => {
    const w = await world();
    try {
      const { GitHubApi } = await import('../../src/github/api.js');
      const api = new GitHubApi({ owner: w.fake.owner, repo: w.fake.repo, apiUrl: w.fake.url, token: w.fake.token });
      const sha = git(w.origin, 'rev-parse', 'main');
      const annotations = Array.from({ length: 123 }, (_, i) => ({ path: 'batches/a.yaml', start_line: i + 1, end_line: i + 1, annotation_level: 'failure' as const, message: `problem ${i}`, title: 'invalid-value' }));
      await api.checkRun({ name: 'ferry plan', headSha: sha, conclusion: 'failure', title: 'Plan failed', summary: 'x', annotations });
      const [run] = w.fake.checkRuns(sha);
      expect(run!.annotations).toHaveLength(123);
      expect(w.fake.requests.filter((r) => r.operation === 'checks/create')).toHaveLength(1);
      expect(w.fake.requests.filter((r) => r.operation === 'checks/update')).toHaveLength(2);
      expect(w.fake.violations).toEqual([]);
    } finally {
      await w.fake.close();
    }
  });
});
