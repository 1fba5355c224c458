// Every failure is one line on stderr with a code — or with --json one JSON document on stdout —
// and never a stack trace: the failure classes an operator meets (an unreachable origin, a missing
// repository, a status branch that cannot be read or was written by a newer Ferry, a remote that
// refuses pushes, a mistyped flag, a CI job that lacks what ferry github needs) across the
// commands. Under --watch and --until-idle, the failures a loop waits out: watch-failures.test.ts.

import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { committedExample, editFile, ferry, gitIn, tempDir, type CliRun } from '../helpers/cli.js';

/** What a stack trace looks like in any output: `    at fn (file:line:col)`. */
const STACK = /^\s+at .+[:(]/m;

/** The run failed in exactly one line on stderr, with `code`, and printed nothing else. */
function expectOneLine(run: CliRun, command: string, code: string): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toMatch(STACK);
  expect(run.stderr.split('\n')).toHaveLength(2);
  expect(run.stderr).toMatch(new RegExp(`^ferry ${command}: (\\S+: )?error ${code}: .+\\n$`));
}

/** With --json: one JSON document on stdout with `format_version` and the error, nothing on stderr. */
function expectJsonError(run: CliRun, code: string): { code: string; message: string; hint: string | null } {
  expect(run.code, run.stdout).toBe(1);
  expect(run.stderr).toBe('');
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  const document = JSON.parse(run.stdout) as { format_version: string; error: { code: string; message: string; hint: string | null; file: string | null } };
  expect(document.format_version).toBe('1.0');
  expect(document.error).toMatchObject({ code });
  expect(document.error.message).not.toMatch(/\n/);
  return document.error;
}

/** A clone of a committed campaign (origin/HEAD known, status branch on origin) whose origin then points at `url`. */
function cloneWithOrigin(url: string): string {
  const campaign = committedExample();
  const bare = join(tempDir('ferry-origin-'), 'campaign.git');
  gitIn(campaign, 'clone', '-q', '--bare', campaign, bare);
  const work = join(tempDir('ferry-clone-'), 'campaign');
  gitIn(campaign, 'clone', '-q', bare, work);
  gitIn(work, 'remote', 'set-url', 'origin', url);
  return work;
}

