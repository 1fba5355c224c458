// transfer: mover against the real Incus daemon, as far as this machine allows: the mover image
// and the virtio-win ISO imported once per pool as ISO volumes and reused; the job written into an
// instance's config with PATCH (with the readiness check a Windows guest asks for, and the
// virtio-win device); the mover's report read through the file API, a not-ready guest becoming
// guest_not_ready; the change ids of a warm pass recorded; a job withdrawn; post-import removing
// the mover; and the session in the job reaching no observation, operation message, error or log
// line. Incus cannot create virtual machines here (no vhost_vsock: not even one left stopped), so a
// container stands in for the mover VM, its `disk0` and `ferry-mover` devices are host
// directories, and the test writes the report a mover would write (through the same file API). A
// container cannot take an ISO volume: the virtio-win device is checked as far as Incus validates
// it (its keys, the pool, the volume and its content type) before refusing it for a container.
// What a real mover VM does is in docs/testing.md.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportDisksAction } from '../../../src/engine/actions.js';
import { JOB_KEY, REPORT_PATH, VIRTIO_WIN_DEVICE, type MoverJob, type MoverReport } from '../../../src/mover/protocol.js';
import { apiPath, type IncusClient } from '../../../src/providers/incus/client.js';
import type { IncusInstance } from '../../../src/providers/incus/definition.js';
import { openIncusTarget } from '../../../src/providers/incus/index.js';
import { IMPORT_KEY, MOVER_STATE_KEY } from '../../../src/providers/incus/markers.js';
import { MOVER_IMAGE, VIRTIO_WIN_IMAGE, ensureIsoImage, isoDescription, isoVolume, readIsoImage } from '../../../src/providers/incus/iso-image.js';
import { moverTransfers } from '../../../src/providers/mover-transfer.js';
import type { IncusMover } from '../../../src/providers/incus/mover.js';
import type { MoverAccess, MoverTarget, SourceProvider, TargetProvider } from '../../../src/providers/ports.js';
import { chunked, createAction, dropProject, incusPeer, log, scratchProject, unixClient, unixTarget, type IncusPeer } from './peer-env.js';

type Provider = TargetProvider & { close(): Promise<void> };

let peer: IncusPeer;
let admin: IncusClient;
let project: string;
let dir: string;
let iso: string;
let virtioWinIso: string;
const opened: Provider[] = [];

/** A small ISO of its own (random content: its hash, so its volume name, is new each run). */
function makeIso(name: string, bytes: number): string {
  const root = join(dir, `${name}-root`);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'payload'), randomBytes(bytes));
  const out = join(dir, `${name}.iso`);
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', out, root], { stdio: 'ignore' });
  return out;
}

async function volume(pool: string, name: string): Promise<{ content_type: string; config: Record<string, string>; description: string; created_at: string } | null> {
  return admin.get<{ content_type: string; config: Record<string, string>; description: string; created_at: string }>(apiPath`/1.0/storage-pools/${pool}/volumes/custom/${name}`, { project }).then(
    (answer) => answer.metadata,
    () => null,
  );
}

async function instance(name: string): Promise<IncusInstance> {
  return (await admin.get<IncusInstance>(apiPath`/1.0/instances/${name}`, { project })).metadata;
}

/** Writes a file into an instance through the file API (as the mover's report lands there). */
async function putFile(name: string, path: string, text: string): Promise<void> {
  const header = (type: string) => ({ 'X-Incus-type': type, 'X-Incus-write': 'overwrite' });
  await admin.upload(apiPath`/1.0/instances/${name}/files`, { project, path: path.slice(0, path.lastIndexOf('/')) }, header('directory'), 0, chunked(Buffer.alloc(0)));
  const body = Buffer.from(text);
  await admin.upload(apiPath`/1.0/instances/${name}/files`, { project, path }, header('file'), body.length, chunked(body));
}

async function open(fields = {}, logger = log): Promise<Provider> {
  const provider = await openIncusTarget(unixTarget(peer, 'peer', { instance_type: 'container', container_image: peer.image, transfer: 'mover', mover_image: iso, ...fields }), { log: logger });
  opened.push(provider);
  return provider;
}

