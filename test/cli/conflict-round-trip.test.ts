// The conflict round trip of the mission, end to end on the simulator: the target changes under a
// running batch, the reconciler turns it into a Conflict and says how to resolve it; the fix and
// the Resolutions are merged, and the next apply finishes the batch. (A whole campaign twice: run
// by `npm run test:slow`.)

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyOfExampleRepo, ferry } from '../helpers/cli.js';

const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
}

/** The example campaign with wave-1-web running, in a fresh Git repository whose status branch stays local. */
function exampleCampaign(): string {
  const dir = copyOfExampleRepo();
  const project = join(dir, 'ferry.yaml');
  writeFileSync(project, readFileSync(project, 'utf8').replace('    branch: ferry/status', '    branch: ferry/status\n    local: true'));
  const batch = join(dir, 'batches/wave-1-web.yaml');
  writeFileSync(batch, readFileSync(batch, 'utf8').replace('  state: defined', '  state: running'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'campaign');
  return dir;
}

describe('ferry apply', () => {
  it('turns a changed target network into a conflict, and a merged fix resolves it', async () => {
    const dir = exampleCampaign();
    const first = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/wave-1-web web-fe-01: Conflict — Instance can no longer be placed on the target: network "dmz"/);
    const explain = await ferry(['explain', 'web-fe-01', '--repo', dir]);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('claimed by: wave-1-web');
    expect(explain.stdout).toContain('status: Conflict');
    expect(explain.stdout).toContain('ferry resolve wave-1-web web-fe-01 --action resolve');
    expect(git(dir, 'show', 'ferry/status:CONFLICTS.md')).toContain('web-fe-01');

    const overrides = join(dir, 'overrides/networks.yaml');
    writeFileSync(overrides, readFileSync(overrides, 'utf8').replace('  network: dmz\n', '  network: dmz-v2\n'));
    const scriptlet = join(dir, 'batches/wave-1-web.star');
    writeFileSync(scriptlet, readFileSync(scriptlet, 'utf8').replace('"dmz", "bridged"', '"dmz-v2", "bridged"'));
    for (const vm of ['web-fe-01', 'web-fe-02']) {
      const wrote = await ferry(['resolve', 'wave-1-web', vm, '--action', 'resolve', '--date', '2026-12-02', '--repo', dir]);
      expect(wrote.code).toBe(0);
      expect(wrote.stdout).toContain(`resolutions/2026-12-02-resolve-${vm}.yaml`);
    }
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'fix the DMZ');
    const second = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(second.code).toBe(0);
    const status = JSON.parse((await ferry(['status', '--repo', dir, '--json'])).stdout);
    expect(status.batches.find((b: { name: string }) => b.name === 'wave-1-web')).toMatchObject({ status: 'Finished', by_status: { finished: 14 } });
  });
});
