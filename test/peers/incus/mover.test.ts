// transfer: mover against the real Incus daemon, as far as this machine allows: the mover image
// imported once per pool as an ISO volume and reused; the job written into an instance's config
// with PATCH; the mover's report read through the file API; the change ids of a warm pass recorded;
// a job withdrawn; post-import removing the mover; and the session in the job reaching no
// observation, operation message, error or log line. Incus cannot create virtual machines here
// (no vhost_vsock), so a container stands in for the mover VM, its `disk0` and `ferry-mover`
// devices are host directories, and the test writes the report a mover would write (through the
// same file API). What a real mover VM does is in docs/testing.md.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_KEY, REPORT_PATH, type MoverJob, type MoverReport } from '../../../src/mover/protocol.js';
import { apiPath, type IncusClient } from '../../../src/providers/incus/client.js';
import type { IncusInstance } from '../../../src/providers/incus/definition.js';
import { openIncusTarget } from '../../../src/providers/incus/index.js';
import { IMPORT_KEY, MOVER_STATE_KEY } from '../../../src/providers/incus/markers.js';
import { ensureMoverImage, imageDescription, moverImageVolume, readMoverImage } from '../../../src/providers/incus/mover-image.js';
import { moverTransfers } from '../../../src/providers/mover-transfer.js';
import type { IncusMover } from '../../../src/providers/incus/mover.js';
import type { MoverTarget, TargetProvider } from '../../../src/providers/ports.js';
import { chunked, createAction, dropProject, incusPeer, log, scratchProject, unixClient, unixTarget, type IncusPeer } from './peer-env.js';

type Provider = TargetProvider & { close(): Promise<void> };

let peer: IncusPeer;
let admin: IncusClient;
let project: string;
let dir: string;
let iso: string;
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
});

afterAll(async () => {
  for (const provider of opened) await provider.close();
  if (project) await dropProject(admin, project);
  admin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the mover image', () => {
  it('is imported once per pool as an ISO volume named after its SHA-256, and reused after', async () => {
    const image = await readMoverImage(iso);
    expect(image.volume).toBe(moverImageVolume(image.sha256));
    expect(await ensureMoverImage(admin, image, { project, pool: peer.pool })).toBe(image.volume);
    const imported = await volume(peer.pool, image.volume);
    expect(imported).toMatchObject({ content_type: 'iso', config: { size: String(image.size) }, description: imageDescription(image.sha256) });

    expect(await ensureMoverImage(admin, image, { project, pool: peer.pool })).toBe(image.volume);
    expect((await volume(peer.pool, image.volume))!.created_at).toBe(imported!.created_at);

    await ensureMoverImage(admin, image, { project, pool: peer.poolB });
    expect(await volume(peer.poolB, image.volume)).toMatchObject({ content_type: 'iso', config: { size: String(image.size) } });
  });

  it('refuses a volume of its name that holds something else, and a missing image file', async () => {
    const other = await readMoverImage(makeIso('other', 900 * 1024));
    const first = await readMoverImage(iso);
    // A volume named after `other` holding the first image's bytes (another size).
    await ensureMoverImage(admin, { ...first, volume: other.volume, sha256: other.sha256 }, { project, pool: peer.pool });
    await expect(ensureMoverImage(admin, other, { project, pool: peer.pool })).rejects.toMatchObject({
      code: 'mover-image',
      message: `volume ${other.volume} in pool ${peer.pool} is not the mover image ${other.path}: it holds ${first.size} bytes, the image ${other.size}; delete the volume and Ferry imports the image again`,
    });
    await expect(readMoverImage(join(dir, 'none.iso'))).rejects.toMatchObject({ code: 'mover-image' });
  });
});

describe('preparing the mover VM', () => {
  it('creates each disk volume (block, its size, the markers) and the image volume, reusing them when called again; a container refuses the devices', async () => {
    const provider = await open();
    const stream = await openIncusTarget(unixTarget(peer, 'peer', { instance_type: 'container', container_image: peer.image }), { log });
    opened.push(stream);
    const action = createAction(peer, { project, name: 'mv-prep', fields: { disks: [{ name: '[ds1] mv-prep/a.vmdk', capacity: 4 * 1024 * 1024, supported: true }, { name: '[ds1] mv-prep/b.vmdk', capacity: 2 * 1024 * 1024, supported: true }] }, pools: { '[ds1] mv-prep/a.vmdk': peer.pool, '[ds1] mv-prep/b.vmdk': peer.poolB } });
    await stream.createInstance(action);
    const ref = { project, name: action.name };
    for (let round = 0; round < 2; round++) {
      await expect((provider.mover as IncusMover).prepare(ref, await instance(action.name), action)).rejects.toThrow(/block/i);
      expect(await volume(peer.pool, 'mv-prep-disk0-a')).toMatchObject({ content_type: 'block', config: { size: String(4 * 1024 * 1024), 'user.ferry.entry': action.entry, 'user.ferry.attempt': action.attempt, 'user.ferry.instance': action.name, 'user.ferry.disk': '0' } });
      expect(await volume(peer.poolB, 'mv-prep-disk1-a')).toMatchObject({ content_type: 'block', config: { size: String(2 * 1024 * 1024), 'user.ferry.disk': '1' } });
      expect(await volume(peer.pool, (await readMoverImage(iso)).volume)).toMatchObject({ content_type: 'iso' });
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
    const post = { kind: 'post_import' as const, op: `${action.attempt}/postimport`, entry: action.entry, attempt: action.attempt, batch: 'wave-1', target: 'peer', project, name: action.name };
    await provider.postImport(post);
    const after = await instance(action.name);
    expect(after.status).toBe('Stopped');
    expect(after.devices['ferry-mover']).toBeUndefined();
    expect(after.devices.disk0).toBeDefined();
    expect(after.config[JOB_KEY]).toBeUndefined();
    expect(after.config[MOVER_STATE_KEY]).toBeUndefined();
    expect(after.config['user.ferry.ops']!.split(' ')).toContain(post.op);
    expect(await provider.operation(post.op)).toMatchObject({ state: 'succeeded', message: `the mover is removed from instance ${action.name} (stopped; it boots from its own disk at finalize)` });
  });
});
