// A unix-socket HTTP server that answers with recorded responses, for the server behaviours the
// peer suite cannot reach on this machine (LXD 5.0's and newer Incus's operation failures, LXD's
// header names and trust token field). It records every request it receives.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Reply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Answers by `METHOD path` (path with its query); a list is answered in turn, the last one repeatedly. */
export type Script = Record<string, Reply | Reply[]>;

export interface RecordedServer {
  endpoint: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function recordedServer(script: Script): Promise<RecordedServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-recorded-'));
  const socket = join(dir, 'unix.socket');
  const requests: RecordedRequest[] = [];
  const served = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const key = `${req.method} ${req.url}`;
      const entry = script[key];
      if (entry === undefined) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: `not recorded: ${key}`, error_code: 404 }));
        return;
      }
      const n = served.get(key) ?? 0;
      served.set(key, n + 1);
      const reply = Array.isArray(entry) ? entry[Math.min(n, entry.length - 1)]! : entry;
      res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', ...(reply.headers ?? {}) });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    endpoint: `unix://${socket}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

export function sync(metadata: unknown, status = 200): Reply {
  return { status, body: { type: 'sync', status: 'Success', status_code: 200, operation: '', error_code: 0, error: '', metadata } };
}

export function async(operation: string): Reply {
  return { status: 202, body: { type: 'async', status: 'Operation created', status_code: 100, operation, error_code: 0, error: '', metadata: { id: operation.split('/').pop(), status: 'Running', status_code: 103 } } };
}

export function error(status: number, message: string): Reply {
  return { status, body: { type: 'error', status: '', status_code: 0, operation: '', error_code: status, error: message, metadata: null } };
}

/** A finished (or still running) operation as `/wait` returns it the LXD way: a sync answer. */
export function operation(id: string, status: 'Success' | 'Failure' | 'Running' | 'Cancelled', err = '', metadata: unknown = null): Reply {
  const codes = { Success: 200, Failure: 400, Running: 103, Cancelled: 401 };
  return sync({ id, class: 'task', description: 'x', status, status_code: codes[status], err, metadata, resources: null, may_cancel: false, location: 'none' });
}

/** `GET /1.0` of LXD 5.0.2 as far as Ferry reads it (api_extensions abridged to the relevant ones). */
export function lxdServer(auth: 'trusted' | 'untrusted' = 'trusted'): Reply {
  return sync({
    api_extensions: ['projects', 'macaroon_authentication', 'candid_authentication', 'custom_volume_backup', 'instance_all_projects', 'api_filtering', 'operation_wait'],
    api_status: 'stable',
    api_version: '1.0',
    auth,
    ...(auth === 'trusted' ? { environment: { server: 'lxd', server_version: '5.0.2', server_clustered: false, server_name: 'vm' } } : {}),
  });
}
