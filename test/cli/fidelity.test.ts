// The migration-manager rules of issue #15 end to end: `ferry apply --until-idle` on the simulator,
// with scripted source changes, then what the simulated world and `ferry history` say.

import { describe, expect, it } from 'vitest';
import { campaignFiles } from '../../scripts/campaign.js';
import type { StatusState } from '../../src/engine/status.js';
import { executionLog, openSimWorld, operation, type SimWorld } from '../../src/providers/sim/index.js';
import { desiredAtCommit } from '../../src/reconcile/desired.js';
import { simStateFile } from '../../src/reconcile/open.js';
import { ferry, gitIn, repoWith } from '../helpers/cli.js';

const START = Date.parse('2027-03-01T20:00:00Z');
const WINDOW_START = START + 3_600_000;
const MIN = 60_000;

function campaign(options: { firstWindowMinutes?: number; simulationExtra?: string; scriptlets?: boolean }): string {
  const files = campaignFiles({ instances: 1, batches: 1, offlineShare: 0, constraintsPerBatch: 0, scriptlets: options.scriptlets ?? false, ...options });
  const dir = repoWith(files);
  gitIn(dir, 'init', '-q', '-b', 'main');
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-qm', 'campaign');
  return dir;
}

async function world(dir: string): Promise<SimWorld> {
  const desired = await desiredAtCommit(dir, 'HEAD');
  return openSimWorld({ desired: desired.state, files: desired.files, stateFile: await simStateFile(dir), readOnly: true });
}

async function apply(dir: string): Promise<void> {
  const run = await ferry(['apply', '--until-idle', '--repo', dir]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
}

async function history(dir: string, instance: string) {
  const run = await ferry(['history', instance, '--json', '--repo', dir]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as { instance: { uuid: string }; entry: { status: string; attempt: number } | null; transitions: { at: string; batch: string; attempt: number; from: string | null; to: string; message: string }[] };
}

function status(dir: string): StatusState['entries'][string] {
  const files = gitIn(dir, 'ls-tree', '-r', '--name-only', 'ferry/status').split('\n').filter((f) => f.startsWith('entries/'));
  return JSON.parse(gitIn(dir, 'show', `ferry/status:${files[0]!}`).split('\n')[0]!);
}

describe('a window that ends during the post-import steps', () => {
  it('powers the source back on at the window end, deletes the target (stopping the steps), and migrates in the next window', async () => {
    // A 20-minute window, post-import steps of 45 minutes: they cannot end inside it.
    const dir = campaign({ firstWindowMinutes: 20, simulationExtra: '      post_import_time: 45m\n' });
    await apply(dir);
    const sim = await world(dir);
    const log = executionLog(sim).filter((e) => e.outcome === 'executed');
    const at = (kind: string) => log.filter((e) => e.kind === kind).map((e) => e.at);
    const windowEnd = WINDOW_START + 20 * MIN;
    const [off1, off2] = at('power_off_source');
    const [on1] = at('power_on_source');
    expect(off1).toBeGreaterThanOrEqual(WINDOW_START);
    expect(off1).toBeLessThan(windowEnd);
    // Back on within one reconcile interval of the window's end, not when the steps would have ended.
    expect(on1).toBeGreaterThan(windowEnd);
    expect(on1! - windowEnd).toBeLessThanOrEqual(MIN);
    // The target instance of the first attempt is deleted after the power-on, and its steps stopped.
    const deleted = log.find((e) => e.kind === 'delete_instance')!;
    expect(deleted.at).toBeGreaterThanOrEqual(on1!);
    const firstPostImport = log.find((e) => e.kind === 'post_import')!.op;
    expect(operation(sim, firstPostImport)).toMatchObject({ state: 'canceled', message: expect.stringMatching(/^stopped: instance .* was deleted$/) });
    // The next window's cutover finishes the migration.
    expect(off2).toBeGreaterThanOrEqual(WINDOW_START + 24 * 60 * MIN);
    const life = await history(dir, 'vm-000000');
    expect(life.entry).toMatchObject({ status: 'finished', attempt: 2 });
    expect(life.transitions.map((t) => [t.attempt, t.to])).toContainEqual([1, 'post_import']);
    expect(life.transitions.find((t) => t.from === 'post_import' && t.to === 'waiting')).toMatchObject({ attempt: 2, message: expect.stringMatching(/^Migration window ended before the cutover completed/) });
    expect(life.transitions.at(-1)).toMatchObject({ attempt: 2, to: 'finished' });
  });
});

describe('a source change while the batch runs', () => {
  it('does not move the entry; the final check finds the new placement and raises a Conflict', async () => {
    // The placement scriptlet sends gold-tier VMs to project gold; the VM becomes gold after the start.
    const dir = campaign({ scriptlets: true, simulationExtra: '  events:\n    - {name: regold, at: +30m, type: set_config, vm: vm-000000, config: {tag.tier: gold}}\n' });
    await apply(dir);
    const entry = status(dir);
    expect(entry).toMatchObject({ status: 'conflict', placement: { target_project: 'default' } });
    expect(entry.message).toMatch(/^Instance placement changed \(project default → gold\)/);
    const sim = await world(dir);
    const created = executionLog(sim).filter((e) => e.kind === 'create_instance' && e.outcome === 'executed');
    expect(created).toHaveLength(1);
    expect(Object.keys(sim.state.targets.incus!.instances.default ?? {})).toEqual(['vm-000000']);
  });

  it('a changed UUID is an Error naming both', async () => {
    const dir = campaign({ simulationExtra: '  events:\n    - {name: clone, at: +30m, type: change_uuid, vm: vm-000000, new_uuid: 42000000-0000-4000-8000-00000000beef}\n' });
    await apply(dir);
    const entry = status(dir);
    expect(entry.status).toBe('error');
    expect(entry.message).toBe(`Instance source UUID has changed (expected "${entry.uuid}", found "42000000-0000-4000-8000-00000000beef")`);
  });
});

describe('ferry history', () => {
  it('prints the life of an entry and refuses what it cannot find', async () => {
    const dir = campaign({});
    await apply(dir);
    const text = await ferry(['history', 'vm-000000', '--repo', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^vm-000000 {2}\/DC\/vm\/g000\/vm-000000 {2}\(/);
    expect(text.stdout).toContain('  now: Finished in batch b-000, attempt 1');
    expect(text.stdout).toContain('  batch b-000, attempt 1:');
    expect(text.stdout).toMatch(/Worker tasks complete → Finished/);
    const missing = await ferry(['history', 'nope', '--repo', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no instance has the UUID, location or name "nope" in the status branch');
    expect((await ferry(['history', '--repo', dir])).code).toBe(1);
  });
});