/** A loopback port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('an unreachable origin', () => {
  const repos: Record<string, string> = {};
  beforeAll(async () => {
    repos['a missing path'] = cloneWithOrigin(join(tempDir('ferry-gone-'), 'nothing-here.git'));
    repos['a closed port'] = cloneWithOrigin(`http://127.0.0.1:${await closedPort()}/campaign.git`);
  });

  for (const origin of ['a missing path', 'a closed port']) {
    for (const command of ['status', 'plan', 'apply']) {
      it(`fails ferry ${command} in one line with remote-unreachable (origin at ${origin})`, async () => {
        const run = await ferry([command, '--repo', repos[origin]!]);
        expectOneLine(run, command, 'remote-unreachable');
        expect(run.stderr).toContain('the remote origin');
        expect(run.stderr).toContain('git remote -v');
        expect(run.stderr).not.toContain('internal error');
      });
    }
  }

  it('gives the same failure as JSON with --json', async () => {
    for (const command of ['status', 'plan', 'apply']) {
      const error = expectJsonError(await ferry([command, '--json', '--repo', repos['a missing path']!]), 'remote-unreachable');
      expect(error.hint).toContain('git remote -v');
    }
  });

  it('does not stop validate, which needs no remote, but warns that started batches were not checked', async () => {
    const run = await ferry(['validate', '--repo', repos['a closed port']!]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^ferry\.yaml:\d+:\d+: warning status-unchecked: the status branch ferry\/status could not be read \(remote-unreachable: .*\): started batches were not checked against it; check the remote's URL .*; --no-status skips the check on purpose\n/m);
    expect(run.stdout).toContain('valid: 11 documents, 0 errors, 5 warnings\n');
  });

  it('fails validate in CI, and with --require-status, on that same warning', async () => {
    const ci = await ferry(['validate', '--repo', repos['a closed port']!], { env: { CI: 'true' } });
    expect(ci.code).toBe(1);
    expect(ci.stdout).toMatch(/^ferry\.yaml:\d+:\d+: error status-unchecked: .* \(an error because CI is set\)\n/m);
    expect(ci.stdout).toContain('invalid: 11 documents, 1 error, 4 warnings\n');
    const required = await ferry(['validate', '--require-status', '--json', '--repo', repos['a closed port']!]);
    expect(required.code).toBe(1);
    const document = JSON.parse(required.stdout) as { valid: boolean; problems: { code: string; severity: string; message: string }[] };
    expect(document.valid).toBe(false);
    expect(document.problems.filter((problem) => problem.severity === 'error')).toEqual([expect.objectContaining({ code: 'status-unchecked', severity: 'error', message: expect.stringContaining('(an error because --require-status)') })]);
    // CI=false (or empty) is not CI.
    expect((await ferry(['validate', '--repo', repos['a closed port']!], { env: { CI: 'false' } })).code).toBe(0);
  });

  it('skips the check without a word with --no-status, in CI too', async () => {
    const run = await ferry(['validate', '--no-status', '--repo', repos['a closed port']!], { env: { CI: 'true' } });
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain('status-unchecked');
    expect(run.stdout).toContain('valid: 11 documents, 0 errors, 4 warnings\n');
    expect(await ferry(['validate', '--no-status', '--require-status'])).toEqual({ code: 1, stdout: '', stderr: 'ferry validate: --no-status and --require-status contradict each other: give one\n' });
  });
});

describe('a repository directory that does not exist', () => {
  for (const command of ['status', 'plan', 'apply', 'validate']) {
    it(`fails ferry ${command} in one line with repo-not-found, and as JSON with --json`, async () => {
      const run = await ferry([command, '--repo', '/nonexistent/campaign']);
      expectOneLine(run, command, 'repo-not-found');
      expect(run.stderr).toContain('/nonexistent/campaign');
      expectJsonError(await ferry([command, '--repo', '/nonexistent/campaign', '--json']), 'repo-not-found');
    });
  }

  for (const command of ['status', 'plan', 'apply']) {
    it(`fails ferry ${command} on a directory that is not a Git repository with not-a-git-repository`, async () => {
      const dir = tempDir('ferry-plain-');
      writeFileSync(join(dir, 'ferry.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: p}\nspec: {}\n');
      expectOneLine(await ferry([command, '--repo', dir]), command, 'not-a-git-repository');
    });
  }
});

/** Commits an edit of `file` on the local status branch of `dir`, as someone editing the branch by hand would. */
function editStatusBranch(dir: string, file: string, edit: (text: string) => string): void {
  gitIn(dir, 'checkout', '-q', 'ferry/status');
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const edited = edit(text);
  expect(edited, `${file}: the edit changes nothing`).not.toBe(text);
  writeFileSync(path, edited);
  gitIn(dir, 'commit', '-qam', 'a hand edit');
  gitIn(dir, 'checkout', '-q', 'main');
}

/** Replaces line `n` (1-based) of a text. */
function onLine(n: number, edit: (line: string) => string): (text: string) => string {
  return (text) => text.split('\n').map((line, i) => (i === n - 1 ? edit(line) : line)).join('\n');
}

/** The example campaign with a local status branch, applied once: its pilot batch started, and the next apply would act. */
async function appliedOnce(): Promise<string> {
  const dir = committedExample({ local: true });
  expect((await ferry(['apply', '--repo', dir])).code).toBe(0);
  return dir;
}

/** What the simulated systems hold: their target instances and the operations they were asked for. */
async function simulatorWork(dir: string): Promise<string> {
  const world = (JSON.parse((await ferry(['sim', 'show', '--json', '--repo', dir])).stdout) as { world: { instances: unknown[]; operations: unknown[] } }).world;
  return JSON.stringify({ instances: world.instances, operations: world.operations });
}

