// A vCenter or ESXi host as a Ferry source (DESIGN §4): inventory, fresh VM reads, power changes
// and offline disk reads, over the vim25 SOAP API. Opening reads nothing and contacts nobody;
// the first call connects (reading the password and any trusted certificate by reference) and
// logs in. Nothing here holds or prints a secret beyond the Login call itself.

import type https from 'node:https';
import type { Logger } from 'pino';
import type { SourceObservation } from '../../engine/observations.js';
import { STEP_NAMES } from '../../engine/operations.js';
import type { Source } from '../../model/desired.js';
import type { InstanceRecord } from '../../model/instance.js';
import { formatTimestamp } from '../../model/timestamp.js';
import { ProviderError, type DiskData, type ImportMode, type MoverAccess, type SourceProvider } from '../ports.js';
import { describeSecretRef, readSecret } from '../secrets.js';
import { VimClient } from './client.js';
import { readDiskData } from './disk-data.js';
import { VimFault } from './faults.js';
import { readContext, readOneVm, syncInventory, type SyncContext, type SyncSettings, type VmLocator } from './inventory.js';
import { PowerOperations, readPowerState } from './power.js';
import { cloneSession } from './session-clone.js';
import { sdkUrl, SoapTransport } from './soap.js';
import { readVmTags } from './tags.js';
import { trustingAgent, type TlsTrust } from './tls.js';
import type { MoRef } from './values.js';
import type { MappedVm } from './vm-record.js';

