import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_BUNDLE, bundleAction } from '../../scripts/build-action.js';
import { EXAMPLE_REPO, PROJECT_ROOT, tempDir } from '../helpers/cli.js';
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

const IDENTITY = { GIT_AUTHOR_NAME: 'Ferry Test', GIT_AUTHOR_EMAIL: 'test@ferry.invalid', GIT_COMMITTER_NAME: 'Ferry Test', GIT_COMMITTER_EMAIL: 'test@ferry.invalid' };

/**
 * What actions/checkout leaves for a pull request with fetch-depth 0: the example campaign on
 * main, a pull request that moves the pilot's window by an hour checked out, origin with both
 * branches; and the event payload the runner writes.
 */
function pullRequestCheckout(): { checkout: string; event: string; base: string; head: string } {
  const root = tempDir('ferry-pr-');
  const checkout = join(root, 'checkout');
  cpSync(EXAMPLE_REPO, checkout, { recursive: true });
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: checkout, encoding: 'utf8', env: { ...process.env, ...IDENTITY } }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'Start the campaign');
  const base = git('rev-parse', 'HEAD');
  git('checkout', '-q', '-b', 'longer-pilot-window');
  const batch = join(checkout, 'batches/wave-0-pilot.yaml');
  writeFileSync(batch, readFileSync(batch, 'utf8').replace('end: 2026-12-02 04:00:00', 'end: 2026-12-02 05:00:00'));
  git('commit', '-q', '-a', '-m', 'Give the pilot one more hour');
  const head = git('rev-parse', 'HEAD');
  git('init', '-q', '--bare', join(root, 'origin.git'));
  git('remote', 'add', 'origin', join(root, 'origin.git'));
  git('push', '-q', 'origin', 'main', 'longer-pilot-window');
  git('fetch', '-q', 'origin');
  const event = join(root, 'event.json');
  const repo = { full_name: 'acme/migrations' };
  writeFileSync(event, JSON.stringify({ pull_request: { number: 7, head: { sha: head, ref: 'longer-pilot-window', repo }, base: { sha: base, ref: 'main', repo } } }));
  return { checkout, event, base, head };
}
