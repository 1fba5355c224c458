import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_BUNDLE, bundleAction } from '../../scripts/build-action.js';
import { PROJECT_ROOT, tempDir } from '../helpers/cli.js';
import { pullRequestCheckout } from './pull-request-checkout.js';
import { readStepOutputs } from './step-outputs.js';

const TOKEN = 'ghs_bundleSECRET42';

describe('the committed Action bundle', () => {
  it('is exactly what npm run build:action builds from the sources', async () => {
    const built = Buffer.from(await bundleAction());
    const committed = readFileSync(join(PROJECT_ROOT, ACTION_BUNDLE));
    // toBe on a boolean: a byte diff of a bundle is no help; the remedy is.
    expect(built.equals(committed), `${ACTION_BUNDLE} is stale: run npm run build:action and commit ${ACTION_BUNDLE}`).toBe(true);
  });
});

describe('the Action bundle as the runner starts it', () => {
  /** Runs a copy of the bundle alone in an empty directory: no node_modules, no schemas/ beside it. */
  function runBundle(env: Record<string, string>, cwd?: string): { status: number | null; stdout: string; stderr: string; outputs: string } {
    const dir = tempDir('ferry-action-');
    copyFileSync(join(PROJECT_ROOT, ACTION_BUNDLE), join(dir, 'index.js'));
    const outputFile = join(dir, 'github-output');
    writeFileSync(outputFile, '');
    const run = spawnSync(process.execPath, [join(dir, 'index.js')], {
      cwd: cwd ?? dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: outputFile, INPUT_TOKEN: TOKEN, ...env },
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, outputs: readFileSync(outputFile, 'utf8') };
  }

  it('masks the token first and refuses to apply on a pull_request event', () => {
    const run = runBundle({ INPUT_COMMAND: 'apply', GITHUB_EVENT_NAME: 'pull_request', GITHUB_REPOSITORY: 'acme/migrations' });
    expect(run).toEqual({
      status: 1,
      stdout:
        `::add-mask::${TOKEN}\n` +
        '::error::Ferry does not apply on a pull_request event, which a pull request can trigger; apply runs on push, schedule, workflow_dispatch, repository_dispatch\n',
      stderr: '',
      outputs: '',
    });
  });

  it.each(['plan', 'report'])('starts %s and ends a failure as one ::error:: line without a stack or the token', (command) => {
    // No GITHUB_REPOSITORY: the run cannot get far, whichever step stops it.
    const run = runBundle({ INPUT_COMMAND: command, GITHUB_EVENT_NAME: command === 'plan' ? 'pull_request' : 'push' });
    const lines = run.stdout.split('\n');
    expect(run.status).toBe(1);
    expect(lines[0]).toBe(`::add-mask::${TOKEN}`);
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-2)).toMatch(/^::error::\S.*$/);
    expect(lines.slice(1).join('\n')).not.toContain(TOKEN);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toContain(TOKEN);
  });

  it("plans a pull request's checkout into a plan file and writes the step outputs (the fork workflow's first stage, no API call)", () => {
    const { checkout, event, base, head } = pullRequestCheckout();
    const planFile = join(tempDir('ferry-plan-'), 'ferry-plan.json');
    const run = runBundle(
      { INPUT_COMMAND: 'plan', 'INPUT_PLAN-FILE': planFile, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event, GITHUB_REPOSITORY: 'acme/migrations', HOME: checkout },
      checkout,
    );
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${TOKEN}`);
    expect(run.stdout).toMatch(/^Plan: 1 batch change/m);
    expect(readStepOutputs(run.outputs)).toEqual({ 'has-changes': 'true', conflicts: '0' });
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { pr: number; head_sha: string; plan: { base: { commit: string }; valid: boolean } };
    expect({ pr: plan.pr, head: plan.head_sha, base: plan.plan.base.commit, valid: plan.plan.valid }).toEqual({ pr: 7, head, base, valid: true });
  });
});
