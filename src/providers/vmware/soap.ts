// The SOAP transport of the vSphere API (vim25): posts one method call in an envelope, keeps the
// session cookie vCenter sets at Login, and turns the answer into its response element or a
// VimFault. Request bodies are never logged (Login carries the password).

import type https from 'node:https';
import type { Logger } from 'pino';
import { ProviderError } from '../ports.js';
import { soapFault } from './faults.js';
import { deadline, readBody, send } from './http.js';
import { child, parseXml, SOAP_ENV, XmlError, type XmlElement } from './xml.js';

/** The largest SOAP response read (a page of VM properties is a few MiB). */
const RESPONSE_LIMIT = 256 * 1024 * 1024;
const SESSION_COOKIE = 'vmware_soap_session';

export interface SoapTransportOptions {
  /** The SOAP endpoint, `https://vcenter/sdk`. */
  url: URL;
  agent: https.Agent;
  /** Only debug lines (the mover passes a logger of its own, without pino). */
  log: Pick<Logger, 'debug'>;
  /** The deadline of a call that gives none. */
  timeoutMs: number;
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The SOAP endpoint of a Source's `endpoint` (`https://vc.example.com` → `https://vc.example.com/sdk`). */
export function sdkUrl(endpoint: string): URL {
  const url = new URL(endpoint);
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/sdk')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/sdk`;
  return url;
}

export class SoapTransport {
  /** The API version sent in SOAPAction; the server's own once RetrieveServiceContent answered. */
  version = '6.5';
  private cookie: string | null = null;

  constructor(readonly options: SoapTransportOptions) {}

  /** The session cookie (`name=value`), for the other HTTP interfaces of the same session. */
  get sessionCookie(): string | null {
    return this.cookie;
  }

  forgetSession(): void {
    this.cookie = null;
  }

  /** Uses a session made elsewhere (the value of its `vmware_soap_session` cookie) instead of logging in. */
  adoptSession(value: string): void {
    this.cookie = `${SESSION_COOKIE}=${value}`;
  }

  /** Calls `method` with the given body (the method element's children) and returns its response element. */
  async call(method: string, body: string, options: CallOptions = {}): Promise<XmlElement> {
    const envelope =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
      `<soapenv:Body><${method} xmlns="urn:vim25">${body}</${method}></soapenv:Body></soapenv:Envelope>`;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const limit = deadline(timeoutMs, method, options.signal);
    const started = performance.now();
    try {
      const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"urn:vim25/${this.version}"` };
      if (this.cookie !== null) headers.Cookie = this.cookie;
      const response = await send({ method: 'POST', url: this.options.url, headers, body: envelope, agent: this.options.agent, signal: limit.signal, what: method });
      this.keepCookie(response.headers['set-cookie']);
      const text = (await readBody(response, RESPONSE_LIMIT, method, limit.signal)).toString('utf8');
      const status = response.statusCode ?? 0;
      let root: XmlElement;
      try {
        root = parseXml(text);
      } catch (error) {
        if (status >= 400 || !(error instanceof XmlError)) {
          throw new ProviderError('http-error', `${method}: HTTP ${status} from ${this.options.url.host}, not a SOAP answer (is ${this.options.url.pathname} the vSphere API?)`);
        }
        throw new ProviderError('bad-response', `${method}: ${error.message}`);
      }
      const content = child(root, 'Body')?.children[0];
      if (root.name !== 'Envelope' || root.ns !== SOAP_ENV || content === undefined) {
        throw new ProviderError(status >= 400 ? 'http-error' : 'bad-response', `${method}: HTTP ${status} from ${this.options.url.host} without a SOAP body`);
      }
      if (content.name === 'Fault' && content.ns === SOAP_ENV) throw soapFault(method, content);
      this.options.log.debug({ method, ms: Math.round(performance.now() - started), bytes: text.length }, 'vSphere call');
      return content;
    } finally {
      limit.clear();
    }
  }

  private keepCookie(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const pair = line.split(';', 1)[0]!.trim();
      if (pair.startsWith(`${SESSION_COOKIE}=`)) this.cookie = pair;
    }
  }
}
