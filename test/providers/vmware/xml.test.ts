import { describe, expect, it } from 'vitest';
import { localizedFault, soapFault } from '../../../src/providers/vmware/faults.js';
import { child, escapeXml, parseXml, path, XmlError } from '../../../src/providers/vmware/xml.js';

describe('the namespace-aware XML tree', () => {
  it('finds xsi:type under whatever prefix declares the XML Schema instance namespace', () => {
    const root = parseXml(
      '<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        '<a xsi:type="ArrayOfVirtualDevice"><VirtualDevice xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="VirtualDisk"/></a>' +
        '<b xmlns:q="http://www.w3.org/2001/XMLSchema-instance" q:type="xsd:int">3</b></r>',
    );
    expect(child(root, 'a')!.type).toBe('ArrayOfVirtualDevice');
    expect(path(root, 'a', 'VirtualDevice')!.type).toBe('VirtualDisk');
    expect(child(root, 'b')!.type).toBe('int');
  });

  it('keeps an unprefixed type attribute (a managed object reference) apart from the xsi type', () => {
    const root = parseXml('<val xmlns:X="http://www.w3.org/2001/XMLSchema-instance" X:type="ManagedObjectReference" type="Folder">group-d1</val>');
    expect(root).toMatchObject({ name: 'val', type: 'ManagedObjectReference', attrs: { type: 'Folder' }, text: 'group-d1' });
  });

  it('does not take a type attribute of another namespace, nor a literal xsi prefix bound elsewhere, for the xsi type', () => {
    const root = parseXml('<r xmlns:xsi="urn:not-xsi" xmlns:o="urn:other"><a xsi:type="Nope" o:type="Nope">x</a></r>');
    expect(child(root, 'a')!.type).toBeNull();
  });

  it('resolves element namespaces, default and prefixed', () => {
    const root = parseXml('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><R xmlns="urn:vim25"><returnval/></R></soapenv:Body></soapenv:Envelope>');
    expect(root).toMatchObject({ name: 'Envelope', ns: 'http://schemas.xmlsoap.org/soap/envelope/' });
    expect(path(root, 'Body', 'R')!.ns).toBe('urn:vim25');
    expect(path(root, 'Body', 'R', 'returnval')!.ns).toBe('urn:vim25');
  });

  it('decodes entities and character references, and keeps spaces in text', () => {
    expect(parseXml('<n> a &amp; b &lt;c&gt; &#x41;&#66; </n>').text).toBe(' a & b <c> AB ');
  });

  it('refuses malformed and truncated documents, and undeclared prefixes', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(XmlError);
    expect(() => parseXml('<a><objects><obj>vm-1</obj></objects><objects><obj>vm')).toThrow(XmlError);
    expect(() => parseXml('<p:a/>')).toThrow(/undeclared prefix p/);
  });

  it('escapes text and attribute values', () => {
    expect(escapeXml(`a&b<c>"d"'e'`)).toBe('a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;');
  });
});

describe('vSphere faults', () => {
  const fault = (detail: string, text = '') =>
    soapFault(
      'Login',
      parseXml(`<soapenv:Fault xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><faultcode>ServerFaultCode</faultcode><faultstring>${text}</faultstring><detail>${detail}</detail></soapenv:Fault>`),
    );

  it('maps a fault detail to an error code, keeping the fault type and the server text', () => {
    expect(fault('<InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"/>', 'Login failure')).toMatchObject({
      code: 'invalid-login',
      fault: 'InvalidLogin',
      message: 'Login failed: InvalidLogin: Login failure',
    });
  });

  it('names the fault by its element when the type is missing, and the object it is about', () => {
    const error = fault('<ManagedObjectNotFoundFault xmlns="urn:vim25"><obj type="VirtualMachine">vm-9</obj></ManagedObjectNotFoundFault>');
    expect(error).toMatchObject({ code: 'not-found', fault: 'ManagedObjectNotFound', object: { type: 'VirtualMachine', value: 'vm-9' } });
  });

  it('gives an unknown fault the generic code', () => {
    expect(fault('<WeirdFault xmlns="urn:vim25" xsi:type="Weird"/>')).toMatchObject({ code: 'vim-fault', fault: 'Weird', message: 'Login failed: Weird' });
  });

  it('describes a task fault without a message by its fields', () => {
    const value = parseXml(
      '<val xmlns:X="http://www.w3.org/2001/XMLSchema-instance" X:type="LocalizedMethodFault"><fault X:type="InvalidPowerState"><requestedState>poweredOff</requestedState><existingState>poweredOff</existingState></fault><localizedMessage>*types.InvalidPowerState</localizedMessage></val>',
    );
    expect(localizedFault('task task-9', value)).toMatchObject({
      code: 'invalid-power-state',
      message: 'task task-9: InvalidPowerState (requestedState poweredOff, existingState poweredOff)',
    });
  });
});
