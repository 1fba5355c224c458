import { describe, expect, it } from 'vitest';
import { committedExample, editFile, ferry, withoutExpressionNotes } from '../helpers/cli.js';

/** `file:line:column code` of each problem line of validate's output (the example's migration-manager notes aside). */
const problems = (stdout: string) =>
  withoutExpressionNotes(stdout.split('\n')).filter((line) => / (error|warning) /.test(line)).map((line) => line.replace(/^(\S+): (?:error|warning) ([a-z-]+):.*$/, '$1 $2'));

describe('ferry validate reports every problem in one run', () => {
  it('the rules of started batches included, when other documents have schema errors', async () => {
    const dir = committedExample({ local: true });
    expect((await ferry(['apply', '--once', '--repo', dir])).code).toBe(0);
    // The pilot has started: changing what it selects is refused by the rules of started batches.
    editFile(dir, 'batches/wave-0-pilot.yaml', "location matches '^/DC1/vm/tools/'", "location matches '^/DC1/vm/'");
    // Elsewhere: a schema error in one batch, a reference error in another.
    editFile(dir, 'batches/wave-1-web.yaml', 'state: defined', 'state: runing');
    editFile(dir, 'batches/wave-2-db.yaml', /target: incus-east/, 'target: incus-eats');
    const run = await ferry(['validate', '--repo', dir]);
    expect(problems(run.stdout)).toEqual([
      expect.stringMatching(/^batches\/wave-0-pilot\.yaml:\d+:\d+ started-batch-include-expression$/),
      expect.stringMatching(/^batches\/wave-1-web\.yaml:\d+:\d+ invalid-value$/),
      expect.stringMatching(/^batches\/wave-2-db\.yaml:\d+:\d+ unknown-target$/),
    ]);
    expect(run.stdout).toMatch(/^invalid: 11 documents, 3 errors, \d+ warnings$/m);
    expect(run.code).toBe(1);
  });

  it('a started batch with schema errors of its own is not also judged against what it started with', async () => {
    const dir = committedExample({ local: true });
    expect((await ferry(['apply', '--once', '--repo', dir])).code).toBe(0);
    editFile(dir, 'batches/wave-0-pilot.yaml', "location matches '^/DC1/vm/tools/'", "location matches '^/DC1/vm/'");
    editFile(dir, 'batches/wave-0-pilot.yaml', /state: running/, 'state: runing');
    const run = await ferry(['validate', '--repo', dir]);
    expect(problems(run.stdout)).toEqual([expect.stringMatching(/^batches\/wave-0-pilot\.yaml:\d+:\d+ invalid-value$/)]);
    expect(run.code).toBe(1);
  });
});
