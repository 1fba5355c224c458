import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pullRequestCheckout } from '../github/pull-request-checkout.js';
import { ferry, tempDir } from '../helpers/cli.js';

const BASE_ENV = { PATH: process.env.PATH, HOME: process.env.HOME };
const CONTEXT_HINT = 'see docs/github.md for what the command needs from the job (its variables, its event, its checkout)';

describe('ferry github', () => {
  it('explains its commands and the environment it reads', async () => {
    const run = await ferry(['github', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: ferry github plan\|comment\|apply\|report /);
    for (const name of ['GITHUB_REPOSITORY', 'GITHUB_EVENT_NAME', 'GITHUB_EVENT_PATH', 'FERRY_GITHUB_TOKEN', 'GITHUB_TOKEN', 'GITHUB_API_URL']) expect(run.stdout).toContain(name);
    expect((await ferry(['--help'])).stdout).toMatch(/^ {2}github +What the GitHub Action does/m);
  });

  it.each([
    [['github'], 'ferry github: say what to do: ferry github plan|comment|apply|report\n'],
    [['github', 'deploy'], 'ferry github: error unknown-command: "deploy" is not a command of ferry github; ferry github plan|comment|apply|report\n'],
    [['github', 'aply'], 'ferry github: error unknown-command: "aply" is not a command of ferry github (did you mean "apply"?); ferry github plan|comment|apply|report\n'],
    [['github', 'plan', 'now'], 'ferry github: unexpected argument "now"\n'],
    [['github', 'report', '--plan-file', 'plan.json'], 'ferry github: --plan-file is for plan and comment, not report\n'],
  ])('refuses %j with one line', async (args, stderr) => {
    expect(await ferry(args, { env: { ...BASE_ENV, GITHUB_EVENT_NAME: 'push' } })).toEqual({ code: 1, stdout: '', stderr });
  });

  it.each(['pull_request', 'pull_request_target', 'issue_comment', 'workflow_run'])('never applies on a %s event', async (event) => {
    const run = await ferry(['github', 'apply'], { env: { ...BASE_ENV, GITHUB_EVENT_NAME: event, GITHUB_REPOSITORY: 'acme/migrations', GITHUB_TOKEN: 'ghs_test' } });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `ferry github: error untrusted-event: Ferry does not apply on a ${event} event, which a pull request can trigger; apply runs on push, schedule, workflow_dispatch, repository_dispatch\n`,
    });
  });

  it('does not apply when the CI does not say which event it runs for', async () => {
    const run = await ferry(['github', 'apply'], { env: { ...BASE_ENV, GITHUB_REPOSITORY: 'acme/migrations', GITHUB_TOKEN: 'ghs_test' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('set GITHUB_EVENT_NAME=push in the job that runs on the default branch');
  });

  it('says in one line what the environment lacks, without a stack, and keeps the token out of it', async () => {
    const missing = await ferry(['github', 'plan'], { env: { ...BASE_ENV, GITHUB_EVENT_NAME: 'pull_request', GITHUB_TOKEN: 'ghs_test' } });
    expect(missing).toEqual({ code: 1, stdout: '', stderr: `ferry github: error github-context: GITHUB_REPOSITORY is not set: Ferry needs owner/name of the repository; ${CONTEXT_HINT}\n` });
    const quoted = await ferry(['github', 'plan'], { env: { ...BASE_ENV, GITHUB_EVENT_NAME: 'pull_request', GITHUB_TOKEN: 'ghs_s3cret', GITHUB_REPOSITORY: 'acme/ghs_s3cret/x' } });
    expect(quoted.stderr).toBe(`ferry github: error github-context: GITHUB_REPOSITORY must be owner/name, not "acme/***/x"; ${CONTEXT_HINT}\n`);
    const json = await ferry(['github', 'plan', '--json'], { env: { ...BASE_ENV, GITHUB_EVENT_NAME: 'pull_request', GITHUB_TOKEN: 'ghs_s3cret', GITHUB_REPOSITORY: 'acme/ghs_s3cret/x' } });
    expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 1, stderr: '' });
    expect(JSON.parse(json.stdout)).toMatchObject({ format_version: '1.0', error: { code: 'github-context', message: 'GITHUB_REPOSITORY must be owner/name, not "acme/***/x"' } });
  });

  it("writes a pull request's plan to --plan-file (relative to the working directory) and prints the summary", async () => {
    const { checkout, event, head } = pullRequestCheckout();
    const cwd = tempDir('ferry-ci-');
    const env = { ...BASE_ENV, GITHUB_REPOSITORY: 'acme/migrations', GITHUB_TOKEN: 'ghs_s3cret', GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event };
    const run = await ferry(['github', 'plan', '--repo', checkout, '--plan-file', 'plan.json'], { cwd, env });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Plan: 1 batch change/);
    expect(JSON.parse(readFileSync(join(cwd, 'plan.json'), 'utf8'))).toMatchObject({ kind: 'ferry-pr-plan-file', pr: 7, head_sha: head });

    const json = await ferry(['github', 'plan', '--repo', checkout, '--plan-file', 'again.json', '--json'], { cwd, env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ format_version: '1.0', command: 'plan', has_changes: true, conflicts: 0, failed: false, summary: expect.stringMatching(/^Plan: 1 batch change/) });
    expect(json.stderr).toContain('wrote the plan to');
  });
});
