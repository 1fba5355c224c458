// TLS to vCenter, with migration-manager's trust settings: a pinned SHA-256 fingerprint of the
// server's certificate, or a trusted PEM certificate (the server's own or its CA), or else the
// system's CAs. Every connection is checked before the first request byte is written (the login
// carries the password), by an agent whose sockets are handed to HTTP only once they passed.

import { createHash, X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { ProviderError } from '../ports.js';
import { normalizeFingerprint } from '../secrets.js';

export interface TlsTrust {
  /** A SHA-256 fingerprint (any case, colons allowed) the server's certificate must have. */
  fingerprint?: string;
  /** PEM certificates to trust: the server's own certificate or the CA that issued it. */
  certificate?: string;
  /**
   * A SHA-1 thumbprint (any case, colons allowed) the certificate must have: what vCenter gives
   * for the ESXi host serving an export lease's disk (HttpNfcLeaseDeviceUrl.sslThumbprint).
   */
  thumbprintSha1?: string;
}

/** The SHA-256 fingerprint of a DER certificate, lower-case hex without colons. */
export function certificateFingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

function pemFingerprints(pem: string): Set<string> {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const out = new Set<string>();
  for (const block of blocks) {
    try {
      out.add(certificateFingerprint(new X509Certificate(block).raw));
    } catch {
      throw new ProviderError('invalid-certificate', 'trusted_server_certificate_from does not hold a valid PEM certificate');
    }
  }
  if (out.size === 0) throw new ProviderError('invalid-certificate', 'trusted_server_certificate_from holds no PEM certificate');
  return out;
}

/** Why a server's certificate is refused, or null when it is trusted. */
export function trustProblem(socket: tls.TLSSocket, trust: TlsTrust, pinnedCertificates: Set<string> | null): string | null {
  const peer = socket.getPeerCertificate();
  const raw = peer?.raw;
  if (!raw || raw.length === 0) return 'the server presented no certificate';
  const fingerprint = certificateFingerprint(raw);
  if (trust.thumbprintSha1 !== undefined) {
    const thumbprint = createHash('sha1').update(raw).digest('hex');
    return thumbprint === trust.thumbprintSha1.replace(/:/g, '').toLowerCase()
      ? null
      : `the server's certificate (SHA-1 ${thumbprint}) does not match the thumbprint vCenter gave for it`;
  }
  if (trust.fingerprint !== undefined) {
    return fingerprint === normalizeFingerprint(trust.fingerprint)
      ? null
      : `the server's certificate (SHA-256 ${fingerprint}) does not match trusted_server_certificate_fingerprint`;
  }
  if (socket.authorized) return null;
  if (pinnedCertificates?.has(fingerprint)) return null;
  const reason = socket.authorizationError ? String(socket.authorizationError) : 'not trusted';
  return pinnedCertificates
    ? `the server's certificate (SHA-256 ${fingerprint}) is neither the certificate in trusted_server_certificate_from nor issued by it (${reason})`
    : `the server's certificate is not trusted (${reason}); to trust it, set trusted_server_certificate_fingerprint: ${fingerprint}`;
}

/** An HTTPS agent that only hands out connections whose certificate passes `trust`. */
export function trustingAgent(
  trust: TlsTrust,
  options: { maxSockets: number; connectTimeoutMs: number; onTrusted?: (fingerprint: string) => void },
): https.Agent {
  const pinned = trust.certificate !== undefined ? pemFingerprints(trust.certificate) : null;
  const ca = trust.certificate;
  class TrustingAgent extends https.Agent {
    override createConnection(connectOptions: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
      const host = connectOptions.host ?? 'localhost';
      const socket = tls.connect({
        ...(connectOptions as tls.ConnectionOptions),
        ...(ca !== undefined ? { ca } : {}),
        rejectUnauthorized: false,
      });
      let answered = false;
      const answer = (error: Error | null) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        if (error) socket.destroy();
        callback?.(error, socket);
      };
      const timer = setTimeout(() => {
        answer(new ProviderError('timeout', `no TLS connection to ${host} within ${options.connectTimeoutMs} ms`));
      }, options.connectTimeoutMs);
      socket.once('secureConnect', () => {
        const problem = trustProblem(socket, trust, pinned);
        if (problem === null) options.onTrusted?.(certificateFingerprint(socket.getPeerCertificate().raw));
        answer(problem === null ? null : new ProviderError('tls-untrusted', `${host}: ${problem}`));
      });
      socket.once('error', (error) => answer(error));
      return undefined;
    }
  }
  return new TrustingAgent({ keepAlive: true, maxSockets: options.maxSockets, ...(ca !== undefined ? { ca } : {}) });
}
