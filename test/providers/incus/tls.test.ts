// Server certificate pinning on a local HTTPS server with certificates made for the test: a
// server that fails the pin never receives a request; a pinned leaf is trusted whatever its
// names; a CA-signed certificate must also name the host.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncusClient } from '../../../src/providers/incus/client.js';
import { pemFingerprints, type TlsIdentity } from '../../../src/providers/incus/tls.js';

const log = pino({ level: 'silent' });
let dir: string;
const pem: Record<string, string> = {};

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function selfSigned(name: string, subjectAltName: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${subjectAltName}`, '-keyout', `${name}.key`, '-out', `${name}.crt`);
}

interface Listening {
  server: Server;
  port: number;
  requests: number;
}

async function listen(cert: string, key: string): Promise<Listening> {
  const state = { requests: 0 } as Listening;
  state.server = createServer({ cert, key, requestCert: true, rejectUnauthorized: false }, (_req, res) => {
    state.requests++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ type: 'sync', metadata: { auth: 'trusted', api_extensions: [] } }));
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.port = (state.server.address() as AddressInfo).port;
  return state;
}

const servers: Listening[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-tls-'));
  selfSigned('client', 'DNS:client');
  selfSigned('server', 'IP:127.0.0.1');
  selfSigned('elsewhere', 'DNS:elsewhere.example');
  // A CA and a server certificate it signs for another name than 127.0.0.1.
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-keyout', 'ca.key', '-out', 'ca.crt');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=signed', '-keyout', 'signed.key', '-out', 'signed.csr');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'signed.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'ext.cnf', '-out', 'signed.crt');
  openssl('x509', '-req', '-in', 'signed.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'signed-noname.crt');
  for (const name of ['client', 'server', 'elsewhere', 'ca', 'signed', 'signed-noname']) pem[name] = readFileSync(join(dir, `${name}.crt`), 'utf8');
  for (const name of ['client', 'server', 'elsewhere', 'signed']) pem[`${name}.key`] = readFileSync(join(dir, `${name}.key`), 'utf8');
});

afterAll(async () => {
  for (const s of servers) await new Promise((resolve) => s.server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function server(cert: string, key: string): Promise<Listening> {
  const s = await listen(cert, key);
  servers.push(s);
  return s;
}

async function ask(port: number, tls: Partial<TlsIdentity>): Promise<unknown> {
  const client = new IncusClient({ target: 't', endpoint: `https://127.0.0.1:${port}`, tls: { cert: pem.client!, key: pem['client.key']!, ...tls }, timeoutMs: 5_000, log });
  try {
    return await client.server();
  } finally {
    client.close();
  }
}

describe('pinning the server certificate', () => {
  it('trusts the pinned leaf (fingerprint or PEM) whatever names it carries', async () => {
    const other = await server(pem.elsewhere!, pem['elsewhere.key']!);
    const fingerprint = pemFingerprints(pem.elsewhere!)[0]!;
    await expect(ask(other.port, { fingerprint })).resolves.toMatchObject({ auth: 'trusted' });
    await expect(ask(other.port, { ca: pem.elsewhere! })).resolves.toMatchObject({ auth: 'trusted' });
    expect(other.requests).toBe(2);
  });

  it('sends nothing to a server whose certificate is not the pinned one', async () => {
    const impostor = await server(pem.server!, pem['server.key']!);
    await expect(ask(impostor.port, { fingerprint: pemFingerprints(pem.elsewhere!)[0]! })).rejects.toMatchObject({ code: 'tls-untrusted', message: expect.stringContaining('is not the pinned one') });
    await expect(ask(impostor.port, { ca: pem.elsewhere! })).rejects.toMatchObject({ code: 'tls-untrusted' });
    expect(impostor.requests).toBe(0);
  });

  it('with a CA, trusts a certificate it signed only when it names the host', async () => {
    const signed = await server(pem.signed!, pem['signed.key']!);
    await expect(ask(signed.port, { ca: pem.ca! })).resolves.toMatchObject({ auth: 'trusted' });
    const unnamed = await server(pem['signed-noname']!, pem['signed.key']!);
    await expect(ask(unnamed.port, { ca: pem.ca! })).rejects.toMatchObject({ code: 'tls-untrusted', message: expect.stringContaining('does not name 127.0.0.1') });
    expect(unnamed.requests).toBe(0);
  });

  it('without a pin, refuses a certificate no system CA signed and says how to pin it', async () => {
    const plain = await server(pem.server!, pem['server.key']!);
    await expect(ask(plain.port, {})).rejects.toMatchObject({ code: 'tls-untrusted', message: expect.stringContaining('pin it with trusted_server_certificate_fingerprint') });
    expect(plain.requests).toBe(0);
  });
});
