// What the tests do to the simulator to shape it (reconfigure VMs, tag them, put files on a
// datastore), through Ferry's own SOAP client, logged in as an administrator would be.

import type https from 'node:https';
import pino from 'pino';
import { VimClient } from '../../../src/providers/vmware/client.js';
import { deadline, readBody, send } from '../../../src/providers/vmware/http.js';
import { SoapTransport, sdkUrl } from '../../../src/providers/vmware/soap.js';
import { trustingAgent } from '../../../src/providers/vmware/tls.js';
import { moref, morefXml, str, type MoRef } from '../../../src/providers/vmware/values.js';
import { child, escapeXml } from '../../../src/providers/vmware/xml.js';
import type { Vcsim } from './peer-env.js';

export const quietLog = pino({ level: 'silent' });

export interface Admin {
  client: VimClient;
  transport: SoapTransport;
  agent: https.Agent;
  vcsim: Vcsim;
  close(): Promise<void>;
}

export async function admin(vcsim: Vcsim, username = 'user', password = 'pass'): Promise<Admin> {
  const agent = trustingAgent({ fingerprint: vcsim.fingerprint }, { maxSockets: 8, connectTimeoutMs: 10_000 });
  const transport = new SoapTransport({ url: sdkUrl(vcsim.endpoint), agent, log: quietLog, timeoutMs: 60_000 });
  const client = new VimClient(transport, { username, password: async () => password }, quietLog);
  await client.session();
  return {
    client,
    transport,
    agent,
    vcsim,
    async close() {
      await client.logout().catch(() => undefined);
      agent.destroy();
    },
  };
}

/** Every VM by name. */
export async function vmsByName(a: Admin): Promise<Map<string, MoRef>> {
  const content = await a.client.serviceContent();
  const objects = await a.client.withView(content.rootFolder, ['VirtualMachine'], (view) =>
    a.client.retrieve({ propSet: [{ type: 'VirtualMachine', paths: ['name'] }], objectSet: [{ view }] }),
  );
  return new Map(objects.map((o) => [str(o.props.get('name'))!, o.obj]));
}

export async function vmProperty(a: Admin, vm: MoRef, path: string): Promise<string | undefined> {
  const [found] = await a.client.retrieve({ propSet: [{ type: 'VirtualMachine', paths: [path] }], objectSet: [{ obj: vm }] });
  return str(found?.props.get(path));
}

async function runTask(a: Admin, method: string, body: string): Promise<void> {
  const task = moref(child(await a.transport.call(method, body), 'returnval'));
  if (!task) throw new Error(`${method} returned no task`);
  await a.client.waitForTask(task, { timeoutMs: 60_000 });
}

/** ReconfigVM_Task with a VirtualMachineConfigSpec body (its child elements). */
export async function reconfigure(a: Admin, vm: MoRef, spec: string): Promise<void> {
  await runTask(a, 'ReconfigVM_Task', `${morefXml('_this', vm)}<spec>${spec}</spec>`);
}

export function extraConfig(key: string, value: string): string {
  return `<extraConfig><key>${escapeXml(key)}</key><value xsi:type="xsd:string">${escapeXml(value)}</value></extraConfig>`;
}

export async function powerOff(a: Admin, vm: MoRef): Promise<void> {
  await runTask(a, 'PowerOffVM_Task', morefXml('_this', vm));
}

export async function powerOn(a: Admin, vm: MoRef): Promise<void> {
  await runTask(a, 'PowerOnVM_Task', morefXml('_this', vm));
}

export async function markAsTemplate(a: Admin, vm: MoRef): Promise<void> {
  await a.transport.call('MarkAsTemplate', morefXml('_this', vm));
}

export async function createSnapshot(a: Admin, vm: MoRef, name: string): Promise<void> {
  await runTask(a, 'CreateSnapshot_Task', `${morefXml('_this', vm)}<name>${escapeXml(name)}</name><memory>false</memory><quiesce>false</quiesce>`);
}

export async function addCustomField(a: Admin, name: string): Promise<number> {
  const content = await a.client.serviceContent();
  const response = await a.transport.call('AddCustomFieldDef', `${morefXml('_this', content.customFieldsManager!)}<name>${escapeXml(name)}</name><moType>VirtualMachine</moType>`);
  return Number(str(child(child(response, 'returnval'), 'key')));
}

