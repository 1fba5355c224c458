// The example campaign with its source switched to a real vCenter that does not answer: the
// reconciler composes the real provider with the simulated target, and `plan` still works from
// the status branch's snapshot, saying why the source was not read — without the password in it.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyOfExampleRepo, ferry } from '../helpers/cli.js';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: GIT_ENV });
}

function campaignWithVcenter(): string {
  const dir = copyOfExampleRepo();
  const project = join(dir, 'ferry.yaml');
  writeFileSync(project, readFileSync(project, 'utf8').replace('    branch: ferry/status', '    branch: ferry/status\n    local: true'));
  writeFileSync(
    join(dir, 'sources/dc1.yaml'),
    [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Source',
      'metadata: {name: dc1}',
      'spec:',
      '  type: vmware',
      '  endpoint: https://127.0.0.1:9',
      '  username: svc-ferry@vsphere.local',
      '  password_from: {env: FERRY_TEST_VC_PASSWORD}',
      '  trusted_server_certificate_fingerprint: "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"',
      '  connection_timeout: 5s',
      '',
    ].join('\n'),
  );
  // The simulated Incus stays; what the Simulation said about the source and its scripted
  // start (in the future of the real clock, which a mixed campaign runs on) goes.
  const simulation = join(dir, 'simulation.yaml');
  writeFileSync(simulation, readFileSync(simulation, 'utf8').replace(/^ {2}start: .*$/m, '  start: 2026-01-01 00:00:00').replace(/^ {2}sources:\n {4}dc1:\n {6}dirty_rate: .*\n/m, '').replace(/^ {2}events:[\s\S]*$/m, ''));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'campaign against a vCenter');
  return dir;
}

describe('a real source next to the simulator', () => {
  it('plan composes the vmware provider with the simulated target and reports the unreachable vCenter without its password', async () => {
    const dir = campaignWithVcenter();
    const secret = 'correct horse battery staple';
    const run = await ferry(['plan', '--repo', dir], { env: { FERRY_TEST_VC_PASSWORD: secret } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/note: source dc1: not reachable: .*127\.0\.0\.1:9/);
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect(run.stdout).not.toContain('(simulated clock)');
  });

  it('apply on the real clock does nothing without an inventory and says why', async () => {
    const dir = campaignWithVcenter();
    const run = await ferry(['apply', '--repo', dir], { env: {} });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/source dc1: not reachable/);
    expect(run.stdout).toMatch(/0 actions/);
    expect(run.stdout).not.toContain('simulated');
  });
});

describe('query and placement for a vCenter source', () => {
  it('read the inventory of the status branch\'s last sync, and say so when there is none yet', async () => {
    // A campaign applied on the simulator, whose source then becomes a real vCenter.
    const dir = copyOfExampleRepo();
    const project = join(dir, 'ferry.yaml');
    writeFileSync(project, readFileSync(project, 'utf8').replace('    branch: ferry/status', '    branch: ferry/status\n    local: true'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'campaign');
    const before = await ferry(['query', "location matches '^/DC1/vm/web/'", '--repo', dir]);
    expect(before.code).toBe(0);
    const vcenter = campaignWithVcenter();
    const none = await ferry(['query', "location matches '^/DC1/vm/web/'", '--repo', vcenter]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('source dc1 (vmware) has no inventory on the status branch yet: "ferry apply" syncs it; or pass --instances FILE.json');

    expect((await ferry(['apply', '--repo', dir])).code).toBe(0);
    writeFileSync(join(dir, 'sources/dc1.yaml'), readFileSync(join(vcenter, 'sources/dc1.yaml'), 'utf8'));
    writeFileSync(join(dir, 'simulation.yaml'), readFileSync(join(vcenter, 'simulation.yaml'), 'utf8'));
    git(dir, 'commit', '-qam', 'the real vCenter');
    const after = await ferry(['query', "location matches '^/DC1/vm/web/'", '--repo', dir]);
    expect(after.stderr).toBe('');
    const rows = (text: string) => text.trim().split('\n').sort();
    expect(rows(after.stdout)).toEqual(rows(before.stdout));
    const placed = await ferry(['placement', 'wave-1-web', '--repo', dir, '--instance', 'web-api-01']);
    expect(placed.code).toBe(0);
    expect(placed.stdout).toContain('target incus-east, project pci');
  });
});
