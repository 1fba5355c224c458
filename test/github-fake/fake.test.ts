import { execFileSync } from 'node:child_process';
import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GITHUB_ACTIONS_APP, GITHUB_OPERATIONS, GitHubError, startGitHubFake, type GitHubFake, type GitHubUser } from './index.js';
import { OPERATIONS, checkResponse, subset } from './openapi.js';
import { createScratchRepository, type ScratchRepository } from './scratch-repository.js';

// Failed requests are the point of several tests; keep octokit from printing them.
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let repository: ScratchRepository;
let fake: GitHubFake;
let octokit: Octokit;
let where: { owner: string; repo: string };

beforeEach(async () => {
  repository = await createScratchRepository({ 'batches/wave-1.yaml': 'name: wave-1\n' });
  fake = await startGitHubFake({ repository: repository.bare });
  octokit = new Octokit({ auth: fake.token, baseUrl: fake.url, log: quiet });
  where = { owner: fake.owner, repo: fake.repo };
});

afterEach(async () => {
  await fake.close();
  repository.remove();
});

/** The status and GitHub's error body of a request expected to fail. */
async function failure(request: Promise<unknown>): Promise<{ status: number; message: string; errors?: { message?: string }[] }> {
  try {
    await request;
  } catch (error) {
    const { status, response } = error as { status: number; response?: { data: { message: string; errors?: { message?: string }[] } } };
    return { status, message: response?.data.message ?? '', errors: response?.data.errors };
  }
  throw new Error('the request succeeded');
}

async function openFeaturePull(files: Record<string, string | null> = { 'batches/wave-1.yaml': 'name: wave-1\nstate: halted\n' }): Promise<{ number: number; sha: string }> {
  const sha = await repository.commit('ferry/wave-1', files);
  const pull = await fake.openPullRequest({ head: 'ferry/wave-1', base: 'main', title: 'Halt wave 1' });
  return { number: pull.number, sha };
}

/** refs/pull/* of the bare repository, name → SHA. */
async function pullRefs(): Promise<Record<string, string>> {
  const listed = await repository.bareGit('for-each-ref', '--format=%(refname) %(objectname)', 'refs/pull');
  return Object.fromEntries(listed.split('\n').filter(Boolean).map((line) => line.split(' ')));
}

/** Parents and subject of a commit of the bare repository. */
async function commitLine(revision: string): Promise<string> {
  return repository.bareGit('log', '-1', '--format=%P %s', revision);
}

/**
 * A second fake on the same bare repository, its token belonging to someone else. Both write
 * refs/pull/<n>/…, so only one of them may hold pull requests in a test.
 */
async function withTokenOf<T>(bot: GitHubUser, use: (other: GitHubFake, client: Octokit) => Promise<T>): Promise<T> {
  const other = await startGitHubFake({ repository: repository.bare, bot });
  try {
    return await use(other, new Octokit({ auth: other.token, baseUrl: other.url, log: quiet }));
  } finally {
    await other.close();
  }
}

const annotation = (line: number) => ({ path: 'batches/wave-1.yaml', start_line: line, end_line: line, annotation_level: 'failure' as const, message: `problem ${line}` });

