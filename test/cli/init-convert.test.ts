import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editFile, ferry, gitIn, PROJECT_ROOT, repoWith, tempDir } from '../helpers/cli.js';

describe('ferry init', () => {
  it('scaffolds a repository that validates', async () => {
    const dir = join(tempDir(), 'campaign');
    const run = await ferry(['init', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('created batches/first-batch.yaml');
    expect(existsSync(join(dir, '.ferry/ferry.schema.json'))).toBe(true);
    expect(readFileSync(join(dir, 'batches/first-batch.yaml'), 'utf8')).toContain('# yaml-language-server: $schema=../.ferry/ferry.schema.json');
    expect(await ferry(['validate', '--repo', dir])).toMatchObject({ code: 0, stdout: 'valid: 5 documents, 0 errors, 0 warnings\n' });
  });

  it('makes a Git repository with the files committed, so plan and apply work at once on the simulator', async () => {
    const dir = join(tempDir(), 'campaign');
    const run = await ferry(['init', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^initialized a Git repository on branch main and committed the files \([0-9a-f]{12}\)$/m);
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
    expect(gitIn(dir, 'ls-files')).toContain('inventory/vcenter.json');
    const plan = await ferry(['plan', '--repo', dir]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('(simulated clock)');
    // The batch selects the two pilot VMs of the simulated inventory.
    const query = await ferry(['query', "location matches '^/Datacenter/vm/pilot/'", '--repo', dir]);
    expect(query.stdout).toMatch(/app-01[\s\S]*app-02/);
    expect(query.stdout).not.toContain('db-01');
    editFile(dir, 'batches/first-batch.yaml', 'state: defined', 'state: running');
    gitIn(dir, 'commit', '-qam', 'Start the first batch');
    const apply = await ferry(['apply', '--once', '--repo', dir]);
    expect(apply.code).toBe(0);
    const status = JSON.parse((await ferry(['status', '--repo', dir, '--batch', 'first-batch', '--json'])).stdout);
    expect(status.entries.map((entry: { instance: string }) => entry.instance).sort()).toEqual(['app-01', 'app-02']);
  });

  it('inside an existing Git repository, writes the files and leaves committing to the user', async () => {
    const outer = tempDir();
    gitIn(outer, 'init', '-q', '-b', 'main');
    const run = await ferry(['init', join(outer, 'campaign'), '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).git).toMatchObject({ initialized: false, commit: null });
    expect(gitIn(outer, 'rev-list', '--all', '--count')).toBe('0');
  });

  it('refuses to write over an existing repository', async () => {
    const dir = repoWith({ 'ferry.yaml': 'x: 1\n' });
    const run = await ferry(['init', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already holds ferry.yaml');
    expect(readFileSync(join(dir, 'ferry.yaml'), 'utf8')).toBe('x: 1\n');
  });
});

describe('ferry convert', () => {
  const tutorial = readFileSync(join(PROJECT_ROOT, 'test/fixtures/versions/migration-manager/batch02-tutorial.yaml'), 'utf8');
  const target = 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: incus01}\nspec: {type: sim}\n';

  it('rewrites migration-manager batches in place and the result validates without warnings', async () => {
    const dir = repoWith({ 'batches/batch02.yaml': tutorial, 'target.yaml': target });
    expect((await ferry(['validate', '--repo', dir])).stdout).toContain('1 warning');
    const run = await ferry(['convert', '--repo', dir]);
    expect(run).toMatchObject({ code: 0, stdout: 'converted batches/batch02.yaml\n' });
    expect(readFileSync(join(dir, 'batches/batch02.yaml'), 'utf8')).toMatch(/^# Frozen.*\napiVersion: ferry.dev\/v1alpha1\nkind: Batch\n/);
    expect(await ferry(['validate', '--repo', dir])).toMatchObject({ code: 0, stdout: 'valid: 2 documents, 0 errors, 0 warnings\n' });
    expect((await ferry(['convert', '--repo', dir])).stdout).toBe('every document is already ferry.dev/v1alpha1\n');
  });

  it('--check reports without writing and exits 1', async () => {
    const dir = repoWith({ 'b.yaml': tutorial });
    const run = await ferry(['convert', '--repo', dir, '--check']);
    expect(run).toMatchObject({ code: 1, stdout: 'would convert b.yaml\n' });
    expect(readFileSync(join(dir, 'b.yaml'), 'utf8')).toBe(tutorial);
  });

  it('writes nothing at all when one file has a YAML error', async () => {
    const dir = repoWith({ 'a.yaml': tutorial, 'b.yaml': 'name: x\ninclude_expression: [\n' });
    const run = await ferry(['convert', '--repo', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^b\.yaml:3:1: error yaml-syntax/);
    expect(readFileSync(join(dir, 'a.yaml'), 'utf8')).toBe(tutorial);
  });

  it('converts only the files named', async () => {
    const dir = repoWith({ 'a.yaml': tutorial, 'b.yaml': tutorial.replace('batch02', 'batch03') });
    expect((await ferry(['convert', '--repo', dir, 'a.yaml'])).stdout).toBe('converted a.yaml\n');
    expect(readFileSync(join(dir, 'b.yaml'), 'utf8')).toContain('name: batch03\ninclude_expression');
    writeFileSync(join(dir, 'c.txt'), '');
    expect((await ferry(['convert', '--repo', dir, 'nope.yaml'])).stderr).toContain('nope.yaml is not a file of the repository');
  });
});
