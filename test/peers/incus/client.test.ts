// The Incus client against the real daemon: both transports, certificate pinning, operations that
// fail on /wait, ETags, API extensions and the trust token.

import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncusClient, apiPath, interpretWait } from '../../../src/providers/incus/client.js';
import type { IncusInstance } from '../../../src/providers/incus/definition.js';
import { IncusError } from '../../../src/providers/incus/errors.js';
import { openIncusTarget } from '../../../src/providers/incus/index.js';
import { ProviderError } from '../../../src/providers/ports.js';
import { dropProject, httpsTarget, incusPeer, log, scratchProject, unixClient, type IncusPeer } from './peer-env.js';

let peer: IncusPeer;
let admin: IncusClient;
let project: string;

beforeAll(async () => {
  peer = incusPeer();
  admin = unixClient(peer);
  project = await scratchProject(admin, 'ferry-client');
});

afterAll(async () => {
  if (project) await dropProject(admin, project);
  admin?.close();
});

function httpsClient(tls: { ca?: string; fingerprint?: string }): IncusClient {
  return new IncusClient({
    target: 'peer',
    endpoint: peer.endpoint,
    tls: { cert: readFileSync(peer.clientCert, 'utf8'), key: readFileSync(peer.clientKey, 'utf8'), ...tls },
    timeoutMs: 10_000,
    log,
  });
}

/** A raw request over the unix socket, for what the client deliberately never shows (the /wait envelope). */
function raw(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath: peer.socket, method, path, headers: payload ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('transports and certificate pinning', () => {
  it('speaks HTTPS with the client certificate and the server certificate pinned as PEM', async () => {
    const client = httpsClient({ ca: readFileSync(peer.serverCert, 'utf8') });
    try {
      const server = await client.server();
      expect(server.auth).toBe('trusted');
      expect(server.environment?.server).toBe('incus');
      expect(server.environment?.server_version).toMatch(/^6\.0\./);
    } finally {
      client.close();
    }
  });

  it('accepts the pinned SHA-256 fingerprint with or without colons, in any case', async () => {
    for (const fingerprint of [peer.serverFingerprint, peer.serverFingerprint.replace(/:/g, '').toLowerCase()]) {
      const client = httpsClient({ fingerprint });
      try {
        expect((await client.server()).auth).toBe('trusted');
      } finally {
        client.close();
      }
    }
  });

  it('refuses the server when its certificate is not the pinned one, naming the fingerprint it saw', async () => {
    const client = httpsClient({ fingerprint: 'ab'.repeat(32) });
    try {
      const error = await client.server().then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).code).toBe('tls-untrusted');
      expect((error as Error).message).toContain(peer.serverFingerprint);
      expect((error as Error).message).toContain('not the pinned one');
    } finally {
      client.close();
    }
  });

  it('refuses a self-signed server when nothing is pinned', async () => {
    const client = httpsClient({});
    try {
      await expect(client.server()).rejects.toMatchObject({ code: 'tls-untrusted' });
    } finally {
      client.close();
    }
  });

  it('speaks over the unix socket', async () => {
    expect((await admin.server()).auth).toBe('trusted');
  });

  it('reports a port nobody listens on as unreachable, naming the endpoint', async () => {
    const client = new IncusClient({ target: 'down', endpoint: 'https://127.0.0.1:1', tls: { cert: readFileSync(peer.clientCert, 'utf8'), key: readFileSync(peer.clientKey, 'utf8') }, timeoutMs: 5_000, log });
    try {
      await expect(client.server()).rejects.toMatchObject({ code: 'unreachable', message: expect.stringContaining('https://127.0.0.1:1: the connection was refused') });
    } finally {
      client.close();
    }
  });
});

