// A pull request's plan runs in a worker with a heap and a deadline of its own (src/github/plan-worker.ts):
// whatever happens there ends as a failed plan with the reason, and this process goes on.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computePrPlanContained } from '../../src/github/plan-worker.js';
import { copyOfExampleRepo } from '../helpers/cli.js';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: GIT_ENV }).trim();

function change(): string {
  const dir = copyOfExampleRepo();
  const project = join(dir, 'ferry.yaml');
  writeFileSync(project, readFileSync(project, 'utf8').replace('    branch: ferry/status', '    branch: ferry/status\n    local: true'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  const batch = join(dir, 'batches/wave-1-web.yaml');
  writeFileSync(batch, readFileSync(batch, 'utf8').replace('  state: defined', '  state: running'));
  git(dir, 'commit', '-qam', 'start');
  return dir;
}

const MiB = 1024 * 1024;

describe('the contained plan of a pull request', () => {
  it('is the plan itself when it fits its budget', async () => {
    const plan = await computePrPlanContained({ repoDir: change(), baseRef: 'HEAD~1', headRef: 'HEAD', trust: {} }, { timeMs: 120_000, memoryBytes: 1024 * MiB, setBy: 'the test' });
    expect(plan.problems).toEqual([]);
    expect(plan.valid).toBe(true);
    expect(plan.batches.find((b) => b.name === 'wave-1-web')!.head).toEqual({ status: 'Running', state: 'running' });
  });

  it('ends as a failed plan naming the time budget when it runs past it', async () => {
    const plan = await computePrPlanContained({ repoDir: change(), baseRef: 'HEAD~1', headRef: 'HEAD', trust: {} }, { timeMs: 1, memoryBytes: 1024 * MiB, setBy: 'spec.budgets.pull_request_plan of origin/main' });
    expect(plan.valid).toBe(false);
    expect(plan.problems).toEqual([expect.objectContaining({ code: 'plan-budget', severity: 'error', message: expect.stringMatching(/took longer than its time budget of 0\.001 s \(spec\.budgets\.pull_request_plan of origin\/main\); nothing was planned/) })]);
  });

  it('ends as a failed plan naming the memory budget when its heap runs out, and this process goes on', async () => {
    const plan = await computePrPlanContained({ repoDir: change(), baseRef: 'HEAD~1', headRef: 'HEAD', trust: {} }, { timeMs: 120_000, memoryBytes: 4 * MiB, setBy: 'the test' });
    expect(plan.valid).toBe(false);
    expect(plan.problems[0]!.code).toBe('plan-budget');
    expect(plan.problems[0]!.message).toMatch(/needed more memory than its budget of 4 MiB/);
  });
});
