import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_EXPRESSION_WARNINGS, EXAMPLE_REPO, PROJECT_ROOT, withoutExpressionNotes } from '../helpers/cli.js';

describe('the installed ferry binary', () => {
  beforeAll(() => {
    // What `npm ci` does through the prepare script.
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  });

  it('validates the example campaign as a separate process', () => {
    const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/ferry.js'), 'validate', '--no-status', '--repo', EXAMPLE_REPO], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(withoutExpressionNotes(run.stdout.split('\n'))).toEqual([`valid: 11 documents, 0 errors, ${EXAMPLE_EXPRESSION_WARNINGS} warnings`, '']);
  });

  it('exits 1 without a stack trace on a broken repository', () => {
    const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/ferry.js'), 'validate', '--repo', join(EXAMPLE_REPO, 'nope')], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
