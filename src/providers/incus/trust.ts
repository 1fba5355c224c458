// Getting Ferry's client certificate trusted. The operator either adds the certificate on the
// server (`incus config trust add-certificate ferry.crt`), or creates a token (`incus config trust
// add ferry`) and gives it to Ferry by reference: while the server does not trust the certificate
// yet, Ferry presents it once with the token. The token field is `trust_token` on Incus and
// `password` on LXD 5.0 (LXD spells it `trust_token` too from the extension explicit_trust_token).

import { ProviderError } from '../ports.js';
import type { IncusClient, ServerInfo } from './client.js';

/** The field an untrusted client sends its token in. */
export function tokenField(server: ServerInfo): 'trust_token' | 'password' {
  const extensions = new Set(server.api_extensions);
  return extensions.has('macaroon_authentication') && !extensions.has('explicit_trust_token') ? 'password' : 'trust_token';
}

export interface TrustOptions {
  /** The trust token, read when needed; null when the target has none. */
  token: () => Promise<string | null>;
  /** The client certificate's SHA-256 fingerprint, for the message that asks to trust it. */
  fingerprint: string | null;
}

export async function ensureTrusted(client: IncusClient, options: TrustOptions): Promise<void> {
  const server = await client.server();
  if (server.auth === 'trusted') return;
  const shown = options.fingerprint !== null ? ` (SHA-256 ${options.fingerprint})` : '';
  const token = await options.token();
  if (token === null) {
    throw new ProviderError(
      'untrusted',
      `target ${client.target} does not trust Ferry's client certificate${shown}: add it on the server (incus config trust add-certificate), or give the target a trust_token_from`,
    );
  }
  try {
    await client.call('POST', '/1.0/certificates', { body: { type: 'client', [tokenField(server)]: token } });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProviderError('untrusted', `target ${client.target} refused the trust token for Ferry's client certificate${shown}: ${reason}`);
  }
  if ((await client.server()).auth !== 'trusted') {
    throw new ProviderError('untrusted', `target ${client.target} accepted the trust token but still does not trust Ferry's client certificate${shown}`);
  }
}