describe('a status branch that cannot be read', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await appliedOnce();
    // Someone edits the branch by hand and breaks status.yaml.
    editStatusBranch(dir, 'status.yaml', () => 'format: [unclosed\n');
  });

  for (const command of ['status', 'plan', 'apply']) {
    it(`fails ferry ${command} in one line with status-corrupt at the file, and as JSON with --json`, async () => {
      const run = await ferry([command, '--repo', dir]);
      expectOneLine(run, command, 'status-corrupt');
      expect(run.stderr).toMatch(new RegExp(`^ferry ${command}: status\\.yaml(:\\d+)?: error status-corrupt: `));
      expect(run.stderr).toContain('run `ferry doctor` to find the damage and `ferry repair` to write a readable status on top of it');
      const error = expectJsonError(await ferry([command, '--repo', dir, '--json']), 'status-corrupt');
      expect(error).toMatchObject({ file: 'status.yaml' });
    });
  }

  it('does not let validate pass an un-start of a running batch in CI: the check could not run', async () => {
    editFile(dir, 'batches/wave-0-pilot.yaml', '  state: running', '  state: defined');
    try {
      const local = await ferry(['validate', '--repo', dir]);
      expect(local.code).toBe(0);
      expect(local.stdout).toMatch(/^ferry\.yaml:\d+:\d+: warning status-unchecked: the status branch ferry\/status could not be read \(status-corrupt: status\.yaml(:\d+)?: .*\): started batches were not checked against it; run `ferry doctor` .*; --no-status skips the check on purpose\n/m);
      const ci = await ferry(['validate', '--repo', dir], { env: { CI: 'true' } });
      expect(ci.code).toBe(1);
      expect(ci.stdout).toMatch(/^ferry\.yaml:\d+:\d+: error status-unchecked: /m);
    } finally {
      editFile(dir, 'batches/wave-0-pilot.yaml', '  state: defined', '  state: running');
    }
  });
});

describe('a status branch written by a newer Ferry', () => {
  let dir: string;
  let tip: string;
  let work: string;
  beforeAll(async () => {
    dir = await appliedOnce();
    editStatusBranch(dir, 'status.yaml', (text) => text.replace(/^format: .*$/m, 'format: ferry.dev/status/v99'));
    tip = gitIn(dir, 'rev-parse', 'ferry/status');
    work = await simulatorWork(dir);
  });

  for (const args of [['status'], ['plan'], ['apply'], ['apply', '--until-idle']]) {
    const command = args[0]!;
    it(`fails ferry ${args.join(' ')} in one line with status-newer-format at status.yaml, and as JSON with --json`, async () => {
      const run = await ferry([...args, '--repo', dir]);
      expectOneLine(run, command, 'status-newer-format');
      expect(run.stderr).toMatch(new RegExp(`^ferry ${command}: status\\.yaml(:\\d+)?: error status-newer-format: .*ferry\\.dev/status/v99`));
      const error = expectJsonError(await ferry([...args, '--repo', dir, '--json']), 'status-newer-format');
      expect(error).toMatchObject({ file: 'status.yaml' });
      expect(error.hint).toBeTruthy();
    });
  }

  it('does not stop validate on a workstation, which warns in one line what it could not check, and fails it in CI', async () => {
    const run = await ferry(['validate', '--repo', dir]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^ferry\.yaml:\d+:\d+: warning status-unchecked: the status branch ferry\/status could not be read \(status-newer-format: status\.yaml(:\d+)?: .*ferry\.dev\/status\/v99.*\): started batches were not checked against it; .*\n/m);
    expect(run.stdout).toContain('valid: 11 documents');
    const ci = await ferry(['validate', '--repo', dir], { env: { CI: 'true' } });
    expect(ci.code).toBe(1);
    expect(ci.stdout).toMatch(/^ferry\.yaml:\d+:\d+: error status-unchecked: .*status-newer-format/m);
    expect(ci.stdout + ci.stderr).not.toMatch(STACK);
  });

  it('is never written over, and nothing is acted on', async () => {
    expect(gitIn(dir, 'rev-parse', 'ferry/status')).toBe(tip);
    expect(await simulatorWork(dir)).toBe(work);
  });
});

