// vSphere faults as Ferry errors: every fault becomes a VimFault, a ProviderError whose code says
// what kind of failure it is (so callers and operators can act on it) and whose `fault` keeps the
// vSphere type name. Messages name the method and the server's own text; never a secret.

import { ProviderError } from '../ports.js';
import { child, type XmlElement } from './xml.js';

/** Ferry's error codes for the vSphere faults it tells apart; any other fault is 'vim-fault'. */
const FAULT_CODES: Record<string, string> = {
  InvalidLogin: 'invalid-login',
  NotAuthenticated: 'not-authenticated',
  InvalidPowerState: 'invalid-power-state',
  ManagedObjectNotFound: 'not-found',
  NoPermission: 'no-permission',
  InvalidProperty: 'invalid-property',
  InvalidArgument: 'invalid-argument',
  ToolsUnavailable: 'tools-unavailable',
  TaskInProgress: 'busy',
  InvalidState: 'invalid-state',
  RequestCanceled: 'canceled',
  NotSupported: 'not-supported',
};

export class VimFault extends ProviderError {
  constructor(
    code: string,
    /** The vSphere fault type (`InvalidLogin`), or '' when the server sent none. */
    readonly fault: string,
    message: string,
    /** The managed object the fault names (ManagedObjectNotFound's `obj`, NoPermission's `object`), if any. */
    readonly object: { type: string; value: string } | null = null,
  ) {
    super(code, message);
    this.name = 'VimFault';
  }
}

/** The error code for a vSphere fault type. */
export function faultCode(fault: string): string {
  return FAULT_CODES[fault] ?? 'vim-fault';
}

/** Whether an error is this vSphere fault (by type name). */
export function isFault(error: unknown, fault: string): error is VimFault {
  return error instanceof VimFault && error.fault === fault;
}

/**
 * The fault inside a fault detail or a LocalizedMethodFault's `fault`: its xsi:type, or the
 * element name without the `Fault` suffix (`<InvalidLoginFault>`).
 */
export function faultType(element: XmlElement): string {
  if (element.type) return element.type;
  return element.name.endsWith('Fault') ? element.name.slice(0, -'Fault'.length) : element.name;
}

function faultObject(detail: XmlElement | undefined): { type: string; value: string } | null {
  const ref = child(detail, 'obj') ?? child(detail, 'object');
  return ref ? { type: ref.attrs.type ?? '', value: ref.text } : null;
}

/** The fault's simple fields (`invalidProperty configSpec.guestId`), for faults the server sends without a message. */
function details(element: XmlElement | undefined): string {
  const fields = (element?.children ?? []).filter((c) => c.children.length === 0 && c.text !== '' && c.name !== 'obj' && c.name !== 'object');
  return fields.map((c) => `${c.name} ${c.text}`).join(', ');
}

function describe(fault: string, text: string, element: XmlElement | undefined): string {
  if (text === '' || text === fault || text.startsWith('*types.')) {
    const more = details(element);
    return more === '' ? fault : `${fault} (${more})`;
  }
  return `${fault}: ${text}`;
}

/** A SOAP Fault element of a response to `method`. */
export function soapFault(method: string, faultElement: XmlElement): VimFault {
  const text = child(faultElement, 'faultstring')?.text.trim() ?? '';
  const detail = child(faultElement, 'detail')?.children[0];
  const fault = detail ? faultType(detail) : '';
  const what = fault === '' ? text || 'a fault without detail' : describe(fault, text, detail);
  return new VimFault(faultCode(fault), fault, `${method} failed: ${what}`, faultObject(detail));
}

/** A LocalizedMethodFault value (a task's info.error, a missingSet entry's fault). */
export function localizedFault(context: string, value: XmlElement): VimFault {
  const inner = child(value, 'fault');
  const fault = inner ? faultType(inner) : '';
  const text = child(value, 'localizedMessage')?.text.trim() ?? '';
  return new VimFault(faultCode(fault), fault, `${context}: ${describe(fault || 'unknown fault', text, inner)}`, faultObject(inner));
}
