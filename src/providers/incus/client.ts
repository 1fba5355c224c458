// The Incus REST API client: HTTPS with a client certificate and a pinned server certificate, or
// the local unix socket. One response handler for every call: a sync answer gives its metadata, an
// async one is waited for (`GET {operation}/wait`), an error envelope becomes an IncusError.
// Read-modify-write goes through ETags (`If-Match`; a 412 reads again and retries). Which
// features the server has is decided by its `api_extensions`, never by its name or version; the
// server's name only picks the spelling of request headers (X-Incus-* or LXD's X-LXD-*) and of
// the trust token field, which are names, not features.
//
// Creating a client contacts nothing: the first request does (`ferry plan` against a target that
// is down then reports it unreachable instead of failing to open).

import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions as NodeRequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import { ProviderError } from '../ports.js';
import { IncusError, connectionError, isEtagMismatch } from './errors.js';
import { PinnedAgent, type TlsIdentity } from './tls.js';

/** `GET /1.0` as far as Ferry reads it. */
export interface ServerInfo {
  auth: string;
  api_extensions: string[];
  api_version?: string;
  environment?: {
    server?: string;
    server_version?: string;
    server_name?: string;
    server_clustered?: boolean;
  };
}

export type Query = Record<string, string | undefined>;

export interface CallOptions {
  query?: Query;
  /** A JSON body. */
  body?: unknown;
  /** `If-Match`: the ETag of what the caller read. */
  etag?: string;
  signal?: AbortSignal;
}

export interface Answer<T> {
  metadata: T;
  /** The ETag of the object read (GET), for a later If-Match. */
  etag: string | null;
}

/** A finished Incus operation (`/1.0/operations/{id}`). */
export interface IncusOperation {
  id: string;
  status: string;
  status_code: number;
  err: string;
  metadata: Record<string, unknown> | null;
}

interface Envelope {
  type?: string;
  status_code?: number;
  error?: string;
  error_code?: number;
  operation?: string;
  metadata?: unknown;
}

export interface IncusClientOptions {
  /** The target's name, for messages. */
  target: string;
  /** `https://host:port` or `unix:///path/to/unix.socket`. */
  endpoint: string;
  /** Required for https endpoints. */
  tls?: TlsIdentity;
  /** Connecting, and any silence of the server within one request, longer than this fails. */
  timeoutMs: number;
  log: Logger;
  /** Seconds one `/wait` request lets the server hold before asking again (default: 30, less under a short timeout). */
  waitSeconds?: number;
}

/** How many times a read-modify-write is tried when someone else keeps changing the object. */
const ETAG_ATTEMPTS = 8;
/** A JSON answer larger than this is refused (a project of 50,000 instances is far below). */
const MAX_JSON_BYTES = 512 * 1024 * 1024;

/** Encodes each interpolated value as one path segment: `apiPath\`/1.0/instances/${name}\``. */
export function apiPath(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((out, text, i) => out + text + (i < values.length ? encodeURIComponent(values[i]!) : ''), '');
}

export function withQuery(path: string, query: Query | undefined): string {
  const [base, existing] = splitQuery(path);
  const params = new URLSearchParams(existing);
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, value);
  const text = params.toString();
  return text === '' ? base : `${base}?${text}`;
}

function splitQuery(path: string): [string, string] {
  const at = path.indexOf('?');
  return at < 0 ? [path, ''] : [path.slice(0, at), path.slice(at + 1)];
}

/**
 * What an answer means: the metadata of a sync answer, the operation URL of an async one, or an
 * IncusError. `what` names the request in messages (`POST /1.0/instances`).
 */
export function interpretEnvelope(status: number, envelope: Envelope, what: string): { metadata: unknown } | { operation: string } {
  if (envelope.type === 'error' || status >= 400) {
    const code = envelope.error_code ?? status;
    throw new IncusError(status, code, `${what}: ${envelope.error ?? `HTTP ${status}`}`);
  }
  if (envelope.type === 'async') {
    if (typeof envelope.operation !== 'string') throw new IncusError(status, 500, `${what}: an async answer without an operation`);
    return { operation: envelope.operation };
  }
  return { metadata: envelope.metadata ?? null };
}

/**
 * The result of `GET {operation}/wait`: the finished operation, or null if it is still running
 * (the wait timed out). A failure is an IncusError either way Incus reports it: an error envelope
 * (Incus 6.0.4) or a sync answer whose operation has `status != Success` (LXD, newer Incus).
 */
export function interpretWait(status: number, envelope: Envelope, what: string): IncusOperation | null {
  const answer = interpretEnvelope(status, envelope, what);
  if (!('metadata' in answer) || answer.metadata === null || typeof answer.metadata !== 'object') {
    throw new IncusError(status, 500, `${what}: the operation's answer has no operation`);
  }
  const op = answer.metadata as IncusOperation;
  switch (op.status) {
    case 'Success':
      return op;
    case 'Running':
    case 'Pending':
    case 'Cancelling':
      return null;
    default: {
      const code = op.status_code >= 400 ? op.status_code : 500;
      throw new IncusError(status, code, `${what}: ${op.err || `the operation ended ${op.status}`}`);
    }
  }
}

