// A pull request's plan runs in a worker with a heap and a deadline of its own (src/github/plan-worker.ts):
// whatever happens there ends as a failed plan with the reason, and this process goes on.

import { describe, expect, it } from 'vitest';
import { computePrPlanContained } from '../../src/github/plan-worker.js';
import { committedExample, editFile, gitIn } from '../helpers/cli.js';

function change(): string {
  const dir = committedExample({ local: true });
  editFile(dir, 'batches/wave-1-web.yaml', '  state: defined', '  state: running');
  gitIn(dir, 'commit', '-qam', 'start');
  return dir;
}

const MiB = 1024 * 1024;

describe('the contained plan of a pull request', () => {
  it('is the plan itself when it fits its budget', async () => {
    const plan = await computePrPlanContained({ repoDir: change(), baseRef: 'HEAD~1', headRef: 'HEAD', trust: {} }, { timeMs: 120_000, memoryBytes: 1024 * MiB, setBy: 'the test' });
    expect(plan.problems.filter((p) => p.severity === 'error')).toEqual([]);
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
