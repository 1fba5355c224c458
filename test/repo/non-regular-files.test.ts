// A repository entry that is not a regular file — a symbolic link, a FIFO, a Git link or submodule
// — is never read (a link could point outside the repository, a FIFO would block) and never
// skipped silently: an error where Ferry reads documents, a warning where a YAML file could be one.

import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/model/problem.js';
import { directoryFiles, gitRevisionFiles } from '../../src/repo/files.js';
import { loadRepository } from '../../src/repo/load.js';
import { ferry, gitIn, repoWith, tempDir } from '../helpers/cli.js';

const BATCH = (name: string) => `apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: ${name}}\nspec:\n  include_expression: "true"\n`;

/** A file outside the repository that a link points at: its content must never be read. */
function outsideFile(): string {
  const path = join(tempDir('ferry-outside-'), 'secret.yaml');
  writeFileSync(path, BATCH('read-from-outside'));
  return path;
}

/** `file:line:column severity code` of the problems about entries that are not regular files. */
const entries = (problems: readonly Problem[]) => problems.filter((p) => p.code === 'not-a-regular-file').map((p) => `${p.file}:${p.line}:${p.column} ${p.severity}`);

describe('entries of the work tree that are not regular files', () => {
  it('are reported, an error where documents are read and a warning where one could be, and never followed', async () => {
    const dir = repoWith({ 'batches/real.yaml': BATCH('real'), 'docs/readme.md': 'hello\n', 'vendor/keep.txt': '', '.ferryignore': 'vendor/\n' });
    const outside = outsideFile();
    symlinkSync(outside, join(dir, 'batches/linked.yaml'));
    symlinkSync(outside, join(dir, 'mkdocs.yml'));
    symlinkSync(outside, join(dir, 'docs/notes.md'));
    symlinkSync(outside, join(dir, 'vendor/ignored.yaml'));
    symlinkSync(join(outside, '..'), join(dir, 'batches/more'));
    execFileSync('mkfifo', [join(dir, 'batches/pipe.yaml')]);

    const { problems, state, notRead } = await loadRepository(directoryFiles(dir));
    expect(entries(problems)).toEqual([
      'batches/linked.yaml:1:1 error',
      'batches/more:1:1 warning',
      'batches/pipe.yaml:1:1 error',
      'mkdocs.yml:1:1 warning',
    ]);
    const message = (file: string) => problems.find((p) => p.file === file)!.message;
    expect(message('batches/linked.yaml')).toBe('a symbolic link, not a file: Ferry never follows links (one could point outside the repository); a YAML file here is a Ferry document, and it was not read: put the file itself here');
    expect(message('batches/pipe.yaml')).toMatch(/^a FIFO \(named pipe\), not a file: Ferry never opens one/);
    expect(message('mkdocs.yml')).toMatch(/it was not read: if it holds Ferry documents make it a regular file, otherwise list it in \.ferryignore$/);
    expect(state.batches.map((b) => b.meta.name)).toEqual(['real']);
    expect(notRead).toContainEqual({ file: 'vendor/ignored.yaml', reason: 'ferryignore' });
  });

  it('makes ferry validate fail at the place, and a linked batches folder or .ferryignore is an error too', async () => {
    const dir = repoWith({ 'ferry.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: p}\nspec: {}\n' });
    const elsewhere = tempDir('ferry-elsewhere-');
    writeFileSync(join(elsewhere, 'wave.yaml'), BATCH('wave'));
    symlinkSync(elsewhere, join(dir, 'batches'));
    symlinkSync(join(elsewhere, 'wave.yaml'), join(dir, '.ferryignore'));
    const run = await ferry(['validate', '--repo', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      '.ferryignore:1:1: error not-a-regular-file: a symbolic link, not a file: Ferry never follows links (one could point outside the repository); it was not read, so every YAML file was: make it a regular file\n' +
        'batches:1:1: error not-a-regular-file: a symbolic link, not a file: Ferry never follows links (one could point outside the repository); every document in batches/ is read, so none was: make it a directory of regular files\n' +
        'invalid: 1 document, 2 errors, 0 warnings\n',
    );
  });

  it('refuses an inventory file under a linked folder, at the Source that names it', async () => {
    const dir = repoWith({ 'sources/dc.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: dc}\nspec: {type: sim, inventory_file: ../inventory/dc.json}\n' });
    const elsewhere = tempDir('ferry-elsewhere-');
    writeFileSync(join(elsewhere, 'dc.json'), '[]');
    symlinkSync(elsewhere, join(dir, 'inventory'));
    const { problems } = await loadRepository(directoryFiles(dir));
    expect(problems.map((p) => `${p.file}:${p.line} ${p.code}: ${p.message}`)).toEqual([
      'sources/dc.yaml:4 not-a-regular-file: inventory_file "../inventory/dc.json" was not read: inventory/dc.json lies under inventory, which is a symbolic link, not a file: Ferry never follows links (one could point outside the repository); put the file itself there',
    ]);
  });

  it('refuses a placement scriptlet file that is a link, at the batch that names it', async () => {
    const dir = repoWith({ 'batches/wave.yaml': `${BATCH('wave')}  config:\n    placement_scriptlet_file: shared/wave.star\n` });
    const outside = join(tempDir('ferry-outside-'), 'wave.star');
    writeFileSync(outside, 'def placement(instance, batch):\n    fail("read from outside")\n');
    mkdirSync(join(dir, 'batches/shared'));
    symlinkSync(outside, join(dir, 'batches/shared/wave.star'));
    const { problems, state } = await loadRepository(directoryFiles(dir));
    expect(problems.filter((p) => p.file === 'batches/wave.yaml' && p.code !== 'missing-target').map((p) => `${p.code}: ${p.message}`)).toEqual([
      'not-a-regular-file: placement_scriptlet_file "shared/wave.star" was not read: batches/shared/wave.star is a symbolic link, not a file: Ferry never follows links (one could point outside the repository); put the file itself there',
    ]);
    expect(state.batches[0]!.config.placement_scriptlet).toBeNull();
  });
});

describe('entries of a commit that are not regular files', () => {
  it('reports links (mode 120000) and submodules (mode 160000) read with --ref, without reading them', async () => {
    const dir = repoWith({ 'batches/real.yaml': BATCH('real'), 'README.md': 'campaign\n' });
    symlinkSync(outsideFile(), join(dir, 'batches/linked.yaml'));
    symlinkSync('README.md', join(dir, 'notes.yaml'));
    gitIn(dir, 'init', '-q', '-b', 'main');
    gitIn(dir, 'add', '-A');
    gitIn(dir, 'commit', '-qm', 'campaign');
    // A submodule is a tree entry naming a commit: the campaign's own will do.
    gitIn(dir, 'update-index', '--add', '--cacheinfo', `160000,${gitIn(dir, 'rev-parse', 'HEAD')},sources`);
    gitIn(dir, 'commit', '-qm', 'a submodule');
    expect(gitIn(dir, 'ls-tree', 'HEAD', 'sources', 'notes.yaml', 'batches/linked.yaml').split('\n').map((line) => line.split(/\s/)[0])).toEqual(['120000', '120000', '160000']);

    const { problems, state } = await loadRepository(await gitRevisionFiles(dir, 'HEAD'));
    expect(entries(problems)).toEqual(['batches/linked.yaml:1:1 error', 'notes.yaml:1:1 warning', 'sources:1:1 error']);
    expect(problems.find((p) => p.file === 'sources')!.message).toBe('a Git submodule, not a file: Ferry does not read submodules; every document in sources/ is read, so none was: make it a directory of regular files');
    expect(state.batches.map((b) => b.meta.name)).toEqual(['real']);

    const run = await ferry(['validate', '--repo', dir, '--ref', 'HEAD']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('batches/linked.yaml:1:1: error not-a-regular-file: a symbolic link, not a file');
  });
});
