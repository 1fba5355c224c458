import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ferry, gitIn, repoWith } from '../helpers/cli.js';

const GiB = 1024 ** 3;

interface VmShape {
  tracking?: boolean;
  os_type?: string;
  distribution?: string;
}

function vm(n: number, name: string, { tracking = true, os_type = 'linux', distribution = 'debian' }: VmShape = {}): Record<string, unknown> {
  return {
    uuid: `00000000-0000-4000-8000-00000000000${n}`,
    source_specific_id: `vm-${n}`,
    location: `/DC1/vm/${name}`,
    name,
    architecture: 'x86_64',
    cpus: 2,
    memory: 4 * GiB,
    running: true,
    background_import: tracking,
    os_type,
    distribution,
    nics: [{ hardware_address: `00:50:56:00:00:0${n}`, location: '/DC1/network/VM Network', ipv4_address: `10.0.0.${n}` }],
    disks: [{ name: `[ds] ${name}/${name}.vmdk`, capacity: 40 * GiB, supported: true, background_import_verified: tracking }],
  };
}

/**
 * Running VMs (by default web-01 tracking its changes and db-01 not) on a sim target with
 * transfer: mover; the window opens two hours in; `events` are the simulation's.
 */
function moverCampaign(vms = [vm(1, 'web-01'), vm(2, 'db-01', { tracking: false })], events: string[] = []): string {
  const dir = repoWith({
    'ferry.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: movers}\nspec:\n  status: {branch: ferry/status, local: true}\n',
    'sources/dc1.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: dc1}\nspec: {type: sim, inventory_file: ../inventory/dc1.json}\n',
    'inventory/dc1.json': JSON.stringify(vms, null, 2),
    'targets/east.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: east}\nspec: {type: sim, transfer: mover}\n',
    'batches/wave.yaml': [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Batch',
      'metadata: {name: wave}',
      'spec:',
      '  state: running',
      '  include_expression: "true"',
      '  migration_windows: [{name: night, start: "2026-12-01 22:00:00", end: "2026-12-02 04:00:00"}]',
      '  defaults: {placement: {target: east, target_project: default, storage_pool: default}}',
      '  config: {background_sync_interval: 3h, instance_restriction_overrides: {allow_no_background_import: true}}',
      '',
    ].join('\n'),
    'simulation.yaml': [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Simulation',
      'metadata: {name: rehearsal}',
      'spec:',
      '  start: 2026-12-01 20:00:00',
      '  targets: {east: {import_rate: 400MiB/s}}',
      '  sources: {dc1: {dirty_rate: 1MiB/s, background_import: false}}',
      ...(events.length > 0 ? ['  events:', ...events.map((event) => `    - ${event}`)] : []),
      '',
    ].join('\n'),
  });
  gitIn(dir, 'init', '-q', '-b', 'main');
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-qm', 'The campaign');
  return dir;
}

interface ShownOperation { id: string; kind: string; state: string; message: string; started_at: string; ended_at: string | null }

