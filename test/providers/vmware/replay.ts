// A local HTTPS server that answers SOAP calls with responses recorded from vcsim
// (fixtures/esx/, see fixtures/README.md), for what vcsim cannot do: page results with
// continuation tokens. Every request is kept for the test to inspect.

import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certificateFingerprint } from '../../../src/providers/vmware/tls.js';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(here, 'fixtures');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export interface SoapRequest {
  method: string;
  body: string;
  cookie: string | undefined;
}

export interface Answer {
  status?: number;
  body: string;
}

/** Decides the answer to one call; `undefined` answers with a SOAP fault naming the unexpected call. */
export type Responder = (request: SoapRequest) => Answer | string | undefined;

export interface ReplayServer {
  endpoint: string;
  fingerprint: string;
  requests: SoapRequest[];
  close(): Promise<void>;
}

export const SESSION_COOKIE = 'vmware_soap_session="replayed-session"';

export function soapFaultXml(fault: string, message = ''): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${message}</faultstring><detail><${fault}Fault xmlns="urn:vim25" xsi:type="${fault}"></${fault}Fault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`
  );
}

export function emptyResponse(method: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><${method}Response xmlns="urn:vim25"></${method}Response></soapenv:Body></soapenv:Envelope>`;
}

export async function replayServer(respond: Responder): Promise<ReplayServer> {
  const cert = fixture('replay-cert.pem');
  const requests: SoapRequest[] = [];
  const server = https.createServer({ cert, key: fixture('replay-key.pem') }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const method = /<soapenv:Body><(\w+)/.exec(body)?.[1] ?? '';
      const request: SoapRequest = { method, body, cookie: req.headers.cookie };
      requests.push(request);
      const answer = respond(request);
      const { status, body: text } =
        answer === undefined ? { status: 500, body: soapFaultXml('NotImplemented', `the replay has no answer to ${method}`) } : typeof answer === 'string' ? { status: 200, body: answer } : answer;
      const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset=utf-8' };
      if (method === 'Login' && (status ?? 200) === 200) headers['Set-Cookie'] = `${SESSION_COOKIE}; Path=/; HttpOnly; Secure`;
      res.writeHead(status ?? 200, headers);
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const der = Buffer.from(cert.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return {
    endpoint: `https://127.0.0.1:${port}`,
    fingerprint: certificateFingerprint(der),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The recorded ESX inventory conversation, with the VM listing paged in 3 and the VM properties in 2. */
export const esxInventory: Responder = ({ method, body }) => {
  switch (method) {
    case 'RetrieveServiceContent':
      return fixture('esx/service-content.xml');
    case 'Login':
      return fixture('esx/login.xml');
    case 'Logout':
      return fixture('esx/logout.xml');
    case 'CreateContainerView':
      return fixture('esx/create-view.xml');
    case 'DestroyView':
      return fixture('esx/destroy-view.xml');
    case 'CancelRetrievePropertiesEx':
      return emptyResponse(method);
    case 'ContinueRetrievePropertiesEx': {
      const token = /<token>([^<]*)<\/token>/.exec(body)?.[1];
      if (token === 'list-2') return fixture('esx/vm-list-2.xml');
      if (token === 'list-3') return fixture('esx/vm-list-3.xml');
      if (token === 'vms-2') return fixture('esx/vms-2.xml');
      return { status: 500, body: soapFaultXml('InvalidArgument', `unknown token ${token}`) };
    }
    case 'RetrievePropertiesEx':
      if (body.includes('<type>Folder</type>')) return fixture('esx/tree.xml');
      if (body.includes('<type>Network</type>')) return fixture('esx/networks.xml');
      if (body.includes('<pathSet>config.hardware.device</pathSet>')) return fixture('esx/vms-1.xml');
      if (body.includes('<type>VirtualMachine</type>')) return fixture('esx/vm-list-1.xml');
      return undefined;
    default:
      return undefined;
  }
};
