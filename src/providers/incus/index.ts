// The incus target provider: the Incus REST API (also LXD), over HTTPS with a client certificate
// and a pinned server certificate, or over the local unix socket. See docs/providers/incus.md.

import type { Logger } from 'pino';
import type { Target } from '../../model/desired.js';
import { ProviderError, type TargetProvider } from '../ports.js';
import { readSecret } from '../secrets.js';
import { IncusClient } from './client.js';
import { IncusTarget } from './target.js';
import { pemFingerprints, type TlsIdentity } from './tls.js';

export interface OpenIncusOptions {
  log: Logger;
  /** Where `env:` secret references are read; the process environment by default. */
  env?: NodeJS.ProcessEnv;
}

/** Colon-separated upper-case hex, as openssl shows a fingerprint. */
function displayFingerprint(hex: string): string {
  return hex.toUpperCase().match(/../g)!.join(':');
}

/** The fingerprints of a PEM's certificates; it must hold at least one (the text is never shown). */
function certificates(pem: string, what: string): string[] {
  let found: string[];
  try {
    found = pemFingerprints(pem);
  } catch {
    throw new ProviderError('invalid-target', `${what} holds a damaged PEM certificate`);
  }
  if (found.length === 0) throw new ProviderError('invalid-target', `${what} holds no PEM certificate`);
  return found;
}

/**
 * Opens the provider of an incus Target. Secrets (client key, certificates, trust token) are read
 * here, by reference; nothing contacts the server until the first call, so a target that is down
 * is reported by observe instead of failing the open.
 */
export async function openIncusTarget(target: Target, options: OpenIncusOptions): Promise<TargetProvider & { close(): Promise<void> }> {
  const name = target.meta.name;
  const env = options.env ?? process.env;
  if (target.type !== 'incus') throw new ProviderError('invalid-target', `target ${name} is of type ${target.type}, not incus`);
  if (target.endpoint === undefined) throw new ProviderError('invalid-target', `target ${name} has no endpoint`);
  let tls: TlsIdentity | undefined;
  let fingerprint: string | null = null;
  if (target.endpoint.startsWith('https://')) {
    if (target.tls_client_cert_from === undefined || target.tls_client_key_from === undefined) {
      throw new ProviderError('invalid-target', `target ${name} is reached over HTTPS and needs tls_client_cert_from and tls_client_key_from`);
    }
    const cert = await readSecret(target.tls_client_cert_from, `the client certificate of target ${name}`, env);
    const key = await readSecret(target.tls_client_key_from, `the client key of target ${name}`, env);
    tls = { cert, key };
    if (target.trusted_server_certificate_from !== undefined) {
      tls.ca = await readSecret(target.trusted_server_certificate_from, `the trusted server certificate of target ${name}`, env);
      certificates(tls.ca, `the trusted server certificate of target ${name}`);
    }
    if (target.trusted_server_certificate_fingerprint !== undefined) tls.fingerprint = target.trusted_server_certificate_fingerprint;
    fingerprint = displayFingerprint(certificates(cert, `the client certificate of target ${name}`)[0]!);
  }
  const client = new IncusClient({ target: name, endpoint: target.endpoint, ...(tls ? { tls } : {}), timeoutMs: target.connection_timeout_ms, log: options.log });
  const tokenRef = target.trust_token_from;
  return new IncusTarget(
    name,
    client,
    {
      instanceType: target.instance_type ?? 'virtual-machine',
      ...(target.transfer === 'mover' && target.mover_image !== undefined ? { moverImage: target.mover_image } : {}),
      ...(target.transfer === 'mover' && target.virtio_win_image !== undefined ? { virtioWinImage: target.virtio_win_image } : {}),
      image: target.container_image ?? null,
      trust: {
        fingerprint,
        token: async () => (tokenRef === undefined ? null : readSecret(tokenRef, `the trust token of target ${name}`, env)),
      },
    },
    options.log,
  );
}
