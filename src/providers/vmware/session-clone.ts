// A vSphere session for one mover pass: the source's own session asks for a clone ticket
// (SessionManager.AcquireCloneTicket), and a transport without a session redeems it
// (CloneSession). The new session belongs to the same user, is independent of the source's (either
// may log out without ending the other), and is handed out as the value of its
// `vmware_soap_session` cookie. The password never leaves this process; neither the ticket nor the
// cookie is ever logged or put in an error.

import { ProviderError } from '../ports.js';
import type { VimClient } from './client.js';
import { SoapTransport, type SoapTransportOptions } from './soap.js';
import { morefXml } from './values.js';
import { escapeXml } from './xml.js';

const COOKIE = 'vmware_soap_session=';

/** A new session cloned from `client`'s (which must be logged in): its cookie value. */
export async function cloneSession(client: VimClient, options: SoapTransportOptions): Promise<string> {
  const ticket = await client.acquireCloneTicket();
  const content = await client.serviceContent();
  const fresh = new SoapTransport(options);
  fresh.version = client.transport.version;
  await fresh.call('CloneSession', `${morefXml('_this', content.sessionManager)}<cloneTicket>${escapeXml(ticket)}</cloneTicket>`);
  const cookie = fresh.sessionCookie;
  if (cookie === null || !cookie.startsWith(COOKIE)) throw new ProviderError('bad-response', `CloneSession: ${options.url.host} set no session cookie`);
  return cookie.slice(COOKIE.length);
}
