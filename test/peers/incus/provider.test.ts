// The incus TargetProvider against the real daemon: observe, create, disk imports read back byte
// for byte, post-import, finalize (NICs, start, running check), delete, markers, idempotency by
// operation id, and a restarted provider answering from what the instances record. Containers
// stand in wherever an instance has to exist or run: this machine cannot create virtual machines
// (Incus: "vhost_vsock kernel module not loaded"), which one test pins.

import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeleteInstanceAction, FinalizeInstanceAction, PostImportAction } from '../../../src/engine/actions.js';
import { IncusClient, apiPath } from '../../../src/providers/incus/client.js';
import type { IncusInstance } from '../../../src/providers/incus/definition.js';
import { openIncusTarget } from '../../../src/providers/incus/index.js';
import { ProviderError, type DiskWrite, type TargetProvider } from '../../../src/providers/ports.js';
import {
  chunked,
  createAction,
  diskBytes,
  dropProject,
  exportVolume,
  httpsTarget,
  incusPeer,
  incusTarget,
  log,
  scratchProject,
  unixClient,
  unixTarget,
  type IncusPeer,
} from './peer-env.js';

type Provider = TargetProvider & { close(): Promise<void> };

let peer: IncusPeer;
let admin: IncusClient;
let project: string;
const opened: Provider[] = [];

async function open(kind: 'https' | 'unix' = 'https', fields = {}): Promise<Provider> {
  const target = kind === 'https' ? httpsTarget(peer, 'peer', { instance_type: 'container', container_image: peer.image, ...fields }) : unixTarget(peer, 'peer', { instance_type: 'container', container_image: peer.image, ...fields });
  const provider = await openIncusTarget(target, { log });
  opened.push(provider);
  return provider;
}

async function instance(name: string): Promise<IncusInstance> {
  return (await admin.get<IncusInstance>(apiPath`/1.0/instances/${name}`, { project })).metadata;
}

async function exists(path: string): Promise<boolean> {
  return admin.get(path, { project }).then(() => true, () => false);
}

function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as ProviderError,
  );
}

function diskWrite(action: ReturnType<typeof createAction>, index: number, op: string): DiskWrite {
  return { project, name: action.name, op, entry: action.entry, attempt: action.attempt, index, disk: action.instance.disks[index]!.name, mode: 'offline' };
}

function follow(action: ReturnType<typeof createAction>, step: string) {
  return { op: `${action.attempt}/${step}`, entry: action.entry, attempt: action.attempt, batch: action.batch, target: 'peer', project, name: action.name };
}

beforeAll(async () => {
  peer = incusPeer();
  admin = unixClient(peer);
  project = await scratchProject(admin, 'ferry-provider');
});

afterAll(async () => {
  for (const provider of opened) await provider.close();
  if (project) await dropProject(admin, project);
  admin?.close();
});

