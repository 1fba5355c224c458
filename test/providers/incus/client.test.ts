// The client's response handling on recorded answers: what Incus 6.0.4 (the peer suite's daemon)
// cannot show — LXD 5.0's and Incus ≥ 6.0.5's way of failing an operation on /wait, LXD's header
// names and trust token field — plus request building.

import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { IncusClient, apiPath, interpretEnvelope, interpretWait, withQuery } from '../../../src/providers/incus/client.js';
import { IncusError } from '../../../src/providers/incus/errors.js';
import { ensureTrusted, tokenField } from '../../../src/providers/incus/trust.js';
import { async, error, lxdServer, operation, recordedServer, sync, type RecordedServer } from './recorded-server.js';

const log = pino({ level: 'silent' });
let server: RecordedServer | null = null;
let client: IncusClient | null = null;

afterEach(async () => {
  client?.close();
  await server?.close();
  server = null;
  client = null;
});

async function replay(script: Parameters<typeof recordedServer>[0]): Promise<{ server: RecordedServer; client: IncusClient }> {
  server = await recordedServer(script);
  client = new IncusClient({ target: 'lxd', endpoint: server.endpoint, timeoutMs: 60_000, log });
  return { server, client };
}

describe('reading answers', () => {
  it.each([
    ['Incus 6.0.4: an error envelope', 500, { type: 'error', error_code: 500, error: 'UNIQUE constraint failed: instances.project_id, instances.name' }, 'UNIQUE constraint failed'],
    ['LXD 5.0 and Incus ≥ 6.0.5: a sync answer whose operation failed', 200, { type: 'sync', metadata: { status: 'Failure', status_code: 400, err: 'This "instances" entry already exists' } }, 'This "instances" entry already exists'],
    ['a canceled operation', 200, { type: 'sync', metadata: { status: 'Cancelled', status_code: 401, err: '' } }, 'the operation ended Cancelled'],
  ])('a failed operation on /wait is an IncusError (%s)', (_what, status, body, message) => {
    expect(() => interpretWait(status, body, 'operation 1')).toThrow(IncusError);
    expect(() => interpretWait(status, body, 'operation 1')).toThrow(`operation 1: ${message}`);
  });

  it('gives the finished operation on success and null while it still runs', () => {
    expect(interpretWait(200, { type: 'sync', metadata: { id: 'a', status: 'Success', status_code: 200, err: '', metadata: { x: 1 } } }, 'op')).toMatchObject({ id: 'a', metadata: { x: 1 } });
    expect(interpretWait(200, { type: 'sync', metadata: { id: 'a', status: 'Running', status_code: 103, err: '' } }, 'op')).toBeNull();
  });

  it('carries the HTTP status and the envelope\'s error_code, and a code an operator can act on', () => {
    const refused = (() => {
      try {
        interpretEnvelope(404, { type: 'error', error_code: 404, error: 'Instance not found' }, 'GET /1.0/instances/x');
      } catch (e) {
        return e as IncusError;
      }
      return null;
    })();
    expect(refused).toMatchObject({ status: 404, error_code: 404, code: 'incus-not-found', message: 'GET /1.0/instances/x: Instance not found' });
    expect(interpretEnvelope(202, { type: 'async', operation: '/1.0/operations/9' }, 'POST /1.0/instances')).toEqual({ operation: '/1.0/operations/9' });
    expect(interpretEnvelope(200, { type: 'sync', metadata: ['a'] }, 'GET /1.0/x')).toEqual({ metadata: ['a'] });
  });

  it('builds paths with each name as one encoded segment, and queries without empty values', () => {
    expect(apiPath`/1.0/storage-pools/${'a b'}/volumes/custom/${'x/y#1'}`).toBe('/1.0/storage-pools/a%20b/volumes/custom/x%2Fy%231');
    expect(withQuery('/1.0/operations/1/wait?project=p', { timeout: '30', target: undefined })).toBe('/1.0/operations/1/wait?project=p&timeout=30');
    expect(withQuery('/1.0/instances', { filter: 'config.user.ferry.entry eq u', 'all-projects': 'true' })).toBe('/1.0/instances?filter=config.user.ferry.entry+eq+u&all-projects=true');
  });
});

