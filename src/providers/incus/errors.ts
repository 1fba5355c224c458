// What can go wrong talking to Incus, as errors an operator can act on. Incus answers failures
// with an envelope `{"type":"error","error_code":N,"error":"…"}`; a failed operation comes back
// either the same way (Incus 6.0.4) or as a finished operation with `status: Failure` (LXD,
// Incus ≥ 6.0.5). Both become an IncusError. Failing to reach the server at all is a
// ProviderError 'unreachable' (or 'tls-untrusted'), which observe reports instead of throwing.
// No message ever carries a secret: requests carry none but the client key, which is never printed.

import { ProviderError } from '../ports.js';

/** The ProviderError code of an Incus answer by its HTTP status. */
export function incusErrorCode(status: number): string {
  switch (status) {
    case 400:
      return 'incus-bad-request';
    case 403:
      return 'incus-forbidden';
    case 404:
      return 'incus-not-found';
    case 409:
      return 'incus-conflict';
    case 412:
      return 'incus-etag-mismatch';
    default:
      return 'incus-error';
  }
}

/** Incus refused or failed a request. `status` is the HTTP status, `error_code` the envelope's. */
export class IncusError extends ProviderError {
  constructor(
    readonly status: number,
    readonly error_code: number,
    message: string,
  ) {
    super(incusErrorCode(error_code || status), message);
    this.name = 'IncusError';
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof IncusError && (error.status === 404 || error.error_code === 404);
}

export function isEtagMismatch(error: unknown): boolean {
  return error instanceof IncusError && (error.status === 412 || error.error_code === 412);
}

/** Errors that mean the request may never have reached Incus: the caller can try again later. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof ProviderError && (error.code === 'unreachable' || error.code === 'tls-untrusted' || error.code === 'timeout');
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (temporary DNS failure)',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ENOENT: 'the socket does not exist',
  EACCES: 'permission denied on the socket',
  EPIPE: 'the connection was closed',
  ETIMEDOUT: 'the connection timed out',
};

/** A failure below HTTP (connect, TLS, socket) as a sentence naming the target and its endpoint. */
export function connectionError(target: string, endpoint: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code !== undefined ? NETWORK_CODES[code] ?? tlsReason(code) ?? code : error instanceof Error ? error.message : String(error);
  return new ProviderError('unreachable', `cannot reach target ${target} at ${endpoint}: ${reason}`);
}

function tlsReason(code: string): string | undefined {
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT')) return `TLS failed (${code})`;
  return undefined;
}
