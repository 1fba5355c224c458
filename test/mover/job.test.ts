// The job at the mover's boundary: what validates, and the one line each mistake gets. No
// message quotes the session.

import { describe, expect, it } from 'vitest';
import { readJob } from '../../src/mover/job.js';
import type { MoverJob } from '../../src/mover/protocol.js';

const SESSION = '"52a1c0de-0000-4000-8000-000000000001"';

function job(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    op: 'op-7f3a',
    pass: 'delta',
    vcenter: { url: 'https://vc.example.com/sdk', fingerprint: 'ab'.repeat(32), session: SESSION },
    datacenter: '/DC0',
    vm: { moref: 'vm-42', uuid: '5003a1b2-0000-4000-8000-000000000042' },
    disks: [{ name: '[LocalDS_0] vm/vm.vmdk', key: 2000, capacity: 1 << 30, device: 'disk0', change_id: '52 3c 1a/4' }],
    ...patch,
  };
}

describe('reading a job', () => {
  it('accepts a job of the contract, the session as vCenter set it (quoted)', () => {
    const read = readJob(JSON.stringify(job()));
    expect(read.ok).toBe(true);
    const parsed = (read as { job: MoverJob }).job;
    expect(parsed.vcenter.session).toBe(SESSION);
    expect(parsed.disks[0]).toEqual({ name: '[LocalDS_0] vm/vm.vmdk', key: 2000, capacity: 1 << 30, device: 'disk0', change_id: '52 3c 1a/4' });
  });

  it.each([
    ['not JSON', '{', 'the job is not JSON'],
    ['a list', '[]', 'the job is not an object'],
    ['another version', JSON.stringify(job({ version: 2 })), 'version "2" is not 1'],
    ['an unknown field', JSON.stringify(job({ priority: 1 })), 'unknown field "priority"'],
    ['an unknown pass', JSON.stringify(job({ pass: 'hot' })), 'pass "hot" is not one of full, warm, delta, prepare'],
    ['an op that is a path', JSON.stringify(job({ op: '../etc' })), 'is not an operation id'],
    ['a plain-http vCenter', JSON.stringify(job({ vcenter: { url: 'http://vc/sdk', session: SESSION } })), 'is not an https URL'],
    ['a bad fingerprint', JSON.stringify(job({ vcenter: { url: 'https://vc/sdk', session: SESSION, fingerprint: 'abc' } })), 'is not a SHA-256 fingerprint'],
    ['no disks', JSON.stringify(job({ disks: [] })), 'disks is not a non-empty list'],
    ['a capacity off the sector', JSON.stringify(job({ disks: [{ name: '[ds] a.vmdk', key: 1, capacity: 1000, device: 'disk0' }] })), 'disks[0].capacity 1000 is not a positive multiple of 512'],
    ['a disk name that is no datastore path', JSON.stringify(job({ disks: [{ name: 'a.vmdk', key: 1, capacity: 512, device: 'disk0' }] })), 'is not a datastore path'],
    ['a device with a slash', JSON.stringify(job({ disks: [{ name: '[ds] a.vmdk', key: 1, capacity: 512, device: 'a/b' }] })), 'is not an Incus device name'],
    ['a change id outside a delta', JSON.stringify(job({ pass: 'warm' })), 'disks[0].change_id is only for a delta pass, not warm'],
    [
      'two disks on one device',
      JSON.stringify(job({ disks: [{ name: '[ds] a.vmdk', key: 1, capacity: 512, device: 'disk0' }, { name: '[ds] b.vmdk', key: 2, capacity: 512, device: 'disk0' }] })),
      'disks[1].device "disk0" is the device of another disk too',
    ],
  ])('refuses %s in one line', (_, text, expected) => {
    const read = readJob(text);
    expect(read.ok).toBe(false);
    const error = (read as { error: string }).error;
    expect(error).toContain(expected);
    expect(error).not.toContain('\n');
  });

  it('accepts Ferry\'s operation ids, which hold # and /', () => {
    const op = '5003a1b2-0000-4000-8000-000000000042#3/sync-2';
    expect(readJob(JSON.stringify(job({ op })))).toMatchObject({ ok: true, job: { op } });
    expect(readJob(JSON.stringify(job({ op: 'a/../b' })))).toMatchObject({ ok: false });
  });

  it('accepts a prepare job (after the final pass) and checks its guest facts', () => {
    const prepare = {
      version: 1,
      op: '5003a1b2-0000-4000-8000-000000000042#3/postimport-1',
      pass: 'prepare',
      disks: [{ name: '[LocalDS_0] vm/vm.vmdk', device: 'disk0' }],
      guest: { preparation: 'linux', os_type: 'linux', distribution: 'debian', nics: [{ mac: '00:50:56:AA:00:01' }] },
    };
    expect(readJob(JSON.stringify(prepare))).toEqual({ ok: true, job: { ...prepare, guest: { ...prepare.guest, nics: [{ mac: '00:50:56:aa:00:01' }] } } });
    const bad = (guest: Record<string, unknown>) => readJob(JSON.stringify({ ...prepare, guest: { ...prepare.guest, ...guest } }));
    expect(bad({ preparation: 'bsd' })).toMatchObject({ ok: false, error: expect.stringContaining('guest.preparation "bsd" is not one of linux, windows, detect') });
    expect(bad({ nics: [{ mac: 'zz' }] })).toMatchObject({ ok: false, error: expect.stringContaining('guest.nics[0].mac "zz" is not a MAC address') });
    expect(bad({ nics: [{ mac: '00:50:56:aa:00:01', name: 'a b' }] })).toMatchObject({ ok: false, error: expect.stringContaining('is not an interface name') });
    expect(readJob(JSON.stringify({ ...prepare, vcenter: {} }))).toMatchObject({ ok: false, error: expect.stringContaining('unknown field "vcenter"') });
  });

  it('accepts the readiness check on a full or warm pass and the virtio-win device on any job', () => {
    const warm = job({ pass: 'warm', disks: [{ name: '[ds] a.vmdk', key: 1, capacity: 512, device: 'disk0' }], guest: { preparation: 'windows' }, virtio_win: { device: 'ferry-virtio-win' } });
    expect(readJob(JSON.stringify(warm))).toMatchObject({ ok: true, job: { pass: 'warm', guest: { preparation: 'windows' }, virtio_win: { device: 'ferry-virtio-win' } } });
    expect(readJob(JSON.stringify({ ...warm, pass: 'full', guest: { preparation: 'detect' } }))).toMatchObject({ ok: true, job: { guest: { preparation: 'detect' } } });
    expect(readJob(JSON.stringify(job({ virtio_win: { device: 'ferry-virtio-win' } })))).toMatchObject({ ok: true, job: { pass: 'delta', virtio_win: { device: 'ferry-virtio-win' } } });
    const plain = readJob(JSON.stringify(job()));
    expect(plain.ok && 'guest' in plain.job).toBe(false);
  });

  it.each([
    ['a readiness check on a delta pass', { guest: { preparation: 'windows' } }, 'guest is only for a full or warm pass, not delta'],
    ['a Linux readiness check', { pass: 'full', guest: { preparation: 'linux' } }, 'guest.preparation "linux" is not one of windows, detect'],
    ['an unknown guest field', { pass: 'full', guest: { preparation: 'windows', nics: [] } }, 'guest has an unknown field "nics"'],
    ['a guest that is no object', { pass: 'full', guest: 'windows' }, 'guest is not an object'],
    ['a virtio-win device with a slash', { virtio_win: { device: 'a/b' } }, 'virtio_win.device "a/b" is not an Incus device name'],
    ['a virtio-win device that is a disk', { virtio_win: { device: 'disk0' } }, 'virtio_win.device "disk0" is the device of a disk too'],
    ['a virtio-win without device', { virtio_win: {} }, 'virtio_win.device is missing'],
    ['an unknown virtio-win field', { virtio_win: { device: 'iso', path: '/x' } }, 'virtio_win has an unknown field "path"'],
  ])('refuses %s', (_, patch, expected) => {
    const text = JSON.stringify(job({ ...patch, ...('pass' in patch ? { disks: [{ name: '[ds] a.vmdk', key: 1, capacity: 512, device: 'disk0' }] } : {}) }));
    expect(readJob(text)).toEqual({ ok: false, error: expect.stringContaining(expected) });
  });

  it('accepts the virtio-win device on a prepare job, as strictly', () => {
    const prepare = {
      version: 1,
      op: 'op-1',
      pass: 'prepare',
      disks: [{ name: '[ds] a.vmdk', device: 'disk0' }],
      guest: { preparation: 'windows', os_type: 'windows', distribution: '', nics: [] },
    };
    expect(readJob(JSON.stringify({ ...prepare, virtio_win: { device: 'ferry-virtio-win' } }))).toMatchObject({ ok: true, job: { virtio_win: { device: 'ferry-virtio-win' } } });
    expect(readJob(JSON.stringify({ ...prepare, virtio_win: { device: 'disk0' } }))).toEqual({ ok: false, error: expect.stringContaining('is the device of a disk too') });
    expect(readJob(JSON.stringify({ ...prepare, virtio_win: { device: '' } }))).toEqual({ ok: false, error: expect.stringContaining('virtio_win.device is not a non-empty string') });
  });

  it('never quotes the session, even when it is what is wrong', () => {
    for (const session of ['secret value with spaces', 12345, 'secret;injected=1']) {
      const read = readJob(JSON.stringify(job({ vcenter: { url: 'https://vc/sdk', session } })));
      expect(read.ok).toBe(false);
      expect((read as { error: string }).error).toMatch(/^vcenter\.session is not/);
      expect((read as { error: string }).error).not.toContain(String(session));
    }
  });

  it('quotes a long value short', () => {
    const read = readJob(JSON.stringify(job({ pass: 'x'.repeat(5000) })));
    expect((read as { error: string }).error).toContain('… (5000 characters)');
  });
});
