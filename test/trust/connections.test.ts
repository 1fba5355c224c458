// Which systems a command may contact, as a table (src/trust/connections.ts): a real Source or
// Target is contacted only when the trusted revision names it with exactly the same connection
// settings, and then with the trusted document; the simulator is data and always runs.

import { describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT, type DesiredState, type Source, type Target } from '../../src/model/desired.js';
import { planConnections } from '../../src/trust/connections.js';

const origin = { file: 'sources/x.yaml', line: 1, column: 1 };
const meta = (name: string) => ({ name, origin, apiVersion: 'ferry.dev/v1alpha1', at: {} });

function vmware(name: string, fields: Partial<Source> = {}): Source {
  return {
    meta: meta(name),
    type: 'vmware',
    inventory_file: null,
    endpoint: 'https://vcenter.example.com',
    username: 'svc',
    password_from: { env: 'VC_PASSWORD' },
    trusted_server_certificate_fingerprint: 'ab'.repeat(32),
    import_limit: 0,
    connection_timeout_ms: 1,
    sync_timeout_ms: 1,
    sync_limit: 1,
    datacenters: ['/...'],
    ...fields,
  } as Source;
}

function incus(name: string, fields: Partial<Target> = {}): Target {
  return {
    meta: meta(name),
    type: 'incus',
    endpoint: 'https://incus.example.com:8443',
    tls_client_cert_from: { file: '/etc/ferry/client.crt' },
    tls_client_key_from: { file: '/etc/ferry/client.key' },
    import_limit: 50,
    create_limit: 10,
    connection_timeout_ms: 1,
    ...fields,
  } as Target;
}

function state(sources: Source[], targets: Target[] = []): DesiredState {
  return { project: DEFAULT_PROJECT, sources, targets, batches: [], instanceOverrides: [], networkOverrides: [], resolutions: [], simulation: null };
}

const sim = (name: string): Source => ({ ...vmware(name), type: 'sim', endpoint: undefined, username: undefined, password_from: undefined, trusted_server_certificate_fingerprint: undefined } as unknown as Source);

describe('the systems a plan may contact', () => {
  it.each([
    { case: 'the same settings: contacted, with the trusted document', planned: vmware('dc1', { import_limit: 7 }), contacted: true, change: null },
    { case: 'another endpoint', planned: vmware('dc1', { endpoint: 'https://evil.example.com' }), contacted: false, change: 'changed spec.endpoint' },
    { case: 'another certificate pin', planned: vmware('dc1', { trusted_server_certificate_fingerprint: 'cd'.repeat(32) }), contacted: false, change: 'changed spec.trusted_server_certificate_fingerprint' },
    { case: 'another secret reference', planned: vmware('dc1', { password_from: { env: 'ACTIONS_RUNTIME_TOKEN' } }), contacted: false, change: 'changed spec.password_from' },
    { case: 'a secret from a file instead', planned: vmware('dc1', { password_from: { file: '/proc/self/environ' } }), contacted: false, change: 'changed spec.password_from' },
    { case: 'another user name', planned: vmware('dc1', { username: 'root' }), contacted: false, change: 'changed spec.username' },
    { case: 'a Source of its own', planned: vmware('dc9'), contacted: false, change: 'added' },
  ])('$case', ({ planned, contacted, change }) => {
    const trusted = state([vmware('dc1')]);
    const plan = planConnections(state([planned]), trusted, true);
    expect(plan.sources.has(planned.meta.name)).toBe(contacted);
    expect(plan.offline.sources.has(planned.meta.name)).toBe(!contacted);
    if (contacted) expect(plan.sources.get('dc1')).toBe(trusted.sources[0]);
    const changes = plan.changes.filter((c) => c.name === planned.meta.name).map((c) => `${c.change}${c.fields.length ? ` ${c.fields.join(', ')}` : ''}`);
    expect(changes).toEqual(change === null ? [] : [change]);
  });

  it('judges Targets by their endpoint, pins, every secret reference and the files it uploads (mover and virtio-win images), unix sockets included', () => {
    const trusted = state([], [incus('east')]);
    for (const [fields, changed] of [
      [{ endpoint: 'unix:///var/run/docker.sock' }, 'spec.endpoint'],
      [{ tls_client_key_from: { env: 'GITHUB_TOKEN' } }, 'spec.tls_client_key_from'],
      [{ trust_token_from: { file: '/etc/shadow' } }, 'spec.trust_token_from'],
      [{ trusted_server_certificate_from: { file: '/tmp/ca.pem' } }, 'spec.trusted_server_certificate_from'],
      [{ transfer: 'mover', mover_image: '/etc/shadow' }, 'spec.mover_image'],
      [{ transfer: 'mover', virtio_win_image: '/root/.ssh/id_ed25519' }, 'spec.virtio_win_image'],
    ] as const) {
      const plan = planConnections(state([], [incus('east', fields as Partial<Target>)]), trusted, true);
      expect(plan.targets.size).toBe(0);
      expect(plan.changes).toEqual([{ kind: 'Target', name: 'east', change: 'changed', fields: [changed] }]);
    }
    const same = planConnections(state([], [incus('east', { create_limit: 3 })]), trusted, true);
    expect([...same.targets.keys()]).toEqual(['east']);
  });

  it('contacts nothing real without a trusted revision or when offline, and always runs the simulator', () => {
    const planned = state([vmware('dc1'), sim('lab')]);
    for (const plan of [planConnections(planned, null, true), planConnections(planned, planned, false)]) {
      expect(plan.sources.size).toBe(0);
      expect([...plan.offline.sources]).toEqual(['dc1']);
    }
    expect(planConnections(planned, null, true).changes).toEqual([]);
  });

  it('reports a real Source the revision turns into a simulated one, and one it removes', () => {
    const plan = planConnections(state([sim('dc1')]), state([vmware('dc1'), vmware('dc2')]), true);
    expect(plan.changes.map((c) => `${c.change} ${c.name}${c.fields.length ? ` ${c.fields[0]}` : ''}`)).toEqual(['changed dc1 spec.type', 'removed dc2']);
    expect(plan.offline.sources.size).toBe(0);
  });
});