describe('a record file of the status branch that is damaged', () => {
  const cases: { what: string; file: string; line: number; edit: (text: string) => string; says: RegExp }[] = [
    { what: 'a queue entry cut short', file: 'entries/wave-0-pilot/all.jsonl', line: 3, edit: onLine(3, (line) => line.slice(0, 40)), says: /not a JSON record/ },
    { what: 'a queue entry that parses but does not fit its shape', file: 'entries/wave-0-pilot/all.jsonl', line: 4, edit: onLine(4, (line) => line.replace('"status":"waiting"', '"status":"flying"')), says: /status: expected one of/ },
    { what: 'a batch whose status has the wrong type', file: 'batches/wave-0-pilot.json', line: 3, edit: (text) => text.replace('"status": "Running"', '"status": 7'), says: /status: expected one of/ },
  ];
  for (const { what, file, line, edit, says } of cases) {
    describe(what, () => {
      let dir: string;
      let tip: string;
      let work: string;
      beforeAll(async () => {
        dir = await appliedOnce();
        editStatusBranch(dir, file, edit);
        tip = gitIn(dir, 'rev-parse', 'ferry/status');
        work = await simulatorWork(dir);
      });

      for (const command of ['status', 'plan', 'apply']) {
        it(`fails ferry ${command} in one line with status-corrupt at ${file}:${line}`, async () => {
          const run = await ferry([command, '--repo', dir]);
          expectOneLine(run, command, 'status-corrupt');
          expect(run.stderr.startsWith(`ferry ${command}: ${file}:${line}: error status-corrupt: `), run.stderr).toBe(true);
          expect(run.stderr).toMatch(says);
        });
      }

      it('gives the file and line as JSON with --json, writes nothing and acts on nothing', async () => {
        const error = expectJsonError(await ferry(['apply', '--repo', dir, '--json']), 'status-corrupt');
        expect(error).toMatchObject({ file, line });
        expect(gitIn(dir, 'rev-parse', 'ferry/status')).toBe(tip);
        expect(await simulatorWork(dir)).toBe(work);
      });
    });
  }

  it('fails apply --until-idle at once, in one line', async () => {
    const dir = await appliedOnce();
    editStatusBranch(dir, cases[0]!.file, cases[0]!.edit);
    const run = await ferry(['apply', '--until-idle', '--repo', dir]);
    expectOneLine(run, 'apply', 'status-corrupt');
    expect(run.stderr.startsWith(`ferry apply: ${cases[0]!.file}:3: error status-corrupt: `)).toBe(true);
  });
});