describe('the subset of GitHub\'s description', () => {
  it('holds exactly the operations Ferry may call, and records where it came from', () => {
    expect(subset['x-ferry-source']).toMatchObject({ package: '@octokit/openapi', version: '23.0.2', file: 'generated/api.github.com.json' });
    expect(subset['x-ferry-source'].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(subset['x-ferry-source'].operations).toEqual([...GITHUB_OPERATIONS]);
    expect(OPERATIONS.map((operation) => operation.id).sort()).toEqual([...GITHUB_OPERATIONS].sort());
  });

  it('rejects a response property the description does not define, so the fake\'s own JSON stays honest', () => {
    const operation = OPERATIONS.find((candidate) => candidate.id === 'git/get-ref')!;
    const ref = { ref: 'refs/heads/main', node_id: 'REF_1', url: 'https://api.github.com/repos/o/r/git/refs/heads/main', object: { type: 'commit', sha: 'a'.repeat(40), url: 'https://api.github.com/repos/o/r/git/commits/a' } };
    expect(checkResponse(operation, 200, ref)).toEqual([]);
    expect(checkResponse(operation, 200, { ...ref, object: { ...ref.object, size: 1 } })).toEqual(['response/object/size is not in the schema']);
    expect(checkResponse(operation, 200, { ...ref, ref: 7 })).toEqual(['response/ref must be string']);
  });
});

describe('the GitHub fake', () => {
  it('serves a sticky-comment flow through octokit without a violation', async () => {
    const { number } = await openFeaturePull();
    const created = await octokit.issues.createComment({ ...where, issue_number: number, body: '<!-- ferry -->\nplan v1' });
    expect(created.status).toBe(201);
    expect(created.data.user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot' });
    const listed = await octokit.issues.listComments({ ...where, issue_number: number });
    expect(listed.data.map((comment) => comment.id)).toEqual([created.data.id]);
    const updated = await octokit.issues.updateComment({ ...where, comment_id: created.data.id, body: '<!-- ferry -->\nplan v2' });
    expect(updated.data.body).toBe('<!-- ferry -->\nplan v2');
    expect(fake.comments(number).map((comment) => comment.body)).toEqual(['<!-- ferry -->\nplan v2']);
    await octokit.issues.deleteComment({ ...where, comment_id: created.data.id });
    expect(fake.comments(number)).toEqual([]);
    expect(fake.violations).toEqual([]);
  });

  it('pages comments with per_page, page and a Link header that octokit.paginate follows', async () => {
    const { number } = await openFeaturePull();
    for (let i = 1; i <= 7; i++) await octokit.issues.createComment({ ...where, issue_number: number, body: `comment ${i}` });
    const first = await octokit.issues.listComments({ ...where, issue_number: number, per_page: 3 });
    expect(first.data.map((comment) => comment.body)).toEqual(['comment 1', 'comment 2', 'comment 3']);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain('per_page=3&page=3>; rel="last"');
    const all = await octokit.paginate(octokit.issues.listComments, { ...where, issue_number: number, per_page: 3 });
    expect(all.map((comment) => comment.body)).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `comment ${i}`));
    expect(fake.requests.filter((request) => request.operation === 'issues/list-comments')).toHaveLength(1 + 3);
    expect(fake.violations).toEqual([]);
  });

  it('answers a comment over 65,536 characters with GitHub\'s 422, which is not a violation', async () => {
    const { number } = await openFeaturePull();
    await octokit.issues.createComment({ ...where, issue_number: number, body: 'x'.repeat(65_536) });
    const tooLong = await failure(octokit.issues.createComment({ ...where, issue_number: number, body: 'x'.repeat(65_537) }));
    expect(tooLong.status).toBe(422);
    expect(tooLong.errors?.[0]?.message).toBe('Body is too long (maximum is 65536 characters)');
    expect(fake.comments(number)).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it.each([
    ['a misspelt body property', 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { body: 'plan', bodyy: 'plan' }, 'body/bodyy is not in the schema'],
    ['a property of the wrong type', 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { body: 42 }, 'body/body must be string'],
    ['a missing required property', 'POST /repos/{owner}/{repo}/check-runs', { name: 'ferry' }, "body must have required property 'head_sha'"],
    ['a value outside an enum', 'POST /repos/{owner}/{repo}/check-runs', { name: 'ferry', head_sha: 'SHA', output: { title: 't', summary: 's', annotations: [{ ...annotation(1), annotation_level: 'error' }] } }, 'body/output/annotations/0/annotation_level must be one of "notice", "warning", "failure"'],
    ['a misspelt nested property', 'POST /repos/{owner}/{repo}/check-runs', { name: 'ferry', head_sha: 'SHA', output: { title: 't', summary: 's', annotations: [{ ...annotation(1), startLine: 1 }] } }, 'body/output/annotations/0/startLine is not in the schema'],
    ['a query parameter of the wrong type', 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { per_page: 'all' }, 'parameter per_page must be integer'],
    ['an unknown query parameter', 'GET /repos/{owner}/{repo}/pulls', { status: 'open' }, 'parameter status is not in the schema'],
  ])('makes %s a violation, answered with 422 and the schema\'s complaint', async (_, route, parameters, complaint) => {
    const { number, sha } = await openFeaturePull();
    const withSha = JSON.parse(JSON.stringify(parameters).replace('"SHA"', JSON.stringify(sha))) as Record<string, unknown>;
    const target = route.includes('{issue_number}') ? { ...where, issue_number: number } : where;
    const answer = await failure(octokit.request(route, { ...target, ...withSha }));
    expect(answer.status).toBe(422);
    expect(answer.message).toContain(complaint);
    expect(fake.violations).toEqual([expect.stringContaining(complaint)]);
  });

  it('makes a call to an operation outside the subset a 404 and a violation', async () => {
    const answer = await failure(octokit.repos.listBranches(where));
    expect(answer.status).toBe(404);
    expect(fake.violations).toEqual([expect.stringContaining('GET /repos/ferry-test/campaign/branches: no operation of openapi-subset.json matches')]);
  });

  it('answers a wrong or missing token with 401 and accepts both token and Bearer schemes', async () => {
    const stranger = new Octokit({ auth: 'ghs_wrong', baseUrl: fake.url, log: quiet });
    expect(await failure(stranger.repos.get(where))).toMatchObject({ status: 401, message: 'Bad credentials' });
    const anonymous = new Octokit({ baseUrl: fake.url, log: quiet });
    expect(await failure(anonymous.repos.get(where))).toMatchObject({ status: 401, message: 'Requires authentication' });
    for (const scheme of ['token', 'Bearer']) {
      const response = await fetch(`${fake.url}/repos/${fake.owner}/${fake.repo}`, { headers: { authorization: `${scheme} ${fake.token}` } });
      expect(response.status).toBe(200);
    }
    expect(fake.violations).toEqual([]);
  });

  it('reads the repository and its refs from the bare repository', async () => {
    const repo = await octokit.repos.get(where);
    expect(repo.data).toMatchObject({ default_branch: 'main', full_name: 'ferry-test/campaign' });
    const main = await octokit.git.getRef({ ...where, ref: 'heads/main' });
    expect(main.data.object.sha).toBe(await repository.bareGit('rev-parse', 'main'));
    expect(await failure(octokit.git.getRef({ ...where, ref: 'heads/nope' }))).toMatchObject({ status: 404 });
    expect(await failure(octokit.git.getRef({ ...where, ref: 'heads/main~1' }))).toMatchObject({ status: 404 });
    expect(fake.violations).toEqual([]);
  });

  it('opens a pull request with GitHub\'s rules and lets its head follow the branch', async () => {
    const first = await repository.commit('ferry/wave-1', { 'batches/wave-1.yaml': 'name: wave-1\nstate: halted\n' });
    expect(await failure(octokit.pulls.create({ ...where, head: 'ferry/nope', base: 'main', title: 't' }))).toMatchObject({ status: 422 });
    expect(await failure(octokit.pulls.create({ ...where, head: 'ferry/wave-1', base: 'nope', title: 't' }))).toMatchObject({ status: 422 });
    expect(await failure(octokit.pulls.create({ ...where, head: 'main', base: 'main', title: 't' }))).toMatchObject({ status: 422, errors: [{ message: 'No commits between main and main' }] });
    const created = await octokit.pulls.create({ ...where, head: 'ferry/wave-1', base: 'main', title: 'Halt wave 1', body: 'why' });
    expect(created.data).toMatchObject({ number: 1, state: 'open', merged: false, mergeable: true, changed_files: 1, head: { ref: 'ferry/wave-1', sha: first } });
    expect(await failure(octokit.pulls.create({ ...where, head: 'ferry-test:ferry/wave-1', base: 'main', title: 'again' })))
      .toMatchObject({ status: 422, errors: [{ message: 'A pull request already exists for ferry-test:ferry/wave-1.' }] });

    const second = await repository.commit('ferry/wave-1', { 'batches/wave-1.yaml': 'name: wave-1\nstate: running\n' });
    expect((await octokit.pulls.get({ ...where, pull_number: 1 })).data.head.sha).toBe(second);
    const files = await octokit.pulls.listFiles({ ...where, pull_number: 1 });
    expect(files.data.map((file) => [file.filename, file.status])).toEqual([['batches/wave-1.yaml', 'modified']]);

    await repository.commit('other', { 'other.txt': 'x\n' });
    await fake.openPullRequest({ head: 'other', base: 'main', title: 'Other' });
    const byHead = await octokit.pulls.list({ ...where, head: 'ferry-test:ferry/wave-1' });
    expect(byHead.data.map((pull) => pull.number)).toEqual([1]);
    // As on GitHub, a head filter without the owner filters nothing.
    const bareHead = await octokit.pulls.list({ ...where, head: 'ferry/wave-1' });
    expect(bareHead.data.map((pull) => pull.number)).toEqual([2, 1]);

    await octokit.pulls.update({ ...where, pull_number: 2, state: 'closed', title: 'Other, dropped' });
    expect((await octokit.pulls.list({ ...where, state: 'closed' })).data.map((pull) => [pull.number, pull.title])).toEqual([[2, 'Other, dropped']]);
    expect((await fake.pulls()).map((pull) => pull.state)).toEqual(['open', 'closed']);
    expect(fake.violations).toEqual([]);
  });

  it('merges a pull request with a real merge commit on the base branch', async () => {
    const mainBefore = await repository.bareGit('rev-parse', 'main');
    const { number, sha } = await openFeaturePull();
    const stale = await failure(octokit.pulls.merge({ ...where, pull_number: number, sha: mainBefore }));
    expect(stale.status).toBe(409);

    const merged = await octokit.pulls.merge({ ...where, pull_number: number, sha });
    expect(merged.data).toMatchObject({ merged: true, message: 'Pull Request successfully merged' });
    expect(await repository.bareGit('rev-parse', 'main')).toBe(merged.data.sha);
    expect(await repository.bareGit('log', '-1', '--format=%P%n%s%n%an', 'main')).toBe(`${mainBefore} ${sha}\nMerge pull request #${number} from ferry-test/ferry/wave-1\ngithub-actions[bot]`);
    expect(await repository.bareGit('show', 'main:batches/wave-1.yaml')).toBe('name: wave-1\nstate: halted');

    const after = await octokit.pulls.get({ ...where, pull_number: number });
    expect(after.data).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: merged.data.sha, merged_by: { login: 'github-actions[bot]' } });
    expect(await failure(octokit.pulls.merge({ ...where, pull_number: number }))).toMatchObject({ status: 405 });
    expect(fake.violations).toEqual([]);
  });

  it('refuses to merge a pull request that conflicts with its base', async () => {
    const { number } = await openFeaturePull();
    await repository.commit('main', { 'batches/wave-1.yaml': 'name: wave-1\nstate: running\n' });
    expect((await octokit.pulls.get({ ...where, pull_number: number })).data).toMatchObject({ mergeable: false, mergeable_state: 'dirty' });
    expect(await failure(octokit.pulls.merge({ ...where, pull_number: number }))).toMatchObject({ status: 405, message: 'Pull Request is not mergeable' });
    expect(fake.violations).toEqual([]);
  });

  it('opens and merges through its test helpers with the same rules as the API', async () => {
    const { number, sha } = await openFeaturePull();
    await expect(fake.openPullRequest({ head: 'ferry/wave-1', base: 'main', title: 'again' })).rejects.toBeInstanceOf(GitHubError);
    const result = await fake.mergePullRequest(number, { merge_method: 'squash' });
    expect(await repository.bareGit('log', '-1', '--format=%P%n%s%n%an', 'main')).toBe(`${await repository.bareGit('rev-parse', 'main~1')}\nHalt wave 1 (#${number})\noctocat`);
    const [pull] = await fake.pulls();
    expect(pull).toMatchObject({ merged: true, merge_commit_sha: result.sha, head: { sha }, merged_by: { login: 'octocat' } });
    expect((await octokit.pulls.get({ ...where, pull_number: number })).data.merged).toBe(true);
  });

  it('closes an open pull request when its head branch is deleted', async () => {
    const { number } = await openFeaturePull();
    await octokit.git.deleteRef({ ...where, ref: 'heads/ferry/wave-1' });
    expect(await repository.bareGit('branch', '--list', 'ferry/wave-1')).toBe('');
    expect((await octokit.pulls.get({ ...where, pull_number: number })).data.state).toBe('closed');
    expect(await failure(octokit.git.deleteRef({ ...where, ref: 'heads/ferry/wave-1' }))).toMatchObject({ status: 422, errors: [{ message: 'Reference does not exist' }] });
    expect(fake.violations).toEqual([]);
  });

  it('appends check-run annotations per request, at most 50 in one request', async () => {
    const { sha } = await openFeaturePull();
    const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => annotation(from + i));
    const run = await octokit.checks.create({ ...where, name: 'ferry plan', head_sha: sha, status: 'in_progress', output: { title: 'Plan', summary: '2 problems', annotations: lines(1, 50) } });
    expect(run.data).toMatchObject({ status: 'in_progress', conclusion: null, output: { annotations_count: 50 } });
    expect(run.data.pull_requests.map((pull) => pull.number)).toEqual([1]);
    await octokit.checks.update({ ...where, check_run_id: run.data.id, output: { title: 'Plan', summary: '2 problems', annotations: lines(51, 50) } });

    const tooMany = await failure(octokit.checks.update({ ...where, check_run_id: run.data.id, output: { title: 'Plan', summary: 's', annotations: lines(101, 51) } }));
    expect(tooMany.status).toBe(422);
    expect(fake.violations).toEqual([expect.stringContaining('body/output/annotations must NOT have more than 50 items')]);
    fake.violations.length = 0;

    const done = await octokit.checks.update({ ...where, check_run_id: run.data.id, conclusion: 'failure' });
    expect(done.data).toMatchObject({ status: 'completed', conclusion: 'failure', output: { annotations_count: 100 } });
    const annotations = await octokit.paginate(octokit.checks.listAnnotations, { ...where, check_run_id: run.data.id, per_page: 100 });
    expect(annotations.map((listed) => listed.start_line)).toEqual(lines(1, 100).map((sent) => sent.start_line));
    expect(annotations[0]).toMatchObject({ path: 'batches/wave-1.yaml', annotation_level: 'failure', message: 'problem 1', blob_href: expect.stringContaining(sha) });

    const forRef = await octokit.checks.listForRef({ ...where, ref: 'ferry/wave-1' });
    expect(forRef.data.check_runs.map((listed) => [listed.name, listed.conclusion])).toEqual([['ferry plan', 'failure']]);
    expect(fake.checkRuns(sha)[0]!.annotations).toHaveLength(100);
    expect(fake.violations).toEqual([]);
  });

  it('holds check-run summaries to 65,535 characters', async () => {
    const { sha } = await openFeaturePull();
    const answer = await failure(octokit.checks.create({ ...where, name: 'ferry plan', head_sha: sha, output: { title: 'Plan', summary: 's'.repeat(65_536) } }));
    expect(answer.status).toBe(422);
    expect(fake.violations).toEqual([expect.stringContaining('body/output/summary must NOT have more than 65535 characters')]);
  });

  it('combines commit statuses per context', async () => {
    const sha = await repository.bareGit('rev-parse', 'main');
    await octokit.repos.createCommitStatus({ ...where, sha, state: 'pending', context: 'ferry/wave-1' });
    await octokit.repos.createCommitStatus({ ...where, sha, state: 'success', context: 'ferry/wave-1', description: 'applied' });
    expect((await octokit.repos.getCombinedStatusForRef({ ...where, ref: 'main' })).data).toMatchObject({ state: 'success', total_count: 1, sha });
    await octokit.repos.createCommitStatus({ ...where, sha, state: 'failure', context: 'ferry/wave-2', target_url: 'https://ci.invalid/run/1' });
    const combined = await octokit.repos.getCombinedStatusForRef({ ...where, ref: sha });
    expect(combined.data.state).toBe('failure');
    expect(combined.data.statuses.map((status) => [status.context, status.state])).toEqual([['ferry/wave-2', 'failure'], ['ferry/wave-1', 'success']]);
    const listed = await octokit.repos.listCommitStatusesForRef({ ...where, ref: 'main' });
    expect(listed.data.map((status) => status.state)).toEqual(['failure', 'success', 'pending']);
    expect(fake.statuses(sha)).toHaveLength(3);
    expect(await failure(octokit.repos.createCommitStatus({ ...where, sha: 'main', state: 'success' }))).toMatchObject({ status: 422 });
    expect(fake.violations).toEqual([]);
  });

  it('adds labels to a pull request, creating those the repository lacks', async () => {
    const { number } = await openFeaturePull();
    await octokit.issues.addLabels({ ...where, issue_number: number, labels: ['ferry'] });
    const labels = await octokit.issues.addLabels({ ...where, issue_number: number, labels: ['ferry', 'conflict'] });
    expect(labels.data.map((label) => label.name)).toEqual(['ferry', 'conflict']);
    expect(fake.labels(number)).toEqual(['ferry', 'conflict']);
    expect((await octokit.pulls.get({ ...where, pull_number: number })).data.labels.map((label) => label.name)).toEqual(['ferry', 'conflict']);
    expect((await octokit.pulls.list(where)).data[0]!.labels.map((label) => label.name)).toEqual(['ferry', 'conflict']);
    expect(fake.violations).toEqual([]);
  });
});

