// End to end: a small campaign whose Source is the simulator and whose Target is the real Incus,
// run tick by tick with `ferry apply --once` on the real clock. Two running VMs are copied in the
// background, then cut over in a window (a second, final copy); one VM that is off gets one
// offline copy. Every imported volume must read back (through Incus's backup export) equal to the
// source disk as the simulator serves it, carrying Ferry's markers. The third VM's network is
// deleted on the target while it waits for the window: its entry must end in Conflict
// (migration-manager's rule: a NIC whose network no longer exists on the target).

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPath, type IncusClient } from '../../../src/providers/incus/client.js';
import type { IncusInstance } from '../../../src/providers/incus/definition.js';
import { createSimProviders, openSimWorld } from '../../../src/providers/sim/index.js';
import { directoryFiles } from '../../../src/repo/files.js';
import { loadRepository } from '../../../src/repo/load.js';
import { CampaignDir, sha256, sleep, type EntryView } from '../../helpers/campaign-dir.js';
import { ferry, tempDir } from '../../helpers/cli.js';
import { dropProject, exportVolume, incusPeer, scratchProject, unixClient, type IncusPeer } from './peer-env.js';

const MiB = 1024 * 1024;
/** How far ahead of the campaign's start its window opens: time for the background copies. */
const WINDOW_DELAY_MS = 35_000;
const DOOMED_NETWORK = `ferrye2e${Date.now().toString(36).slice(-5)}`;

interface SourceVm {
  uuid: string;
  name: string;
  running: boolean;
  network: string;
  disks: { name: string; capacity: number }[];
}

const VMS: SourceVm[] = [
  {
    uuid: '6f1c2d3e-0000-4000-8000-00000000000a',
    name: 'app-a',
    running: true,
    network: 'ferrybr0',
    disks: [
      { name: '[ds1] app-a/app-a.vmdk', capacity: 4 * MiB },
      { name: '[ds1] app-a/app-a_1.vmdk', capacity: 2 * MiB },
    ],
  },
  { uuid: '6f1c2d3e-0000-4000-8000-00000000000b', name: 'app-b', running: false, network: 'ferrybr0', disks: [{ name: '[ds1] app-b/app-b.vmdk', capacity: 3 * MiB }] },
  { uuid: '6f1c2d3e-0000-4000-8000-00000000000c', name: 'app-c', running: true, network: DOOMED_NETWORK, disks: [{ name: '[ds1] app-c/app-c.vmdk', capacity: 2 * MiB }] },
];

let peer: IncusPeer;
let admin: IncusClient;
let project: string;
let dir: string;
let repo: CampaignDir;
let windowStart: number;


const clientKey = () => readFileSync(peer.clientKey, 'utf8');

async function tick(): Promise<void> {
  const run = await ferry(['apply', '--once', '--repo', dir], { env: { FERRY_E2E_INCUS_KEY: clientKey() } });
  if (run.code !== 0) throw new Error(`ferry apply failed (${run.code}): ${run.stderr}${run.stdout}`);
  // The client key comes from the environment; no output ever shows it.
  const keyBody = clientKey().split('\n')[1]!;
  expect(run.stdout + run.stderr).not.toContain(keyBody);
}

function inventory(): string {
  return JSON.stringify(
    VMS.map((vm, i) => ({
      uuid: vm.uuid,
      source_specific_id: `vm-${100 + i}`,
      location: `/DC1/vm/${vm.name}`,
      name: vm.name,
      os: 'Debian GNU/Linux 12 (64-bit)',
      os_type: 'linux',
      distribution: 'debian',
      distribution_version: '12',
      architecture: 'x86_64',
      cpus: 1,
      memory: 256 * MiB,
      running: vm.running,
      background_import: true,
      source: 'dc1',
      source_type: 'vmware',
      nics: [{ uuid: `net-${vm.network}`, source_specific_id: `network-${i}`, hardware_address: `00:16:3e:e2:e0:0${i}`, location: `/DC1/network/${vm.network}`, ipv4_address: `10.211.0.${70 + i}` }],
      disks: vm.disks.map((disk) => ({ ...disk, supported: true, background_import_verified: true })),
    })),
    null,
    2,
  );
}

