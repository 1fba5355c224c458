import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { directoryFiles, gitRevisionFiles, GitRevisionError } from '../../src/repo/files.js';
import { loadRepository } from '../../src/repo/load.js';
import { EXAMPLE_REPO, ferry, tempDir } from '../helpers/cli.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
}

/** A bare "origin" with the example campaign on main, and a clone whose work tree has a broken change. */
function cloneWithBrokenWorkTree(): { clone: string } {
  const root = tempDir('ferry-git-');
  const seed = join(root, 'seed');
  cpSync(EXAMPLE_REPO, seed, { recursive: true });
  git(seed, 'init', '-q', '-b', 'main');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-qm', 'campaign');
  git(root, 'clone', '-q', '--bare', seed, 'origin.git');
  git(root, 'clone', '-q', join(root, 'origin.git'), 'clone');
  const clone = join(root, 'clone');
  writeFileSync(join(clone, 'batches/wave-2-db.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: wave-2-db}\nspec: {state: halted}\n');
  rmSync(join(clone, 'targets/incus-east.yaml'));
  return { clone };
}

describe('loading at a Git revision', () => {
  it('reads the committed files without touching the work tree', async () => {
    const { clone } = cloneWithBrokenWorkTree();
    const worktree = await loadRepository(directoryFiles(clone));
    expect(worktree.problems.some((p) => p.severity === 'error')).toBe(true);
    const committed = await loadRepository(await gitRevisionFiles(clone, 'origin/main'));
    expect(committed.problems).toEqual([]);
    expect(committed.state.batches.map((b) => b.meta.name).sort()).toEqual(['wave-0-pilot', 'wave-1-web', 'wave-2-db', 'wave-3-windows']);
    expect(committed.state.batches.find((b) => b.meta.name === 'wave-1-web')!.config.placement_scriptlet!.text).toContain('def placement');
    expect(git(clone, 'status', '--porcelain')).toContain('wave-2-db.yaml');
  });

  it('reads a subdirectory of the repository as the desired state', async () => {
    const root = tempDir('ferry-git-');
    cpSync(EXAMPLE_REPO, join(root, 'campaign'), { recursive: true });
    writeFileSync(join(root, 'unrelated.yaml'), 'not: ferry\n');
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'x');
    const { problems, documents } = await loadRepository(await gitRevisionFiles(join(root, 'campaign'), 'HEAD'));
    expect(problems).toEqual([]);
    expect(documents.length).toBe(11);
  });

  it('says plainly when the revision does not exist', async () => {
    const { clone } = cloneWithBrokenWorkTree();
    await expect(gitRevisionFiles(clone, 'no-such-branch')).rejects.toBeInstanceOf(GitRevisionError);
    const run = await ferry(['validate', '--repo', clone, '--ref', 'no-such-branch']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^ferry validate: error unknown-revision: "no-such-branch" is not a commit in ${clone.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\n]*\n$`));
  });

  it('validates a revision from the CLI', async () => {
    const { clone } = cloneWithBrokenWorkTree();
    expect((await ferry(['validate', '--repo', clone, '--ref', 'origin/main'])).code).toBe(0);
    expect((await ferry(['validate', '--repo', clone])).code).toBe(1);
  });
});
