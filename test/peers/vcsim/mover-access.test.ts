// What the vmware source hands a mover (transfer: mover): a vSphere session of its own, cloned from
// the source's session (AcquireCloneTicket + CloneSession), and where the VM's disks are.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVmwareSource, type VmwareSource } from '../../../src/providers/vmware/index.js';
import { deadline, readBody, send } from '../../../src/providers/vmware/http.js';
import { cloneSession } from '../../../src/providers/vmware/session-clone.js';
import { sdkUrl } from '../../../src/providers/vmware/soap.js';
import { child, parseXml, path } from '../../../src/providers/vmware/xml.js';
import { admin, quietLog, vmProperty, vmsByName, type Admin } from './admin.js';
import { sourceFor, startVcsim, type Vcsim } from './peer-env.js';

let vcsim: Vcsim;
let a: Admin;
let provider: VmwareSource;

beforeAll(async () => {
  vcsim = await startVcsim();
  a = await admin(vcsim);
  provider = await openVmwareSource(sourceFor(vcsim), { log: quietLog, env: { VC_PASSWORD: 'pass' } });
});

afterAll(async () => {
  await provider?.close();
  await a?.close();
  await vcsim?.stop();
});

/** A SOAP call made the way a mover makes it: with nothing but the session cookie. */
async function callWithSession(session: string, method: string, body: string): Promise<string> {
  const limit = deadline(30_000, method);
  try {
    const envelope =
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
      `<soapenv:Body><${method} xmlns="urn:vim25">${body}</${method}></soapenv:Body></soapenv:Envelope>`;
    const response = await send({
      method: 'POST',
      url: sdkUrl(vcsim.endpoint),
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"urn:vim25/6.5"', Cookie: `vmware_soap_session=${session}` },
      body: envelope,
      agent: a.agent,
      signal: limit.signal,
      what: method,
    });
    return (await readBody(response, 1 << 20, method, limit.signal)).toString('utf8');
  } finally {
    limit.clear();
  }
}

/** The key of the session a cookie names, or null when the session is not (or no longer) valid. */
async function sessionKey(session: string): Promise<string | null> {
  const text = await callWithSession(
    session,
    'RetrievePropertiesEx',
    '<_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>SessionManager</type><pathSet>currentSession</pathSet></propSet><objectSet><obj type="SessionManager">SessionManager</obj></objectSet></specSet><options/>',
  );
  const returnval = path(parseXml(text), 'Body', 'RetrievePropertiesExResponse', 'returnval');
  const value = child(child(child(returnval, 'objects'), 'propSet'), 'val');
  return child(value, 'key')?.text ?? null;
}

describe('a cloned session', () => {
  it('works on its own, is not the session it was cloned from, and outlives a logout of its clone', async () => {
    const ownKey = await sessionKey(a.transport.sessionCookie!.slice('vmware_soap_session='.length));
    expect(ownKey).not.toBeNull();
    const session = await cloneSession(a.client, { url: sdkUrl(vcsim.endpoint), agent: a.agent, log: quietLog, timeoutMs: 30_000 });
    expect(`vmware_soap_session=${session}`).not.toBe(a.transport.sessionCookie);
    const cloneKey = await sessionKey(session);
    expect(cloneKey).not.toBeNull();
    expect(cloneKey).not.toBe(ownKey);

    // The mover logs its session out at the end of a pass: the source's own session lives on.
    await callWithSession(session, 'Logout', '<_this type="SessionManager">SessionManager</_this>');
    expect(await sessionKey(session)).toBeNull();
    expect(await a.client.sessionAlive()).toBe(true);
  });
});

describe('moverAccess', () => {
  it("gives the VM's moref, datacenter, supported disks with their keys, the pinned fingerprint and a fresh session each time", async () => {
    const vms = await vmsByName(a);
    const ref = vms.get('DC0_H0_VM1')!;
    const uuid = (await vmProperty(a, ref, 'config.instanceUuid'))!;
    const first = await provider.moverAccess!(uuid);
    expect(first).toMatchObject({
      vcenter: { url: `${vcsim.endpoint}/sdk`, fingerprint: vcsim.fingerprint },
      datacenter: '/DC0',
      vm: { moref: ref.value, uuid },
      running: true,
      disks: [{ index: 0, name: '[LocalDS_0] DC0_H0_VM1/disk1.vmdk', capacity: 10 * 1024 ** 3 }],
    });
    const [devices] = await a.client.retrieve({ propSet: [{ type: 'VirtualMachine', paths: ['config.hardware.device'] }], objectSet: [{ obj: ref }] });
    const diskKeys = devices!.props.get('config.hardware.device')!.children.filter((d) => d.type === 'VirtualDisk').map((d) => Number(child(d, 'key')!.text));
    expect(first.disks.map((d) => d.key)).toEqual(diskKeys);
    const second = await provider.moverAccess!(uuid);
    expect(second.vcenter.session).not.toBe(first.vcenter.session);
    const keys = [await sessionKey(first.vcenter.session), await sessionKey(second.vcenter.session)];
    expect(keys).not.toContain(null);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('says a VM that does not exist is not found, without any session in the message', async () => {
    await expect(provider.moverAccess!('00000000-0000-4000-8000-00000000dead')).rejects.toMatchObject({ code: 'not-found' });
  });
});
