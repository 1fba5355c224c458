// End to end: a campaign whose Source is vcsim (a vmware Source) and whose Target is the
// simulator, run by `ferry apply --until-idle` on the real clock, through the engine and the
// byte-streaming transfer. The running VMs must stay on until their migration window starts and
// be powered off inside it; the disks written into vcsim's datastore must arrive on the target
// intact (their SHA-256 as the target computed it from the bytes it was sent).

import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryFiles } from '../../../src/repo/files.js';
import { loadRepository } from '../../../src/repo/load.js';
import { openSimWorld } from '../../../src/providers/sim/index.js';
import type { MoRef } from '../../../src/providers/vmware/values.js';
import { CampaignDir, sha256, sleep } from '../../helpers/campaign-dir.js';
import { ferry, tempDir } from '../../helpers/cli.js';
import { admin, flatDescriptor, powerOff, putDatastoreFile, reconfigure, vmProperty, vmsByName, type Admin } from './admin.js';
import { startVcsim, type Vcsim } from './peer-env.js';

const PASSWORD = 'e2e-Pa55word';
/** The VMs of the batch (vcsim's, renamed to host names): two running (cut over in the window), one off from the start (an offline copy). */
const RENAMED: Record<string, string> = { DC0_H0_VM0: 'web-01', DC0_C0_RP0_VM0: 'db-01', DC0_H0_VM1: 'app-01' };
const RUNNING = ['web-01', 'db-01'];
const OFF = 'app-01';
const DISK_BYTES = 1024 * 1024;
/** How far ahead of the campaign's start its window opens. */
const WINDOW_DELAY_MS = 30_000;

let windowStart: number;
let vcsim: Vcsim;
let a: Admin;
let vms: Map<string, MoRef>;
let dir: string;
let repo: CampaignDir;
const written = new Map<string, string>();

const power = (name: string) => vmProperty(a, vms.get(name)!, 'runtime.powerState');

beforeAll(async () => {
  vcsim = await startVcsim();
  a = await admin(vcsim);
  const original = await vmsByName(a);
  for (const [from, to] of Object.entries(RENAMED)) {
    await reconfigure(a, original.get(from)!, `<name>${to}</name>`);
    // The disk keeps its file, in the directory of the VM's first name.
    const image = randomBytes(DISK_BYTES);
    await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${from}/disk1.vmdk`, Buffer.from(flatDescriptor([{ file: 'disk1-flat.vmdk', size: DISK_BYTES }])));
    await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${from}/disk1-flat.vmdk`, image);
    written.set(to, sha256(image));
  }
  vms = await vmsByName(a);
  await powerOff(a, vms.get(OFF)!);

  dir = tempDir('ferry-vcsim-e2e-');
  repo = new CampaignDir(dir);
  windowStart = Math.ceil((Date.now() + WINDOW_DELAY_MS) / 1000) * 1000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
  repo.write({
    'ferry.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: vcsim-e2e}\nspec:\n  status: {branch: ferry/status, local: true}\n  reconcile: {interval: 5s, sync_interval: 5s}\n',
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
      '  sync_limit: 2',
      '',
    ].join('\n'),
    'targets/incus.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: incus}\nspec: {type: sim}\n',
    'simulation.yaml': [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Simulation',
      'metadata: {name: e2e}',
      'spec:',
      '  start: 2020-01-01 00:00:00',
      '  targets:',
      '    incus: {projects: [default], storage_pools: [ssd], networks: [DC0_DVPG0], create_time: 0s, post_import_time: 0s, agent_start_time: 0s}',
      '',
    ].join('\n'),
    'batches/wave.yaml': [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Batch',
      'metadata: {name: wave}',
      'spec:',
      '  state: running',
      `  include_expression: "location matches '^/DC0/vm/(${[...RUNNING, OFF].join('|')})$'"`,
      '  migration_windows:',
      `    - {name: night, start: ${iso(windowStart)}, end: ${iso(windowStart + 15 * 60_000)}}`,
      '  defaults:',
      '    placement: {target: incus, target_project: default, storage_pool: ssd}',
      '  config:',
      '    instance_restriction_overrides: {allow_unknown_os: true, allow_no_ipv4: true, allow_no_background_import: true}',
      '',
    ].join('\n'),
  });
  repo.commit('a campaign from vcsim');
});

afterAll(async () => {
  await a?.close();
  await vcsim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The SHA-256 the simulated target computed of each disk it was sent, by instance name. */
async function targetDigests(): Promise<Map<string, string>> {
  const files = directoryFiles(dir);
  const loaded = await loadRepository(files);
  const world = await openSimWorld({ desired: loaded.state, files, stateFile: join(dir, '.git', 'ferry', 'sim', 'world.json'), readOnly: true });
  try {
    const out = new Map<string, string>();
    for (const instance of Object.values(world.state.targets.incus?.instances.default ?? {})) {
      out.set(instance.name, instance.config['user.ferry.disk.0.sha256'] ?? '');
    }
    return out;
  } finally {
    await world.close();
  }
}

describe('a campaign from vcsim into the simulated target', () => {
  it('keeps the running VMs on until their window, powers them off inside it, and copies every disk intact', async () => {
    // One `ferry apply --until-idle` runs the campaign on the real clock (it sleeps until the
    // window); meanwhile the test watches the VMs' power in vcsim.
    const firstSeenOff = new Map<string, number>();
    const seenOn = new Map<string, number>();
    let done = false;
    const apply = ferry(['apply', '--until-idle', '--repo', dir], { env: { FERRY_E2E_VC_PASSWORD: PASSWORD } }).finally(() => (done = true));
    while (!done) {
      for (const name of [...RUNNING, OFF]) {
        const at = Date.now();
        const state = await power(name);
        if (state === 'poweredOn') seenOn.set(name, at);
        else if (!firstSeenOff.has(name)) firstSeenOff.set(name, at);
      }
      await sleep(250);
    }
    const run = await apply;
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);

    const after = await repo.entries('wave');
    expect(after.map((e) => `${e.instance}: ${e.status} (${e.message})`).sort()).toEqual([...RUNNING, OFF].sort().map((name) => `${name}: finished (Finished)`));
    for (const name of RUNNING) {
      expect(seenOn.get(name), `${name} was on before its window`).toBeGreaterThan(windowStart - 5_000);
      expect(firstSeenOff.get(name), `${name} was powered off in its window`).toBeGreaterThanOrEqual(windowStart);
      expect(await power(name)).toBe('poweredOff');
    }
    expect(seenOn.has(OFF)).toBe(false);

    const digests = await targetDigests();
    for (const name of [...RUNNING, OFF]) expect(digests.get(name), name).toBe(written.get(name));
  });
});
