import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionInput, runAction, type GitHubRunner } from '../../src/github/action.js';
import { GitHubContextError } from '../../src/github/context.js';
import type { GitHubRunOptions, GitHubRunResult } from '../../src/github/run.js';
import { commandData, maskCommands } from '../../src/github/runner.js';
import { tempDir } from '../helpers/cli.js';
import { readStepOutputs } from './step-outputs.js';

const TOKEN = 'ghs_SECRETsecret123';
const OK: GitHubRunResult = { hasChanges: true, conflicts: 3, failed: false, summary: 'Plan: 2 batches change, 3 conflicts.' };

interface ActionRun {
  code: number;
  /** What the runner shows, without the stop-commands pair around the command's own output. */
  stdout: string;
  /** Exactly what was written. */
  raw: string;
  stderr: string;
  /** What the Action passed to runGitHub, when it called it. */
  options: GitHubRunOptions | undefined;
}

async function action(env: Record<string, string>, run: GitHubRunner = async () => OK): Promise<ActionRun> {
  let stdout = '';
  let stderr = '';
  let options: GitHubRunOptions | undefined;
  const code = await runAction(
    { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env, cwd: '/work/checkout' },
    async (given) => {
      options = given;
      return run(given);
    },
  );
  return { code, stdout: withoutStopCommands(stdout), raw: stdout, stderr, options };
}

/** Checks that workflow commands were stopped around the command's output and resumed with the same token, and removes the pair. */
function withoutStopCommands(stdout: string): string {
  const stop = /^::stop-commands::([0-9a-f]{32})$/m.exec(stdout);
  if (stop === null) return stdout;
  const resume = `::${stop[1]}::\n`;
  expect(stdout.indexOf(resume), 'commands resumed with the stop token').toBeGreaterThan(stop.index);
  expect(stdout.split(stop[1]!).length, 'the token appears only in the pair').toBe(3);
  return stdout.replace(`${stop[0]}\n`, '').replace(resume, '');
}

describe('the Action reads its inputs as the runner passes them', () => {
  it('INPUT_ and the name upper-cased, spaces as underscores, hyphens kept, trimmed', () => {
    const env = { 'INPUT_REPOSITORY-PATH': '  campaign \n', INPUT_MY_INPUT: 'x' };
    expect(actionInput(env, 'repository-path')).toBe('campaign');
    expect(actionInput(env, 'my input')).toBe('x');
    expect(actionInput(env, 'status-branch')).toBe('');
  });

  it('passes the command, the repository resolved against the workspace, the token and the status branch to runGitHub', async () => {
    const run = await action({
      INPUT_COMMAND: 'plan',
      'INPUT_REPOSITORY-PATH': 'migrations',
      INPUT_TOKEN: TOKEN,
      'INPUT_STATUS-BRANCH': 'ferry-status',
      GITHUB_EVENT_NAME: 'pull_request',
    });
    expect(run.code).toBe(0);
    expect(run.options).toMatchObject({ command: 'plan', repoDir: '/work/checkout/migrations', token: TOKEN, statusBranch: 'ferry-status' });
  });

  it('passes the plan-file input to plan', async () => {
    const run = await action({ INPUT_COMMAND: 'plan', 'INPUT_PLAN-FILE': '/runner/temp/ferry-plan.json', GITHUB_EVENT_NAME: 'pull_request' });
    expect(run.options).toMatchObject({ command: 'plan', planFile: '/runner/temp/ferry-plan.json' });
  });

  it('resolves a relative plan-file against the workspace', async () => {
    const run = await action({ INPUT_COMMAND: 'plan', 'INPUT_REPOSITORY-PATH': 'campaign', 'INPUT_PLAN-FILE': 'ferry-plan.json', GITHUB_EVENT_NAME: 'pull_request' });
    expect(run.options).toMatchObject({ repoDir: '/work/checkout/campaign', planFile: '/work/checkout/ferry-plan.json' });
  });

  it('defaults to the workspace itself and leaves an empty status branch and token unset', async () => {
    const run = await action({ INPUT_COMMAND: 'report', 'INPUT_STATUS-BRANCH': '', GITHUB_EVENT_NAME: 'schedule' });
    expect(run.options?.repoDir).toBe('/work/checkout');
    expect(run.options && 'statusBranch' in run.options).toBe(false);
    expect(run.options && 'token' in run.options).toBe(false);
    expect(run.options && 'planFile' in run.options).toBe(false);
  });

  it.each([
    [{}, '::error::the command input is required: one of plan, comment, apply, report\n'],
    [{ INPUT_COMMAND: 'destroy' }, '::error::the command input must be one of plan, comment, apply, report, not "destroy"\n'],
    [{ INPUT_COMMAND: 'plan', 'INPUT_LOG-LEVEL': 'loud' }, '::error::the log-level input must be one of fatal, error, warn, info, debug, trace, silent, not "loud"\n'],
    [{ INPUT_COMMAND: 'report', 'INPUT_PLAN-FILE': 'plan.json' }, '::error::the plan-file input is for the plan command, not report\n'],
  ])('refuses bad inputs %j with one error line', async (env, error) => {
    const run = await action({ GITHUB_EVENT_NAME: 'push', ...env });
    expect({ code: run.code, stdout: run.stdout, called: run.options !== undefined }).toEqual({ code: 1, stdout: error, called: false });
  });
});