describe('the GitHub fake\'s pull request refs', () => {
  it('keeps refs/pull/<n>/head at the head and refs/pull/<n>/merge at a test merge into the base, made again when either moves', async () => {
    const { number, sha } = await openFeaturePull();
    let main = await repository.bareGit('rev-parse', 'main');
    let refs = await pullRefs();
    expect(refs[`refs/pull/${number}/head`]).toBe(sha);
    expect(await commitLine(`refs/pull/${number}/merge`)).toBe(`${main} ${sha} Merge ${sha} into ${main}`);
    expect(await repository.bareGit('show', `refs/pull/${number}/merge:batches/wave-1.yaml`)).toBe('name: wave-1\nstate: halted');
    const pull = await octokit.pulls.get({ ...where, pull_number: number });
    expect(pull.data).toMatchObject({ mergeable: true, merge_commit_sha: refs[`refs/pull/${number}/merge`] });

    const moved = await repository.commit('ferry/wave-1', { 'batches/wave-1.yaml': 'name: wave-1\nstate: running\n' });
    await octokit.pulls.list(where);
    refs = await pullRefs();
    expect(refs[`refs/pull/${number}/head`]).toBe(moved);
    expect(await commitLine(`refs/pull/${number}/merge`)).toBe(`${main} ${moved} Merge ${moved} into ${main}`);

    main = await repository.commit('main', { 'README.md': 'campaign, wave 1 first\n' });
    await fake.pulls();
    expect(await commitLine(`refs/pull/${number}/merge`)).toBe(`${main} ${moved} Merge ${moved} into ${main}`);
    const unchanged = (await pullRefs())[`refs/pull/${number}/merge`];
    await octokit.pulls.get({ ...where, pull_number: number });
    expect((await pullRefs())[`refs/pull/${number}/merge`]).toBe(unchanged);
    expect(fake.violations).toEqual([]);
  });

  it('serves the pull refs to git fetch as GitHub does to actions/checkout', async () => {
    const { number, sha } = await openFeaturePull();
    const clone = await repository.fork();
    execFileSync('git', ['fetch', '-q', 'origin', `+refs/pull/${number}/head:refs/remotes/pull/${number}/head`, `+refs/pull/${number}/merge:refs/remotes/pull/${number}/merge`], { cwd: clone.path });
    const fetched = (ref: string) => execFileSync('git', ['rev-parse', ref], { cwd: clone.path, encoding: 'utf8' }).trim();
    expect(fetched(`refs/remotes/pull/${number}/head`)).toBe(sha);
    expect(fetched(`refs/remotes/pull/${number}/merge^2`)).toBe(sha);
    expect(fetched(`refs/remotes/pull/${number}/merge^1`)).toBe(await repository.bareGit('rev-parse', 'main'));
  });

  it('has no merge ref while head and base conflict, nor once the pull request closes, and keeps the head ref', async () => {
    const { number, sha } = await openFeaturePull();
    await repository.commit('main', { 'batches/wave-1.yaml': 'name: wave-1\nstate: running\n' });
    expect((await octokit.pulls.get({ ...where, pull_number: number })).data).toMatchObject({ mergeable: false, merge_commit_sha: null });
    expect(await pullRefs()).toEqual({ [`refs/pull/${number}/head`]: sha });

    const resolved = await repository.commit('ferry/wave-1', { 'batches/wave-1.yaml': 'name: wave-1\nstate: running\n' });
    expect((await octokit.pulls.get({ ...where, pull_number: number })).data.mergeable).toBe(true);
    expect(Object.keys(await pullRefs())).toEqual([`refs/pull/${number}/head`, `refs/pull/${number}/merge`]);

    await octokit.pulls.update({ ...where, pull_number: number, state: 'closed' });
    expect(await pullRefs()).toEqual({ [`refs/pull/${number}/head`]: resolved });
    await repository.commit('ferry/wave-1', { 'notes.txt': 'after closing\n' });
    expect(await fake.pulls()).toMatchObject([{ state: 'closed', head: { sha: resolved } }]);
    expect(await pullRefs()).toEqual({ [`refs/pull/${number}/head`]: resolved });

    const reopened = await octokit.pulls.update({ ...where, pull_number: number, state: 'open' });
    const refs = await pullRefs();
    expect(reopened.data).toMatchObject({ state: 'open', merge_commit_sha: refs[`refs/pull/${number}/merge`], head: { sha: refs[`refs/pull/${number}/head`] } });
    expect(refs[`refs/pull/${number}/head`]).not.toBe(resolved);
    expect(fake.violations).toEqual([]);
  });
});

