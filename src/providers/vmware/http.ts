// One HTTPS request to vCenter under a deadline, and the failures of the wire as ProviderErrors:
// 'unreachable' (no connection), 'timeout', 'canceled', 'tls-untrusted' (from the agent).

import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { ProviderError } from '../ports.js';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
  agent: https.Agent;
  /** Aborts the request: it fails with the signal's reason when that is a ProviderError (a timeout), else 'canceled'. */
  signal: AbortSignal;
  /** What the request is for, in messages ("Login", "reading [ds] vm/vm.vmdk"). */
  what: string;
}

export interface Deadline {
  signal: AbortSignal;
  clear(): void;
}

/** A signal that aborts after `ms` (with a 'timeout' error) or when `outer` aborts. */
export function deadline(ms: number, what: string, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ProviderError('timeout', `${what}: no answer within ${ms} ms`)), ms);
  const onOuter = () => controller.abort(abortReason(outer!, what));
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** Why an aborted signal stopped `what`: its reason when that is a ProviderError (a timeout), else 'canceled'. */
export function abortReason(signal: AbortSignal, what: string): ProviderError {
  return signal.reason instanceof ProviderError ? signal.reason : new ProviderError('canceled', `${what} was canceled`);
}

/** Sends a request and resolves with the response once its headers are in (any status). */
export function send(request: HttpRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (request.signal.aborted) return reject(abortReason(request.signal, request.what));
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      request.signal.removeEventListener('abort', onAbort);
      req.destroy();
      reject(error);
    };
    const onAbort = () => fail(abortReason(request.signal, request.what));
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body);
    const req = https.request(request.url, { method: request.method, headers, agent: request.agent }, (response) => {
      if (settled) {
        response.destroy();
        return;
      }
      settled = true;
      request.signal.removeEventListener('abort', onAbort);
      resolve(response);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof ProviderError) return fail(error);
      fail(new ProviderError('unreachable', `${request.what}: cannot reach ${request.url.host} (${error.code ?? error.message})`));
    });
    request.signal.addEventListener('abort', onAbort, { once: true });
    req.end(request.body);
  });
}

/** Reads a whole response body, refusing one larger than `limit` bytes; `signal` aborts the read. */
export async function readBody(response: IncomingMessage, limit: number, what: string, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const onAbort = () => response.destroy(abortReason(signal, what));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        response.destroy();
        throw new ProviderError('response-too-large', `${what}: the response is larger than ${limit} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    if (signal.aborted) throw abortReason(signal, what);
    throw new ProviderError('unreachable', `${what}: the connection broke while reading the response (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return Buffer.concat(chunks, size);
}