export interface VmwareSourceOptions {
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

export type VmwareSource = SourceProvider & { close(): Promise<void> };

interface Connection {
  client: VimClient;
  transport: SoapTransport;
  agent: https.Agent;
}

/** What an operator reads when a source does not answer (migration-manager's connectivity statuses). */
function connectivity(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ProviderError ? error.code : '';
  if (code === 'tls-untrusted' || code === 'invalid-certificate') return `TLS error: ${message}`;
  if (code === 'invalid-login' || code === 'secret-unavailable') return `Authentication error: ${message}`;
  if (code === 'unreachable' || code === 'timeout') return `Cannot connect: ${message}`;
  return message;
}

export async function openVmwareSource(source: Source, options: VmwareSourceOptions): Promise<VmwareSource> {
  const name = source.meta.name;
  const log = options.log;
  const env = options.env ?? process.env;
  const problems: string[] = [];
  if (source.type !== 'vmware') problems.push(`source ${name} is of type ${source.type}, not vmware`);
  if (!source.endpoint) problems.push(`source ${name} has no endpoint`);
  else if (!/^https:\/\//.test(source.endpoint)) problems.push(`source ${name}: the endpoint must be an https:// URL`);
  if (!source.username) problems.push(`source ${name} has no username`);
  if (!source.password_from) problems.push(`source ${name} has no password_from`);
  const endpoint = problems.length === 0 ? sdkUrl(source.endpoint!) : null;
  const host = endpoint?.host ?? source.endpoint ?? name;
  const settings: SyncSettings = {
    source: name,
    host,
    datacenters: source.datacenters.length > 0 ? source.datacenters : ['/...'],
    syncLimit: Math.max(1, source.sync_limit),
    syncTimeoutMs: source.sync_timeout_ms,
  };

  let connecting: Promise<Connection> | null = null;
  let context: SyncContext | null = null;
  let locators = new Map<string, VmLocator>();
  let duplicates = new Set<string>();
  /** The SHA-256 fingerprint of the server certificate the last connection verified (a mover pins it). */
  let verifiedFingerprint: string | null = null;

  const connection = (): Promise<Connection> => {
    if (problems.length > 0) return Promise.reject(new ProviderError('invalid-source', problems.join('; ')));
    connecting ??= (async () => {
      const trust: TlsTrust = {};
      if (source.trusted_server_certificate_fingerprint !== undefined) trust.fingerprint = source.trusted_server_certificate_fingerprint;
      if (source.trusted_server_certificate_from !== undefined) {
        trust.certificate = await readSecret(source.trusted_server_certificate_from, `the trusted certificate of source ${name}`, env);
      }
      const agent = trustingAgent(trust, {
        maxSockets: settings.syncLimit + 4,
        connectTimeoutMs: source.connection_timeout_ms,
        onTrusted: (fingerprint) => (verifiedFingerprint = fingerprint),
      });
      const transport = new SoapTransport({ url: endpoint!, agent, log, timeoutMs: source.connection_timeout_ms });
      const password = () => readSecret(source.password_from!, `the password of source ${name}`, env);
      const client = new VimClient(transport, { username: source.username!, password }, log);
      return { client, transport, agent };
    })().catch((error: unknown) => {
      connecting = null;
      throw error;
    });
    return connecting;
  };

  const base = (): URL => new URL(endpoint!.href.replace(/\/sdk$/, ''));
  const now = () => formatTimestamp(Date.now());

  const readTags = async (conn: Connection) => {
    const password = await readSecret(source.password_from!, `the password of source ${name}`, env);
    return readVmTags({
      base: new URL(`${base().href.replace(/\/$/, '')}/rest`),
      agent: conn.agent,
      timeoutMs: source.connection_timeout_ms,
      username: source.username!,
      password,
      concurrency: Math.max(4, settings.syncLimit),
    });
  };

  const ensureContext = async (conn: Connection, refresh = false): Promise<SyncContext> => {
    if (context === null || refresh) context = await readContext(conn.client, settings, () => readTags(conn), now());
    return context;
  };

  /** The VM with this instance UUID: from the last sync, else by a search; null when there is none. */
  const findVm = async (conn: Connection, uuid: string): Promise<{ vm: MappedVm; ref: MoRef } | null> => {
    const ctx = await ensureContext(conn);
    const known = locators.get(uuid)?.ref;
    const search = async (): Promise<MoRef | null> => {
      const found = await conn.client.findVmsByUuid(uuid);
      if (found.length > 1 || duplicates.has(uuid.toLowerCase())) {
        throw new ProviderError('duplicate-uuid', `several VMs on source ${name} have the instance UUID ${uuid}; Ferry acts on none of them`);
      }
      return found[0] ?? null;
    };
    const candidates: (() => Promise<MoRef | null>)[] = [async () => known ?? null, search];
    for (const candidate of candidates) {
      const ref = await candidate();
      if (ref === null) continue;
      let vm: MappedVm | null;
      try {
        vm = await readOneVm(conn.client, ref, uuid, { ...ctx, readAt: now() }, settings.syncTimeoutMs);
      } catch (error) {
        // A VM moved into a folder created after the last read of the tree.
        if (!(error instanceof ProviderError && error.code === 'incomplete')) throw error;
        vm = await readOneVm(conn.client, ref, uuid, { ...(await ensureContext(conn, true)), readAt: now() }, settings.syncTimeoutMs);
      }
      if (vm === null) continue;
      if (vm.datacenter === null || !ctx.selected.has(vm.datacenter.id)) return null;
      locators.set(uuid, { ref, datacenter: vm.datacenter.path });
      return { vm, ref };
    }
    return null;
  };

  let power: PowerOperations | null = null;
  const powerOps = async (): Promise<PowerOperations> => {
    const conn = await connection();
    power ??= new PowerOperations({
      client: conn.client,
      source: name,
      log,
      now: () => Date.now(),
      taskTimeoutMs: source.connection_timeout_ms,
      async locate(uuid) {
        const found = await findVm(conn, uuid);
        return found === null ? null : readPowerState(conn.client, found.ref);
      },
    });
    return power;
  };

  const provider: VmwareSource = {
    name,

    async describe(): Promise<SourceObservation> {
      try {
        const conn = await connection();
        await conn.client.run(async () => {
          if (!(await conn.client.sessionAlive())) throw new VimFault('not-authenticated', 'NotAuthenticated', 'the vSphere session ended');
        });
        const about = (await conn.client.serviceContent()).about;
        // This process does not stream a running VM's disks: warm copies of running VMs are made by
        // movers (transfer: mover), which the engine allows whatever this says (src/engine/transports.ts).
        return { reachable: true, message: `connected to ${about.fullName || host}`, background_import: false };
      } catch (error) {
        return { reachable: false, message: connectivity(error), background_import: false };
      }
    },

    async inventory() {
      const conn = await connection();
      const result = await conn.client.run(() => syncInventory(conn.client, settings, () => readTags(conn), now(), log));
      context = result.context;
      locators = result.vms;
      duplicates = result.duplicates;
      return { instances: result.instances, networks: result.networks };
    },

    async readVm(uuid): Promise<InstanceRecord | null> {
      const conn = await connection();
      const found = await conn.client.run(() => findVm(conn, uuid));
      return found?.vm.instance ?? null;
    },

    async powerOff(action) {
      await (await powerOps()).start(action);
    },

    async powerOn(action) {
      await (await powerOps()).start(action);
    },

    async operation(id) {
      const known = power?.operation(id);
      if (known !== undefined) return known;
      // A power change made by an earlier process (`ferry apply --once` per tick): the VM's
      // power state answers for it, so the engine need not wait for the claim to expire.
      const wanted = powerIntent(id);
      if (wanted === null) return undefined;
      const conn = await connection();
      const state = await conn.client.run(async () => {
        const found = await findVm(conn, id.slice(0, id.indexOf('#')));
        return found === null ? null : readPowerState(conn.client, found.ref);
      });
      return state?.state === wanted ? { state: 'succeeded', message: `the VM is ${wanted === 'poweredOff' ? 'powered off' : 'powered on'}` } : undefined;
    },

    async readDisk(vm: string, disk: string, mode: ImportMode, signal: AbortSignal): Promise<DiskData> {
      if (mode === 'background') {
        throw new ProviderError('not-supported', `source ${name} cannot read a running VM's disks (no changed-block reads); it copies disks with the VM off`);
      }
      const conn = await connection();
      const found = await conn.client.run(() => findVm(conn, vm));
      if (found === null) throw new ProviderError('not-found', `VM ${vm} no longer exists on source ${name}`);
      if (found.vm.instance.running) throw new ProviderError('vm-running', `VM ${found.vm.instance.name} is running; its disks are read with the VM off`);
      if (!found.vm.instance.disks.some((d) => d.name === disk)) throw new ProviderError('not-found', `VM ${found.vm.instance.name} has no disk ${disk}`);
      return readDiskData(
        { base: base(), agent: conn.agent, cookie: () => conn.transport.sessionCookie, timeoutMs: source.connection_timeout_ms },
        found.vm.datacenter?.path ?? '',
        disk,
        signal,
      );
    },

    async moverAccess(vm: string): Promise<MoverAccess> {
      const conn = await connection();
      return conn.client.run(async () => {
        const found = await findVm(conn, vm);
        if (found === null) throw new ProviderError('not-found', `VM ${vm} no longer exists on source ${name}`);
        const { instance, datacenter, diskKeys } = found.vm;
        const session = await cloneSession(conn.client, { url: endpoint!, agent: conn.agent, log, timeoutMs: source.connection_timeout_ms });
        const fingerprint = verifiedFingerprint;
        return {
          vcenter: { url: endpoint!.href, ...(fingerprint !== null ? { fingerprint } : {}), session },
          datacenter: datacenter?.path ?? '',
          vm: { moref: found.ref.value, uuid: instance.uuid },
          running: instance.running,
          disks: instance.disks.flatMap((disk, index) => (disk.supported ? [{ index, name: disk.name, key: diskKeys[index]!, capacity: disk.capacity }] : [])),
        };
      });
    },

    async close() {
      await power?.drain();
      if (connecting === null) return;
      const conn = await connecting.catch(() => null);
      if (conn === null) return;
      await conn.client.logout().catch((error: unknown) => log.debug({ error: String(error) }, 'vSphere logout failed'));
      conn.agent.destroy();
    },
  };
  log.debug({ endpoint: host, password: source.password_from ? describeSecretRef(source.password_from) : null }, 'vmware source opened');
  return provider;
}

/** The power state an operation id's step asks for (`…/poweroff-3`), or null for other steps. */
export function powerIntent(id: string): 'poweredOff' | 'poweredOn' | null {
  const step = id.slice(id.lastIndexOf('/') + 1).replace(/-\d+$/, '');
  return step === STEP_NAMES.power_off_source ? 'poweredOff' : step === STEP_NAMES.power_on_source ? 'poweredOn' : null;
}
