import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_EXPRESSION_WARNINGS, PROJECT_ROOT, copyOfExampleRepo, editFile, ferry, gitIn, withoutExpressionNotes } from '../helpers/cli.js';

function write(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** YAML that lives in campaign repositories without being Ferry's. */
const FOREIGN = {
  // mkdocs' own tags are not plain YAML: a Ferry document using one would be refused.
  'mkdocs.yml': 'site_name: Migration runbook\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n',
  'docs/conf.yaml': 'title: Runbook\nnav: [index.md]\n',
  'deploy/reconciler.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ferry}\nspec: {replicas: 1}\n',
  'docs/broken.yaml': 'key: [unclosed\n',
};

describe('files that are not Ferry documents', () => {
  it('are not read: validate is clean and says which files it left out', async () => {
    const dir = copyOfExampleRepo();
    write(dir, FOREIGN);
    const run = await ferry(['validate', '--repo', dir]);
    expect(withoutExpressionNotes(run.stdout.split('\n'))).toEqual([
      'not read: 4 YAML files not Ferry documents (no Ferry apiVersion): deploy/reconciler.yaml, docs/broken.yaml, docs/conf.yaml, mkdocs.yml',
      `valid: 11 documents, 0 errors, ${EXAMPLE_EXPRESSION_WARNINGS} warnings`,
      '',
    ]);
    expect(run.code).toBe(0);
    const json = JSON.parse((await ferry(['validate', '--repo', dir, '--json'])).stdout);
    expect(json.not_read).toContainEqual({ file: 'mkdocs.yml', reason: 'not-ferry' });
  });

  it('are read when they claim a Ferry apiVersion, and then every problem in them is reported', async () => {
    const dir = copyOfExampleRepo();
    write(dir, {
      ...FOREIGN,
      'docs/sample-batch.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: sample}\nspec:\n  include_expression: "true"\n  state: runing\n',
      'docs/broken-ferry.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: [\n',
      'docs/newer.yaml': 'apiVersion: ferry.dev/v2\nkind: Batch\nmetadata: {name: later}\n',
    });
    const run = await ferry(['validate', '--repo', dir]);
    const problems = run.stdout.split('\n').filter((line) => line.includes(': error '));
    expect(problems.map((line) => line.split(': error ')[0] + ' ' + line.split(': error ')[1]!.split(':')[0])).toEqual([
      'docs/broken-ferry.yaml:4:1 yaml-syntax',
      'docs/newer.yaml:1:13 unsupported-version',
      'docs/sample-batch.yaml:6:10 invalid-value',
    ]);
    expect(run.code).toBe(1);
  });

  it('do not block ferry convert: it rewrites the Ferry files and leaves the others alone', async () => {
    const dir = copyOfExampleRepo();
    const legacy = readFileSync(join(PROJECT_ROOT, 'test/fixtures/versions/migration-manager/batch02-tutorial.yaml'), 'utf8');
    write(dir, { ...FOREIGN, 'batches/imported.yaml': legacy, '.ferryignore': 'drafts/\n', 'drafts/old.yaml': legacy });
    const run = await ferry(['convert', '--repo', dir]);
    expect(run.stdout).toMatch(/^converted batches\/imported\.yaml$/m);
    expect(run.stdout).not.toMatch(/mkdocs|docs\/|drafts/);
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, 'drafts/old.yaml'), 'utf8')).toBe(legacy);
    expect(readFileSync(join(dir, 'mkdocs.yml'), 'utf8')).toBe(FOREIGN['mkdocs.yml']);
  });

  it('in Ferry\'s own folders are always read: a file there without an apiVersion is an error', async () => {
    const dir = copyOfExampleRepo();
    write(dir, { 'batches/notes.yaml': 'owner: web team\n' });
    const run = await ferry(['validate', '--repo', dir]);
    expect(run.stdout).toContain('batches/notes.yaml:1:1: error missing-api-version:');
    expect(run.code).toBe(1);
  });
});

describe('.ferryignore', () => {
  const IGNORE = '# drafts and docs are not desired state\nbatches/drafts/**\n!batches/drafts/ready.yaml\ndocs/\n';
  const DRAFTS = {
    'batches/drafts/wave-9.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: wave-9}\nspec: {state: runing}\n',
    'batches/drafts/ready.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: wave-8}\nspec:\n  include_expression: "false"\n',
    'docs/example.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: [\n',
  };

  it('excludes paths with gitignore patterns, negation included, in the work tree and at a Git revision', async () => {
    const dir = copyOfExampleRepo();
    write(dir, { ...DRAFTS, '.ferryignore': IGNORE });
    const run = await ferry(['validate', '--repo', dir]);
    expect(withoutExpressionNotes(run.stdout.split('\n'))).toEqual([
      'not read: 2 YAML files excluded by .ferryignore: batches/drafts/wave-9.yaml, docs/example.yaml',
      `valid: 12 documents, 0 errors, ${EXAMPLE_EXPRESSION_WARNINGS} warnings`,
      '',
    ]);
    expect(run.code).toBe(0);

    gitIn(dir, 'init', '-q', '-b', 'main');
    gitIn(dir, 'add', '-A');
    gitIn(dir, 'commit', '-qm', 'The campaign, drafts and docs');
    editFile(dir, '.ferryignore', 'docs/\n', '');
    const atHead = await ferry(['validate', '--repo', dir, '--ref', 'HEAD', '--no-status']);
    expect(atHead.stdout).toContain('valid: 12 documents');
    expect(atHead.code).toBe(0);
    // The work tree's .ferryignore no longer excludes docs/: its broken example is read there.
    const workTree = await ferry(['validate', '--repo', dir, '--no-status']);
    expect(workTree.stdout).toContain('docs/example.yaml:4:1: error yaml-syntax:');
    expect(workTree.code).toBe(1);
  });

  it('without it, the drafts are read and refused', async () => {
    const dir = copyOfExampleRepo();
    write(dir, DRAFTS);
    const run = await ferry(['validate', '--repo', dir]);
    expect(run.stdout).toContain('batches/drafts/wave-9.yaml:4:15: error invalid-value:');
    expect(run.code).toBe(1);
  });

  it('refuses a .ferryignore over its size bound, at its place', async () => {
    const dir = copyOfExampleRepo();
    write(dir, { '.ferryignore': `${'x'.repeat(70 * 1024)}\n` });
    const run = await ferry(['validate', '--repo', dir]);
    expect(run.stdout).toContain('.ferryignore:1:1: error ferryignore-too-large:');
    expect(run.code).toBe(1);
  });
});