describe('the GitHub fake\'s pull requests from forks', () => {
  const fromFork = { fork: 'someone/fork', branch: 'change', base: 'main', title: 'Fewer waves' };

  async function openForkPull(): Promise<{ number: number; sha: string; clone: Awaited<ReturnType<ScratchRepository['fork']>> }> {
    const clone = await repository.fork();
    const sha = await clone.commit({ 'batches/wave-1.yaml': 'name: wave-1\nstate: halted\n' });
    const pull = await fake.openForkPullRequest({ ...fromFork, from: clone.path, sha });
    return { number: pull.number, sha, clone };
  }

  it('opens a pull request whose commit reaches the repository only as refs/pull/<n>/head, its head in the fork', async () => {
    const { number, sha } = await openForkPull();
    expect(await repository.bareGit('for-each-ref', '--format=%(refname)', 'refs/heads')).toBe('refs/heads/main');
    expect((await pullRefs())[`refs/pull/${number}/head`]).toBe(sha);
    expect(await commitLine(`refs/pull/${number}/merge`)).toContain(`Merge ${sha} into`);

    const pull = await octokit.pulls.get({ ...where, pull_number: number });
    expect(pull.data).toMatchObject({
      user: { login: 'someone', type: 'User' },
      mergeable: true,
      maintainer_can_modify: true,
      head: { label: 'someone:change', ref: 'change', sha, user: { login: 'someone' }, repo: { full_name: 'someone/fork', fork: true, owner: { login: 'someone' } } },
      base: { label: 'ferry-test:main', ref: 'main', repo: { full_name: 'ferry-test/campaign', fork: false } },
    });
    expect(await fake.pulls()).toMatchObject([{ head: { label: 'someone:change', repo: { full_name: 'someone/fork', fork: true } } }]);
    expect((await octokit.pulls.list({ ...where, head: 'someone:change' })).data.map((listed) => listed.head.repo.full_name)).toEqual(['someone/fork']);
    expect((await octokit.pulls.list({ ...where, head: 'ferry-test:change' })).data).toEqual([]);
    expect((await octokit.repos.get(where)).data.forks_count).toBe(1);
    await expect(fake.openForkPullRequest({ ...fromFork, from: repository.work, sha })).rejects.toBeInstanceOf(GitHubError);
    expect(fake.violations).toEqual([]);
  });

  it('follows pushes to the fork while open and merges with the fork\'s head as second parent', async () => {
    const { number, clone } = await openForkPull();
    const pushed = await clone.commit({ 'batches/wave-2.yaml': 'name: wave-2\n' });
    expect((await fake.pushToFork(number, { from: clone.path, sha: pushed })).head.sha).toBe(pushed);
    expect((await octokit.pulls.get({ ...where, pull_number: number })).data.head.sha).toBe(pushed);
    expect((await pullRefs())[`refs/pull/${number}/head`]).toBe(pushed);

    const mainBefore = await repository.bareGit('rev-parse', 'main');
    const merged = await octokit.pulls.merge({ ...where, pull_number: number, sha: pushed });
    expect(await commitLine('main')).toBe(`${mainBefore} ${pushed} Merge pull request #${number} from someone/change`);
    expect(merged.data.sha).toBe(await repository.bareGit('rev-parse', 'main'));
    expect(await pullRefs()).toEqual({ [`refs/pull/${number}/head`]: pushed });

    const late = await clone.commit({ 'batches/wave-3.yaml': 'name: wave-3\n' });
    await fake.pushToFork(number, { from: clone.path, sha: late });
    expect((await octokit.pulls.get({ ...where, pull_number: number })).data).toMatchObject({ merged: true, head: { sha: pushed } });
    expect(fake.violations).toEqual([]);
  });

  it('refuses to open a pull request from a fork through the API, as Ferry never does', async () => {
    await openForkPull();
    await repository.commit('change', { 'notes.txt': 'a branch of the same name here\n' });
    expect(await failure(octokit.pulls.create({ ...where, head: 'someone:change', base: 'main', title: 'From a fork' })))
      .toMatchObject({ status: 422 });
    expect(await failure(octokit.pulls.create({ ...where, head: 'change', head_repo: 'someone/fork', base: 'main', title: 'From a fork' })))
      .toMatchObject({ status: 422 });
    const own = await octokit.pulls.create({ ...where, head: 'change', base: 'main', title: 'From here' });
    expect(own.data.head).toMatchObject({ label: 'ferry-test:change', repo: { full_name: 'ferry-test/campaign', fork: false } });
    expect(fake.violations).toEqual([]);
  });

  it('leaves a pull request from a fork out of a check run\'s pull_requests, as GitHub does, and takes statuses on its head', async () => {
    const { sha } = await openForkPull();
    const run = await octokit.checks.create({ ...where, name: 'ferry plan', head_sha: sha, conclusion: 'success', output: { title: 'Plan', summary: 'nothing' } });
    expect(run.data.pull_requests).toEqual([]);
    await octokit.repos.createCommitStatus({ ...where, sha, state: 'success', context: 'ferry' });
    expect((await octokit.repos.getCombinedStatusForRef({ ...where, ref: sha })).data.state).toBe('success');
    expect(fake.violations).toEqual([]);
  });
});