describe('the Action never applies from an event a pull request can trigger', () => {
  it.each(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment', 'issue_comment', 'workflow_run', 'merge_group', 'check_suite'])(
    'refuses apply on %s without calling runGitHub',
    async (event) => {
      const run = await action({ INPUT_COMMAND: 'apply', INPUT_TOKEN: TOKEN, GITHUB_EVENT_NAME: event });
      expect(run.code).toBe(1);
      expect(run.options).toBeUndefined();
      expect(run.stdout).toBe(`::add-mask::${TOKEN}\n::error::Ferry does not apply on a ${event} event, which a pull request can trigger; apply runs on push, schedule, workflow_dispatch, repository_dispatch\n`);
    },
  );

  it('refuses apply when the event is unknown', async () => {
    const run = await action({ INPUT_COMMAND: 'apply' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::Ferry applies only on a push, schedule, workflow_dispatch, repository_dispatch event and GITHUB_EVENT_NAME is not set/);
  });

  it("refuses apply on a pull request's ref even from an apply event", async () => {
    const run = await action({ INPUT_COMMAND: 'apply', GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_REF: 'refs/pull/7/merge' });
    expect(run.stdout).toBe("::error::Ferry does not apply a pull request's ref (refs/pull/7/merge); apply runs on the default branch\n");
    expect(run.options).toBeUndefined();
  });

  it.each(['push', 'schedule', 'workflow_dispatch', 'repository_dispatch'])('applies on %s', async (event) => {
    const run = await action({ INPUT_COMMAND: 'apply', GITHUB_EVENT_NAME: event, GITHUB_REF: 'refs/heads/main' });
    expect({ code: run.code, command: run.options?.command }).toEqual({ code: 0, command: 'apply' });
  });

  it('plans and reports on a pull request', async () => {
    expect((await action({ INPUT_COMMAND: 'plan', GITHUB_EVENT_NAME: 'pull_request' })).code).toBe(0);
    expect((await action({ INPUT_COMMAND: 'report', GITHUB_EVENT_NAME: 'pull_request' })).code).toBe(0);
  });
});

describe('the token', () => {
  it('is masked before any other line and appears nowhere else, even when the command prints it', async () => {
    const run = await action(
      { INPUT_COMMAND: 'plan', INPUT_TOKEN: TOKEN, GITHUB_EVENT_NAME: 'pull_request', 'INPUT_LOG-LEVEL': 'trace' },
      async (options) => {
        options.out(`using ${TOKEN}`);
        options.log.info({ token: TOKEN, request: { authorization: `token ${TOKEN}` } }, 'calling GitHub');
        return { ...OK, summary: `done with ${TOKEN}` };
      },
    );
    expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${TOKEN}`);
    expect(run.stdout.split('\n').slice(1).join('\n')).not.toContain(TOKEN);
    expect(run.stdout).toContain('using ***\n');
    expect(run.stderr).toContain('calling GitHub');
    expect(run.stderr).not.toContain(TOKEN);
  });

  it('is left out of an error message', async () => {
    const run = await action({ INPUT_COMMAND: 'plan', INPUT_TOKEN: TOKEN, GITHUB_EVENT_NAME: 'pull_request' }, async () => {
      throw new Error(`GitHub refused the token ${TOKEN}`);
    });
    expect(run.stdout).toBe(`::add-mask::${TOKEN}\n::error::GitHub refused the token ***\n`);
  });

  it('is masked line by line, and a mask line cannot be broken by the secret', () => {
    expect(maskCommands('one\ntwo\r\n')).toEqual(['::add-mask::one\n', '::add-mask::two\n']);
    expect(maskCommands('')).toEqual([]);
    expect(commandData('50%\r\nnext')).toBe('50%25%0D%0Anext');
  });
});

describe('the step outputs and the exit code', () => {
  it('writes has-changes and conflicts to GITHUB_OUTPUT in the multi-line form, after what is already there', async () => {
    const file = join(tempDir('ferry-action-'), 'output');
    writeFileSync(file, 'earlier=1\n');
    const run = await action({ INPUT_COMMAND: 'plan', GITHUB_EVENT_NAME: 'pull_request', GITHUB_OUTPUT: file });
    expect(run.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('earlier=1\n')).toBe(true);
    expect(text).toMatch(/^has-changes<<ghadelimiter_[0-9a-f-]{36}$/m);
    expect(readStepOutputs(text)).toEqual({ 'has-changes': 'true', conflicts: '3' });
    expect(run.stdout).toBe('Plan: 2 batches change, 3 conflicts.\n');
  });

  it('still writes the outputs when the run failed, then fails the step with its summary', async () => {
    const file = join(tempDir('ferry-action-'), 'output');
    const run = await action({ INPUT_COMMAND: 'plan', GITHUB_EVENT_NAME: 'pull_request', GITHUB_OUTPUT: file }, async () => ({
      hasChanges: false,
      conflicts: 0,
      failed: true,
      summary: '2 documents are invalid.',
    }));
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '::error::2 documents are invalid.\n' });
    expect(readStepOutputs(readFileSync(file, 'utf8'))).toEqual({ 'has-changes': 'false', conflicts: '0' });
  });

  it('fails with one line when the outputs file cannot be written', async () => {
    const run = await action({ INPUT_COMMAND: 'plan', GITHUB_EVENT_NAME: 'pull_request', GITHUB_OUTPUT: tempDir('ferry-action-') });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::the step outputs cannot be written to GITHUB_OUTPUT .* \(EISDIR\)\n$/);
  });

  it('turns an error into one ::error:: line, without a stack unless the log level is debug', async () => {
    const fails: GitHubRunner = async () => {
      throw new GitHubContextError('GITHUB_REPOSITORY is not set:\nFerry needs owner/name of the repository');
    };
    const quiet = await action({ INPUT_COMMAND: 'plan', GITHUB_EVENT_NAME: 'pull_request' }, fails);
    expect(quiet).toMatchObject({ code: 1, stdout: '::error::GITHUB_REPOSITORY is not set:%0AFerry needs owner/name of the repository\n', stderr: '' });
    const debug = await action({ INPUT_COMMAND: 'plan', GITHUB_EVENT_NAME: 'pull_request', 'INPUT_LOG-LEVEL': 'debug' }, fails);
    expect(debug.stdout).toBe(quiet.stdout);
    expect(debug.stderr).toMatch(/"stack":"Error: GITHUB_REPOSITORY is not set:\\nFerry needs[^"]*\\n +at /);
  });

  it('logs at debug level when the runner debugs (RUNNER_DEBUG=1) and no log-level is given', async () => {
    const run = await action({ INPUT_COMMAND: 'plan', GITHUB_EVENT_NAME: 'pull_request', RUNNER_DEBUG: '1' }, async (options) => {
      options.log.debug('detail');
      return OK;
    });
    expect(run.stderr).toContain('"msg":"detail"');
  });
});

describe('what the command prints', () => {
  it('cannot issue workflow commands or escape sequences: commands are stopped around it under a token only the Action knows', async () => {
    const run = await action({ INPUT_COMMAND: 'plan', INPUT_TOKEN: TOKEN }, async (options) => {
      options.out('VM ::error::forged \u001b]0;title\u0007 ::add-mask::x');
      options.out('::set-output name=conflicts::0');
      return OK;
    });
    const lines = run.raw.split('\n');
    const stop = lines.findIndex((line) => line.startsWith('::stop-commands::'));
    const resume = lines.findIndex((line) => line === `::${lines[stop]!.slice('::stop-commands::'.length)}::`);
    const forged = lines.findIndex((line) => line.includes('::set-output'));
    expect(stop).toBeGreaterThan(0);
    expect(forged).toBeGreaterThan(stop);
    expect(resume).toBeGreaterThan(forged);
    expect(run.raw).toContain('VM ::error::forged \\u001b]0;title\\u0007 ::add-mask::x');
    expect(run.raw).not.toContain('\u001b');
  });
});