describe('a campaign onto a target with transfer: mover, on the simulator', () => {
  it('plans warm copies for the VM that tracks its changes and a copy in the window for the one that does not, and migrates both', async () => {
    const dir = moverCampaign();
    await ferry(['apply', '--once', '--repo', dir]);
    const plan = await ferry(['plan', '--repo', dir]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('wave web-01: mover (target east): warm copies while the VM runs, then a delta pass (only what changed since the warm copy) in its window, with the VM off');
    expect(plan.stdout).toContain('wave db-01: mover (target east): no change tracking on the VM, no warm copy, so the whole copy happens in its window, with the VM off; copied whole: [ds] db-01/db-01.vmdk (no change tracking on the VM)');

    const explained = await ferry(['explain', 'web-01', '--repo', dir]);
    expect(explained.stdout).toContain('  transfer: mover (target east): warm copies while the VM runs, then a delta pass');

    const applied = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(applied.code).toBe(0);
    const status = JSON.parse((await ferry(['queue', '--repo', dir, '--json'])).stdout) as { entries: { instance: string; status: string }[] };
    expect(status.entries.map((e) => `${e.instance} ${e.status}`).sort()).toEqual(['db-01 finished', 'web-01 finished']);

    const shown = JSON.parse((await ferry(['sim', 'show', '--repo', dir, '--json', '--last', '0'])).stdout) as { world: { operations: ShownOperation[] } };
    const imports = (name: string) => shown.world.operations.filter((o) => o.kind === 'import_disks' && o.id.startsWith(name === 'web-01' ? '00000000-0000-4000-8000-000000000001' : '00000000-0000-4000-8000-000000000002'));
    const web = imports('web-01');
    expect(web[0]!.message).toBe(`warm pass (mover) done: ${40 * GiB} bytes`);
    const webDelta = web.at(-1)!;
    expect(webDelta.message).toMatch(/^delta pass \(mover\) done: \d+ bytes$/);
    // Two hours of writes at 1 MiB/s at most, not the disk: minutes of downtime become seconds.
    expect(Number(/done: (\d+)/.exec(webDelta.message)![1])).toBeLessThan(8 * 1024 ** 3);
    expect(imports('db-01').map((o) => o.message)).toEqual([`delta pass (mover) done: ${40 * GiB} bytes; copied whole: [ds] db-01/db-01.vmdk (no change tracking on the VM)`]);
  });
});

describe('guest preparation as a placement scriptlet sees it, through the CLI', () => {
  it('says what the mover will prepare per instance, with the InstanceOverride that skips one', async () => {
    const dir = moverCampaign();
    mkdirSync(join(dir, 'overrides'), { recursive: true });
    writeFileSync(join(dir, 'batches/wave.star'), 'def placement(instance, batch):\n    log_info(instance.name, " ", instance.guest_preparation, " ", instance.overrides.guest_preparation)\n');
    writeFileSync(join(dir, 'batches/wave.yaml'), readFileSync(join(dir, 'batches/wave.yaml'), 'utf8').replace('  config: {', '  config: {placement_scriptlet_file: wave.star, '));
    writeFileSync(join(dir, 'overrides/db-01.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: InstanceOverride\nmetadata: {name: db-01}\nspec: {match: {location: /DC1/vm/db-01}, guest_preparation: skip, comment: prepared by hand}\n');
    const run = await ferry(['placement', 'wave', '--repo', dir, '--json']);
    expect(run.stderr).toBe('');
    const rows = JSON.parse(run.stdout).placements as { instance: { name: string }; logs: { message: string }[] }[];
    expect(rows.map((row) => row.logs.map((l) => l.message)).flat().sort()).toEqual(['db-01 none skip', 'web-01 linux auto']);

    writeFileSync(join(dir, 'overrides/db-01.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: InstanceOverride\nmetadata: {name: db-01}\nspec:\n  match: {location: /DC1/vm/db-01}\n  guest_preparation: sometimes\n');
    const bad = await ferry(['placement', 'wave', '--repo', dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/overrides\/db-01\.yaml:6:\d+: error invalid-value/);
  });
});

interface Transition { to: string; message: string }

async function transitions(dir: string, vm: string): Promise<Transition[]> {
  return (JSON.parse((await ferry(['history', vm, '--repo', dir, '--json'])).stdout) as { transitions: Transition[] }).transitions;
}

async function statuses(dir: string): Promise<string[]> {
  const queue = JSON.parse((await ferry(['queue', '--repo', dir, '--json'])).stdout) as { entries: { instance: string; status: string }[] };
  return queue.entries.map((e) => `${e.instance} ${e.status}`).sort();
}

// Issue #20's two Conflicts rehearsed with `ferry apply`: a Windows guest whose warm copy is found
// not ready to boot, and a Linux guest whose preparation after the final pass fails.
describe('rehearsing guest preparation on the simulator (fail readiness, fail prepare)', () => {
  it('holds a guest found not ready before its cutover with the source running, cuts it over once resolved, and makes a failed preparation a Conflict after the final pass', async () => {
    const dir = moverCampaign(
      [vm(1, 'win-01', { os_type: 'windows', distribution: 'Windows Server 2019' }), vm(2, 'lin-01')],
      ['{at: +0s, type: fail, operation: readiness, vm: win-01}', '{at: +0s, type: fail, operation: prepare, vm: lin-01}'],
    );
    // Before the window: the warm copies are done and checked.
    const before = await ferry(['apply', '--until', '2026-12-01 21:00:00', '--repo', dir]);
    expect(before.code).toBe(0);
    expect(await statuses(dir)).toEqual(['lin-01 idle', 'win-01 conflict']);
    expect((await transitions(dir, 'win-01')).at(-1)).toMatchObject({ to: 'conflict', message: expect.stringMatching(/^Guest not ready to boot on Incus: virtio-drivers-missing: .* \(simulated fault\)\. The source VM keeps running/) });
    const shown = JSON.parse((await ferry(['sim', 'show', '--repo', dir, '--json', '--vm', 'win-01'])).stdout) as { world: { vms: { name: string; running: boolean }[] } };
    expect(shown.world.vms).toEqual([expect.objectContaining({ name: 'win-01', running: true })]);
    const explained = await ferry(['explain', 'win-01', '--repo', dir]);
    expect(explained.stdout).toContain('install the virtio drivers in the source VM (virtio-win guest tools on Windows), or name a virtio_win_image on the target');
    expect(explained.stdout).not.toContain('force_conflict_resolution');

    expect((await ferry(['resolve', 'wave', 'win-01', '--action', 'resolve', '--date', '2026-12-01', '--repo', dir])).code).toBe(0);
    gitIn(dir, 'add', '-A');
    gitIn(dir, 'commit', '-qm', 'win-01: virtio drivers installed in the guest');
    const night = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(night.code).toBe(0);
    expect(await statuses(dir)).toEqual(['lin-01 conflict', 'win-01 finished']);
    expect((await transitions(dir, 'win-01')).map((t) => t.message)).toContain('Starting target instance; guest prepared (simulated, windows): virtio-drivers');
    const lin = await transitions(dir, 'lin-01');
    expect(lin.map((t) => t.to)).toContain('final_import');
    expect(lin.find((t) => t.to === 'conflict')).toMatchObject({ message: expect.stringMatching(/^Guest preparation failed: initramfs-failed: .* \(simulated fault\)\. Fix the source VM/) });
  });
});