beforeAll(async () => {
  peer = incusPeer();
  admin = unixClient(peer);
  project = await scratchProject(admin, 'ferry-mover');
  dir = mkdtempSync(join(tmpdir(), 'ferry-mover-'));
  iso = makeIso('mover', 300 * 1024);
  virtioWinIso = makeIso('virtio-win', 200 * 1024);
});

afterAll(async () => {
  for (const provider of opened) await provider.close();
  if (project) await dropProject(admin, project);
  admin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the mover image', () => {
  it('is imported once per pool as an ISO volume named after its SHA-256, and reused after', async () => {
    const image = await readIsoImage(MOVER_IMAGE, iso);
    expect(image.volume).toBe(isoVolume(MOVER_IMAGE, image.sha256));
    expect(await ensureIsoImage(admin, image, { project, pool: peer.pool })).toBe(image.volume);
    const imported = await volume(peer.pool, image.volume);
    expect(imported).toMatchObject({ content_type: 'iso', config: { size: String(image.size) }, description: isoDescription(MOVER_IMAGE, image.sha256) });

    expect(await ensureIsoImage(admin, image, { project, pool: peer.pool })).toBe(image.volume);
    expect((await volume(peer.pool, image.volume))!.created_at).toBe(imported!.created_at);

    await ensureIsoImage(admin, image, { project, pool: peer.poolB });
    expect(await volume(peer.poolB, image.volume)).toMatchObject({ content_type: 'iso', config: { size: String(image.size) } });
  });

  it('refuses a volume of its name that holds something else, and a missing image file', async () => {
    const other = await readIsoImage(MOVER_IMAGE, makeIso('other', 900 * 1024));
    const first = await readIsoImage(MOVER_IMAGE, iso);
    // A volume named after `other` holding the first image's bytes (another size).
    await ensureIsoImage(admin, { ...first, volume: other.volume, sha256: other.sha256 }, { project, pool: peer.pool });
    await expect(ensureIsoImage(admin, other, { project, pool: peer.pool })).rejects.toMatchObject({
      code: 'mover-image',
      message: `volume ${other.volume} in pool ${peer.pool} is not the mover image ${other.path} (mover_image): it holds ${first.size} bytes, the image ${other.size}; delete the volume and Ferry imports the image again`,
    });
    await expect(readIsoImage(MOVER_IMAGE, join(dir, 'none.iso'))).rejects.toMatchObject({ code: 'mover-image' });
  });
});

describe('the virtio-win image', () => {
  it('is imported once per pool as an ISO volume of its own, named and described as the virtio-win ISO, and reused after', async () => {
    const image = await readIsoImage(VIRTIO_WIN_IMAGE, virtioWinIso);
    expect(image.volume).toBe(`ferry-virtio-win-${image.sha256.slice(0, 12)}`);
    expect(await ensureIsoImage(admin, image, { project, pool: peer.pool })).toBe(image.volume);
    const imported = await volume(peer.pool, image.volume);
    expect(imported).toMatchObject({ content_type: 'iso', config: { size: String(image.size) }, description: `The virtio-win ISO of Ferry's movers, SHA-256 ${image.sha256}` });
    expect(await ensureIsoImage(admin, image, { project, pool: peer.pool })).toBe(image.volume);
    expect((await volume(peer.pool, image.volume))!.created_at).toBe(imported!.created_at);
    expect(await volume(peer.pool, isoVolume(MOVER_IMAGE, image.sha256))).toBeNull();
  });

  it('names the Target field when the file is missing, or its volume holds something else', async () => {
    const missing = join(dir, 'virtio-win-none.iso');
    await expect(readIsoImage(VIRTIO_WIN_IMAGE, missing)).rejects.toMatchObject({
      code: 'virtio-win-image',
      message: expect.stringMatching(new RegExp(`^the virtio-win image ${missing} \\(virtio_win_image\\) is not a readable file on this machine: download virtio-win.iso`)),
    });
    const other = await readIsoImage(VIRTIO_WIN_IMAGE, makeIso('virtio-win-other', 100 * 1024));
    const first = await readIsoImage(VIRTIO_WIN_IMAGE, virtioWinIso);
    await ensureIsoImage(admin, { ...first, volume: other.volume, sha256: other.sha256 }, { project, pool: peer.poolB });
    await expect(ensureIsoImage(admin, other, { project, pool: peer.poolB })).rejects.toMatchObject({
      code: 'virtio-win-image',
      message: `volume ${other.volume} in pool ${peer.poolB} is not the virtio-win image ${other.path} (virtio_win_image): it holds ${first.size} bytes, the image ${other.size}; delete the volume and Ferry imports the image again`,
    });
  });
});