describe('responses and operations', () => {
  it('gives a sync answer\'s metadata and turns an error envelope into an IncusError with its codes', async () => {
    const { metadata } = await admin.get<string[]>('/1.0/storage-pools');
    expect(metadata).toContain(`/1.0/storage-pools/${peer.pool}`);
    const error = await admin.get(apiPath`/1.0/instances/${'does-not-exist'}`, { project }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(IncusError);
    expect(error).toMatchObject({ status: 404, error_code: 404, code: 'incus-not-found' });
    expect((error as Error).message).toMatch(/^GET \/1\.0\/instances\/does-not-exist: .*not found/i);
  });

  it('waits for an async operation and fails when the operation fails (Incus 6.0.4 answers /wait with type:error)', async () => {
    const body = { name: 'dup', type: 'container', source: { type: 'image', alias: peer.image } };
    await admin.call('POST', '/1.0/instances', { query: { project }, body });
    // The same name again: the POST is accepted and the operation fails.
    const started = await raw('POST', `/1.0/instances?project=${project}`, body);
    expect(started.body.type).toBe('async');
    const waited = await raw('GET', `${String(started.body.operation)}/wait?timeout=30&project=${project}`);
    expect(waited.body.type).toBe('error');
    expect(() => interpretWait(waited.status, waited.body, 'operation x')).toThrow(IncusError);
    await expect(admin.call('POST', '/1.0/instances', { query: { project }, body })).rejects.toMatchObject({ name: 'IncusError', message: expect.stringMatching(/UNIQUE constraint failed|already exists/) });
  });

  it('refuses a write with a stale ETag (412), and update() reads again and retries', async () => {
    const path = apiPath`/1.0/instances/${'dup'}`;
    const { metadata, etag } = await admin.get<IncusInstance>(path, { project });
    expect(etag).toMatch(/.+/);
    await admin.call('PATCH', path, { query: { project }, body: { config: { 'user.someone': 'else' } } });
    const stale = { ...metadata, config: { ...metadata.config, 'user.ferry.test': 'stale' } };
    await expect(admin.call('PUT', path, { query: { project }, body: stale, etag: etag! })).rejects.toMatchObject({ status: 412, code: 'incus-etag-mismatch' });

    let calls = 0;
    await admin.update<IncusInstance>(path, { project }, async (current) => {
      calls++;
      // The first time, someone else changes the instance between this read and the write.
      if (calls === 1) await admin.call('PATCH', path, { query: { project }, body: { config: { 'user.racer': 'won' } } });
      return { ...current, config: { ...current.config, 'user.ferry.test': String(calls) } };
    });
    const { metadata: after } = await admin.get<IncusInstance>(path, { project });
    expect(after.config['user.racer']).toBe('won');
    expect(after.config['user.someone']).toBe('else');
    expect(after.config['user.ferry.test']).toBe('2');
    expect(calls).toBe(2);
  });

  it('decides features by api_extensions and spells headers the server\'s way', async () => {
    expect(await admin.hasExtension('custom_volume_backup')).toBe(true);
    expect(await admin.hasExtension('instance_all_projects')).toBe(true);
    expect(await admin.hasExtension('macaroon_authentication')).toBe(false);
    expect(await admin.header('name')).toBe('X-Incus-name');
  });
});

describe('trust', () => {
  it('gets a new client certificate trusted once with a token (Incus spells the field trust_token)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-trust-'));
    const name = `ferry-token-${Date.now().toString(36)}`;
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1', '-sha384', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
      const token = execFileSync('incus', ['config', 'trust', 'add', name, '--quiet'], { encoding: 'utf8' }).trim();
      const target = httpsTarget(peer, 'fresh', { tls_client_cert_from: { file: join(dir, 'c.pem') }, tls_client_key_from: { file: join(dir, 'k.pem') } });

      const without = await openIncusTarget(target, { log });
      const refused = await without.observe([project]);
      await without.close();
      expect(refused.reachable).toBe(false);
      expect(refused.message).toMatch(/does not trust Ferry's client certificate \(SHA-256 [0-9A-F:]{95}\): add it on the server/);

      const withToken = await openIncusTarget({ ...target, trust_token_from: { env: 'FERRY_TEST_TOKEN' } }, { log, env: { FERRY_TEST_TOKEN: token } });
      const observed = await withToken.observe([project]);
      await withToken.close();
      expect(observed).toMatchObject({ reachable: true });
      expect(observed.projects[project]).toBeDefined();
      expect(JSON.stringify(observed)).not.toContain(token);
      const listed = execFileSync('incus', ['config', 'trust', 'list', '--format', 'csv'], { encoding: 'utf8' });
      expect(listed).toContain(name);
    } finally {
      const fingerprint = new X509Certificate(readFileSync(join(dir, 'c.pem'))).fingerprint256.replace(/:/g, '').toLowerCase();
      execFileSync('incus', ['config', 'trust', 'remove', fingerprint], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