export class IncusClient {
  readonly target: string;
  readonly endpoint: string;
  private readonly socketPath: string | null;
  private readonly host: string;
  private readonly port: number;
  private readonly agent: HttpAgent;
  private readonly timeoutMs: number;
  private readonly waitSeconds: number;
  private readonly log: Logger;
  private info: ServerInfo | null = null;

  constructor(options: IncusClientOptions) {
    this.target = options.target;
    this.endpoint = options.endpoint;
    this.timeoutMs = options.timeoutMs;
    // A /wait the server holds must end well within the silence a request may have.
    this.waitSeconds = options.waitSeconds ?? Math.max(1, Math.min(30, Math.floor(options.timeoutMs / 1000) - 5));
    this.log = options.log;
    const url = new URL(options.endpoint);
    if (url.protocol === 'unix:') {
      this.socketPath = decodeURIComponent(url.pathname);
      this.host = 'localhost';
      this.port = 0;
      this.agent = new HttpAgent({ keepAlive: true });
    } else if (url.protocol === 'https:') {
      if (options.tls === undefined) throw new ProviderError('invalid-target', `target ${options.target}: an https endpoint needs a client certificate and key`);
      this.socketPath = null;
      this.host = url.hostname.replace(/^\[|\]$/g, '');
      this.port = url.port === '' ? 8443 : Number(url.port);
      this.agent = new PinnedAgent(options.target, options.endpoint, options.tls, options.timeoutMs, {});
    } else {
      throw new ProviderError('invalid-target', `target ${options.target}: the endpoint must be https://… or unix:///…, not ${options.endpoint}`);
    }
  }

  close(): void {
    this.agent.destroy();
  }

  /** `GET /1.0`, read once per client (what the server can do does not change under a running Ferry). */
  async server(): Promise<ServerInfo> {
    if (this.info !== null) return this.info;
    const { metadata } = await this.call<ServerInfo>('GET', '/1.0');
    if (metadata.auth !== 'trusted') {
      // Not cached: trusting Ferry's certificate (a token) changes this.
      return metadata;
    }
    this.info = metadata;
    return metadata;
  }

  async hasExtension(name: string): Promise<boolean> {
    return (await this.server()).api_extensions.includes(name);
  }

  /** Fails unless the server has an API extension Ferry needs for `what`. */
  async requireExtension(name: string, what: string): Promise<void> {
    if (!(await this.hasExtension(name))) {
      throw new ProviderError('not-supported', `target ${this.target} cannot ${what}: the server lacks the API extension ${name}`);
    }
  }

  /** A request header in the server's spelling: `X-Incus-name` on Incus, `X-LXD-name` on LXD. */
  async header(suffix: string): Promise<string> {
    const server = (await this.server()).environment?.server;
    return `${server === 'lxd' ? 'X-LXD' : 'X-Incus'}-${suffix}`;
  }

  async get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<Answer<T>> {
    return this.call<T>('GET', path, { ...(query ? { query } : {}), ...(signal ? { signal } : {}) });
  }