describe('opening and observing', () => {
  it('opens without contacting the server, and observe reports a server that is down instead of throwing', async () => {
    const down = await openIncusTarget(incusTarget('down', { endpoint: 'https://127.0.0.1:1', tls_client_cert_from: { file: peer.clientCert }, tls_client_key_from: { file: peer.clientKey }, trusted_server_certificate_from: { file: peer.serverCert }, connection_timeout_ms: 3_000 }), { log });
    const observed = await down.observe(['default']);
    await down.close();
    expect(observed).toEqual({ reachable: false, message: 'cannot reach target down at https://127.0.0.1:1: the connection was refused', projects: {} });
  });

  it('fails to open with a sentence naming the reference when a secret is missing, never its value', async () => {
    const target = httpsTarget(peer, 'peer', { tls_client_key_from: { env: 'FERRY_NO_SUCH_KEY' } });
    await expect(openIncusTarget(target, { log, env: {} })).rejects.toMatchObject({ code: 'secret-unavailable', message: 'the client key of target peer comes from environment variable FERRY_NO_SUCH_KEY, which is not set' });
  });

  it('says plainly that Incus before 6.0.6 does not let a restricted certificate list storage pools', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-restricted-'));
    const cert = join(dir, 'c.pem');
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=ferry-restricted', '-keyout', join(dir, 'k.pem'), '-out', cert], { stdio: 'ignore' });
      execFileSync('incus', ['config', 'trust', 'add-certificate', cert, '--name', 'ferry-restricted', '--restricted', '--projects', project], { stdio: 'ignore' });
      const provider = await openIncusTarget(httpsTarget(peer, 'peer', { tls_client_cert_from: { file: cert }, tls_client_key_from: { file: join(dir, 'k.pem') } }), { log });
      const observed = await provider.observe([project]);
      await provider.close();
      expect(peer.version).toMatch(/^6\.0\.[0-5]\b/);
      expect(observed).toEqual({
        reachable: false,
        message: "target peer does not let Ferry's restricted certificate list storage pools (Incus before 6.0.6 refuses it to restricted certificates): trust Ferry's certificate without --restricted, or upgrade Incus",
        projects: {},
      });
    } finally {
      execFileSync('incus', ['config', 'trust', 'remove', new X509Certificate(readFileSync(cert)).fingerprint256.replace(/:/g, '').toLowerCase()], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists pools, networks and every instance of a project with its markers; a missing project is absent', async () => {
    await admin.call('POST', '/1.0/instances', { query: { project }, body: { name: 'foreign', type: 'container', source: { type: 'image', alias: peer.image } } });
    const provider = await open();
    const observed = await provider.observe([project, 'ferry-no-such-project']);
    expect(observed.reachable).toBe(true);
    expect(observed.message).toMatch(/^connected \(incus 6\.0\.\d+\)$/);
    expect(Object.keys(observed.projects)).toEqual([project]);
    const seen = observed.projects[project]!;
    expect(seen.pools).toEqual(expect.arrayContaining([peer.pool, peer.poolB]));
    expect(seen.networks).toContain(peer.network);
    expect(seen.instances.foreign).toEqual({ running: false, entry: null, attempt: null });
  });
});