describe('the GitHub fake\'s token identity', () => {
  const person: GitHubUser = { login: 'ops-lead', id: 7001, type: 'User' };

  it('answers GET /user with 403 for an installation token and with the user for a personal access token', async () => {
    expect(await failure(octokit.users.getAuthenticated())).toMatchObject({ status: 403, message: 'Resource not accessible by integration' });
    expect(fake.violations).toEqual([]);
    await withTokenOf(person, async (other, client) => {
      expect((await client.users.getAuthenticated()).data).toMatchObject({ login: 'ops-lead', id: 7001, type: 'User' });
      expect(other.violations).toEqual([]);
    });
  });

  it('makes check runs belong to the installation token\'s app and refuses them to a personal access token', async () => {
    const { sha } = await openFeaturePull();
    const actions = await octokit.checks.create({ ...where, name: 'ferry plan', head_sha: sha });
    expect(actions.data.app).toMatchObject({ id: GITHUB_ACTIONS_APP.id, slug: 'github-actions' });

    await withTokenOf({ login: 'ferry-bot[bot]', id: 8001, type: 'Bot' }, async (other, client) => {
      const own = await client.checks.create({ ...where, name: 'ferry plan', head_sha: sha });
      expect(own.data.app).toMatchObject({ slug: 'ferry-bot', owner: { login: 'ferry-test' } });
      expect(own.data.app!.id).not.toBe(GITHUB_ACTIONS_APP.id);
      expect((await client.checks.listForRef({ ...where, ref: sha, app_id: own.data.app!.id })).data.total_count).toBe(1);
      expect((await client.checks.listForRef({ ...where, ref: sha, app_id: GITHUB_ACTIONS_APP.id })).data.total_count).toBe(0);
      expect(other.checkRuns()[0]!.app.slug).toBe('ferry-bot');
      expect(other.violations).toEqual([]);
    });

    await withTokenOf(person, async (other, client) => {
      expect(await failure(client.checks.create({ ...where, name: 'ferry plan', head_sha: sha })))
        .toMatchObject({ status: 403, message: 'You must authenticate via a GitHub App.' });
      expect(await failure(client.checks.update({ ...where, check_run_id: actions.data.id, conclusion: 'success' })))
        .toMatchObject({ status: 403, message: 'You must authenticate via a GitHub App.' });
      expect(other.checkRuns()).toEqual([]);
      expect(other.violations).toEqual([]);
    });
  });

  it('writes comments and statuses as the person a personal access token belongs to', async () => {
    const sha = await repository.commit('ferry/wave-1', { 'batches/wave-1.yaml': 'name: wave-1\nstate: halted\n' });
    await withTokenOf(person, async (other, client) => {
      const { number } = await other.openPullRequest({ head: 'ferry/wave-1', base: 'main', title: 'Halt wave 1' });
      const comment = await client.issues.createComment({ ...where, issue_number: number, body: 'by hand' });
      expect(comment.data.user).toMatchObject({ login: 'ops-lead', type: 'User' });
      const status = await client.repos.createCommitStatus({ ...where, sha, state: 'pending', context: 'ferry' });
      expect(status.data.creator).toMatchObject({ login: 'ops-lead' });
      expect(other.violations).toEqual([]);
    });
  });
});