describe('a remote that refuses pushes', () => {
  let origin: string;
  let clone: string;
  let tip: string;
  let work: string;
  beforeAll(async () => {
    const campaign = committedExample();
    const root = tempDir('ferry-refusing-');
    gitIn(root, 'clone', '-q', '--bare', campaign, 'origin.git');
    gitIn(root, 'clone', '-q', join(root, 'origin.git'), 'clone');
    origin = join(root, 'origin.git');
    clone = join(root, 'clone');
    expect((await ferry(['apply', '--repo', clone])).code).toBe(0);
    tip = gitIn(origin, 'rev-parse', 'ferry/status');
    work = await simulatorWork(clone);
    // From now on a pre-receive hook (branch protection, a policy) refuses every push.
    const hook = join(origin, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "denied by policy: ferry/status is protected" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
  });

  it('fails ferry apply in one line with status-push-refused and what the remote said; nothing is written or acted on', async () => {
    const run = await ferry(['apply', '--repo', clone]);
    expectOneLine(run, 'apply', 'status-push-refused');
    expect(run.stderr).toContain('[remote rejected] (pre-receive hook declined); the remote said: denied by policy: ferry/status is protected');
    expect(run.stderr).not.toContain('internal error');
    expect(gitIn(origin, 'rev-parse', 'ferry/status')).toBe(tip);
    expect(await simulatorWork(clone)).toBe(work);
  });

  it('gives the same failure as JSON with --json', async () => {
    const error = expectJsonError(await ferry(['apply', '--json', '--repo', clone]), 'status-push-refused');
    expect(error.message).toContain('the remote said: denied by policy');
    expect(error.hint).toBeTruthy();
  });

  it('does not stop plan and status, which do not push', async () => {
    const plan = await ferry(['plan', '--repo', clone]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('Waiting → Creating new VM');
    const status = await ferry(['status', '--repo', clone]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^wave-0-pilot +Running +5 /m);
  });
});

describe('ferry github', () => {
  /** A CI job's environment; the API is never reached in these runs (each fails before it calls GitHub). */
  const job = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_REPOSITORY: 'acme/migrations', GITHUB_TOKEN: 'ghs_s3cret', GITHUB_API_URL: 'http://127.0.0.1:9', GITHUB_EVENT_NAME: 'push' };

  it('fails report in one line with remote-unreachable when the origin cannot be reached, and as JSON with --json', async () => {
    const clone = cloneWithOrigin(join(tempDir('ferry-gone-'), 'nothing-here.git'));
    expectOneLine(await ferry(['github', 'report', '--repo', clone], { env: job }), 'github', 'remote-unreachable');
    expectJsonError(await ferry(['github', 'report', '--json', '--repo', clone], { env: job }), 'remote-unreachable');
  });

  it('fails apply of an unmerged commit in one line with the trust boundary\'s code', async () => {
    const clone = cloneWithOrigin(join(tempDir('ferry-gone-'), 'nothing-here.git'));
    gitIn(clone, 'checkout', '-q', '-b', 'topic');
    gitIn(clone, 'commit', '-q', '--allow-empty', '-m', 'not merged');
    const run = await ferry(['github', 'apply', '--repo', clone], { env: job });
    expectOneLine(run, 'github', 'unmerged-commit');
    expect(run.stderr).not.toContain('unmerged-commit: unmerged-commit');
  });
});

describe('a mistyped command line', () => {
  for (const [command, typo, meant] of [['status', '--jsn', '--json'], ['plan', '--ofline', '--offline'], ['apply', '--until-idel', '--until-idle'], ['validate', '--no-staus', '--no-status']]) {
    it(`fails ferry ${command} ${typo} in one line with unknown-option and "did you mean ${meant}"`, async () => {
      const run = await ferry([command, typo]);
      expectOneLine(run, command, 'unknown-option');
      expect(run.stderr).toBe(`ferry ${command}: error unknown-option: unknown option ${typo} (did you mean ${meant}?); see "ferry ${command} --help"\n`);
    });
  }

  it('suggests nothing for a flag that is like none of the command\'s', async () => {
    expect((await ferry(['status', '--frobnicate'])).stderr).toBe('ferry status: error unknown-option: unknown option --frobnicate; see "ferry status --help"\n');
  });

  it('answers --json with a JSON error even when the line does not parse', async () => {
    expectJsonError(await ferry(['plan', '--json', '--ofline']), 'unknown-option');
    expectJsonError(await ferry(['plna', '--json']), 'unknown-command');
  });

  it('names a missing option value and a wrong log level with their code', async () => {
    expectOneLine(await ferry(['status', '--batch']), 'status', 'bad-option-value');
    const level = await ferry(['status', '--log-level', 'debgu']);
    expectOneLine(level, 'status', 'bad-option-value');
    expect(level.stderr).toContain('(did you mean debug?)');
  });
});
