import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyOfExampleRepo, EXAMPLE_REPO, ferry } from '../helpers/cli.js';

describe('ferry validate', () => {
  it('accepts the example campaign with exit 0', async () => {
    const run = await ferry(['validate', '--repo', EXAMPLE_REPO]);
    expect(run).toEqual({ code: 0, stdout: 'valid: 11 documents, 0 errors, 0 warnings\n', stderr: '' });
  });

  it('prints every problem like a compiler and exits 1', async () => {
    const repo = copyOfExampleRepo();
    writeFileSync(join(repo, 'batches/broken.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: broken}\nspec:\n  state: go\n  include_expresion: "true"\n');
    const run = await ferry(['validate', '--repo', repo]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')).toEqual([
      'batches/broken.yaml:4:1: error missing-field: spec needs "include_expression"',
      'batches/broken.yaml:5:10: error invalid-value: spec.state must be one of defined, running, stopped, not "go"',
      'batches/broken.yaml:6:3: error unknown-field: unknown field "include_expresion" in spec; did you mean "include_expression"?',
      'invalid: 12 documents, 3 errors, 0 warnings',
      '',
    ]);
  });

  it('prints JSON with a format_version', async () => {
    const repo = copyOfExampleRepo();
    writeFileSync(join(repo, 'x.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: t2}\nspec: {type: sim, create_limit: -2}\n');
    const run = await ferry(['validate', '--repo', repo, '--json']);
    expect(run.code).toBe(1);
    const output = JSON.parse(run.stdout);
    expect(output).toMatchObject({ format_version: '1.0', valid: false, documents: 12 });
    expect(output.problems).toContainEqual({ file: 'x.yaml', line: 4, column: 33, code: 'out-of-range', severity: 'error', message: 'spec.create_limit must be at least 0, not -2' });
  });

  it('colours output only on a terminal and never with NO_COLOR', async () => {
    const repo = copyOfExampleRepo();
    writeFileSync(join(repo, 'x.yaml'), 'kind: [\n');
    const plain = await ferry(['validate', '--repo', repo]);
    expect(plain.stdout).not.toContain('\u001b[');
  });

  it('refuses a repository directory that does not exist', async () => {
    const run = await ferry(['validate', '--repo', '/nonexistent/repo']);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'ferry validate: the repository directory /nonexistent/repo does not exist\n' });
  });
});

describe('the ferry command line', () => {
  it('lists its commands with examples', async () => {
    const run = await ferry(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: ferry COMMAND [OPTIONS]');
    expect(run.stdout).toMatch(/validate\s+Check the desired state/);
    expect(run.stdout).toContain('Examples:');
  });

  it('shows a command\'s help', async () => {
    const run = await ferry(['validate', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: ferry validate [--repo DIR] [--ref REV] [--json]');
  });

  it('suggests the command that was meant', async () => {
    expect(await ferry(['valdiate'])).toEqual({ code: 1, stdout: '', stderr: 'ferry: unknown command "valdiate" (did you mean "validate"?); see "ferry --help"\n' });
  });

  it('refuses an unknown option in one line', async () => {
    const run = await ferry(['validate', '--nope']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ferry validate: Unknown option '--nope'.*see "ferry validate --help"\n$/);
  });

  it('writes structured logs to stderr at the asked level', async () => {
    const run = await ferry(['validate', '--repo', EXAMPLE_REPO, '--log-level', 'debug']);
    expect(run.code).toBe(0);
    const line = JSON.parse(run.stderr.trim().split('\n')[0]!);
    expect(line).toMatchObject({ msg: 'loaded desired state', documents: 11 });
  });

  it('prints its version', async () => {
    expect((await ferry(['--version'])).stdout).toMatch(/^ferry \d+\.\d+\.\d+\n$/);
  });
});