describe('the GitHub fake\'s comments by other people', () => {
  it('lets the token edit and delete anyone\'s comment, and records whose comment each change touched', async () => {
    const { number } = await openFeaturePull();
    const theirs = await fake.addComment(number, 'Looks good, but wait for the window');
    const ours = await octokit.issues.createComment({ ...where, issue_number: number, body: '<!-- ferry -->\nplan v1' });
    const listed = await octokit.issues.listComments({ ...where, issue_number: number });
    expect(listed.data.map((comment) => [comment.id, comment.user?.login])).toEqual([[theirs.id, 'octocat'], [ours.data.id, 'github-actions[bot]']]);

    await octokit.issues.updateComment({ ...where, comment_id: ours.data.id, body: '<!-- ferry -->\nplan v2' });
    await octokit.issues.updateComment({ ...where, comment_id: theirs.id, body: 'edited by the bot' });
    await octokit.issues.deleteComment({ ...where, comment_id: theirs.id });
    expect(fake.commentEdits()).toEqual([
      { id: ours.data.id, issue_number: number, author: fake.bot, action: 'edited' },
      { id: theirs.id, issue_number: number, author: theirs.user, action: 'edited' },
      { id: theirs.id, issue_number: number, author: theirs.user, action: 'deleted' },
    ]);
    expect(fake.comments(number).map((comment) => comment.body)).toEqual(['<!-- ferry -->\nplan v2']);
    await expect(fake.addComment(number + 1, 'nowhere')).rejects.toBeInstanceOf(GitHubError);
    expect(fake.violations).toEqual([]);
  });
});
