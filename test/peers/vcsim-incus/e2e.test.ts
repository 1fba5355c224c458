// End to end across both real peers: a campaign whose Source is vcsim (a vmware Source) and whose
// Target is the real Incus, run by one `ferry apply --until-idle` on the real clock. The running
// VM stays on until its window and is powered off inside it, the VM that is off is copied at
// once; every disk written into vcsim's datastore must read back from its Incus volume byte for
// byte, the instances carrying Ferry's markers.

import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPath, type IncusClient } from '../../../src/providers/incus/client.js';
import type { IncusInstance } from '../../../src/providers/incus/definition.js';
import type { MoRef } from '../../../src/providers/vmware/values.js';
import { CampaignDir, sha256, sleep } from '../../helpers/campaign-dir.js';
import { ferry, tempDir } from '../../helpers/cli.js';
import { dropProject, exportVolume, incusPeer, scratchProject, unixClient, type IncusPeer } from '../incus/peer-env.js';
import { admin, flatDescriptor, powerOff, putDatastoreFile, reconfigure, vmProperty, vmsByName, type Admin } from '../vcsim/admin.js';
import { startVcsim, type Vcsim } from '../vcsim/peer-env.js';

const PASSWORD = 'vc-to-incus-Pa55';
/**
 * vcsim's VMs, renamed: one running (cut over in the window), one off from the start (copied at
 * once). Names of their own per run: Incus refuses a second instance of a name on one bridge.
 */
const RUN = Date.now().toString(36).slice(-5);
const RUNNING = `web-${RUN}`;
const OFF = `app-${RUN}`;
const RENAMED: Record<string, string> = { DC0_H0_VM0: RUNNING, DC0_H0_VM1: OFF };
const PROJECT_PREFIX = 'ferry-vc2incus';
const DISK_BYTES = 2 * 1024 * 1024 + 4096;
const WINDOW_DELAY_MS = 25_000;

let vcsim: Vcsim;
let a: Admin;
let vms: Map<string, MoRef>;
let peer: IncusPeer;
let incus: IncusClient;
let project: string;
let dir: string;
let repo: CampaignDir;
let windowStart: number;
const images = new Map<string, Buffer>();

const power = (name: string) => vmProperty(a, vms.get(name)!, 'runtime.powerState');

beforeAll(async () => {
  peer = incusPeer();
  incus = unixClient(peer);
  // What a run that was killed left behind would hold the bridges' names and addresses.
  const { metadata: projects } = await incus.get<string[]>('/1.0/projects');
  for (const url of projects) {
    const name = url.split('/').pop()!;
    if (name.startsWith(`${PROJECT_PREFIX}-`)) await dropProject(incus, name);
  }
  project = await scratchProject(incus, PROJECT_PREFIX);
  vcsim = await startVcsim();
  a = await admin(vcsim);
  const original = await vmsByName(a);
  for (const [from, to] of Object.entries(RENAMED)) {
    await reconfigure(a, original.get(from)!, `<name>${to}</name>`);
    const image = randomBytes(DISK_BYTES);
    await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${from}/disk1.vmdk`, Buffer.from(flatDescriptor([{ file: 'disk1-flat.vmdk', size: DISK_BYTES }])));
    await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${from}/disk1-flat.vmdk`, image);
    images.set(to, image);
  }
  vms = await vmsByName(a);
  await powerOff(a, vms.get(OFF)!);

  dir = tempDir('ferry-vc2incus-');
  repo = new CampaignDir(dir);
  windowStart = Math.ceil((Date.now() + WINDOW_DELAY_MS) / 1000) * 1000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
  repo.write({
    'ferry.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: vc2incus}\nspec:\n  status: {branch: ferry/status, local: true}\n  reconcile: {interval: 5s, sync_interval: 5s}\n',
    'sources/vc.yaml': [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Source',
      'metadata: {name: vc}',
      'spec:',
      '  type: vmware',
      `  endpoint: ${vcsim.endpoint}`,
      '  username: ferry',
      '  password_from: {env: FERRY_E2E_VC_PASSWORD}',
      `  trusted_server_certificate_fingerprint: "${vcsim.fingerprint}"`,
      '  datacenters: [/DC0]',
      '',
    ].join('\n'),
    'targets/incus.yaml': [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Target',
      'metadata: {name: incus}',
      'spec:',
      '  type: incus',
      `  endpoint: ${peer.endpoint}`,
      `  tls_client_cert_from: {file: ${peer.clientCert}}`,
      '  tls_client_key_from: {env: FERRY_E2E_INCUS_KEY}',
      `  trusted_server_certificate_fingerprint: "${peer.serverFingerprint}"`,
      '  instance_type: container',
      `  container_image: ${peer.image}`,
      '',
    ].join('\n'),
    // vCenter's port groups do not exist on the Incus: the scriptlet puts each VM's NICs on a
    // bridge of its own (vcsim gives both VMs the same MAC address, which one bridge refuses).
    'batches/wave.star': `def placement(instance, batch):\n    bridge = "${peer.network}" if instance.name == "${RUNNING}" else "${peer.networkB}"\n    for nic in instance.nics:\n        set_network(nic.hardware_address, bridge, "managed", "")\n`,
    'batches/wave.yaml': [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Batch',
      'metadata: {name: wave}',
      'spec:',
      '  state: running',
      `  include_expression: "location matches '^/DC0/vm/(${RUNNING}|${OFF})$'"`,
      '  migration_windows:',
      `    - {name: night, start: ${iso(windowStart)}, end: ${iso(windowStart + 2 * 60_000)}}`,
      '  defaults:',
      `    placement: {target: incus, target_project: ${project}, storage_pool: ${peer.pool}}`,
      '  config:',
      '    placement_scriptlet_file: wave.star',
      '    instance_restriction_overrides: {allow_unknown_os: true, allow_no_ipv4: true, allow_no_background_import: true}',
      '',
    ].join('\n'),
  });
  repo.commit('from vCenter into Incus');
});

