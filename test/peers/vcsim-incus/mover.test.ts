// The reconciler's half of transfer: mover across both real peers: an import asks vcsim (a vmware
// Source) for a session of the mover's own and writes the pass's job into the Incus instance; the
// final pass asks for the delta since the change ids the warm pass recorded. A container stands in
// for the mover VM (Incus cannot create VMs here) and the test writes the report a mover would;
// the mover itself is tested on its own (src/mover, docs/testing.md).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportDisksAction } from '../../../src/engine/actions.js';
import { JOB_KEY, REPORT_PATH, type MoverJob } from '../../../src/mover/protocol.js';
import { apiPath, type IncusClient } from '../../../src/providers/incus/client.js';
import type { IncusInstance } from '../../../src/providers/incus/definition.js';
import { openIncusTarget } from '../../../src/providers/incus/index.js';
import { moverTransfers } from '../../../src/providers/mover-transfer.js';
import type { TargetProvider } from '../../../src/providers/ports.js';
import { openVmwareSource, type VmwareSource } from '../../../src/providers/vmware/index.js';
import { chunked, createAction, dropProject, incusPeer, log, scratchProject, unixClient, unixTarget, type IncusPeer } from '../incus/peer-env.js';
import { admin, powerOff, vmProperty, vmsByName, type Admin } from '../vcsim/admin.js';
import { sourceFor, startVcsim, type Vcsim } from '../vcsim/peer-env.js';

let vcsim: Vcsim;
let a: Admin;
let peer: IncusPeer;
let incus: IncusClient;
let project: string;
let dir: string;
let source: VmwareSource;
const targets: (TargetProvider & { close(): Promise<void> })[] = [];

beforeAll(async () => {
  vcsim = await startVcsim();
  a = await admin(vcsim);
  peer = incusPeer();
  incus = unixClient(peer);
  project = await scratchProject(incus, 'ferry-vc-mover');
  dir = mkdtempSync(join(tmpdir(), 'ferry-vc-mover-'));
  source = await openVmwareSource(sourceFor(vcsim), { log, env: { VC_PASSWORD: 'pass' } });
});

afterAll(async () => {
  for (const target of targets) await target.close();
  await source?.close();
  if (project) await dropProject(incus, project);
  incus?.close();
  await a?.close();
  await vcsim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function job(name: string): Promise<MoverJob> {
  const { metadata } = await incus.get<IncusInstance>(apiPath`/1.0/instances/${name}`, { project });
  return JSON.parse(metadata.config[JOB_KEY]!) as MoverJob;
}

describe('importDisks through a mover', () => {
  it('writes a warm job with a fresh session of its own, then a delta job with the recorded change ids', async () => {
    const vms = await vmsByName(a);
    const ref = vms.get('DC0_H0_VM0')!;
    const uuid = (await vmProperty(a, ref, 'config.instanceUuid'))!;
    const vm = (await source.readVm(uuid))!;
    const stream = await openIncusTarget(unixTarget(peer, 'peer', { instance_type: 'container', container_image: peer.image }), { log });
    const target = await openIncusTarget(unixTarget(peer, 'peer', { instance_type: 'container', container_image: peer.image, transfer: 'mover', mover_image: join(dir, 'unused.iso') }), { log });
    targets.push(stream, target);
    const create = createAction(peer, { project, name: 'vc-mv-1', entry: uuid, fields: vm });
    await stream.createInstance(create);
    await incus.call('PATCH', apiPath`/1.0/instances/${create.name}`, { query: { project }, body: { devices: { disk0: { type: 'disk', source: dir, path: '/mnt/disk0' } } } });
    await incus.call('PUT', apiPath`/1.0/instances/${create.name}/state`, { query: { project }, body: { action: 'start', timeout: -1 } });

    const transfers = moverTransfers({ source: () => source, target: () => target, moverTargets: () => ['peer'], now: () => Date.now(), log });
    const importAction = (step: string, mode: ImportDisksAction['mode']): ImportDisksAction => ({
      kind: 'import_disks',
      op: `${create.attempt}/${step}`,
      entry: create.entry,
      attempt: create.attempt,
      batch: 'wave-1',
      target: 'peer',
      project,
      name: create.name,
      source: 'vc',
      vm: uuid,
      mode,
    });

    const warm = importAction('sync', 'background');
    await transfers.importDisks(warm);
    const written = await job(create.name);
    expect(written).toMatchObject({
      version: 1,
      op: warm.op,
      pass: 'warm',
      vcenter: { url: `${vcsim.endpoint}/sdk`, fingerprint: vcsim.fingerprint },
      datacenter: '/DC0',
      vm: { moref: ref.value, uuid },
      disks: [{ name: vm.disks[0]!.name, capacity: vm.disks[0]!.capacity, device: 'disk0' }],
    });
    expect(written.disks[0]!.change_id).toBeUndefined();
    expect(written.vcenter.session).not.toBe('');
    // Asking again (a repeated dispatch) does not make another session.
    await transfers.importDisks(warm);
    expect((await job(create.name)).vcenter.session).toBe(written.vcenter.session);

    // The mover reports the warm pass done, with the disk's change id.
    const report = Buffer.from(
      JSON.stringify({ version: 1, op: warm.op, state: 'succeeded', message: 'copied 1 disk', progress: { done: 1, total: 1 }, disks: [{ name: vm.disks[0]!.name, device: 'disk0', copy: 'warm', bytes_written: 1, change_id: '52 00/4', sha256: '00' }], updated_at: '2026-12-07T14:00:00Z' }),
    );
    await incus.upload(apiPath`/1.0/instances/${create.name}/files`, { project, path: '/run/ferry-mover' }, { 'X-Incus-type': 'directory' }, 0, chunked(Buffer.alloc(0)));
    await incus.upload(apiPath`/1.0/instances/${create.name}/files`, { project, path: REPORT_PATH }, { 'X-Incus-type': 'file', 'X-Incus-write': 'overwrite' }, report.length, chunked(report));
    expect(await transfers.operation(warm.op)).toMatchObject({ state: 'succeeded' });

    // The final pass reads by range: the VM must be off (in its window, the engine powered it off).
    const final = importAction('final', 'final');
    await expect(transfers.importDisks(final)).rejects.toMatchObject({ code: 'vm-running' });
    await powerOff(a, ref);
    await transfers.importDisks(final);
    const delta = await job(create.name);
    expect(delta).toMatchObject({ op: final.op, pass: 'delta', disks: [{ name: vm.disks[0]!.name, device: 'disk0', change_id: '52 00/4' }] });
    expect(delta.vcenter.session).not.toBe(written.vcenter.session);
  });
});