describe('preparing the mover VM', () => {
  it('creates each disk volume (block, its size, the markers) and the image volumes, reusing them when called again; a container refuses the devices', async () => {
    const provider = await open({ virtio_win_image: virtioWinIso });
    const stream = await openIncusTarget(unixTarget(peer, 'peer', { instance_type: 'container', container_image: peer.image }), { log });
    opened.push(stream);
    const action = createAction(peer, { project, name: 'mv-prep', fields: { disks: [{ name: '[ds1] mv-prep/a.vmdk', capacity: 4 * 1024 * 1024, supported: true }, { name: '[ds1] mv-prep/b.vmdk', capacity: 2 * 1024 * 1024, supported: true }] }, pools: { '[ds1] mv-prep/a.vmdk': peer.pool, '[ds1] mv-prep/b.vmdk': peer.poolB } });
    await stream.createInstance(action);
    const ref = { project, name: action.name };
    for (let round = 0; round < 2; round++) {
      // Incus validates the devices in no fixed order: the block volumes or the virtio-win ISO is refused first.
      await expect((provider.mover as IncusMover).prepare(ref, await instance(action.name), action)).rejects.toThrow(/Custom (block|ISO) volumes cannot be used on containers/);
      expect(await volume(peer.pool, 'mv-prep-disk0-a')).toMatchObject({ content_type: 'block', config: { size: String(4 * 1024 * 1024), 'user.ferry.entry': action.entry, 'user.ferry.attempt': action.attempt, 'user.ferry.instance': action.name, 'user.ferry.disk': '0' } });
      expect(await volume(peer.poolB, 'mv-prep-disk1-a')).toMatchObject({ content_type: 'block', config: { size: String(2 * 1024 * 1024), 'user.ferry.disk': '1' } });
      expect(await volume(peer.pool, (await readIsoImage(MOVER_IMAGE, iso)).volume)).toMatchObject({ content_type: 'iso' });
      expect(await volume(peer.pool, (await readIsoImage(VIRTIO_WIN_IMAGE, virtioWinIso)).volume)).toMatchObject({ content_type: 'iso' });
    }
    // Someone else's volume in a disk's slot is not taken over.
    const other = createAction(peer, { project, name: 'mv-prep', entry: action.entry, attempt: 2, fields: action.instance });
    await expect((provider.mover as IncusMover).prepare(ref, await instance(action.name), other)).rejects.toMatchObject({ code: 'marker-mismatch' });
  });
});

