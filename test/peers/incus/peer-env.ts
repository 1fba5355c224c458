// Where the peer install put the Incus daemon (test/peers/.cache/incus.env), and what the tests
// share: clients, a scratch project per test file, targets, actions, disks of known content and
// reading a volume back through the backup export API. A missing daemon fails the tests; it never
// skips them.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { CreateInstanceAction } from '../../../src/engine/actions.js';
import type { Target } from '../../../src/model/desired.js';
import { normalizeInstance, type InstanceDocument } from '../../../src/model/instance.js';
import { IncusClient, apiPath } from '../../../src/providers/incus/client.js';
import type { IncusInstance } from '../../../src/providers/incus/definition.js';

const here = dirname(fileURLToPath(import.meta.url));
export const PEER_CACHE = join(here, '..', '.cache');

export interface IncusPeer {
  version: string;
  socket: string;
  endpoint: string;
  clientCert: string;
  clientKey: string;
  serverCert: string;
  serverFingerprint: string;
  pool: string;
  network: string;
  /** A second pool and a second managed bridge. */
  poolB: string;
  networkB: string;
  image: string;
}

export function incusPeer(): IncusPeer {
  const envFile = join(PEER_CACHE, 'incus.env');
  if (!existsSync(envFile)) throw new Error(`${envFile} not found: run \`FERRY_PEERS=incus npm run test:peers\` (test/peers/incus/install.sh)`);
  const env = Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  ) as Record<string, string>;
  const peer: IncusPeer = {
    version: env.INCUS_VERSION ?? '',
    socket: env.INCUS_SOCKET ?? '/var/lib/incus/unix.socket',
    endpoint: env.INCUS_ENDPOINT ?? 'https://127.0.0.1:8444',
    clientCert: env.INCUS_CLIENT_CERT ?? '',
    clientKey: env.INCUS_CLIENT_KEY ?? '',
    serverCert: env.INCUS_SERVER_CERT ?? '',
    serverFingerprint: env.INCUS_SERVER_FINGERPRINT ?? '',
    pool: env.INCUS_POOL ?? 'default',
    network: env.INCUS_NETWORK ?? 'ferrybr0',
    poolB: env.INCUS_POOL_B ?? 'ferry-b',
    networkB: env.INCUS_NETWORK_B ?? 'ferrybr1',
    image: env.INCUS_IMAGE ?? 'ferry-busybox',
  };
  for (const file of [peer.socket, peer.clientCert, peer.clientKey, peer.serverCert]) {
    if (!existsSync(file)) throw new Error(`${file} not found: is incusd running? run test/peers/incus/install.sh`);
  }
  return peer;
}

export const log = pino({ level: process.env.FERRY_TEST_LOG ?? 'silent' });

export function unixClient(peer: IncusPeer): IncusClient {
  return new IncusClient({ target: 'peer', endpoint: `unix://${peer.socket}`, timeoutMs: 30_000, log });
}

/** A project of its own for a test file: shares the default profile and images, keeps its own volumes. */
export async function scratchProject(client: IncusClient, prefix: string): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
  await client.call('POST', '/1.0/projects', {
    body: { name, config: { 'features.images': 'false', 'features.profiles': 'false', 'features.networks': 'false', 'features.storage.volumes': 'true' } },
  });
  return name;
}

/** Removes everything in a scratch project, then the project. */
export async function dropProject(client: IncusClient, project: string): Promise<void> {
  const { metadata: instances } = await client.get<IncusInstance[]>('/1.0/instances', { project, recursion: '1' });
  for (const instance of instances) {
    if (instance.status !== 'Stopped') await client.call('PUT', apiPath`/1.0/instances/${instance.name}/state`, { query: { project }, body: { action: 'stop', force: true } });
    await client.call('DELETE', apiPath`/1.0/instances/${instance.name}`, { query: { project } });
  }
  const pools = (await client.get<string[]>('/1.0/storage-pools')).metadata.map((url) => url.split('/').pop()!);
  for (const pool of pools) {
    const { metadata: volumes } = await client.get<{ name: string }[]>(apiPath`/1.0/storage-pools/${pool}/volumes/custom`, { project, recursion: '1' });
    for (const volume of volumes) await client.call('DELETE', apiPath`/1.0/storage-pools/${pool}/volumes/custom/${volume.name}`, { query: { project } });
  }
  await client.call('DELETE', apiPath`/1.0/projects/${project}`);
}

const origin = { file: 'targets/peer.yaml', line: 1, column: 1 };

export function incusTarget(name: string, fields: Partial<Target>): Target {
  return {
    meta: { name, origin, apiVersion: 'ferry.dev/v1alpha1', at: {} } as Target['meta'],
    type: 'incus',
    transfer: 'stream',
    import_limit: 50,
    create_limit: 10,
    connection_timeout_ms: 30_000,
    ...fields,
  };
}