export async function setCustomValue(a: Admin, vm: MoRef, key: number, value: string): Promise<void> {
  const content = await a.client.serviceContent();
  await a.transport.call('SetField', `${morefXml('_this', content.customFieldsManager!)}${morefXml('entity', vm)}<key>${key}</key><value>${escapeXml(value)}</value>`);
}

async function rest(a: Admin, method: 'GET' | 'POST', path: string, session: string | null, body?: unknown): Promise<unknown> {
  const url = new URL(`${a.vcsim.endpoint}/rest${path}`);
  const limit = deadline(30_000, path);
  try {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (session) headers['vmware-api-session-id'] = session;
    else headers.Authorization = `Basic ${Buffer.from('user:pass').toString('base64')}`;
    const response = await send({ method, url, headers, agent: a.agent, signal: limit.signal, what: path, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = (await readBody(response, 1 << 20, path, limit.signal)).toString();
    if ((response.statusCode ?? 0) >= 400) throw new Error(`${method} ${path}: HTTP ${response.statusCode} ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as { value?: unknown }).value;
  } finally {
    limit.clear();
  }
}

/** Creates categories and tags as needed and attaches `category:tag` pairs to VMs. */
export async function tagVms(a: Admin, attach: { vm: MoRef; category: string; tag: string }[]): Promise<void> {
  const session = (await rest(a, 'POST', '/com/vmware/cis/session', null)) as string;
  const categories = new Map<string, string>();
  const tags = new Map<string, string>();
  for (const { vm, category, tag } of attach) {
    let categoryId = categories.get(category);
    if (!categoryId) {
      categoryId = (await rest(a, 'POST', '/com/vmware/cis/tagging/category', session, { create_spec: { name: category, description: '', cardinality: 'MULTIPLE', associable_types: [] } })) as string;
      categories.set(category, categoryId);
    }
    const key = `${category}/${tag}`;
    let tagId = tags.get(key);
    if (!tagId) {
      tagId = (await rest(a, 'POST', '/com/vmware/cis/tagging/tag', session, { create_spec: { name: tag, description: '', category_id: categoryId } })) as string;
      tags.set(key, tagId);
    }
    await rest(a, 'POST', `/com/vmware/cis/tagging/tag-association/id:${encodeURIComponent(tagId)}?~action=attach`, session, { object_id: { id: vm.value, type: 'VirtualMachine' } });
  }
}

/** Writes a file on a datastore through the `/folder` interface (HTTP PUT). */
export async function putDatastoreFile(a: Admin, datacenter: string, datastore: string, path: string, data: Buffer): Promise<void> {
  const url = new URL(`${a.vcsim.endpoint}/folder/${path.split('/').map(encodeURIComponent).join('/')}?dcPath=${encodeURIComponent(datacenter)}&dsName=${encodeURIComponent(datastore)}`);
  const limit = deadline(60_000, `PUT ${path}`);
  try {
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
    if (a.transport.sessionCookie) headers.Cookie = a.transport.sessionCookie;
    const response = await send({ method: 'PUT', url, headers, body: data, agent: a.agent, signal: limit.signal, what: `PUT ${path}` });
    await readBody(response, 1 << 20, path, limit.signal);
    if ((response.statusCode ?? 0) >= 300) throw new Error(`PUT ${path}: HTTP ${response.statusCode}`);
  } finally {
    limit.clear();
  }
}

/** A VMDK descriptor for flat extents of the given sizes (bytes, multiples of 512). */
export function flatDescriptor(files: { file: string; size: number }[], createType = 'vmfs'): string {
  const type = createType === 'vmfs' ? 'VMFS' : 'FLAT';
  return [
    '# Disk DescriptorFile',
    'version=1',
    'encoding="UTF-8"',
    'CID=fffffffe',
    'parentCID=ffffffff',
    `createType="${createType}"`,
    '',
    '# Extent description',
    ...files.map(({ file, size }) => `RW ${size / 512} ${type} "${file}"${type === 'FLAT' ? ' 0' : ''}`),
    '',
    '# The Disk Data Base',
    '#DDB',
    'ddb.adapterType = "lsilogic"',
    'ddb.virtualHWVersion = "13"',
    '',
  ].join('\n');
}