describe('creating instances', () => {
  it('creates a stopped container with the markers, the source identity, its disks\' pools and the migration NIC, once per operation id', async () => {
    const provider = await open();
    const action = createAction(peer, { project, name: 'web-1', fields: { cpus: 2, memory: 512 * 1024 * 1024 } });
    await provider.createInstance(action);
    const created = await instance('web-1');
    expect(created.type).toBe('container');
    expect(created.status).toBe('Stopped');
    expect(created.config).toMatchObject({
      'user.ferry.entry': action.entry,
      'user.ferry.attempt': action.attempt,
      'user.ferry.batch': 'wave-1',
      'user.ferry.source': 'dc1',
      'user.ferry.source_uuid': action.instance.uuid,
      'user.ferry.source_id': 'vm-web-1',
      'user.ferry.location': '/DC1/vm/web-1',
      'user.ferry.ops': action.op,
      'user.ferry.disk.0.name': '[ds1] web-1/web-1.vmdk',
      'user.ferry.disk.0.pool': peer.pool,
      'user.ferry.nic.0.hwaddr': '00:16:3e:aa:00:01',
      'limits.cpu': '2',
      'limits.memory': `${512 * 1024 * 1024}B`,
    });
    expect(created.devices.root).toEqual({ type: 'disk', path: '/', pool: peer.pool });
    expect(created.devices.eth0).toEqual({ type: 'nic', name: 'eth0', network: peer.network });
    expect(await provider.operation(action.op)).toMatchObject({ state: 'succeeded', message: expect.stringContaining('created container web-1') });

    // The same operation again: already done, nothing is sent.
    await provider.createInstance(action);
    // A restarted Ferry (a new provider) calling it again adopts the instance it made.
    const restarted = await open('unix');
    await restarted.createInstance(action);
    expect((await instance('web-1')).config['user.ferry.ops']).toBe(action.op);
    expect(await restarted.operation(action.op)).toMatchObject({ state: 'succeeded' });
  });

  it('refuses a name taken by an instance that is not this attempt\'s, and reports the operation failed', async () => {
    const provider = await open();
    const action = createAction(peer, { project, name: 'foreign' });
    const error = await failureOf(provider.createInstance(action));
    expect(error.code).toBe('name-taken');
    expect(error.message).toBe(`an instance named foreign already exists in project ${project} on target peer with no Ferry markers; it is not this attempt's, so Ferry does not reuse it`);
    expect(await provider.operation(action.op)).toMatchObject({ state: 'failed', message: error.message });
    expect((await instance('foreign')).config['user.ferry.entry']).toBeUndefined();
  });

  it('refuses a placement on a project, pool or migration network that does not exist', async () => {
    const provider = await open();
    const cases: [ReturnType<typeof createAction>, string][] = [
      [createAction(peer, { project: 'ferry-no-such-project', name: 'x1' }), 'project "ferry-no-such-project" does not exist on target peer'],
      [createAction(peer, { project, name: 'x2', pools: { '[ds1] x2/x2.vmdk': 'no-such-pool' } }), 'storage pool "no-such-pool" does not exist on target peer'],
      [createAction(peer, { project, name: 'x3', migrationNetwork: 'no-such-net' }), `migration network "no-such-net" does not exist in project ${project} on target peer`],
    ];
    for (const [action, message] of cases) {
      await expect(provider.createInstance(action)).rejects.toMatchObject({ code: 'placement', message });
    }
  });

  it('cannot create a virtual machine on this machine, and says why (Incus has no vhost_vsock here)', async () => {
    const provider = await open('https', { instance_type: 'virtual-machine', container_image: undefined });
    const action = createAction(peer, { project, name: 'vm-1' });
    const error = await failureOf(provider.createInstance(action));
    expect(error.message).toMatch(/virtual-machine.*not supported.*vhost_vsock/i);
    expect(await provider.operation(action.op)).toMatchObject({ state: 'failed' });
    expect(await exists(apiPath`/1.0/instances/${'vm-1'}`)).toBe(false);
  });
});