describe('against recorded LXD 5.0 answers', () => {
  it('waits for an operation (asking again while it runs) and fails it the LXD way', async () => {
    const { server, client } = await replay({
      'POST /1.0/instances?project=p': async('/1.0/operations/op1'),
      'GET /1.0/operations/op1/wait?timeout=30&project=p': [operation('op1', 'Running'), operation('op1', 'Failure', 'This "instances" entry already exists')],
    });
    await expect(client.call('POST', '/1.0/instances', { query: { project: 'p' }, body: { name: 'x' } })).rejects.toMatchObject({
      name: 'IncusError',
      message: 'operation op1: This "instances" entry already exists',
    });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /1.0/instances?project=p',
      'GET /1.0/operations/op1/wait?timeout=30&project=p',
      'GET /1.0/operations/op1/wait?timeout=30&project=p',
    ]);
    expect(JSON.parse(server.requests[0]!.body.toString())).toEqual({ name: 'x' });
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('lets a /wait be held only well within the request timeout', async () => {
    server = await recordedServer({ 'GET /1.0/operations/op3/wait?timeout=5': operation('op3', 'Success') });
    client = new IncusClient({ target: 'lxd', endpoint: server.endpoint, timeoutMs: 10_000, log });
    await client.waitOperation('/1.0/operations/op3', undefined);
    expect(server.requests.map((r) => r.url)).toEqual(['/1.0/operations/op3/wait?timeout=5']);
  });

  it('spells request headers X-LXD-* on LXD and sends uploads with their exact length', async () => {
    const { server, client } = await replay({
      'GET /1.0': lxdServer(),
      'POST /1.0/storage-pools/default/volumes/custom?project=p': async('/1.0/operations/op2'),
      'GET /1.0/operations/op2/wait?timeout=30&project=p': operation('op2', 'Success'),
    });
    expect(await client.header('name')).toBe('X-LXD-name');
    async function* body() {
      yield Buffer.from('abc');
      yield Buffer.from('defg');
    }
    await client.upload('/1.0/storage-pools/default/volumes/custom', { project: 'p' }, { [await client.header('name')]: 'vol' }, 7, body());
    const upload = server.requests.find((r) => r.method === 'POST')!;
    expect(upload.headers['x-lxd-name']).toBe('vol');
    expect(upload.headers['content-type']).toBe('application/octet-stream');
    expect(upload.headers['content-length']).toBe('7');
    expect(upload.body.toString()).toBe('abcdefg');
  });

  it('presents a trust token in LXD 5.0\'s password field, and in trust_token elsewhere', async () => {
    const { server, client } = await replay({
      'GET /1.0': [lxdServer('untrusted'), lxdServer('trusted')],
      'POST /1.0/certificates': sync(null),
    });
    await ensureTrusted(client, { token: async () => 'TOKEN', fingerprint: 'AA:BB' });
    const post = server.requests.find((r) => r.method === 'POST')!;
    expect(JSON.parse(post.body.toString())).toEqual({ type: 'client', password: 'TOKEN' });
    expect(tokenField({ auth: 'untrusted', api_extensions: ['custom_volume_backup'] })).toBe('trust_token');
    expect(tokenField({ auth: 'untrusted', api_extensions: ['macaroon_authentication', 'explicit_trust_token'] })).toBe('trust_token');
  });

  it('says which certificate is not trusted when there is no token, and never echoes a refused token', async () => {
    const { client } = await replay({ 'GET /1.0': lxdServer('untrusted'), 'POST /1.0/certificates': error(403, 'not authorized') });
    await expect(ensureTrusted(client, { token: async () => null, fingerprint: 'AA:BB' })).rejects.toMatchObject({
      code: 'untrusted',
      message: "target lxd does not trust Ferry's client certificate (SHA-256 AA:BB): add it on the server (incus config trust add-certificate), or give the target a trust_token_from",
    });
    const refused = await ensureTrusted(client, { token: async () => 'S3CRET-TOKEN', fingerprint: 'AA:BB' }).catch((e: Error) => e);
    expect(refused).toMatchObject({ code: 'untrusted', message: expect.stringContaining('refused the trust token') });
    expect((refused as Error).message).not.toContain('S3CRET-TOKEN');
  });

  it('reports an answer that is not Incus JSON', async () => {
    server = await recordedServer({});
    client = new IncusClient({ target: 'lxd', endpoint: server.endpoint, timeoutMs: 5_000, log });
    await expect(client.get('/1.0/nothing')).rejects.toMatchObject({ status: 404, message: 'GET /1.0/nothing: not recorded: GET /1.0/nothing' });
  });
});
