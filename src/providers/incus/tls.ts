// HTTPS to Incus with a client certificate and a pinned server certificate. Incus servers present
// self-signed certificates, so the ordinary chain check cannot decide; the pin does. The check runs
// on the TLS connection before the agent hands it to HTTP, so not one byte of a request reaches a
// server that fails it.
//
// How a server is trusted, in order:
//  - its leaf certificate's SHA-256 fingerprint is pinned (`trusted_server_certificate_fingerprint`,
//    or any certificate in the PEM of `trusted_server_certificate_from`): accepted whatever its
//    names, as the incus client does for a remote whose certificate it stored;
//  - the PEM holds a CA instead: the chain must lead to it and the certificate must name the host;
//  - nothing is pinned: the system's CAs and the host name decide (a publicly signed certificate).

import { X509Certificate } from 'node:crypto';
import { Agent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { checkServerIdentity, connect, type ConnectionOptions, type PeerCertificate, type TLSSocket } from 'node:tls';
import { ProviderError } from '../ports.js';
import { normalizeFingerprint } from '../secrets.js';
import { connectionError } from './errors.js';

export interface TlsIdentity {
  /** The client certificate and key (PEM). */
  cert: string;
  key: string;
  /** Trusted server certificates or CAs (PEM, one or more). */
  ca?: string;
  /** A pinned server certificate fingerprint (SHA-256, any case, colons or not). */
  fingerprint?: string;
}

/** The SHA-256 fingerprints of every certificate in a PEM text (lower-case hex, no colons). */
export function pemFingerprints(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => normalizeFingerprint(new X509Certificate(block).fingerprint256));
}

/**
 * Why a server's certificate is refused, or null when it is trusted. `pins` are leaf fingerprints;
 * `chainAllowed`: a CA was given, or nothing is pinned (the system's CAs decide).
 */
export function verifyServer(socket: TLSSocket, host: string, pins: ReadonlySet<string>, chainAllowed: boolean): string | null {
  // Read the certificate once: on some Node versions a second read of the peer certificate
  // comes back empty.
  const details = socket.getPeerCertificate();
  const peer = details.raw !== undefined ? new X509Certificate(details.raw) : undefined;
  if (peer === undefined) return 'the server presented no certificate';
  if (pins.has(normalizeFingerprint(peer.fingerprint256))) return null;
  const shown = peer.fingerprint256;
  if (!chainAllowed) return `its certificate (SHA-256 ${shown}) is not the pinned one`;
  if (!socket.authorized) {
    if (String(socket.authorizationError) === 'ERR_TLS_CERT_ALTNAME_INVALID') return `its certificate (SHA-256 ${shown}) does not name ${host}`;
    return pins.size > 0
      ? `its certificate (SHA-256 ${shown}) is neither pinned nor signed by the trusted certificate (${String(socket.authorizationError)})`
      : `its certificate (SHA-256 ${shown}) is not trusted (${String(socket.authorizationError)}); pin it with trusted_server_certificate_fingerprint or trusted_server_certificate_from`;
  }
  const mismatch = checkServerIdentity(host, details as PeerCertificate);
  return mismatch === undefined ? null : `its certificate does not name ${host}: ${mismatch.message}`;
}

/** An HTTPS agent that only hands out connections to the trusted server. */
export class PinnedAgent extends Agent {
  private readonly pins: Set<string>;
  private readonly chainAllowed: boolean;

  constructor(
    private readonly target: string,
    private readonly endpoint: string,
    private readonly identity: TlsIdentity,
    private readonly connectTimeoutMs: number,
    options: AgentOptions,
  ) {
    super({ ...options, keepAlive: true });
    this.pins = new Set([...(identity.ca !== undefined ? pemFingerprints(identity.ca) : []), ...(identity.fingerprint !== undefined ? [normalizeFingerprint(identity.fingerprint)] : [])]);
    this.chainAllowed = this.pins.size === 0 || (identity.ca !== undefined && hasCaCertificate(identity.ca));
  }

  // Node's agent accepts a connection handed over later through the callback.
  override createConnection(options: ConnectionOptions, callback: (error: Error | null, socket?: Duplex) => void): undefined {
    const host = options.host ?? 'localhost';
    const socket = connect({
      host,
      port: options.port,
      ...(isIp(host) ? {} : { servername: host }),
      cert: this.identity.cert,
      key: this.identity.key,
      ...(this.identity.ca !== undefined ? { ca: this.identity.ca } : {}),
      // The pin decides (verifyServer) before the socket is used.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    });
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      callback(error);
    };
    socket.setTimeout(this.connectTimeoutMs, () => fail(new ProviderError('timeout', `cannot reach target ${this.target} at ${this.endpoint}: no TLS connection after ${this.connectTimeoutMs} ms`)));
    socket.once('error', (error) => fail(connectionError(this.target, this.endpoint, error)));
    socket.once('secureConnect', () => {
      const refused = verifyServer(socket, host, this.pins, this.chainAllowed);
      if (refused !== null) return fail(new ProviderError('tls-untrusted', `target ${this.target} at ${this.endpoint} is not the server Ferry trusts: ${refused}`));
      settled = true;
      socket.setTimeout(0);
      callback(null, socket);
    });
    return undefined;
  }
}

function isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}

/** Whether a PEM holds a CA certificate (then a chain to it counts, not only an exact pin). */
function hasCaCertificate(pem: string): boolean {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.some((block) => new X509Certificate(block).ca);
}