describe('disk imports', () => {
  const size0 = 3 * 1024 * 1024 + 512;
  const size1 = 5 * 1024 * 1024;
  let action: ReturnType<typeof createAction>;

  beforeAll(async () => {
    action = createAction(peer, {
      project,
      name: 'db-1',
      fields: {
        disks: [
          { name: '[ds1] db-1/db-1.vmdk', capacity: size0, supported: true },
          { name: '[ds1] db-1/db-1_1.vmdk', capacity: size1, supported: true },
          { name: '[ds1] db-1/shared.vmdk', capacity: 1024, supported: false },
        ],
      },
      pools: { '[ds1] db-1/db-1.vmdk': peer.pool, '[ds1] db-1/db-1_1.vmdk': peer.poolB },
    });
    await (await open()).createInstance(action);
  });

  it('streams each disk into a custom block volume in its pool, with markers, and it reads back byte for byte', async () => {
    const provider = await open();
    const op = `${action.attempt}/offline-2`;
    const disks = [diskBytes(1, size0), diskBytes(2, size1)];
    for (const [index, bytes] of disks.entries()) {
      await provider.writeDisk(diskWrite(action, index, op), { size: bytes.length, stream: chunked(bytes) }, new AbortController().signal);
    }
    const config = (await instance('db-1')).config;
    for (const [index, bytes] of disks.entries()) {
      const pool = index === 0 ? peer.pool : peer.poolB;
      const volume = config[`user.ferry.disk.${index}.volume`]!;
      expect(volume).toBe(`db-1-disk${index}-a`);
      expect(config[`user.ferry.disk.${index}.sha256`]).toBe(createHash('sha256').update(bytes).digest('hex'));
      const { metadata } = await admin.get<{ content_type: string; config: Record<string, string> }>(apiPath`/1.0/storage-pools/${pool}/volumes/custom/${volume}`, { project });
      expect(metadata.content_type).toBe('block');
      expect(metadata.config).toMatchObject({ 'user.ferry.entry': action.entry, 'user.ferry.attempt': action.attempt, 'user.ferry.instance': 'db-1', 'user.ferry.disk': String(index), 'user.ferry.op': op, size: String(bytes.length) });
      const read = await exportVolume(admin, pool, project, volume);
      // The pool rounds a block volume up to its block size with zeros.
      expect(read.subarray(0, bytes.length).equals(bytes)).toBe(true);
      expect(read.subarray(bytes.length).every((byte) => byte === 0)).toBe(true);
    }
    // Disks of a container are not attached (Incus cannot), only recorded.
    expect(Object.keys((await instance('db-1')).devices)).toEqual(['eth0', 'root']);
  });

  it('replaces what an earlier pass wrote: the new copy goes to the other slot and the old volume is deleted', async () => {
    const provider = await open();
    const bytes = diskBytes(3, size0);
    await provider.writeDisk(diskWrite(action, 0, `${action.attempt}/final-3`), { size: bytes.length, stream: chunked(bytes) }, new AbortController().signal);
    const config = (await instance('db-1')).config;
    expect(config['user.ferry.disk.0.volume']).toBe('db-1-disk0-b');
    expect(await exists(apiPath`/1.0/storage-pools/${peer.pool}/volumes/custom/${'db-1-disk0-a'}`)).toBe(false);
    expect((await exportVolume(admin, peer.pool, project, 'db-1-disk0-b')).subarray(0, bytes.length).equals(bytes)).toBe(true);
  });

  it('fails a disk that yields fewer bytes than announced, and leaves no volume behind', async () => {
    const provider = await open();
    const bytes = diskBytes(4, size0);
    const error = await failureOf(provider.writeDisk(diskWrite(action, 0, `${action.attempt}/final-4`), { size: bytes.length, stream: chunked(bytes.subarray(0, size0 - 4096)) }, new AbortController().signal));
    expect(error.code).toBe('short-read');
    expect((await instance('db-1')).config['user.ferry.disk.0.volume']).toBe('db-1-disk0-b');
    expect(await exists(apiPath`/1.0/storage-pools/${peer.pool}/volumes/custom/${'db-1-disk0-a'}`)).toBe(false);
  });

  it('stops writing when the transfer is aborted', async () => {
    const provider = await open();
    const controller = new AbortController();
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield Buffer.alloc(65536);
      controller.abort(new ProviderError('canceled', 'the transfer was canceled'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      yield Buffer.alloc(65536);
    }
    await expect(provider.writeDisk(diskWrite(action, 0, `${action.attempt}/final-5`), { size: size0, stream: slow() }, controller.signal)).rejects.toMatchObject({ code: 'canceled' });
    expect((await instance('db-1')).config['user.ferry.disk.0.volume']).toBe('db-1-disk0-b');
  });

  it('refuses to write into an instance without this attempt\'s markers', async () => {
    const provider = await open();
    const bytes = diskBytes(5, 4096);
    const foreign = { ...diskWrite(action, 0, `${action.attempt}/final-6`), name: 'foreign' };
    await expect(provider.writeDisk(foreign, { size: bytes.length, stream: chunked(bytes) }, new AbortController().signal)).rejects.toMatchObject({ code: 'marker-mismatch' });
    const otherAttempt = { ...diskWrite(action, 0, `${action.entry}#9/final-6`), attempt: `${action.entry}#9` };
    await expect(provider.writeDisk(otherAttempt, { size: bytes.length, stream: chunked(bytes) }, new AbortController().signal)).rejects.toMatchObject({ code: 'marker-mismatch' });
  });

  it('records the import on the instance, so a restarted Ferry knows it completed', async () => {
    const provider = await open();
    const op = `${action.attempt}/offline-2`;
    expect(await provider.lastImport({ project, name: 'db-1' })).toBeNull();
    await provider.recordImport({ project, name: 'db-1' }, op);
    expect(await (await open('unix')).lastImport({ project, name: 'db-1' })).toBe(op);
    expect(await provider.lastImport({ project, name: 'nothing-here' })).toBeNull();
    await expect(provider.recordImport({ project, name: 'db-1' }, `${action.entry}#7/offline-1`)).rejects.toMatchObject({ code: 'marker-mismatch' });
  });

  it('post-import checks that every placed disk was imported', async () => {
    const provider = await open();
    const postImport: PostImportAction = { kind: 'post_import', ...follow(action, 'postimport-7') };
    await provider.postImport(postImport);
    expect(await provider.operation(postImport.op)).toMatchObject({ state: 'succeeded', message: 'post-import checks done: 2 disk(s) imported' });

    const bare = createAction(peer, { project, name: 'bare-1' });
    await provider.createInstance(bare);
    const early: PostImportAction = { kind: 'post_import', ...follow(bare, 'postimport-2') };
    await expect(provider.postImport(early)).rejects.toMatchObject({ code: 'import-incomplete', message: 'instance bare-1: disk(s) [ds1] bare-1/bare-1.vmdk were never imported' });
  });
});

describe('finalizing', () => {
  it('replaces the migration NIC with the source\'s NICs, starts the instance and checks it runs', async () => {
    const provider = await open();
    const action = createAction(peer, {
      project,
      name: 'app-1',
      fields: { nics: [{ hardware_address: '00:16:3e:aa:01:01', ipv4_address: '10.211.0.51' }, { hardware_address: '00:16:3e:aa:01:02', ipv4_address: '192.0.2.9' }] },
    });
    action.placement.networks['00:16:3e:aa:01:02'] = { network: peer.networkB, nictype: 'managed', vlan_id: '' };
    await provider.createInstance(action);
    const finalize: FinalizeInstanceAction = { kind: 'finalize_instance', ...follow(action, 'finalize-2'), placement: action.placement, start: true };
    await provider.finalizeInstance(finalize);
    const done = await instance('app-1');
    expect(done.status).toBe('Running');
    expect(done.devices.eth0).toEqual({ type: 'nic', name: 'eth0', network: peer.network, hwaddr: '00:16:3e:aa:01:01', 'ipv4.address': '10.211.0.51' });
    // An address outside the network's subnet is left to DHCP.
    expect(done.devices.eth1).toEqual({ type: 'nic', name: 'eth1', network: peer.networkB, hwaddr: '00:16:3e:aa:01:02' });
    expect(done.config['user.ferry.ops']).toBe(`${action.op} ${finalize.op}`);
    expect(await provider.operation(finalize.op)).toMatchObject({ state: 'succeeded', message: 'applied 2 NIC(s); started instance app-1, it is running' });
    // Finalizing again (a restarted Ferry that lost the answer) changes nothing and keeps it running.
    await (await open('unix')).finalizeInstance(finalize);
    expect((await instance('app-1')).status).toBe('Running');
  });

  it('fails when a NIC\'s network no longer exists on the target (the engine makes that a Conflict)', async () => {
    const provider = await open();
    const action = createAction(peer, { project, name: 'app-2' });
    await provider.createInstance(action);
    const placement = { ...action.placement, networks: { '00:16:3e:aa:00:01': { network: 'gone-net', nictype: 'managed' as const, vlan_id: '' } } };
    const finalize: FinalizeInstanceAction = { kind: 'finalize_instance', ...follow(action, 'finalize-2'), placement, start: true };
    const error = await failureOf(provider.finalizeInstance(finalize));
    expect(error).toMatchObject({ code: 'network-missing', message: `network "gone-net" for NIC 00:16:3e:aa:00:01 does not exist in project ${project} on target peer` });
    expect(await provider.operation(finalize.op)).toMatchObject({ state: 'failed', message: error.message });
    expect((await instance('app-2')).status).toBe('Stopped');
  });
});

describe('deleting', () => {
  it('refuses an instance without this entry\'s and attempt\'s markers and leaves it alone', async () => {
    const provider = await open();
    const action = createAction(peer, { project, name: 'foreign' });
    const del: DeleteInstanceAction = { kind: 'delete_instance', ...follow(action, 'delete-2') };
    await expect(provider.deleteInstance(del)).rejects.toMatchObject({ code: 'marker-mismatch' });
    expect(await exists(apiPath`/1.0/instances/${'foreign'}`)).toBe(true);
    // A refusal is not an operation that ran.
    expect(await provider.operation(del.op)).toBeUndefined();
  });

  it('deletes its own instance (running or not) with the volumes carrying its markers, and is done when it is gone', async () => {
    const provider = await open();
    const action = createAction(peer, { project, name: 'gone-1' });
    await provider.createInstance(action);
    const bytes = diskBytes(6, 1024 * 1024);
    await provider.writeDisk(diskWrite(action, 0, `${action.attempt}/offline-2`), { size: bytes.length, stream: chunked(bytes) }, new AbortController().signal);
    await provider.finalizeInstance({ kind: 'finalize_instance', ...follow(action, 'finalize-3'), placement: action.placement, start: true });
    // A volume of another attempt of the same instance name is not this delete's.
    await admin.call('POST', apiPath`/1.0/storage-pools/${peer.pool}/volumes/custom`, { query: { project }, body: { name: 'gone-1-other', content_type: 'block', config: { size: '1MiB', 'user.ferry.entry': action.entry, 'user.ferry.attempt': `${action.entry}#0`, 'user.ferry.instance': 'gone-1' } } });

    const del: DeleteInstanceAction = { kind: 'delete_instance', ...follow(action, 'delete-4') };
    await provider.deleteInstance(del);
    expect(await exists(apiPath`/1.0/instances/${'gone-1'}`)).toBe(false);
    expect(await exists(apiPath`/1.0/storage-pools/${peer.pool}/volumes/custom/${'gone-1-disk0-a'}`)).toBe(false);
    expect(await exists(apiPath`/1.0/storage-pools/${peer.pool}/volumes/custom/${'gone-1-other'}`)).toBe(true);
    expect(await provider.operation(del.op)).toMatchObject({ state: 'succeeded', message: `deleted instance gone-1 and its volume(s) ${peer.pool}/gone-1-disk0-a` });

    // After a restart the delete is unknown; dispatched again, it finds nothing to do.
    const restarted = await open('unix');
    expect(await restarted.operation(del.op)).toBeUndefined();
    await restarted.deleteInstance(del);
    expect(await restarted.operation(del.op)).toMatchObject({ state: 'succeeded', message: `instance gone-1 does not exist in project ${project}; nothing to delete` });
  });
});

describe('operations after a restart', () => {
  it('answers from the ids recorded on the instances, and knows nothing of an id never run', async () => {
    const first = await open();
    const action = createAction(peer, { project, name: 'ops-1' });
    await first.createInstance(action);
    const postImport: PostImportAction = { kind: 'post_import', ...follow(action, 'postimport-2') };
    await first.postImport(postImport).catch(() => undefined);
    const restarted = await open('unix');
    expect(await restarted.operation(action.op)).toEqual({ state: 'succeeded', message: `recorded on instance ops-1 in project ${project}` });
    expect(await restarted.operation(`${action.attempt}/finalize-9`)).toBeUndefined();
    expect(await restarted.operation('00000000-0000-4000-8000-ffffffffffff#1/create-1')).toBeUndefined();
  });
});