beforeAll(async () => {
  peer = incusPeer();
  admin = unixClient(peer);
  project = await scratchProject(admin, 'ferry-e2e');
  await admin.call('POST', '/1.0/networks', { body: { name: DOOMED_NETWORK, type: 'bridge', config: { 'ipv4.address': 'none', 'ipv6.address': 'none' } } });

  dir = tempDir('ferry-incus-e2e-');
  repo = new CampaignDir(dir);
  windowStart = Math.ceil((Date.now() + WINDOW_DELAY_MS) / 1000) * 1000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
  repo.write({
    'ferry.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: incus-e2e}\nspec:\n  status: {branch: ferry/status, local: true}\n  reconcile: {interval: 5s, sync_interval: 5s}\n',
    'sources/dc1.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: dc1}\nspec: {type: sim, inventory_file: ../inventory/dc1.json}\n',
    'inventory/dc1.json': inventory(),
    'simulation.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Simulation\nmetadata: {name: e2e}\nspec:\n  start: 2020-01-01 00:00:00\n  sources:\n    dc1: {background_import: true, dirty_rate: 64KiB/s}\n',
    'targets/incus.yaml': [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Target',
      'metadata: {name: incus}',
      'spec:',
      '  type: incus',
      `  endpoint: ${peer.endpoint}`,
      `  tls_client_cert_from: {file: ${peer.clientCert}}`,
      '  tls_client_key_from: {env: FERRY_E2E_INCUS_KEY}',
      `  trusted_server_certificate_from: {file: ${peer.serverCert}}`,
      '  instance_type: container',
      `  container_image: ${peer.image}`,
      '',
    ].join('\n'),
    'batches/wave.star': 'def placement(instance, batch):\n    for disk in instance.disks:\n        if disk.name.endswith("_1.vmdk"):\n            set_pool(disk.name, "' + peer.poolB + '")\n',
    'batches/wave.yaml': [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Batch',
      'metadata: {name: wave}',
      'spec:',
      '  state: running',
      `  include_expression: "location matches '^/DC1/vm/app-'"`,
      '  migration_windows:',
      `    - {name: night, start: ${iso(windowStart)}, end: ${iso(windowStart + 15 * 60_000)}}`,
      '  defaults:',
      `    placement: {target: incus, target_project: ${project}, storage_pool: ${peer.pool}}`,
      '  config:',
      '    placement_scriptlet_file: wave.star',
      '',
    ].join('\n'),
  });
  repo.commit('a campaign into Incus');
});

