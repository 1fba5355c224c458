import { GitError } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { describeFailure, failureLine, gitWords, warningLine } from '../../src/cli/failure.js';
import { runCli } from '../../src/cli/main.js';
import { GitHubApiError } from '../../src/github/api.js';
import { GitHubContextError } from '../../src/github/context.js';
import { StatusStoreError } from '../../src/store/index.js';
import { TrustRefusal } from '../../src/trust/policy.js';
import { EXAMPLE_REPO, PROJECT_ROOT } from '../helpers/cli.js';

function systemError(code: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(`${code} (what Node says)`), { code, ...fields });
}

describe('what an error means to the operator', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['git cannot reach a remote over HTTP', new StatusStoreError('status-git', "fetching the branch ferry/status on the remote origin failed: fatal: unable to access 'https://git.example/c.git/': Could not resolve host: git.example"), 'remote-unreachable', /Could not resolve host: git\.example$/],
    ['git is refused credentials', new GitError(undefined, "fatal: could not read Username for 'https://git.example': terminal prompts disabled\n"), 'remote-auth', /^could not read Username/],
    ['git is run outside a repository', new GitError(undefined, 'fatal: not a git repository (or any of the parent directories): .git\n'), 'not-a-git-repository', /^not a git repository/],
    ['git is not installed', new StatusStoreError('status-git', 'git could not be run: spawn git ENOENT'), 'git-not-found', /spawn git ENOENT/],
    ['another git failure', new GitError(undefined, 'fatal: bad object deadbeef\n'), 'git-failed', /^bad object deadbeef$/],
    ['a newer status branch', new StatusStoreError('status-newer-format', 'the branch was written by Ferry 9', 'status.yaml', 1), 'status-newer-format', /^the branch was written by Ferry 9$/],
    ['a refused connection', systemError('ECONNREFUSED', { syscall: 'connect', address: '127.0.0.1', port: 8443 }), 'network-unreachable', /^cannot reach 127\.0\.0\.1:8443: connection refused$/],
    ['a fetch whose socket failed', new TypeError('fetch failed', { cause: systemError('ENOTFOUND', { syscall: 'getaddrinfo', hostname: 'vcenter.example' }) }), 'network-unreachable', /^cannot reach vcenter\.example: the host name does not resolve$/],
    ['a certificate that does not verify', systemError('DEPTH_ZERO_SELF_SIGNED_CERT', {}), 'tls-error', /^the TLS connection failed/],
    ['a file that is not there', systemError('ENOENT', { syscall: 'open', path: '/srv/plan.json' }), 'path-not-found', /^\/srv\/plan\.json: no such file or directory \(open\)$/],
    ['a file that may not be read', systemError('EACCES', { syscall: 'open', path: '/srv/key' }), 'permission-denied', /^\/srv\/key: permission denied/],
    ['a full disk', systemError('ENOSPC', { syscall: 'write' }), 'disk-full', /no space left/],
    ['git on a full disk', new StatusStoreError('status-git', 'writing the status commit failed: error: unable to write file .git/objects/ab/cdef: No space left on device\nfatal: early EOF'), 'disk-full', /No space left on device/],
    ['a world that stopped when the disk filled', new Error('the simulated world could not be saved and stopped: ENOSPC', { cause: systemError('ENOSPC', { syscall: 'write', path: '/r/.git/ferry/sim/world.json.journal' }) }), 'disk-full', /^\/r\/\.git\/ferry\/sim\/world\.json\.journal: no space left on the device \(write\)$/],
    ['a CI job without what ferry github needs', new GitHubContextError('GITHUB_REPOSITORY is not set: Ferry needs owner/name of the repository'), 'github-context', /^GITHUB_REPOSITORY is not set/],
    ['GitHub refusing the token', new GitHubApiError(403, 'GitHub refused to create a check run (HTTP 403): Resource not accessible by integration'), 'github-api', /HTTP 403/],
    ['GitHub failing', new GitHubApiError(502, 'GitHub refused to read the repository (HTTP 502): Bad Gateway'), 'github-api', /HTTP 502/],
  ];
  for (const [name, error, code, message] of cases) {
    it(`classifies ${name} as ${code}, on one line with what to do`, () => {
      const failure = describeFailure(error);
      expect(failure).toMatchObject({ code });
      expect(failure!.message).toMatch(message);
      expect(failure!.message).not.toMatch(/\n/);
      expect(failure!.hint).toBeTruthy();
    });
  }

  it('keeps the place of a status branch error apart from its message', () => {
    const failure = describeFailure(new StatusStoreError('status-corrupt', 'not YAML', 'entries/ab.yaml', 3))!;
    expect(failure).toMatchObject({ code: 'status-corrupt', message: 'not YAML', file: 'entries/ab.yaml', line: 3 });
    expect(failureLine('ferry status', failure)).toBe('ferry status: entries/ab.yaml:3: error status-corrupt: not YAML; run `ferry doctor` to find the damage and `ferry repair` to write a readable status on top of it (docs/operations.md, "Repairing the status branch")\n');
  });

  it('gives a refusal that ferry github passes on the refusal\'s own code and words', () => {
    const refusal = new TrustRefusal('unmerged-commit', 'abc is not on the trusted branch: merge it first');
    expect(describeFailure(new GitHubContextError(`unmerged-commit: ${refusal.message}`, { cause: refusal }))).toEqual({ code: 'unmerged-commit', message: refusal.message });
  });

  it('says what to do about GitHub by what GitHub answered: the token for a refusal, later for its own failure', () => {
    expect(describeFailure(new GitHubApiError(403, 'x'))!.hint).toMatch(/token/);
    expect(describeFailure(new GitHubApiError(502, 'x'))!.hint).toMatch(/again later/);
  });

  it('says a failure a loop waits out as one warning line, at its place, with what to do and what the loop does next', () => {
    const failure = describeFailure(new StatusStoreError('status-corrupt', 'not a JSON record', 'entries/wave-1/all.jsonl', 3))!;
    expect(warningLine(failure, 'trying again in 1 s')).toBe(`entries/wave-1/all.jsonl:3: warning status-corrupt: not a JSON record; ${failure.hint}; trying again in 1 s`);
    expect(warningLine({ code: 'remote-unreachable', message: 'cannot reach origin.' }, 'trying again in 2 s')).toBe('warning remote-unreachable: cannot reach origin.; trying again in 2 s');
  });

  it('recognises nothing in a programming error: that is a bug', () => {
    expect(describeFailure(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBeNull();
    expect(describeFailure(new Error('something odd'))).toBeNull();
  });

  it('folds Git\'s stderr into one line without its prefixes and boilerplate', () => {
    expect(gitWords("fatal: '/x' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n"))
      .toBe("'/x' does not appear to be a git repository; Could not read from remote repository.");
  });
});

describe('an internal error', () => {
  /** A terminal that breaks on the first line a command prints: a failure no rule knows, as a bug would be. */
  async function runBroken(args: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const code = await runCli(args, {
      stdout: { write: () => { throw new TypeError("Cannot read properties of undefined (reading 'write')"); } },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
      cwd: PROJECT_ROOT,
    });
    return { code, stderr };
  }

  it('is one line that says it is a bug, with no stack', async () => {
    const run = await runBroken(['validate', '--repo', EXAMPLE_REPO]);
    expect(run).toEqual({
      code: 1,
      stderr: "ferry validate: internal error: Cannot read properties of undefined (reading 'write'); this is a bug in Ferry: run again with --log-level debug for the stack, and report it\n",
    });
  });

  it('logs the stack at --log-level debug', async () => {
    const run = await runBroken(['validate', '--repo', EXAMPLE_REPO, '--log-level', 'debug']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/"msg":"internal error"/);
    expect(run.stderr).toMatch(/"stack":"TypeError: Cannot read properties[^"]*\\n\s+at /);
  });
});
