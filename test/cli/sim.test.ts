import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedExample, editFile, EXAMPLE_REPO, ferry, gitIn } from '../helpers/cli.js';

const worldFile = (dir: string) => join(dir, '.git/ferry/sim/world.json');
const hasStatusBranch = (dir: string) => gitIn(dir, 'branch', '--list', 'ferry/status') !== '';
const commitAll = (dir: string, message: string) => {
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-qm', message);
};

interface ShownWorld {
  start: string;
  now: string;
  vms: { name: string; running: boolean; transfer: unknown }[];
  instances: { name: string; entry: string | null }[];
  operations: { id: string; kind: string; state: string; on: string; started_at: string; ended_at: string | null }[];
  operations_total: number;
  journal: { op: string; outcome: string }[];
  journal_total: number;
}

async function shown(dir: string, ...args: string[]): Promise<ShownWorld> {
  const run = await ferry(['sim', 'show', '--repo', dir, '--json', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const document = JSON.parse(run.stdout) as { format_version: string; world: ShownWorld };
  expect(document.format_version).toBe('1.0');
  return document.world;
}

describe('ferry sim show', () => {
  it('shows the world an apply left: clock, VMs, instances, operations and journal, narrowed and fitted to the terminal', async () => {
    const dir = committedExample({ local: true });
    const before = await ferry(['sim', 'show', '--repo', dir]);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('no simulated world yet (');

    // The pilot's window opens at 22:00; its post-import steps run from 22:01 to 22:03.
    const applied = await ferry(['apply', '--until', '2026-12-01 22:02:00', '--repo', dir]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('the simulated clock stopped at 2026-12-01 22:02:00Z');

    const world = await shown(dir);
    expect(world.now).toBe('2026-12-01T22:02:00.000Z');
    expect(world.start).toBe('2026-12-01T20:00:00.000Z');
    expect(world.vms.find((v) => v.name === 'tools-01')).toMatchObject({ running: false, transfer: null });
    expect(world.vms.find((v) => v.name === 'web-fe-01')).toMatchObject({ running: true });
    expect(world.instances.find((i) => i.name === 'grafana')).toMatchObject({ entry: null });
    const postImport = world.operations.filter((o) => o.kind === 'post_import');
    expect(postImport).toHaveLength(5);
    for (const op of postImport) expect(op).toMatchObject({ state: 'running', ended_at: null, started_at: '2026-12-01T22:01:00.001Z' });
    expect(world.operations.find((o) => o.kind === 'power_off_source' && o.on === 'dc1/tools-01')).toMatchObject({ state: 'succeeded' });
    expect(world.journal).toHaveLength(20);
    expect(world.journal_total).toBeGreaterThan(20);

    // The apply's close moved what ended, and every call, to the history: show reads them back.
    expect(readdirSync(`${worldFile(dir)}.history`).sort()).toEqual(['calls-000001.jsonl', 'operations-000001.jsonl']);
    const all = await shown(dir, '--last', '0');
    expect(all.operations).toHaveLength(all.operations_total);
    expect(all.operations_total).toBe(world.operations_total);
    expect(all.journal).toHaveLength(world.journal_total);
    expect(all.journal.slice(-20)).toEqual(world.journal);
    const two = await shown(dir, '--last', '2');
    const ended = (o: ShownWorld['operations'][number]) => o.state !== 'running';
    expect(two.operations.filter((o) => !ended(o))).toEqual(all.operations.filter((o) => !ended(o)));
    expect(two.operations.filter(ended)).toHaveLength(2);
    expect(two.operations_total).toBe(all.operations_total);
    expect(two.journal).toEqual(world.journal.slice(-2));

    const one = await shown(dir, '--vm', 'tools-01', '--active', '--last', '0');
    expect(one.vms.map((v) => v.name)).toEqual(['tools-01']);
    expect(one.instances.map((i) => i.name)).toEqual(['tools-01']);
    expect(one.operations.map((o) => `${o.kind} ${o.state}`)).toEqual(['post_import running']);
    expect(one.journal.map((j) => j.op)).toEqual([expect.stringContaining('post')]);

    const onTarget = await shown(dir, '--target', 'incus-east');
    expect(onTarget.instances.map((i) => i.name)).toEqual(['grafana', 'tools-01', 'tools-02', 'tools-03', 'tools-04', 'tools-05']);
    expect(onTarget.vms.map((v) => v.name)).toEqual(['tools-01', 'tools-02', 'tools-03', 'tools-04', 'tools-05']);
    const fromSource = await shown(dir, '--source', 'dc1');
    expect(fromSource.vms).toHaveLength(33);
    expect(fromSource.instances.map((i) => i.name)).not.toContain('grafana');

    const text = await ferry(['sim', 'show', '--repo', dir, '--vm', 'tools-01'], { env: { COLUMNS: '72' } });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('clock 2026-12-01 22:02:00Z (started 2026-12-01 20:00:00Z)');
    expect(text.stdout).toMatch(/\ndc1 +tools-01 +off /);
    expect(text.stdout).toMatch(/\n22:01:00Z +~22:03:00Z +post_import +running +tools-01 /);
    expect(text.stdout).not.toContain('tools-02');
    for (const line of text.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(72);

    const unknown = await ferry(['sim', 'show', '--repo', dir, '--vm', 'tools-1']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/the simulated world has no vm "tools-1"; did you mean "tools-0\d"\?/);
    const misplaced = await ferry(['sim', 'show', '--yes', '--repo', dir]);
    expect(misplaced.code).toBe(1);
    expect(misplaced.stderr).toContain('--yes is for "ferry sim reset"');
  });
});

describe('ferry apply --until', () => {
  it('stops the simulated clock at a time or an offset, refuses going back, and a later apply goes on from there', async () => {
    const dir = committedExample({ local: true });
    expect((await ferry(['apply', '--until', '+90m', '--repo', dir])).code).toBe(0);
    expect((await shown(dir)).now).toBe('2026-12-01T21:30:00.000Z');
    const entries = JSON.parse((await ferry(['status', '--repo', dir, '--batch', 'wave-0-pilot', '--json'])).stdout).entries as { status: string }[];
    expect(entries.map((e) => e.status)).toEqual(Array(5).fill('idle'));

    const json = await ferry(['apply', '--until', '2026-12-01T22:10:00Z', '--repo', dir, '--json']);
    expect(json.code).toBe(0);
    const done = JSON.parse(json.stdout.trim().split('\n').at(-1)!);
    expect(done).toMatchObject({ format_version: '1.0', event: 'done', reason: 'until', until: '2026-12-01T22:10:00.000Z', counts: { finished: 5 } });
    expect((await shown(dir)).now).toBe('2026-12-01T22:10:00.000Z');

    const back = await ferry(['apply', '--until', '2026-12-01 22:00:00', '--repo', dir]);
    expect(back.code).toBe(1);
    expect(back.stderr).toBe('ferry apply: error until-in-past: --until 2026-12-01 22:00:00 is 2026-12-01T22:00:00Z, before the simulated clock (2026-12-01T22:10:00Z), which never goes back; "ferry sim show" shows where the clock is\n');
    const garbled = await ferry(['apply', '--until', 'tomorrow', '--repo', dir]);
    expect(garbled.code).toBe(1);
    expect(garbled.stderr).toMatch(/^ferry apply: error invalid-until: --until "tomorrow" is not a time/);
    const both = await ferry(['apply', '--until', '+1h', '--until-idle', '--repo', dir]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('choose one of --once, --until-idle, --until and --watch');
    expect((await shown(dir)).now).toBe('2026-12-01T22:10:00.000Z');
  });

  it('is refused, before anything is contacted, on a campaign with real systems', async () => {
    const dir = committedExample({ local: true });
    rmSync(join(dir, 'simulation.yaml'));
    editFile(dir, 'sources/dc1.yaml', /  type: sim\n  inventory_file: .*\n/, '  type: vmware\n  endpoint: https://vcenter.invalid\n  username: svc-ferry\n  password_from: {env: VCENTER_PASSWORD}\n');
    commitAll(dir, 'A real vCenter');
    expect((await ferry(['validate', '--repo', dir])).code).toBe(0);
    const run = await ferry(['apply', '--until', '+1h', '--repo', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('ferry apply: error until-needs-simulator: --until stops the simulated clock, and this campaign runs on the real clock (it has real systems: source dc1 (vmware)); use --until-idle or --watch\n');
    expect(hasStatusBranch(dir)).toBe(false);
  });
});

describe('Simulation drift and ferry sim reset', () => {
  it('adopts a start set before anything happened, refuses one moved after migrations ran, and sim reset starts again from it', async () => {
    // The trap: a first apply before the Simulation document existed put the clock at the default start.
    const dir = committedExample({ local: true });
    rmSync(join(dir, 'simulation.yaml'));
    commitAll(dir, 'No Simulation yet');
    expect((await ferry(['apply', '--once', '--repo', dir])).code).toBe(0);
    expect((await shown(dir)).now).toBe('2025-01-01T00:00:00.000Z');

    writeFileSync(join(dir, 'simulation.yaml'), readFileSync(join(EXAMPLE_REPO, 'simulation.yaml')));
    commitAll(dir, 'The Simulation');
    const adopted = await ferry(['apply', '--once', '--repo', dir]);
    expect(adopted.code).toBe(0);
    expect(adopted.stderr).toContain("note: sim: the Simulation's start moved from 2025-01-01T00:00:00Z to 2026-12-01T20:00:00Z before anything happened in the simulated world: its clock now starts at 2026-12-01T20:00:00Z\n");
    expect((await shown(dir)).now).toBe('2026-12-01T20:00:00.000Z');

    expect((await ferry(['apply', '--until', '2026-12-01 21:00:00', '--repo', dir])).code).toBe(0);
    editFile(dir, 'simulation.yaml', 'start: 2026-12-01 20:00:00', 'start: 2026-12-01 18:00:00');
    commitAll(dir, 'Start earlier');
    const commits = gitIn(dir, 'rev-list', '--count', 'ferry/status');
    const expected =
      "simulation.yaml:11:10: error simulation-start-changed: the Simulation's start is 2026-12-01T18:00:00Z, but the simulated world started at 2026-12-01T20:00:00Z " +
      'and its clock is at 2026-12-01T21:00:00Z (migrations have run in it), and a simulated clock never goes back; ' +
      'run "ferry sim reset --yes" to start the simulation again from 2026-12-01T18:00:00Z, or put spec.start back to 2026-12-01T20:00:00Z\n';
    const refused = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`ferry apply: ${expected}`);
    const planned = await ferry(['plan', '--repo', dir]);
    expect(planned.code).toBe(1);
    expect(planned.stderr).toContain(expected);
    expect(gitIn(dir, 'rev-list', '--count', 'ferry/status')).toBe(commits);

    const asked = await ferry(['sim', 'reset', '--repo', dir]);
    expect(asked.code).toBe(1);
    expect(asked.stdout).toMatch(/^would forget the simulated world \S*\.git\/ferry\/sim\/world\.json: clock at 2026-12-01 21:00:00Z \(started 2026-12-01 20:00:00Z\), 33 VMs, 6 target instances, \d+ operations\n/);
    expect(asked.stdout).toMatch(/would forget the local status branch ferry\/status \(\d+ commits\): it records migrations in that world\n/);
    expect(asked.stderr).toBe('ferry sim: error sim-reset-unconfirmed: nothing was changed; run "ferry sim reset --yes" to forget it\n');
    expect(existsSync(worldFile(dir))).toBe(true);
    expect(existsSync(`${worldFile(dir)}.history`)).toBe(true);
    expect(hasStatusBranch(dir)).toBe(true);

    // An apply that has the world open (its lock names a live process: this one) keeps it.
    writeFileSync(`${worldFile(dir)}.lock`, String(process.pid));
    const busy = await ferry(['sim', 'reset', '--yes', '--repo', dir]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toBe(`ferry sim: error sim-world-in-use: the simulated world is open in process ${process.pid} (an apply); stop it first, then reset\n`);
    expect(existsSync(worldFile(dir))).toBe(true);
    rmSync(`${worldFile(dir)}.lock`);

    const reset = await ferry(['sim', 'reset', '--yes', '--repo', dir]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('forgot the simulated world');
    expect(existsSync(worldFile(dir))).toBe(false);
    expect(existsSync(`${worldFile(dir)}.journal`)).toBe(false);
    expect(existsSync(`${worldFile(dir)}.history`)).toBe(false);
    expect(hasStatusBranch(dir)).toBe(false);
    const nothing = await ferry(['sim', 'reset', '--yes', '--repo', dir]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('no simulated world to forget');

    const again = await ferry(['apply', '--once', '--repo', dir]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(await shown(dir)).toMatchObject({ start: '2026-12-01T18:00:00.000Z', now: '2026-12-01T18:00:00.000Z' });
  });

  it('adds VMs new in an inventory file, and warns that edits of a VM the world has are not taken', async () => {
    const dir = committedExample({ local: true });
    expect((await ferry(['apply', '--once', '--repo', dir])).code).toBe(0);
    const file = join(dir, 'inventory/dc1.json');
    const inventory = JSON.parse(readFileSync(file, 'utf8')) as { uuid: string; name: string; location: string; cpus: number; running: boolean }[];
    const tools = inventory.find((vm) => vm.name === 'tools-02')!;
    tools.cpus = 8;
    tools.running = false;
    inventory.push({ ...inventory.find((vm) => vm.name === 'tools-01')!, uuid: '0b9d2c1e-5f3a-4d6b-8c7e-9a0b1c2d3e4f', name: 'tools-09', location: '/DC1/vm/tools/tools-09' });
    writeFileSync(file, JSON.stringify(inventory, null, 2));
    commitAll(dir, 'tools-09 joins; tools-02 edited');

    const run = await ferry(['apply', '--once', '--repo', dir]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('note: sim: inventory/dc1.json: 1 VM new in the inventory joined the simulated vCenter of source dc1 (tools-09)\n');
    expect(run.stderr).toContain('warning: sim: inventory/dc1.json: 1 VM changed in the inventory (tools-02), but the simulated vCenter keeps the state the simulation gave it');
    const world = await shown(dir);
    expect(world.vms.find((v) => v.name === 'tools-09')).toMatchObject({ running: true });
    expect(world.vms.find((v) => v.name === 'tools-02')).toMatchObject({ running: true });

    // Said once: the world now knows the file as it is.
    const quiet = await ferry(['apply', '--once', '--repo', dir]);
    expect(quiet.stderr).not.toContain('sim:');
  });
});
