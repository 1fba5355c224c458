// The continuation-token loop of RetrievePropertiesEx, on responses recorded from vcsim 0.24 and
// split into pages (that vcsim never paged; the one the peer suite builds now does, but has no
// CancelRetrievePropertiesEx).

import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Source } from '../../../src/model/desired.js';
import { VimClient } from '../../../src/providers/vmware/client.js';
import { openVmwareSource } from '../../../src/providers/vmware/index.js';
import { SoapTransport, sdkUrl } from '../../../src/providers/vmware/soap.js';
import { trustingAgent } from '../../../src/providers/vmware/tls.js';
import { esxInventory, fixture, replayServer, soapFaultXml, type ReplayServer, type Responder } from './replay.js';

const log = pino({ level: 'silent' });
let server: ReplayServer | null = null;
const agents: { destroy(): void }[] = [];

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy();
  await server?.close();
  server = null;
});

async function client(respond: Responder): Promise<VimClient> {
  server = await replayServer(respond);
  const agent = trustingAgent({ fingerprint: server.fingerprint }, { maxSockets: 2, connectTimeoutMs: 5_000 });
  agents.push(agent);
  const transport = new SoapTransport({ url: sdkUrl(server.endpoint), agent, log, timeoutMs: 5_000 });
  const vim = new VimClient(transport, { username: 'u', password: async () => 'p' }, log);
  await vim.session();
  return vim;
}

const VM_LIST = { propSet: [{ type: 'VirtualMachine', paths: ['parent', 'parentVApp'] }], objectSet: [{ view: { type: 'ContainerView', value: 'v' } }] };

function calls(method: string): string[] {
  return server!.requests.filter((r) => r.method === method).map((r) => /<token>([^<]*)<\/token>/.exec(r.body)?.[1] ?? '');
}

describe('RetrievePropertiesEx paging', () => {
  it('follows the continuation token page after page until a page comes without one', async () => {
    const vim = await client(esxInventory);
    const pages: string[][] = [];
    for await (const page of vim.retrievePages(VM_LIST, { maxObjects: 1 })) pages.push(page.map((o) => o.obj.value));
    expect(pages).toEqual([['vm-9'], ['vm-12', 'vm-15'], ['vm-18']]);
    expect(calls('ContinueRetrievePropertiesEx')).toEqual(['list-2', 'list-3']);
    expect(calls('CancelRetrievePropertiesEx')).toEqual([]);
    expect(server!.requests.find((r) => r.method === 'RetrievePropertiesEx')!.body).toContain('<options><maxObjects>1</maxObjects></options>');
  });

  it('sends the session cookie on every call after Login', async () => {
    const vim = await client(esxInventory);
    await vim.retrieve(VM_LIST);
    const afterLogin = server!.requests.slice(server!.requests.findIndex((r) => r.method === 'Login') + 1);
    expect(afterLogin.length).toBeGreaterThan(0);
    expect(afterLogin.every((r) => r.cookie === 'vmware_soap_session="replayed-session"')).toBe(true);
  });

  it('releases the rest of the result set when the reader stops after a page', async () => {
    const vim = await client(esxInventory);
    for await (const page of vim.retrievePages(VM_LIST)) {
      expect(page).toHaveLength(1);
      break;
    }
    expect(calls('ContinueRetrievePropertiesEx')).toEqual([]);
    expect(calls('CancelRetrievePropertiesEx')).toEqual(['list-2']);
  });

  it('fails with NotAuthenticated when a later page reports it per property, and releases the token', async () => {
    const unauthenticated = fixture('esx/vm-list-2.xml').replace(
      /<propSet>.*?<\/propSet>/,
      '<missingSet><path>parent</path><fault><fault xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="NotAuthenticated"><object type="VirtualMachine">vm-12</object><privilegeId>System.Read</privilegeId></fault></fault></missingSet>',
    );
    const vim = await client((request) => (request.method === 'ContinueRetrievePropertiesEx' ? unauthenticated : esxInventory(request)));
    await expect(vim.retrieve(VM_LIST)).rejects.toMatchObject({ code: 'not-authenticated', fault: 'NotAuthenticated' });
    expect(calls('CancelRetrievePropertiesEx')).toEqual(['list-3']);
  });

  it('turns a fault of ContinueRetrievePropertiesEx into an error with its code', async () => {
    const vim = await client((request) =>
      request.method === 'ContinueRetrievePropertiesEx' ? { status: 500, body: soapFaultXml('InvalidArgument', 'token expired') } : esxInventory(request),
    );
    await expect(vim.retrieve(VM_LIST)).rejects.toMatchObject({ code: 'invalid-argument', message: 'ContinueRetrievePropertiesEx failed: InvalidArgument: token expired' });
  });

  it('renews an expired session once and reads again', async () => {
    let expired = true;
    const vim = await client((request) => {
      if (request.method === 'RetrievePropertiesEx' && expired) {
        expired = false;
        return { status: 500, body: soapFaultXml('NotAuthenticated') };
      }
      return esxInventory(request);
    });
    const objects = await vim.run(() => vim.retrieve(VM_LIST));
    expect(objects.map((o) => o.obj.value)).toEqual(['vm-9', 'vm-12', 'vm-15', 'vm-18']);
    expect(server!.requests.filter((r) => r.method === 'Login')).toHaveLength(2);
  });
});

describe('a source whose vCenter pages its answers', () => {
  it('reads the whole inventory across pages of the VM list and of the VM properties', async () => {
    server = await replayServer(esxInventory);
    const source: Source = {
      meta: { name: 'esx', origin: { file: 'sources/esx.yaml', line: 1, column: 1 }, apiVersion: 'ferry.dev/v1alpha1', at: {} },
      type: 'vmware',
      inventory_file: null,
      endpoint: server.endpoint,
      username: 'root',
      password_from: { env: 'ESX_PASSWORD' },
      trusted_server_certificate_fingerprint: server.fingerprint,
      import_limit: 0,
      connection_timeout_ms: 5_000,
      sync_timeout_ms: 5_000,
      sync_limit: 1,
      datacenters: ['/...'],
    };
    const provider = await openVmwareSource(source, { log, env: { ESX_PASSWORD: 'secret' } });
    try {
      const { instances, networks } = await provider.inventory();
      expect(instances.map((i) => i.location)).toEqual(['/ha-datacenter/vm/ha-host_VM0', '/ha-datacenter/vm/ha-host_VM1', '/ha-datacenter/vm/ha-host_VM2', '/ha-datacenter/vm/ha-host_VM3']);
      expect(new Set(instances.map((i) => i.uuid)).size).toBe(4);
      expect(networks.map((n) => n.location)).toContain('/ha-datacenter/network/VM Network');
      expect(calls('ContinueRetrievePropertiesEx')).toEqual(['list-2', 'list-3', 'vms-2']);
    } finally {
      await provider.close();
    }
    expect(server.requests.at(-1)!.method).toBe('Logout');
    expect(server.requests.filter((r) => r.method === 'CreateContainerView')).toHaveLength(server.requests.filter((r) => r.method === 'DestroyView').length);
  });
});