describe('passes on an instance (a container stands in for the mover VM)', () => {
  const SESSION = `"52${randomBytes(16).toString('hex')}"`;
  let action: ReturnType<typeof createAction>;
  let provider: Provider;
  let mover: MoverTarget;
  const lines: string[] = [];
  const ref = () => ({ project, name: action.name, entry: action.entry, attempt: action.attempt });
  const where = () => ({ source: 'dc1', target: 'peer', project, name: action.name });

  const job = (step: string, patch: Partial<MoverJob> = {}): MoverJob => ({
    version: 1,
    op: `${action.attempt}/${step}`,
    pass: 'warm',
    vcenter: { url: 'https://vc.example/sdk', fingerprint: 'ab'.repeat(32), session: SESSION },
    datacenter: '/DC0',
    vm: { moref: 'vm-42', uuid: action.entry },
    disks: [{ name: action.instance.disks[0]!.name, key: 2000, capacity: action.instance.disks[0]!.capacity, device: 'disk0' }],
    ...patch,
  });
  const report = (op: string, patch: Partial<MoverReport> = {}): string =>
    JSON.stringify({
      version: 1,
      op,
      state: 'running',
      message: 'copying disk0',
      progress: { done: 3, total: 10 },
      disks: [],
      updated_at: '2026-12-07T14:00:00Z',
      ...patch,
    } satisfies MoverReport);
  const transfers = () => moverTransfers({ source: () => { throw new Error('no source in this test'); }, target: () => provider, moverTargets: () => ['peer'], now: () => Date.now() });

  beforeAll(async () => {
    const sink = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done(); } });
    provider = await open({}, pino({ level: 'debug' }, sink));
    mover = provider.mover!;
    // Made as a stream target makes it (a mover target would attach block volumes, which a container cannot take).
    const stream = await openIncusTarget(unixTarget(peer, 'peer', { instance_type: 'container', container_image: peer.image }), { log });
    opened.push(stream);
    action = createAction(peer, { project, name: 'mv-1' });
    await stream.createInstance(action);
    const host = mkdtempSync(join(dir, 'disk0-'));
    await admin.call('PATCH', apiPath`/1.0/instances/${action.name}`, {
      query: { project },
      body: { devices: { disk0: { type: 'disk', source: host, path: '/mnt/disk0' }, 'ferry-mover': { type: 'disk', source: host, path: '/mnt/mover' } } },
    });
    await admin.call('PUT', apiPath`/1.0/instances/${action.name}/state`, { query: { project }, body: { action: 'start', timeout: -1 } });
  });

  it('writes the job into the instance config, once per op; a new op replaces it', async () => {
    await mover.writeMoverJob(ref(), job('sync-1'));
    expect(JSON.parse((await instance(action.name)).config[JOB_KEY]!)).toEqual(job('sync-1'));
    await mover.writeMoverJob(ref(), job('sync-1', { datacenter: '/changed' }));
    expect(JSON.parse((await instance(action.name)).config[JOB_KEY]!)).toMatchObject({ datacenter: '/DC0' });
    await mover.writeMoverJob(ref(), job('sync-2'));
    expect(JSON.parse((await instance(action.name)).config[JOB_KEY]!)).toMatchObject({ op: `${action.attempt}/sync-2` });
  });

  it('refuses an instance without these markers, and a disk the instance does not have', async () => {
    await expect(mover.writeMoverJob({ ...ref(), attempt: `${action.entry}#9` }, job('sync-3'))).rejects.toMatchObject({ code: 'marker-mismatch' });
    const error = await mover.writeMoverJob(ref(), job('sync-3', { disks: [{ name: 'other.vmdk', key: 1, capacity: 1, device: 'disk7' }] })).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'disk-mismatch' });
    expect((error as Error).message).not.toContain(SESSION);
    expect(JSON.parse((await instance(action.name)).config[JOB_KEY]!)).toMatchObject({ op: `${action.attempt}/sync-2` });
  });

  it("reads the mover's report through the file API, and records a succeeded warm pass's change ids", async () => {
    const op = `${action.attempt}/sync-2`;
    const transfer = transfers();
    expect(await transfer.operation(op, where())).toEqual({ state: 'running', message: 'waiting for the mover to take the job' });
    await putFile(action.name, REPORT_PATH, report(op));
    expect(await transfer.operation(op, where())).toEqual({ state: 'running', message: 'copying disk0', progress: { done: 3, total: 10 } });
    const disk = action.instance.disks[0]!.name;
    await putFile(
      action.name,
      REPORT_PATH,
      report(op, { state: 'succeeded', message: 'copied 1 disk', progress: { done: 10, total: 10 }, disks: [{ name: disk, device: 'disk0', copy: 'warm', bytes_written: 10, change_id: '52 aa/7', sha256: '00' }] }),
    );
    expect(await transfer.operation(op, where())).toMatchObject({ state: 'succeeded', message: 'copied 1 disk', progress: { done: 10, total: 10 } });
    const config = (await instance(action.name)).config;
    expect(config[IMPORT_KEY]).toBe(op);
    expect(JSON.parse(config[MOVER_STATE_KEY]!)).toEqual({ op, change_ids: { [disk]: '52 aa/7' } });
    expect(await mover.moverChangeIds({ project, name: action.name })).toEqual({ [disk]: '52 aa/7' });
    // A restarted reconciler learns it from the instance.
    expect(await transfers().operation(op, where())).toMatchObject({ state: 'succeeded' });
  });

  it('asks a warm pass of a Windows guest for the readiness check; a not-ready guest is a copy that succeeded with guest_not_ready, also after a restart', async () => {
    // The vCenter side of importDisks (a session of the mover's own) is the vcsim-incus suite's; here it is given.
    const disk = action.instance.disks[0]!;
    let running = true;
    const access = (): MoverAccess => ({
      vcenter: { url: 'https://vc.example/sdk', fingerprint: 'ab'.repeat(32), session: SESSION },
      datacenter: '/DC0',
      vm: { moref: 'vm-42', uuid: action.entry },
      running,
      disks: [{ index: 0, name: disk.name, key: 2000, capacity: disk.capacity }],
    });
    const vcenter = { name: 'dc1', moverAccess: async () => access() } as Partial<SourceProvider> as SourceProvider;
    const transfer = moverTransfers({ source: () => vcenter, target: () => provider, moverTargets: () => ['peer'], now: () => Date.now() });
    const importing = (step: string, mode: ImportDisksAction['mode']): ImportDisksAction => ({
      kind: 'import_disks',
      op: `${action.attempt}/${step}`,
      entry: action.entry,
      attempt: action.attempt,
      batch: 'wave-1',
      target: 'peer',
      project,
      name: action.name,
      source: 'dc1',
      vm: action.entry,
      mode,
      guest: { preparation: 'windows' },
    });

    const warm = importing('sync-win', 'background');
    await transfer.importDisks(warm);
    const written = JSON.parse((await instance(action.name)).config[JOB_KEY]!) as MoverJob;
    expect(written).toMatchObject({ op: warm.op, pass: 'warm', guest: { preparation: 'windows' }, disks: [{ name: disk.name, device: 'disk0' }] });
    expect(written).not.toHaveProperty('virtio_win'); // this Target names no virtio_win_image
    const failure = { code: 'no-virtio-storage-driver', message: 'Windows Server 2019 Standard has no virtio storage driver and the target gives no virtio-win ISO' };
    const copied = { state: 'succeeded' as const, message: 'copied 1 disk', progress: { done: 10, total: 10 }, disks: [{ name: disk.name, device: 'disk0', copy: 'warm' as const, bytes_written: 10, change_id: '52 aa/8', sha256: '00' }] };
    await putFile(action.name, REPORT_PATH, report(warm.op, { ...copied, readiness: { state: 'not-ready', family: 'windows', distribution: 'Windows Server 2019 Standard', details: [], failure } }));
    const notReady = `${failure.code}: ${failure.message}`;
    expect(await transfer.operation(warm.op, where())).toMatchObject({ state: 'succeeded', message: 'copied 1 disk', guest_not_ready: notReady });
    expect((await instance(action.name)).config[IMPORT_KEY]).toBe(warm.op);
    // A reconciler that stopped before the status kept it learns it again from the report.
    expect(await transfers().operation(warm.op, where())).toEqual({ state: 'succeeded', message: 'every disk was copied (recorded on the target)', guest_not_ready: notReady });

    // The cutover's delta copies what changed after the check: it does not ask again, and a ready report adds nothing.
    running = false;
    const final = importing('final-win', 'final');
    await transfer.importDisks(final);
    const delta = JSON.parse((await instance(action.name)).config[JOB_KEY]!) as MoverJob;
    expect(delta).toMatchObject({ op: final.op, pass: 'delta', disks: [{ device: 'disk0', change_id: '52 aa/8' }] });
    expect(delta).not.toHaveProperty('guest');
    await putFile(action.name, REPORT_PATH, report(final.op, { ...copied, readiness: { state: 'ready', family: 'windows', details: ['viostor is in the driver store'] } }));
    const ready = await transfer.operation(final.op, where());
    expect(ready).toMatchObject({ state: 'succeeded' });
    expect(ready).not.toHaveProperty('guest_not_ready');
  });

  it('attaches the virtio-win ISO before writing a job that names it; a container is refused only for being a container', async () => {
    const withIso = await open({ virtio_win_image: virtioWinIso });
    expect(withIso.mover!.virtioWinDevice()).toBe(VIRTIO_WIN_DEVICE);
    expect(provider.mover!.virtioWinDevice()).toBeNull();
    // Incus checks the device's keys, finds its pool and its volume, and reads the volume's content
    // type before it refuses an ISO volume for a container: a VM takes it (hot-plugged when running).
    await expect(withIso.mover!.writeMoverJob(ref(), job('sync-vw', { virtio_win: { device: VIRTIO_WIN_DEVICE } }))).rejects.toThrow(/Custom ISO volumes cannot be used on containers/);
    const image = await readIsoImage(VIRTIO_WIN_IMAGE, virtioWinIso);
    expect(await volume(peer.pool, image.volume)).toMatchObject({ content_type: 'iso' });
    const after = await instance(action.name);
    expect(after.devices[VIRTIO_WIN_DEVICE]).toBeUndefined();
    expect(JSON.parse(after.config[JOB_KEY]!)).toMatchObject({ op: `${action.attempt}/final-win` });
    // A prepare job names it too, so post-import attaches it first.
    const guest = { preparation: 'windows' as const, reason: 'a Windows guest', os_type: 'windows', distribution: 'Windows Server 2019' };
    const post = { kind: 'post_import' as const, op: `${action.attempt}/postimport-vw`, entry: action.entry, attempt: action.attempt, batch: 'wave-1', target: 'peer', project, name: action.name, guest };
    await expect(withIso.postImport(post)).rejects.toThrow(/Custom ISO volumes cannot be used on containers/);
    expect(JSON.parse((await instance(action.name)).config[JOB_KEY]!)).toMatchObject({ op: `${action.attempt}/final-win` });
  });

  it('says a failed pass failed, with the mover\'s reason', async () => {
    const op = `${action.attempt}/sync-4`;
    await mover.writeMoverJob(ref(), job('sync-4'));
    await putFile(action.name, REPORT_PATH, report(op, { state: 'failed', message: 'vCenter refused the session (NotAuthenticated)' }));
    expect(await transfers().operation(op, where())).toMatchObject({ state: 'failed', message: 'the mover failed: vCenter refused the session (NotAuthenticated)' });
  });

  it('withdraws a job on cancel: the key is removed and the pass reads as canceled', async () => {
    const op = `${action.attempt}/final`;
    await mover.writeMoverJob(ref(), job('final', { pass: 'delta' }));
    await putFile(action.name, REPORT_PATH, report(op));
    const transfer = transfers();
    await transfer.cancel({ kind: 'cancel_operation', op: `${op}/cancel`, cancel: op, entry: action.entry, attempt: action.attempt, batch: 'wave-1' });
    expect((await instance(action.name)).config[JOB_KEY]).toBeUndefined();
    expect(await transfer.operation(op, where())).toMatchObject({ state: 'canceled' });
    expect(await transfer.operation(`${op}/cancel`, where())).toMatchObject({ state: 'succeeded', message: 'the mover job was withdrawn' });
    // After a restart, the running report of a job that is gone is not a pass in flight.
    expect(await transfers().operation(op, where())).toBeUndefined();
    expect(await mover.withdrawMoverJob(op)).toBe(false);
  });

  it('says the mover has not started while the instance is stopped', async () => {
    await mover.writeMoverJob(ref(), job('sync-5'));
    await admin.call('PUT', apiPath`/1.0/instances/${action.name}/state`, { query: { project }, body: { action: 'stop', force: true, timeout: -1 } });
    expect(await transfers().operation(`${action.attempt}/sync-5`, where())).toEqual({ state: 'running', message: 'waiting for the mover to start' });
  });

  it('keeps the session out of observations, operation messages and logs', async () => {
    const observed = await provider.observe([project]);
    expect(observed.projects[project]!.instances[action.name]).toEqual({ running: false, entry: action.entry, attempt: action.attempt });
    expect(JSON.stringify(observed)).not.toContain(SESSION.slice(1, -1));
    expect(JSON.stringify(await transfers().operation(`${action.attempt}/sync-5`, where()))).not.toContain(SESSION.slice(1, -1));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes('mover job written'))).toBe(true);
    expect(lines.join('')).not.toContain(SESSION.slice(1, -1));
  });

  it('post-import of a guest to prepare writes a prepare job and reads its record; a failed preparation is a conflict', async () => {
    await admin.call('PUT', apiPath`/1.0/instances/${action.name}/state`, { query: { project }, body: { action: 'start', timeout: -1 } });
    const guest = { preparation: 'linux' as const, reason: 'a Linux guest', os_type: 'linux', distribution: 'debian' };
    const base = { kind: 'post_import' as const, entry: action.entry, attempt: action.attempt, batch: 'wave-1', target: 'peer', project, name: action.name, guest };
    const ok = { ...base, op: `${action.attempt}/postimport-prep` };
    await provider.postImport(ok);
    const written = JSON.parse((await instance(action.name)).config[JOB_KEY]!);
    expect(written).toMatchObject({ version: 1, op: ok.op, pass: 'prepare', disks: [{ device: 'disk0' }], guest: { preparation: 'linux', os_type: 'linux', distribution: 'debian' } });
    expect(JSON.stringify(written)).not.toContain(SESSION.slice(1, -1));
    await provider.postImport(ok); // idempotent: the same op changes nothing
    expect(await provider.operation(ok.op)).toEqual({ state: 'running', message: 'preparing the guest: waiting for the mover to take the job' });
    const steps = [{ step: 'incus-agent', changed: true, details: ['installed'] }, { step: 'vmware-tools', changed: false, details: ['none'] }];
    await putFile(action.name, REPORT_PATH, report(ok.op, { state: 'succeeded', message: 'guest prepared', preparation: { state: 'succeeded', family: 'debian', distribution: 'Debian GNU/Linux 12 (bookworm)', steps } }));
    expect(await provider.operation(ok.op)).toMatchObject({ state: 'succeeded', message: 'guest prepared (Debian GNU/Linux 12 (bookworm)): incus-agent', record: 'guest prepared (Debian GNU/Linux 12 (bookworm)): incus-agent' });
    // The mover stays until finalize (it stops the VM and removes it before the guest boots).
    expect((await instance(action.name)).devices['ferry-mover']).toBeDefined();

    const bad = { ...base, op: `${action.attempt}/postimport-prep-2` };
    await provider.postImport(bad);
    const failure = { code: 'unsupported-distribution', message: 'Alpine Linux v3.20 is not a family Ferry prepares' };
    await putFile(action.name, REPORT_PATH, report(bad.op, { state: 'failed', message: 'error unsupported-distribution', preparation: { state: 'failed', steps: [], failure } }));
    expect(await provider.operation(bad.op)).toMatchObject({ state: 'failed', conflict: true, message: 'unsupported-distribution: Alpine Linux v3.20 is not a family Ferry prepares' });

    // A guest not to prepare: post-import removes the mover at once (below).
    expect(await provider.operation(`${action.attempt}/postimport`)).toBeUndefined();
    await admin.call('PUT', apiPath`/1.0/instances/${action.name}/state`, { query: { project }, body: { action: 'stop', force: true, timeout: -1 } });
  });

  it('post-import stops the instance and removes the mover device and the job and state keys', async () => {
    await admin.call('PUT', apiPath`/1.0/instances/${action.name}/state`, { query: { project }, body: { action: 'start', timeout: -1 } });
    // A host directory stands in for the virtio-win ISO (a container takes no ISO volume).
    await admin.call('PATCH', apiPath`/1.0/instances/${action.name}`, { query: { project }, body: { devices: { [VIRTIO_WIN_DEVICE]: { type: 'disk', source: dir, path: '/mnt/virtio-win', readonly: 'true' } } } });
    const post = { kind: 'post_import' as const, op: `${action.attempt}/postimport`, entry: action.entry, attempt: action.attempt, batch: 'wave-1', target: 'peer', project, name: action.name };
    await provider.postImport(post);
    const after = await instance(action.name);
    expect(after.status).toBe('Stopped');
    expect(after.devices['ferry-mover']).toBeUndefined();
    expect(after.devices[VIRTIO_WIN_DEVICE]).toBeUndefined();
    expect(after.devices.disk0).toBeDefined();
    expect(after.config[JOB_KEY]).toBeUndefined();
    expect(after.config[MOVER_STATE_KEY]).toBeUndefined();
    expect(after.config['user.ferry.ops']!.split(' ')).toContain(post.op);
    expect(await provider.operation(post.op)).toMatchObject({ state: 'succeeded', message: `the mover is removed from instance ${action.name} (stopped; it boots from its own disk at finalize)` });
  });
});
