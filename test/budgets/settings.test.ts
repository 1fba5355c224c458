// spec.budgets in ferry.yaml: what evaluations may cost, taken only from the trusted revision — a
// pull request that raises its own budgets is evaluated within the default branch's all the same —
// and never past the ceilings.

import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { committedExample, editFile, ferry, gitIn as git } from '../helpers/cli.js';

/** A placement() that needs a few thousand work units per instance: fine by default, not within 1,000. */
const BUSY_SCRIPTLET = 'def placement(instance, batch):\n    for i in range(3000):\n        pass\n';

function withBudget(dir: string, work: number): void {
  editFile(dir, 'ferry.yaml', /^spec:\n/m, `spec:\n  budgets:\n    scriptlet: {work: ${work}}\n`);
}

describe('spec.budgets', () => {
  it('bounds the evaluations of the trusted revision, and a pull request cannot raise its own', async () => {
    const dir = committedExample({ local: true });
    editFile(dir, 'batches/wave-1-web.yaml', /^ {2}state: defined$/m, '  state: running');
    const scriptlet = 'batches/wave-1-web.star';
    writeFileSync(`${dir}/${scriptlet}`, BUSY_SCRIPTLET);
    git(dir, 'commit', '-qam', 'A busy scriptlet');
    expect((await ferry(['plan', '--repo', dir])).code).toBe(0);

    // main lowers the budget: the same scriptlet now runs out, positioned and named.
    withBudget(dir, 1000);
    git(dir, 'commit', '-qam', 'Tighter budgets');
    const tight = await ferry(['plan', '--repo', dir]);
    expect(tight.code).toBe(1);
    expect(tight.stdout).toMatch(/batches\/wave-1-web\.star:\d+:\d+: error scriptlet-budget: the placement scriptlet of batch "wave-1-web" ran out of budget on instance \/DC1\/vm\/web\/[\w-]+: .*Starlark work budget of 1,000 units exceeded/);

    // A branch that raises them is still planned within main's.
    git(dir, 'switch', '-q', '-c', 'more-budget');
    editFile(dir, 'ferry.yaml', 'scriptlet: {work: 1000}', 'scriptlet: {work: 1000000000}');
    git(dir, 'commit', '-qam', 'More budget, please');
    git(dir, 'switch', '-q', 'main');
    expect((await ferry(['plan', '--ref', 'more-budget', '--repo', dir])).stdout).toContain('Starlark work budget of 1,000 units exceeded');
    git(dir, 'switch', '-q', 'more-budget');
    expect((await ferry(['validate', '--repo', dir])).code).toBe(0);
    expect((await ferry(['plan', '--repo', dir])).stdout).toContain('Starlark work budget of 1,000 units exceeded');

    // Merged, they are the trusted revision's.
    git(dir, 'switch', '-q', 'main');
    git(dir, 'merge', '-q', '--ff-only', 'more-budget');
    expect((await ferry(['plan', '--repo', dir])).code).toBe(0);
  });

  it('refuses settings past the ceilings, at their position', async () => {
    const dir = committedExample({ local: true });
    editFile(dir, 'ferry.yaml', /^spec:\n/m, 'spec:\n  budgets:\n    expression: {work: 1000000000, time: 1m}\n    pull_request_plan: {memory: 64GiB}\n');
    const run = await ferry(['validate', '--repo', dir, '--json']);
    expect(run.code).toBe(1);
    const problems = (JSON.parse(run.stdout) as { problems: { line: number; code: string; message: string }[] }).problems;
    const lines = readFileSync(`${dir}/ferry.yaml`, 'utf8').split('\n');
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    const [expression, plan] = [lineOf('expression: {work'), lineOf('pull_request_plan:')];
    // The example's own expressions carry migration-manager warnings (docs/expressions.md): only the errors matter here.
    const errors = problems.filter((p) => !p.code.startsWith('expr-'));
    expect(errors.map((p) => `${p.line} ${p.code}`).sort()).toEqual([`${expression} out-of-range`, `${expression} out-of-range`, `${plan} out-of-range`].sort());
    expect(problems.map((p) => p.message).join('\n')).toMatch(/spec\.budgets\.expression\.time must be between 0\.01s and 10s, not 1m/);
  });
});
