// Certificate trust and deadlines of the SOAP transport, against a local HTTPS server.

import { createHash, X509Certificate } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SoapTransport, sdkUrl } from '../../../src/providers/vmware/soap.js';
import { trustingAgent, type TlsTrust } from '../../../src/providers/vmware/tls.js';
import { esxInventory, fixture, replayServer, type ReplayServer } from './replay.js';

const log = pino({ level: 'silent' });
let server: ReplayServer | null = null;
let silent: Server | null = null;
const sockets: Socket[] = [];

afterEach(async () => {
  await server?.close();
  server = null;
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
  silent = null;
});

async function call(endpoint: string, trust: TlsTrust, timeoutMs = 5_000) {
  const agent = trustingAgent(trust, { maxSockets: 1, connectTimeoutMs: timeoutMs });
  try {
    const transport = new SoapTransport({ url: sdkUrl(endpoint), agent, log, timeoutMs });
    return await transport.call('RetrieveServiceContent', '<_this type="ServiceInstance">ServiceInstance</_this>');
  } finally {
    agent.destroy();
  }
}

describe('certificate trust', () => {
  it('sends nothing to a server whose certificate does not match the pinned fingerprint', async () => {
    server = await replayServer(esxInventory);
    await expect(call(server.endpoint, { fingerprint: '00'.repeat(32) })).rejects.toMatchObject({ code: 'tls-untrusted' });
    expect(server.requests).toEqual([]);
  });

  it('sends nothing to a server it cannot verify when nothing is pinned', async () => {
    server = await replayServer(esxInventory);
    const error = await call(server.endpoint, {}).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ code: 'tls-untrusted' });
    expect(error!.message).toContain(`set trusted_server_certificate_fingerprint: ${server.fingerprint}`);
    expect(server.requests).toEqual([]);
  });

  it('talks to the server with the pinned fingerprint, or the trusted certificate', async () => {
    server = await replayServer(esxInventory);
    expect((await call(server.endpoint, { fingerprint: server.fingerprint })).name).toBe('RetrieveServiceContentResponse');
    expect((await call(server.endpoint, { certificate: fixture('replay-cert.pem') })).name).toBe('RetrieveServiceContentResponse');
    expect(server.requests.map((r) => r.method)).toEqual(['RetrieveServiceContent', 'RetrieveServiceContent']);
  });

  it("pins an export host by the SHA-1 thumbprint vCenter gives for it, colons or not", async () => {
    server = await replayServer(esxInventory);
    const thumbprint = createHash('sha1').update(new X509Certificate(fixture('replay-cert.pem')).raw).digest('hex');
    const colons = thumbprint.toUpperCase().match(/../g)!.join(':');
    expect((await call(server.endpoint, { thumbprintSha1: colons })).name).toBe('RetrieveServiceContentResponse');
    const error = await call(server.endpoint, { thumbprintSha1: '00'.repeat(20) }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ code: 'tls-untrusted' });
    expect(error!.message).toContain(`(SHA-1 ${thumbprint}) does not match the thumbprint vCenter gave for it`);
    expect(server.requests.map((r) => r.method)).toEqual(['RetrieveServiceContent']);
  });

  it('refuses a trusted-certificate reference that holds no certificate', () => {
    expect(() => trustingAgent({ certificate: 'not a PEM' }, { maxSockets: 1, connectTimeoutMs: 1 })).toThrow('trusted_server_certificate_from holds no PEM certificate');
  });
});

describe('deadlines', () => {
  it('gives up on a server that accepts the connection and never answers', async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    await expect(call(`https://127.0.0.1:${port}`, { fingerprint: '00'.repeat(32) }, 300)).rejects.toMatchObject({ code: 'timeout' });
  });
});
