import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { computePrPlan } from '../../src/github/pr-plan.js';
import { parsePlanFile } from '../../src/github/plan-file.js';
import { copyOfExampleRepo } from '../helpers/cli.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: GIT_ENV }).trim();

describe('the plan file of a fork\'s untrusted job', () => {
  it('a real plan passes; anything shaped otherwise is refused in one sentence', async () => {
    const dir = copyOfExampleRepo();
    const project = join(dir, 'ferry.yaml');
    writeFileSync(project, readFileSync(project, 'utf8').replace('    branch: ferry/status', '    branch: ferry/status\n    local: true'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'base');
    const file = join(dir, 'batches/wave-1-web.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  state: defined', '  state: running'));
    git(dir, 'commit', '-qam', 'start');
    const plan = await computePrPlan({ repoDir: dir, baseRef: 'main~1', headRef: 'HEAD' });
    const good = { kind: 'ferry-pr-plan-file', pr: 3, head_sha: git(dir, 'rev-parse', 'HEAD'), path_prefix: '', plan };
    expect(parsePlanFile(JSON.stringify(good)).plan.hash).toBe(plan.hash);

    const tamper = (edit: (v: any) => void) => {
      const copy = structuredClone(good) as any;
      edit(copy);
      return () => parsePlanFile(JSON.stringify(copy));
    };
    expect(() => parsePlanFile('not json')).toThrow('the plan file is not JSON');
    expect(tamper((v) => (v.plan.batches[0].name = { toString: 1 }))).toThrow(/\/plan\/batches\/0\/name must be string/);
    expect(tamper((v) => (v.plan.batches[0].extra = 'x'))).toThrow(/must NOT have additional properties/);
    expect(tamper((v) => (v.plan.notes = ['x'.repeat(5000)]))).toThrow(/must NOT have more than 4096 characters/);
    expect(tamper((v) => (v.head_sha = '$(rm -rf /)'))).toThrow(/head_sha must match pattern/);
    expect(tamper((v) => (v.plan.format_version = '2'))).toThrow(/format_version must be equal to constant/);
    expect(tamper((v) => (v.path_prefix = '../../etc/'))).toThrow(/path_prefix must match pattern/);
    expect(parsePlanFile(JSON.stringify({ ...good, path_prefix: 'campaigns/dc1/' })).path_prefix).toBe('campaigns/dc1/');
  });
});