  /** Any request; an async answer is waited for and gives the finished operation's metadata. */
  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
    const target = withQuery(path, options.query);
    const what = `${method} ${splitQuery(path)[0]}`;
    const headers: Record<string, string> = {};
    let payload: Buffer | undefined;
    if (options.body !== undefined) {
      payload = Buffer.from(JSON.stringify(options.body));
      headers['Content-Type'] = 'application/json';
    }
    if (options.etag !== undefined) headers['If-Match'] = options.etag;
    const response = await this.send(method, target, headers, payload, undefined, options.signal);
    const envelope = await readEnvelope(response, what);
    const answer = interpretEnvelope(response.statusCode ?? 0, envelope, what);
    if ('operation' in answer) {
      const op = await this.waitOperation(answer.operation, options.query?.project, options.signal);
      return { metadata: (op.metadata ?? null) as T, etag: null };
    }
    const etag = response.headers.etag;
    return { metadata: answer.metadata as T, etag: typeof etag === 'string' ? etag : null };
  }

  /**
   * Streams a body of known length (`Content-Type: application/octet-stream`) and waits for the
   * operation it starts. The stream ends the request early when it throws or `signal` aborts.
   */
  async upload(path: string, query: Query, headers: Record<string, string>, length: number, body: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<IncusOperation | null> {
    const what = `POST ${splitQuery(path)[0]}`;
    const response = await this.send('POST', withQuery(path, query), { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Length': String(length) }, body, length, signal);
    const envelope = await readEnvelope(response, what);
    const answer = interpretEnvelope(response.statusCode ?? 0, envelope, what);
    if ('operation' in answer) return this.waitOperation(answer.operation, query.project, signal);
    return null;
  }

  /** A raw download (a backup export): the response body as it comes. */
  async download(path: string, query: Query, signal?: AbortSignal): Promise<IncomingMessage> {
    const what = `GET ${path}`;
    const response = await this.send('GET', withQuery(path, query), {}, undefined, undefined, signal);
    if ((response.statusCode ?? 0) >= 400) {
      interpretEnvelope(response.statusCode ?? 0, await readEnvelope(response, what), what);
    }
    return response;
  }

  /** Waits for an operation (by its URL from an async answer) and gives it once it succeeded. */
  async waitOperation(operation: string, project: string | undefined, signal?: AbortSignal): Promise<IncusOperation> {
    const [base] = splitQuery(operation);
    const what = `operation ${base.split('/').pop() ?? base}`;
    for (;;) {
      signal?.throwIfAborted();
      const path = withQuery(`${base}/wait`, { timeout: String(this.waitSeconds), ...(project !== undefined ? { project } : {}) });
      const response = await this.send('GET', path, {}, undefined, undefined, signal);
      const envelope = await readEnvelope(response, what);
      const done = interpretWait(response.statusCode ?? 0, envelope, what);
      if (done !== null) return done;
    }
  }

  /**
   * Read-modify-write of one object with its ETag: `change` gets what was read and returns the new
   * body for PUT (or null: nothing to change). A 412 (someone changed it in between) reads again.
   */
  async update<T>(path: string, query: Query, change: (current: T) => unknown | null | Promise<unknown | null>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { metadata, etag } = await this.get<T>(path, query, signal);
      const body = await change(metadata);
      if (body === null) return metadata;
      try {
        await this.call('PUT', path, { query, body, ...(etag !== null ? { etag } : {}), ...(signal ? { signal } : {}) });
        return metadata;
      } catch (error) {
        if (!isEtagMismatch(error) || attempt >= ETAG_ATTEMPTS) throw error;
        this.log.debug({ path, attempt }, 'changed by someone else meanwhile; reading again');
      }
    }
  }

  private send(method: string, path: string, headers: Record<string, string>, body: Buffer | AsyncIterable<Uint8Array> | undefined, length: number | undefined, signal?: AbortSignal): Promise<IncomingMessage> {
    const started = Date.now();
    const options: NodeRequestOptions = {
      method,
      path,
      agent: this.agent,
      headers: { 'User-Agent': 'ferry', Accept: 'application/json', ...headers },
      timeout: this.timeoutMs,
      ...(signal ? { signal } : {}),
    };
    if (this.socketPath !== null) options.socketPath = this.socketPath;
    else Object.assign(options, { host: this.host, port: this.port });
    if (body instanceof Buffer) (options.headers as Record<string, string>)['Content-Length'] = String(body.length);
    return new Promise<IncomingMessage>((resolve, reject) => {
      const make = this.socketPath !== null ? httpRequest : httpsRequest;
      const req = make(options, (response) => {
        this.log.debug({ method, path: splitQuery(path)[0], status: response.statusCode, ms: Date.now() - started }, 'incus request');
        resolve(response);
      });
      req.on('timeout', () => req.destroy(new ProviderError('timeout', `target ${this.target} at ${this.endpoint} did not answer ${method} ${splitQuery(path)[0]} within ${this.timeoutMs} ms`)));
      let streamError: unknown = null;
      req.on('error', (error) => {
        if (signal?.aborted) reject(signal.reason instanceof Error ? signal.reason : new ProviderError('canceled', 'the request was canceled'));
        else if (streamError !== null) reject(streamError);
        else reject(connectionError(this.target, this.endpoint, error));
      });
      if (body === undefined || body instanceof Buffer) {
        req.end(body);
        return;
      }
      writeStream(req, body as AsyncIterable<Uint8Array>, length ?? 0).then(
        () => req.end(),
        (error: unknown) => {
          streamError = error;
          req.destroy(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}

/**
 * Writes a stream into a request, waiting whenever the socket is full. Stops (leaving the stream)
 * when the request is gone: the server answered early (an error) or the connection broke.
 */
async function writeStream(req: ClientRequest, body: AsyncIterable<Uint8Array>, length: number): Promise<void> {
  let written = 0;
  for await (const chunk of body) {
    if (req.destroyed) return;
    written += chunk.byteLength;
    if (written > length) throw new ProviderError('short-read', `the upload is longer than the ${length} bytes announced`);
    if (!req.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          req.off('drain', done);
          req.off('close', done);
          resolve();
        };
        req.on('drain', done);
        req.on('close', done);
      });
    }
  }
  if (req.destroyed) return;
  if (written !== length) throw new ProviderError('short-read', `the upload ended after ${written} of the ${length} bytes announced`);
}

async function readEnvelope(response: IncomingMessage, what: string): Promise<Envelope> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) {
      response.destroy();
      throw new IncusError(response.statusCode ?? 0, 500, `${what}: the answer is larger than ${MAX_JSON_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as Envelope;
  } catch {
    const status = response.statusCode ?? 0;
    throw new IncusError(status, status >= 400 ? status : 500, `${what}: the answer is not Incus JSON (HTTP ${status}: ${text.slice(0, 120).trim() || 'empty'})`);
  }
}
