// Reading the job through the Incus guest API: GET /1.0/config/<key> over a unix socket, a
// plain-text value, 404 while the key is not set. Against a local server that answers as
// incus-agent's devIncus handler does (cmd/incus-agent/dev_incus.go).

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devIncusInput } from '../../src/mover/job-input.js';
import { JOB_KEY } from '../../src/mover/protocol.js';

let dir: string;
let server: http.Server;
const config = new Map<string, string>();
const asked: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-devincus-'));
  server = http.createServer((request, response) => {
    asked.push(request.url ?? '');
    const key = decodeURIComponent((request.url ?? '').replace(/^\/1\.0\/config\//, ''));
    const value = config.get(key);
    if (value === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(value);
  });
  await new Promise<void>((resolve) => server.listen(join(dir, 'sock'), resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('the job from /dev/incus/sock', () => {
  it('is null until the key is set, then its value, then null once it is removed', async () => {
    const input = devIncusInput(join(dir, 'sock'));
    expect(await input.read()).toBeNull();
    config.set(JOB_KEY, '{"version":1}');
    expect(await input.read()).toBe('{"version":1}');
    config.delete(JOB_KEY);
    expect(await input.read()).toBeNull();
    expect(asked.every((url) => url === `/1.0/config/${JOB_KEY}`)).toBe(true);
  });

  it('fails when the socket is not there', async () => {
    const input = devIncusInput(join(dir, 'missing-sock'));
    await expect(input.read()).rejects.toThrow(/ENOENT/);
  });
});