/** The peer over HTTPS with its certificate pinned, secrets by reference from files. */
export function httpsTarget(peer: IncusPeer, name = 'peer', fields: Partial<Target> = {}): Target {
  return incusTarget(name, {
    endpoint: peer.endpoint,
    tls_client_cert_from: { file: peer.clientCert },
    tls_client_key_from: { file: peer.clientKey },
    trusted_server_certificate_from: { file: peer.serverCert },
    ...fields,
  });
}

export function unixTarget(peer: IncusPeer, name = 'peer', fields: Partial<Target> = {}): Target {
  return incusTarget(name, { endpoint: `unix://${peer.socket}`, ...fields });
}

let serial = 0;

/** A deterministic UUID-shaped id per call. */
export function uuid(): string {
  serial++;
  return `00000000-0000-4000-8000-${(Date.now() % 1e9).toString(16).padStart(8, '0')}${serial.toString(16).padStart(4, '0')}`;
}

export function vmRecord(name: string, fields: Partial<InstanceDocument> = {}) {
  return normalizeInstance({
    uuid: uuid(),
    source_specific_id: `vm-${name}`,
    location: `/DC1/vm/${name}`,
    name,
    architecture: 'x86_64',
    cpus: 1,
    memory: 256 * 1024 * 1024,
    running: false,
    source: 'dc1',
    nics: [{ hardware_address: '00:16:3e:aa:00:01', location: '/DC1/network/VM-Network', ipv4_address: '10.211.0.50' }],
    disks: [{ name: `[ds1] ${name}/${name}.vmdk`, capacity: 3 * 1024 * 1024, supported: true }],
    ...fields,
  });
}

export interface ActionFields {
  project: string;
  name: string;
  pools?: Record<string, string>;
  migrationNetwork?: string | null;
  fields?: Partial<InstanceDocument>;
  attempt?: number;
  step?: number;
  entry?: string;
}

/** A create action as decide would hand it out (entry = the VM's UUID, op `<entry>#<attempt>/create-<step>`). */
export function createAction(peer: IncusPeer, f: ActionFields): CreateInstanceAction {
  const instance = vmRecord(f.name, f.fields);
  const entry = f.entry ?? instance.uuid;
  const attempt = `${entry}#${f.attempt ?? 1}`;
  const storage_pools = f.pools ?? Object.fromEntries(instance.disks.map((disk) => [disk.name, peer.pool]));
  const networks = Object.fromEntries(instance.nics.map((nic) => [nic.hardware_address, { network: peer.network, nictype: 'managed' as const, vlan_id: '' }]));
  return {
    kind: 'create_instance',
    op: `${attempt}/create-${f.step ?? 1}`,
    entry,
    attempt,
    batch: 'wave-1',
    target: 'peer',
    project: f.project,
    name: f.name,
    source: 'dc1',
    instance: { ...instance, uuid: entry },
    placement: { target_name: 'peer', target_project: f.project, storage_pools, networks, running: true },
    migration_network: f.migrationNetwork === null ? null : { network: f.migrationNetwork ?? peer.network, nictype: 'managed', vlan_id: '' },
  };
}

/** `size` bytes that depend on `seed` and on every offset (a shifted or short copy never matches). */
export function diskBytes(seed: number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

export async function* chunked(bytes: Buffer, size = 256 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, Math.min(bytes.length, offset + size));
}

/** A volume's bytes as Incus exports them (a backup without compression); block volumes are `backup/volume.img`. */
export async function exportVolume(client: IncusClient, pool: string, project: string, volume: string): Promise<Buffer> {
  const base = apiPath`/1.0/storage-pools/${pool}/volumes/custom/${volume}`;
  const backup = `readback-${Date.now().toString(36)}`;
  await client.call('POST', `${base}/backups`, { query: { project }, body: { name: backup, volume_only: true, compression_algorithm: 'none' } });
  try {
    const response = await client.download(`${base}/backups/${encodeURIComponent(backup)}/export`, { project });
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return tarMember(Buffer.concat(chunks), 'backup/volume.img');
  } finally {
    await client.call('DELETE', `${base}/backups/${encodeURIComponent(backup)}`, { query: { project } });
  }
}

/** One member of an uncompressed tar (ustar; pax size records honoured). */
export function tarMember(tar: Buffer, wanted: string): Buffer {
  let offset = 0;
  let paxSize: number | null = null;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (name === '') break;
    let size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    const start = offset + 512;
    if (type === 'x') {
      const match = /\d+ size=(\d+)\n/.exec(tar.subarray(start, start + size).toString('utf8'));
      paxSize = match ? Number(match[1]) : null;
    } else {
      if (paxSize !== null) size = paxSize;
      paxSize = null;
      if (name === wanted) return tar.subarray(start, start + size);
    }
    offset = start + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${wanted} is not in the archive`);
}
