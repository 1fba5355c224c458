// Rehearsing issue #20's two Conflicts with `ferry apply` on the simulator: a Windows guest whose
// warm copy is found not ready to boot (fail readiness), and a Linux guest whose preparation after
// the final pass fails (fail prepare).

import { describe, expect, it } from 'vitest';
import { ferry, gitIn, repoWith } from '../helpers/cli.js';

const GiB = 1024 ** 3;

function vm(n: number, name: string, os_type: string, distribution: string): Record<string, unknown> {
  return {
    uuid: `00000000-0000-4000-8000-00000000000${n}`,
    source_specific_id: `vm-${n}`,
    location: `/DC1/vm/${name}`,
    name,
    architecture: 'x86_64',
    cpus: 2,
    memory: 4 * GiB,
    running: true,
    background_import: true,
    os_type,
    distribution,
    nics: [{ hardware_address: `00:50:56:00:00:0${n}`, location: '/DC1/network/VM Network', ipv4_address: `10.0.0.${n}` }],
    disks: [{ name: `[ds] ${name}/${name}.vmdk`, capacity: 20 * GiB, supported: true, background_import_verified: true }],
  };
}

/** Two running VMs tracking their changes on a sim target with transfer: mover; the window opens two hours in. */
function campaign(): string {
  const dir = repoWith({
    'ferry.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: prep}\nspec:\n  status: {branch: ferry/status, local: true}\n',
    'sources/dc1.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: dc1}\nspec: {type: sim, inventory_file: ../inventory/dc1.json}\n',
    'inventory/dc1.json': JSON.stringify([vm(1, 'win-01', 'windows', 'Windows Server 2019'), vm(2, 'lin-01', 'linux', 'debian')], null, 2),
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
      '',
    ].join('\n'),
    'simulation.yaml': [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Simulation',
      'metadata: {name: rehearsal}',
      'spec:',
      '  start: 2026-12-01 20:00:00',
      '  targets: {east: {import_rate: 400MiB/s}}',
      '  sources: {dc1: {dirty_rate: 1MiB/s}}',
      '  events:',
      '    - {at: +0s, type: fail, operation: readiness, vm: win-01}',
      '    - {at: +0s, type: fail, operation: prepare, vm: lin-01}',
      '',
    ].join('\n'),
  });
  gitIn(dir, 'init', '-q', '-b', 'main');
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-qm', 'The campaign');
  return dir;
}

interface Transition { to: string; message: string }

async function transitions(dir: string, vm: string): Promise<Transition[]> {
  return (JSON.parse((await ferry(['history', vm, '--repo', dir, '--json'])).stdout) as { transitions: Transition[] }).transitions;
}

async function statuses(dir: string): Promise<string[]> {
  const queue = JSON.parse((await ferry(['queue', '--repo', dir, '--json'])).stdout) as { entries: { instance: string; status: string }[] };
  return queue.entries.map((e) => `${e.instance} ${e.status}`).sort();
}

describe('rehearsing guest preparation on the simulator (fail readiness, fail prepare)', () => {
  it('holds a guest found not ready before its cutover with the source running, cuts it over once resolved, and makes a failed preparation a Conflict after the final pass', async () => {
    const dir = campaign();
    // Before the window: the warm copies are done and checked.
    const before = await ferry(['apply', '--until', '2026-12-01 21:00:00', '--repo', dir]);
    expect(before.code).toBe(0);
    expect(await statuses(dir)).toEqual(['lin-01 idle', 'win-01 conflict']);
    expect((await transitions(dir, 'win-01')).at(-1)).toMatchObject({ to: 'conflict', message: expect.stringMatching(/^Guest not ready to boot on Incus: virtio-drivers-missing: .* \(simulated fault\)\. The source VM keeps running/) });
    const shown = JSON.parse((await ferry(['sim', 'show', '--repo', dir, '--json', '--vm', 'win-01'])).stdout) as { world: { vms: { name: string; running: boolean }[] } };
    expect(shown.world.vms).toEqual([expect.objectContaining({ name: 'win-01', running: true })]);

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