afterAll(async () => {
  if (project) await dropProject(admin, project);
  await admin?.call('DELETE', apiPath`/1.0/networks/${DOOMED_NETWORK}`).catch(() => undefined);
  admin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Each disk of a source VM as the simulator serves it now (every VM is off by then). */
async function sourceDisks(): Promise<Map<string, Buffer>> {
  const files = directoryFiles(dir);
  const loaded = await loadRepository(files);
  const world = await openSimWorld({ desired: loaded.state, files, stateFile: join(dir, '.git', 'ferry', 'sim', 'world.json'), readOnly: true });
  try {
    const source = createSimProviders(world, loaded.state).source('dc1');
    const out = new Map<string, Buffer>();
    for (const vm of VMS) {
      for (const disk of vm.disks) {
        const data = await source.readDisk(vm.uuid, disk.name, 'final', new AbortController().signal);
        const chunks: Buffer[] = [];
        for await (const chunk of data.stream) chunks.push(Buffer.from(chunk));
        out.set(disk.name, Buffer.concat(chunks));
      }
    }
    return out;
  } finally {
    await world.close();
  }
}

async function instance(name: string): Promise<IncusInstance> {
  return (await admin.get<IncusInstance>(apiPath`/1.0/instances/${name}`, { project })).metadata;
}

describe('a campaign from the simulator into the real Incus', () => {
  it('imports every disk intact with markers, cuts over in the window, and a network deleted meanwhile makes a Conflict', async () => {
    // Before the window: instances created, the running VMs copied in the background, the VM
    // that is off copied once. Then the network of app-c disappears from the target.
    let before: EntryView[] = [];
    while (Date.now() < windowStart - 6_000) {
      await tick();
      before = await repo.entries('wave');
      await sleep(1_000);
    }
    const byName = (list: EntryView[]) => Object.fromEntries(list.map((e) => [e.instance, e]));
    for (const name of ['app-a', 'app-c']) expect(byName(before)[name]?.status, JSON.stringify(byName(before)[name])).toBe('idle');
    expect((await instance('app-a')).config['user.ferry.disk.0.volume']).toBe('app-a-disk0-a');
    await admin.call('DELETE', apiPath`/1.0/networks/${DOOMED_NETWORK}`);

    await sleep(Math.max(0, windowStart - Date.now()));
    let after: EntryView[] = [];
    const deadline = Date.now() + 240_000;
    do {
      await tick();
      after = await repo.entries('wave');
      const settled = after.every((e) => ['finished', 'conflict', 'error'].includes(e.status));
      if (settled) break;
      await sleep(1_000);
    } while (Date.now() < deadline);
    const final = byName(after);
    expect(final['app-a']?.status, JSON.stringify(final['app-a'])).toBe('finished');
    expect(final['app-b']?.status, JSON.stringify(final['app-b'])).toBe('finished');
    expect(final['app-c']?.status, JSON.stringify(final['app-c'])).toBe('conflict');
    expect(final['app-c']?.message).toContain(DOOMED_NETWORK);

    // Every imported volume reads back equal to its source disk, and carries the markers.
    const source = await sourceDisks();
    for (const vm of VMS.filter((v) => v.name !== 'app-c')) {
      const created = await instance(vm.name);
      // The target ends in the source's power state: app-b was off, so it stays stopped.
      expect(created.status, vm.name).toBe(vm.running ? 'Running' : 'Stopped');
      expect(created.config['user.ferry.entry']).toBe(vm.uuid);
      expect(created.config['user.ferry.attempt']).toBe(`${vm.uuid}#1`);
      expect(created.config['user.ferry.source_uuid']).toBe(vm.uuid);
      expect(created.devices.eth0).toMatchObject({ type: 'nic', network: 'ferrybr0', hwaddr: expect.stringMatching(/^00:16:3e:e2:e0:0/) });
      for (const [index, disk] of vm.disks.entries()) {
        const pool = disk.name.endsWith('_1.vmdk') ? peer.poolB : peer.pool;
        const volume = created.config[`user.ferry.disk.${index}.volume`]!;
        const expected = source.get(disk.name)!;
        expect(expected.length).toBe(disk.capacity);
        expect(created.config[`user.ferry.disk.${index}.sha256`], disk.name).toBe(sha256(expected));
        const read = await exportVolume(admin, pool, project, volume);
        expect(read.subarray(0, disk.capacity).equals(expected), `${disk.name} in ${pool}/${volume}`).toBe(true);
        const { metadata } = await admin.get<{ config: Record<string, string> }>(apiPath`/1.0/storage-pools/${pool}/volumes/custom/${volume}`, { project });
        expect(metadata.config).toMatchObject({ 'user.ferry.entry': vm.uuid, 'user.ferry.attempt': `${vm.uuid}#1`, 'user.ferry.instance': vm.name, 'user.ferry.disk': String(index) });
      }
    }
    // The running VM was copied twice (background, then final): the final copy replaced the first.
    expect((await instance('app-a')).config['user.ferry.disk.0.volume']).toBe('app-a-disk0-b');
    expect(await admin.get(apiPath`/1.0/storage-pools/${peer.pool}/volumes/custom/${'app-a-disk0-a'}`, { project }).then(() => true, () => false)).toBe(false);
  });
});
