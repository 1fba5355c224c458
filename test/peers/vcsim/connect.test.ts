// Connecting to vCenter: login, certificate trust, and the vim25 faults, against vcsim.

import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VimClient } from '../../../src/providers/vmware/client.js';
import { openVmwareSource } from '../../../src/providers/vmware/index.js';
import { SoapTransport, sdkUrl } from '../../../src/providers/vmware/soap.js';
import { trustingAgent } from '../../../src/providers/vmware/tls.js';
import { fixture } from '../../providers/vmware/replay.js';
import { admin, powerOff, quietLog, vmProperty, vmsByName } from './admin.js';
import { sourceFor, startVcsim, type Vcsim } from './peer-env.js';

const PASSWORD = 's3cret-Pa55word';
let vcsim: Vcsim;
let dir: string;

beforeAll(async () => {
  vcsim = await startVcsim(['-username', 'alice', '-password', PASSWORD]);
  dir = mkdtempSync(join(tmpdir(), 'ferry-vcsim-'));
});

afterAll(async () => {
  await vcsim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function describeWith(patch: Parameters<typeof sourceFor>[1], env: NodeJS.ProcessEnv) {
  const provider = await openVmwareSource(sourceFor(vcsim, { username: 'alice', ...patch }), { log: quietLog, env });
  try {
    return await provider.describe();
  } finally {
    await provider.close();
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('login', () => {
  it('logs in with the password from the environment and says whom it reached', async () => {
    const observed = await describeWith({}, { VC_PASSWORD: PASSWORD });
    expect(observed).toEqual({ reachable: true, message: 'connected to VMware vCenter Server 6.5.0 build-5973321', background_import: false });
  });

  it('reports a wrong password as an authentication error that does not contain the password', async () => {
    const provider = await openVmwareSource(sourceFor(vcsim, { username: 'alice' }), { log: quietLog, env: { VC_PASSWORD: 'wrong-Pa55word' } });
    try {
      const observed = await provider.describe();
      expect(observed.reachable).toBe(false);
      expect(observed.message).toBe(`Authentication error: ${vcsim.host}:${vcsim.port} rejected the user name or password of alice (InvalidLogin)`);
      const error = (await provider.inventory().then(
        () => null,
        (e: unknown) => e,
      )) as Error & { code: string };
      expect(error).toMatchObject({ code: 'invalid-login', fault: 'InvalidLogin' });
      expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain('wrong-Pa55word');
    } finally {
      await provider.close();
    }
  });

  it('names the unset variable the password should come from', async () => {
    const observed = await describeWith({}, {});
    expect(observed.reachable).toBe(false);
    expect(observed.message).toBe('Authentication error: the password of source vc comes from environment variable VC_PASSWORD, which is not set');
  });

  it('opens without contacting the server, and describes an endpoint nobody listens on as unreachable', async () => {
    const port = await closedPort();
    const provider = await openVmwareSource(sourceFor(vcsim, { endpoint: `https://127.0.0.1:${port}` }), { log: quietLog, env: { VC_PASSWORD: PASSWORD } });
    try {
      const observed = await provider.describe();
      expect(observed.reachable).toBe(false);
      expect(observed.message).toBe(`Cannot connect: RetrieveServiceContent: cannot reach 127.0.0.1:${port} (ECONNREFUSED)`);
      await expect(provider.inventory()).rejects.toMatchObject({ code: 'unreachable' });
    } finally {
      await provider.close();
    }
  });
});

describe('certificate trust', () => {
  const env = { VC_PASSWORD: PASSWORD };

  it('refuses a self-signed certificate nobody pinned, and says how to pin it', async () => {
    const observed = await describeWith({ trusted_server_certificate_fingerprint: undefined }, env);
    expect(observed.reachable).toBe(false);
    expect(observed.message).toContain(`TLS error: 127.0.0.1: the server's certificate is not trusted (`);
    expect(observed.message).toContain(`set trusted_server_certificate_fingerprint: ${vcsim.fingerprint}`);
  });

  it('refuses a certificate whose fingerprint is not the pinned one', async () => {
    const observed = await describeWith({ trusted_server_certificate_fingerprint: 'ab'.repeat(32) }, env);
    expect(observed.message).toBe(`TLS error: 127.0.0.1: the server's certificate (SHA-256 ${vcsim.fingerprint}) does not match trusted_server_certificate_fingerprint`);
  });

  it('accepts the pinned fingerprint written with colons in upper case', async () => {
    const colons = vcsim.fingerprint.toUpperCase().match(/../g)!.join(':');
    expect((await describeWith({ trusted_server_certificate_fingerprint: colons }, env)).reachable).toBe(true);
  });

  it('trusts the certificate given as a PEM file, and no other', async () => {
    const own = join(dir, 'vcsim.pem');
    writeFileSync(own, vcsim.certificatePem);
    expect((await describeWith({ trusted_server_certificate_fingerprint: undefined, trusted_server_certificate_from: { file: own } }, env)).reachable).toBe(true);
    const other = join(dir, 'other.pem');
    writeFileSync(other, fixture('replay-cert.pem'));
    const refused = await describeWith({ trusted_server_certificate_fingerprint: undefined, trusted_server_certificate_from: { file: other } }, env);
    expect(refused.reachable).toBe(false);
    expect(refused.message).toContain("is neither the certificate in trusted_server_certificate_from nor issued by it");
  });
});

describe('vim25 faults', () => {
  function bareClient(): VimClient {
    const agent = trustingAgent({ fingerprint: vcsim.fingerprint }, { maxSockets: 2, connectTimeoutMs: 10_000 });
    const transport = new SoapTransport({ url: sdkUrl(vcsim.endpoint), agent, log: quietLog, timeoutMs: 10_000 });
    return new VimClient(transport, { username: 'alice', password: async () => PASSWORD }, quietLog);
  }

  it('treats the per-property NotAuthenticated of a read without a session as an error, as it does the fault of a method', async () => {
    const vim = bareClient();
    const content = await vim.serviceContent();
    await expect(vim.retrieve({ propSet: [{ type: 'Folder', paths: ['name'] }], objectSet: [{ obj: content.rootFolder }] })).rejects.toMatchObject({
      code: 'not-authenticated',
      fault: 'NotAuthenticated',
    });
    await expect(vim.createContainerView(content.rootFolder, ['VirtualMachine'])).rejects.toMatchObject({ code: 'not-authenticated', fault: 'NotAuthenticated' });
  });

  it('logs in again once when the session ended behind its back', async () => {
    const vim = bareClient();
    await vim.session();
    const content = await vim.serviceContent();
    await vim.transport.call('Logout', `<_this type="SessionManager">${content.sessionManager.value}</_this>`);
    const [root] = await vim.run(() => vim.retrieve({ propSet: [{ type: 'Folder', paths: ['name'] }], objectSet: [{ obj: content.rootFolder }] }));
    expect(root!.props.get('name')!.text).toBe('Datacenters');
    await vim.logout();
  });

  it('reports powering off a VM that is off as InvalidPowerState, and shuts a guest down', async () => {
    const a = await admin(vcsim, 'alice', PASSWORD);
    try {
      const vm = (await vmsByName(a)).get('DC0_H0_VM1')!;
      await powerOff(a, vm);
      const task = await a.client.powerOffVm(vm);
      await expect(a.client.waitForTask(task, { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'invalid-power-state', fault: 'InvalidPowerState' });
      await a.client.waitForTask(await a.client.powerOnVm(vm), { timeoutMs: 10_000 });
      expect(await vmProperty(a, vm, 'runtime.powerState')).toBe('poweredOn');
      await a.client.shutdownGuest(vm);
      expect(await vmProperty(a, vm, 'runtime.powerState')).toBe('poweredOff');
    } finally {
      await a.close();
    }
  });
});