afterAll(async () => {
  if (project) await dropProject(incus, project).catch(() => undefined);
  incus?.close();
  await a?.close();
  await vcsim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function instance(name: string): Promise<IncusInstance> {
  return (await incus.get<IncusInstance>(apiPath`/1.0/instances/${name}`, { project })).metadata;
}

describe('a campaign from vcsim into the real Incus', () => {
  it('powers the running VM off only inside its window and lands every disk byte for byte in Incus', async () => {
    const env = { FERRY_E2E_VC_PASSWORD: PASSWORD, FERRY_E2E_INCUS_KEY: readFileSync(peer.clientKey, 'utf8') };
    let firstOff: number | null = null;
    let done = false;
    const started = Date.now();
    const apply = ferry(['apply', '--until-idle', '--repo', dir], { env }).finally(() => (done = true));
    while (!done) {
      const at = Date.now();
      if (firstOff === null && (await power(RUNNING)) !== 'poweredOn') firstOff = at;
      await sleep(250);
    }
    const run = await apply;
    expect(run.code, run.stderr + run.stdout).toBe(0);
    // Copies end in this process: the loop ticks when they do, not at its next poll.
    expect(Date.now() - started).toBeLessThan(WINDOW_DELAY_MS + 60_000);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);

    const entries = await repo.entries('wave');
    expect(entries.map((e) => `${e.instance}: ${e.status}`).sort()).toEqual([`${OFF}: finished`, `${RUNNING}: finished`]);
    expect(firstOff, 'the running VM was powered off').not.toBeNull();
    expect(firstOff!).toBeGreaterThanOrEqual(windowStart);

    for (const name of [RUNNING, OFF]) {
      const created = await instance(name);
      expect(created.config['user.ferry.entry'], name).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.config['user.ferry.attempt']).toBe(`${created.config['user.ferry.entry']}#1`);
      expect(created.devices.eth0).toMatchObject({ type: 'nic', network: name === RUNNING ? peer.network : peer.networkB });
      const volume = created.config['user.ferry.disk.0.volume']!;
      const read = await exportVolume(incus, peer.pool, project, volume);
      const expected = images.get(name)!;
      expect(created.config['user.ferry.disk.0.sha256']).toBe(sha256(expected));
      expect(read.subarray(0, expected.length).equals(expected), `${name}: ${volume}`).toBe(true);
    }
    // The source ran, so its target runs; the one that was off stays stopped.
    expect((await instance(RUNNING)).status).toBe('Running');
    expect((await instance(OFF)).status).toBe('Stopped');
  }, 400_000);
});
