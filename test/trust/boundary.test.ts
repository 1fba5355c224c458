// The trust boundary end to end (docs/security.md): a pull request that adds Sources and Targets
// pointing at listeners of its own, with every kind of secret reference, is planned by every path
// a pull request is planned by — `ferry plan --ref`, `ferry plan` on a checkout of it, `ferry
// github plan` for a branch of the repository and for a fork — and none of them opens a
// connection to what it names or lets a secret out. A trusted Source is contacted only with the
// trusted settings. Apply refuses what was not merged.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGitHub } from '../../src/github/run.js';
import { startGitHubFake, type GitHubFake } from '../github-fake/index.js';
import { copyOfExampleRepo, ferry, tempDir } from '../helpers/cli.js';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };
const git = (dir: string, ...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: GIT_ENV }).trim();

/** A listener that records every connection made to it (TCP on loopback, or a unix socket). */
interface Listener {
  address: string;
  connections: number;
  close(): Promise<void>;
}

async function listen(where: { port: 0 } | { path: string }): Promise<Listener> {
  const state = { connections: 0 };
  const server: Server = createServer((socket) => {
    state.connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => ('path' in where ? server.listen(where.path, resolve) : server.listen(0, '127.0.0.1', resolve)));
  const address = server.address();
  return {
    address: typeof address === 'string' ? address : `127.0.0.1:${address!.port}`,
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every file under a directory, as one text (to look for a secret in). */
function everything(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(readFileSync(full, 'latin1'));
    }
  };
  walk(dir);
  return out.join('\n');
}

const SECRET_ENV = 'Vcenter-Password-7d1f3a';
const SECRET_FILE = 'client-key-9e4b2c-----';

describe('a pull request that points Sources and Targets at its own servers with every kind of secret reference', () => {
  let root: string;
  let origin: string;
  let repo: string;
  let fake: GitHubFake;
  let trusted: Listener;
  let evil: Listener;
  let evilTarget: Listener;
  let socket: Listener;
  let secretFile: string;
  let prSha: string;
  let env: Record<string, string>;
  const outputs: string[] = [];

  beforeAll(async () => {
    root = tempDir('ferry-trust-');
    origin = join(root, 'origin.git');
    [trusted, evil, evilTarget] = await Promise.all([listen({ port: 0 }), listen({ port: 0 }), listen({ port: 0 })]);
    socket = await listen({ path: join(root, 'incus.socket') });
    secretFile = join(root, 'secret.key');
    writeFileSync(secretFile, `${SECRET_FILE}\n`);
    env = { SECRET_TOKEN: SECRET_ENV, GITHUB_TOKEN: 'ghs_not-the-fakes', ACTIONS_RUNTIME_TOKEN: SECRET_ENV, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

    // main: the example campaign plus one real vCenter Source, reviewed and merged, at `trusted`.
    repo = copyOfExampleRepo();
    writeFileSync(join(repo, 'sources/dc2.yaml'), [
      'apiVersion: ferry.dev/v1alpha1', 'kind: Source', 'metadata: {name: dc2}', 'spec:', '  type: vmware',
      `  endpoint: https://${trusted.address}`, '  username: svc-ferry', '  password_from: {env: SECRET_TOKEN}',
      `  trusted_server_certificate_fingerprint: "${'ab'.repeat(32)}"`, '',
    ].join('\n'));
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'The campaign');
    git(root, 'init', '-q', '--bare', '-b', 'main', origin);
    git(repo, 'remote', 'add', 'origin', origin);
    git(repo, 'push', '-q', '-u', 'origin', 'main');

    // The pull request: dc2 moved to the attacker's server, a new Source and two new Targets.
    git(repo, 'switch', '-q', '-c', 'hostile');
    writeFileSync(join(repo, 'sources/dc2.yaml'), readFileSync(join(repo, 'sources/dc2.yaml'), 'utf8').replace(trusted.address, evil.address).replace(/"(ab)+"/, `"${'cd'.repeat(32)}"`));
    writeFileSync(join(repo, 'sources/evil.yaml'), [
      'apiVersion: ferry.dev/v1alpha1', 'kind: Source', 'metadata: {name: evil}', 'spec:', '  type: vmware',
      `  endpoint: https://${evil.address}`, '  username: x', '  password_from: {env: ACTIONS_RUNTIME_TOKEN}',
      `  trusted_server_certificate_from: {file: ${secretFile}}`, '',
    ].join('\n'));
    writeFileSync(join(repo, 'targets/evil.yaml'), [
      'apiVersion: ferry.dev/v1alpha1', 'kind: Target', 'metadata: {name: evil-https}', 'spec:', '  type: incus',
      `  endpoint: https://${evilTarget.address}`, `  tls_client_cert_from: {file: ${secretFile}}`, `  tls_client_key_from: {file: ${secretFile}}`,
      '  trust_token_from: {env: GITHUB_TOKEN}', '---',
      'apiVersion: ferry.dev/v1alpha1', 'kind: Target', 'metadata: {name: evil-socket}', 'spec:', '  type: incus', `  endpoint: unix://${socket.address}`, '',
    ].join('\n'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'Connections of our own');
    prSha = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'push', '-q', 'origin', 'hostile');
    fake = await startGitHubFake({ repository: origin });
  });

  afterAll(async () => {
    await Promise.all([trusted, evil, evilTarget, socket].map((l) => l.close()));
    await fake.close();
    const all = outputs.join('\n');
    // Nothing printed, published or written anywhere holds a secret.
    expect(all).not.toContain(SECRET_ENV);
    expect(all).not.toContain(SECRET_FILE);
  });

  const untouched = () => [evil.connections, evilTarget.connections, socket.connections];

  it('ferry plan --ref of the pull request contacts nothing it names, reads no secret it references, and says what it changes', async () => {
    git(repo, 'switch', '-q', 'main');
    const run = await ferry(['plan', '--ref', 'origin/hostile', '--repo', repo], { env });
    outputs.push(run.stdout, run.stderr);
    expect(untouched()).toEqual([0, 0, 0]);
    expect(run.stdout).toMatch(/changes spec\.endpoint, spec\.trusted_server_certificate_fingerprint of Source dc2/);
    expect(run.stdout).toContain('adds Source evil');
    expect(run.stdout).toContain('adds Target evil-https');
    expect(run.stdout).toContain('review these changes');
  });

  it('ferry plan in a checkout of the pull request does the same, and --offline contacts not even the trusted Source', async () => {
    git(repo, 'switch', '-q', 'hostile');
    const before = trusted.connections;
    const run = await ferry(['plan', '--repo', repo, '--offline', '--json'], { env });
    outputs.push(run.stdout, run.stderr);
    expect(untouched()).toEqual([0, 0, 0]);
    expect(trusted.connections).toBe(before);
    const plan = JSON.parse(run.stdout) as { connection_changes: { kind: string; name: string; change: string }[]; notes: string[] };
    expect(plan.connection_changes.map((c) => `${c.change} ${c.kind} ${c.name}`).sort()).toEqual(['added Source evil', 'added Target evil-https', 'added Target evil-socket', 'changed Source dc2']);
    expect(plan.notes.join('\n')).toContain('planned offline from the status branch');
  });

  it('ferry plan of the trusted branch contacts its Source with the trusted settings only', async () => {
    git(repo, 'switch', '-q', 'main');
    const run = await ferry(['plan', '--repo', repo], { env });
    outputs.push(run.stdout, run.stderr);
    // The trusted vCenter was asked (it is not a vCenter, so it does not answer); the others never.
    expect(trusted.connections).toBeGreaterThan(0);
    expect(untouched()).toEqual([0, 0, 0]);
  });

  it('ferry github plan, for a branch of the repository and for a fork, contacts nothing and warns in the comment', async () => {
    const pr = await fake.openPullRequest({ head: 'hostile', base: 'main', title: 'Connections of our own' });
    const job = join(root, 'job');
    mkdirSync(job, { recursive: true });
    const checkout = join(root, 'checkout');
    git(root, 'clone', '-q', origin, checkout);
    git(checkout, 'checkout', '-q', '--detach', prSha);
    const repository = `${fake.owner}/${fake.repo}`;
    writeFileSync(join(job, 'pr.json'), JSON.stringify({ pull_request: { number: pr.number, head: { sha: prSha, ref: 'hostile', repo: { full_name: repository } }, base: { sha: pr.base.sha, ref: 'main', repo: { full_name: repository } } }, repository: { default_branch: 'main', full_name: repository } }));
    const jobEnv = { ...env, GITHUB_REPOSITORY: repository, GITHUB_API_URL: fake.url, GITHUB_TOKEN: fake.token, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: join(job, 'pr.json'), GITHUB_STEP_SUMMARY: join(job, 'summary.md') };
    const lines: string[] = [];
    const result = await runGitHub({ command: 'plan', repoDir: checkout, env: jobEnv, log: pino({ level: 'silent' }), out: (line) => lines.push(line) });
    outputs.push(lines.join('\n'), readFileSync(join(job, 'summary.md'), 'utf8'));
    expect(result.failed).toBe(false);
    const [comment] = fake.comments(pr.number);
    outputs.push(comment!.body, JSON.stringify(fake.checkRuns(prSha)));
    expect(comment!.body).toContain('This pull request changes connection settings');
    expect(comment!.body).toContain('dc2');
    expect(untouched()).toEqual([0, 0, 0]);

    // The same change from a fork, planned by the trusted workflow_run job from its commit.
    const fork = join(root, 'fork');
    git(root, 'clone', '-q', '-b', 'hostile', origin, fork);
    git(fork, 'commit', '-q', '--allow-empty', '-m', 'From the fork');
    const forkSha = git(fork, 'rev-parse', 'HEAD');
    const forkPr = await fake.openForkPullRequest({ fork: 'mallory/campaign', branch: 'hostile', from: fork, sha: forkSha, base: 'main', title: 'From a fork' });
    const trustedCheckout = join(root, 'trusted-checkout');
    git(root, 'clone', '-q', origin, trustedCheckout);
    writeFileSync(join(job, 'run.json'), JSON.stringify({ workflow_run: { head_sha: forkSha, head_branch: 'hostile', pull_requests: [], head_repository: { full_name: 'mallory/campaign', owner: { login: 'mallory' } } }, repository: { default_branch: 'main', full_name: repository } }));
    const forkLines: string[] = [];
    await runGitHub({ command: 'plan', repoDir: trustedCheckout, env: { ...jobEnv, GITHUB_EVENT_NAME: 'workflow_run', GITHUB_EVENT_PATH: join(job, 'run.json') }, log: pino({ level: 'silent' }), out: (line) => forkLines.push(line) });
    const [forkComment] = fake.comments(forkPr.number);
    outputs.push(forkLines.join('\n'), forkComment!.body);
    expect(forkComment!.body).toContain('This pull request changes connection settings');
    expect(untouched()).toEqual([0, 0, 0]);
    expect(fake.violations).toEqual([]);
  });

  it('the status branch the reconciler writes holds no secret and no endpoint', async () => {
    git(repo, 'switch', '-q', 'main');
    // Only the simulated part can progress (the trusted vCenter is no vCenter); the status is committed all the same.
    const run = await ferry(['apply', '--repo', repo], { env });
    outputs.push(run.stdout, run.stderr);
    const status = join(root, 'status');
    git(root, 'clone', '-q', '-b', 'ferry/status', origin, status);
    const text = everything(status);
    outputs.push(text);
    expect(text).not.toContain(trusted.address);
    expect(untouched()).toEqual([0, 0, 0]);
  });
});

describe('apply acts only on what was merged', () => {
  function campaign(options: { local: boolean }): { repo: string; origin: string | null } {
    const root = tempDir('ferry-merged-');
    const repo = copyOfExampleRepo();
    if (options.local) writeFileSync(join(repo, 'ferry.yaml'), readFileSync(join(repo, 'ferry.yaml'), 'utf8').replace('    branch: ferry/status', '    branch: ferry/status\n    local: true'));
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'The campaign');
    if (options.local) return { repo, origin: null };
    const origin = join(root, 'origin.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', origin);
    git(repo, 'remote', 'add', 'origin', origin);
    git(repo, 'push', '-q', '-u', 'origin', 'main');
    return { repo, origin };
  }

  function unmergedBranch(repo: string): string {
    git(repo, 'switch', '-q', '-c', 'start-web');
    writeFileSync(join(repo, 'batches/wave-1-web.yaml'), readFileSync(join(repo, 'batches/wave-1-web.yaml'), 'utf8').replace(/^ {2}state: defined$/m, '  state: running'));
    git(repo, 'commit', '-qam', 'Start the web wave');
    return git(repo, 'rev-parse', 'HEAD');
  }

  it('refuses an unmerged branch in one line, and writes no status; the same commit applies once merged and pushed', async () => {
    const { repo, origin } = campaign({ local: false });
    const sha = unmergedBranch(repo);
    const refused = await ferry(['apply', '--repo', repo]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`ferry apply: error unmerged-commit: ${sha.slice(0, 12)} is not on the trusted branch origin/main (the default branch of origin): apply acts only on merged desired state; merge it (and push it) first\n`);
    expect(() => git(origin!, 'rev-parse', '--verify', 'refs/heads/ferry/status')).toThrow();
    // Allowing it is for a repository whose status branch is local only.
    const allowed = await ferry(['apply', '--allow-unmerged', '--repo', repo]);
    expect(allowed.code).toBe(1);
    expect(allowed.stderr).toContain('error allow-unmerged-needs-local-status');
    // Committed on main but not pushed: still not on the trusted branch as the remote has it.
    git(repo, 'switch', '-q', 'main');
    git(repo, 'merge', '-q', '--ff-only', 'start-web');
    expect((await ferry(['apply', '--repo', repo])).stderr).toContain('error unmerged-commit');
    git(repo, 'push', '-q', 'origin', 'main');
    const applied = await ferry(['apply', '--repo', repo]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(git(origin!, 'rev-parse', '--verify', 'refs/heads/ferry/status')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('with a local status branch, --allow-unmerged applies a branch the operator chose', async () => {
    const { repo } = campaign({ local: true });
    unmergedBranch(repo);
    expect((await ferry(['apply', '--repo', repo])).stderr).toContain('error unmerged-commit');
    const allowed = await ferry(['apply', '--allow-unmerged', '--repo', repo]);
    expect(allowed.code).toBe(0);
    expect(git(repo, 'rev-parse', '--verify', 'refs/heads/ferry/status')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('ferry github apply refuses a workflow_dispatch of a branch that is not merged', async () => {
    const { repo, origin } = campaign({ local: false });
    const sha = unmergedBranch(repo);
    git(repo, 'push', '-q', 'origin', 'start-web');
    const fake = await startGitHubFake({ repository: origin! });
    try {
      const job = tempDir('ferry-job-');
      writeFileSync(join(job, 'event.json'), JSON.stringify({ repository: { default_branch: 'main', full_name: `${fake.owner}/${fake.repo}` } }));
      const env = { GITHUB_REPOSITORY: `${fake.owner}/${fake.repo}`, GITHUB_API_URL: fake.url, GITHUB_TOKEN: fake.token, GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_EVENT_PATH: join(job, 'event.json'), GITHUB_REF: 'refs/heads/start-web', GITHUB_SHA: sha, PATH: process.env.PATH ?? '' };
      await expect(runGitHub({ command: 'apply', repoDir: repo, env, log: pino({ level: 'silent' }), out: () => {} })).rejects.toThrow(`unmerged-commit: ${sha.slice(0, 12)} is not on the trusted branch origin/main`);
      expect(() => git(origin!, 'rev-parse', '--verify', 'refs/heads/ferry/status')).toThrow();
      expect(fake.requests).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
