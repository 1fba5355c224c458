// The hostile corpus (docs/security.md, "Budgets"): repository content written to exhaust CPU or
// memory — scriptlets whose top level or placement() builds, hashes, prints, sorts or multiplies
// without end, include expressions that build lists of lists, regular expressions of nested
// counted repetitions, YAML with too many keys or too deep. Each is generated here (nothing large
// on disk) and run through every command that evaluates repository content: each ends with a
// positioned error naming what ran out — never a crash, never a half-applied change — and a pull
// request carrying it still gets its comment and a failing check run. Worst times and peak memory
// per class are measured by bench/hostile.bench.ts and recorded in docs/performance.md.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { runGitHub } from '../../src/github/run.js';
import { startGitHubFake } from '../github-fake/index.js';
import { committedExample, ferry, gitIn as git, tempDir } from '../helpers/cli.js';
import { HOSTILE_CLASSES, type HostileClass } from './corpus.js';

/** The example campaign with a local status branch, committed on main, and the class's content on top. */
function campaignWith(hostile: HostileClass): string {
  const dir = committedExample({ local: true });
  hostile.write(dir);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', `Hostile: ${hostile.name}`);
  return dir;
}

const positioned = (hostile: HostileClass) => new RegExp(`${hostile.file.replace(/[.]/g, '\\.')}:\\d+:\\d+: error ${hostile.code}`);

describe.each(HOSTILE_CLASSES)('hostile content: $name', (hostile) => {
  it('ferry validate ends with the positioned error', async () => {
    const dir = campaignWith(hostile);
    const run = await ferry(['validate', '--repo', dir]);
    if (hostile.when === 'load') {
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(positioned(hostile));
    } else {
      // Evaluated per instance only when a batch runs: loading it is fine.
      expect(run.code).toBe(0);
    }
    expect(run.stderr).not.toMatch(/internal error|RangeError|at .*\.ts:\d+/);
  });

  it('ferry plan and ferry apply end with it, and apply writes nothing', async () => {
    const dir = campaignWith(hostile);
    const plan = await ferry(['plan', '--repo', dir]);
    expect(plan.code).toBe(1);
    expect(plan.stdout + plan.stderr).toMatch(positioned(hostile));
    const apply = await ferry(['apply', '--allow-unmerged', '--repo', dir]);
    expect(apply.code).toBe(1);
    expect(apply.stdout + apply.stderr).toMatch(positioned(hostile));
    expect(apply.stderr).not.toMatch(/internal error/);
    // Nothing half-applied: no batch started, no entry of the hostile batch, no action run.
    const status = (() => {
      try {
        return git(dir, 'show', 'ferry/status:status.yaml');
      } catch {
        return '';
      }
    })();
    expect(status).not.toMatch(/wave-1-web: \{status: Running/);
  });

  it.runIf(hostile.when === 'run')('ferry placement stops at the first instance it runs out on', async () => {
    const dir = campaignWith(hostile);
    const run = await ferry(['placement', 'wave-1-web', '--repo', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`error ${hostile.code}`));
    expect(run.stderr).not.toMatch(/internal error/);
  });

  it.runIf(hostile.expression !== undefined)('ferry query ends with it', async () => {
    const dir = campaignWith(hostile);
    const run = await ferry(['query', hostile.expression!, '--repo', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ran out of budget|too big|expr-regex-too-big|work|allocation|program/);
  });
});

describe('a pull request with hostile content', () => {
  it.each(HOSTILE_CLASSES.filter((c) => c.inPullRequest))('still gets its comment and a failing check run: $name', async (hostile) => {
    const root = tempDir('ferry-hostile-pr-');
    const origin = join(root, 'origin.git');
    const dir = committedExample();
    git(root, 'init', '-q', '--bare', '-b', 'main', origin);
    git(dir, 'remote', 'add', 'origin', origin);
    git(dir, 'push', '-q', 'origin', 'main');
    git(dir, 'switch', '-q', '-c', 'hostile');
    hostile.write(dir);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'Hostile');
    const sha = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'push', '-q', 'origin', 'hostile');
    git(dir, 'fetch', '-q', 'origin');
    const fake = await startGitHubFake({ repository: origin });
    try {
      const pr = await fake.openPullRequest({ head: 'hostile', base: 'main', title: hostile.name });
      const job = join(root, 'job');
      mkdirSync(job, { recursive: true });
      const repository = `${fake.owner}/${fake.repo}`;
      writeFileSync(join(job, 'event.json'), JSON.stringify({ pull_request: { number: pr.number, head: { sha, ref: 'hostile', repo: { full_name: repository } }, base: { sha: pr.base.sha, ref: 'main', repo: { full_name: repository } } }, repository: { default_branch: 'main', full_name: repository } }));
      const env = { GITHUB_REPOSITORY: repository, GITHUB_API_URL: fake.url, GITHUB_TOKEN: fake.token, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: join(job, 'event.json'), PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
      const result = await runGitHub({ command: 'plan', repoDir: dir, env, log: pino({ level: 'silent' }), out: () => {} });
      expect(result.failed).toBe(true);
      const [check] = fake.checkRuns(sha);
      expect(check).toMatchObject({ name: 'ferry plan', conclusion: 'failure' });
      expect(check!.annotations.map((a) => `${a.path} ${a.title}`)).toContain(`${hostile.file} ${hostile.code}`);
      expect(fake.comments(pr.number)[0]!.body).toContain(hostile.code);
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
