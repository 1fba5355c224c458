// transfer: mover on Incus, the pure parts: the mover VM's devices (the image boots first, the
// virtio-win ISO never), the disks it writes into, the ISO volumes' names and checks, the jobs of
// each pass, the report read at the boundary and what its readiness check becomes, and the
// session scrubbed from any text that could echo a job.

import { describe, expect, it } from 'vitest';
import type { ImportDisksAction } from '../../../src/engine/actions.js';
import { MOVER_STATE_KEY, diskKey } from '../../../src/providers/incus/markers.js';
import { MOVER_IMAGE, VIRTIO_WIN_IMAGE, imageMismatch, isoDescription, isoVolume } from '../../../src/providers/incus/iso-image.js';
import { imagePool, moverDevices, moverDisks, parseJob, parseReport, recordedChangeIds, scrub } from '../../../src/providers/incus/mover.js';
import { guestReadiness, moverJob, moverPass, reportedChangeIds } from '../../../src/providers/mover-transfer.js';
import type { MoverAccess } from '../../../src/providers/ports.js';
import { VIRTIO_WIN_DEVICE, type MoverReport } from '../../../src/mover/protocol.js';

const config = {
  [diskKey(0, 'name')]: '[ds1] web/web.vmdk',
  [diskKey(0, 'pool')]: 'fast',
  [diskKey(0, 'size')]: '1073741824',
  [diskKey(2, 'name')]: '[ds2] web/web_1.vmdk',
  [diskKey(2, 'pool')]: 'bulk',
  [diskKey(2, 'size')]: '2048',
};

describe('the mover VM', () => {
  it('writes each placed disk into a volume of its own size, by its position on the source VM', () => {
    expect(moverDisks({ name: 'web', config })).toEqual([
      { index: 0, name: '[ds1] web/web.vmdk', pool: 'fast', size: 1073741824, volume: 'web-disk0-a' },
      { index: 2, name: '[ds2] web/web_1.vmdk', pool: 'bulk', size: 2048, volume: 'web-disk2-a' },
    ]);
  });

  it('boots the mover image before the guest boot disk, and keeps the image in the boot disk pool', () => {
    const disks = moverDisks({ name: 'web', config });
    const pool = imagePool({ config, devices: { root: { type: 'disk', path: '/', pool: 'other' } } }, disks);
    expect(pool).toBe('fast');
    const devices = moverDevices(disks, { pool, volume: 'ferry-mover-0123456789ab' }, null);
    expect(devices).toEqual({
      disk0: { type: 'disk', pool: 'fast', source: 'web-disk0-a', 'boot.priority': '10' },
      disk2: { type: 'disk', pool: 'bulk', source: 'web-disk2-a' },
      'ferry-mover': { type: 'disk', pool: 'fast', source: 'ferry-mover-0123456789ab', 'boot.priority': '20' },
    });
    expect(Number(devices['ferry-mover']!['boot.priority'])).toBeGreaterThan(Number(devices.disk0!['boot.priority']));
  });

  it('attaches the virtio-win ISO read-only beside the image, as a device the firmware never boots first', () => {
    const disks = moverDisks({ name: 'web', config });
    const devices = moverDevices(disks, { pool: 'fast', volume: 'ferry-mover-0123456789ab' }, 'ferry-virtio-win-ba9876543210');
    expect(devices[VIRTIO_WIN_DEVICE]).toEqual({ type: 'disk', pool: 'fast', source: 'ferry-virtio-win-ba9876543210', readonly: 'true' });
    expect(VIRTIO_WIN_DEVICE).toBe('ferry-virtio-win');
    expect(Object.keys(devices).sort()).toEqual(['disk0', 'disk2', 'ferry-mover', 'ferry-virtio-win']);
  });

  it("puts the image in the root device's pool when no disk is placed", () => {
    expect(imagePool({ config: {}, devices: { root: { type: 'disk', path: '/', pool: 'other' } } }, [])).toBe('other');
  });
});

describe('the ISO volumes (the mover image, the virtio-win ISO)', () => {
  const image = { kind: MOVER_IMAGE, path: '/srv/mover.iso', size: 4096, sha256: 'ab'.repeat(32), volume: isoVolume(MOVER_IMAGE, 'ab'.repeat(32)) };

  it('are named after the first 12 hex digits of their SHA-256, each kind with its own prefix and description', () => {
    expect(image.volume).toBe('ferry-mover-abababababab');
    expect(isoVolume(VIRTIO_WIN_IMAGE, 'cd'.repeat(32))).toBe('ferry-virtio-win-cdcdcdcdcdcd');
    expect(isoDescription(MOVER_IMAGE, image.sha256)).toBe(`Ferry's mover image, SHA-256 ${image.sha256}`);
    expect(isoDescription(VIRTIO_WIN_IMAGE, image.sha256)).toBe(`The virtio-win ISO of Ferry's movers, SHA-256 ${image.sha256}`);
  });

  it.each([
    ['the same image', { content_type: 'iso', config: { size: '4096' }, description: isoDescription(MOVER_IMAGE, image.sha256) }, null],
    ['the same size, hash not recorded yet', { content_type: 'iso', config: { size: '4096' } }, null],
    ['another size', { content_type: 'iso', config: { size: '8192' } }, 'it holds 8192 bytes, the image 4096'],
    ['another image', { content_type: 'iso', config: { size: '4096' }, description: isoDescription(VIRTIO_WIN_IMAGE, 'cd'.repeat(32)) }, `it was imported from an image with SHA-256 ${'cd'.repeat(32)}`],
    ['a block volume', { content_type: 'block', config: { size: '4096' } }, 'it is a block volume, not an ISO'],
  ])('an existing volume holding %s', (_, volume, problem) => {
    expect(imageMismatch({ name: image.volume, ...volume }, image)).toBe(problem);
  });
});

describe('passes and reports', () => {
  it.each([
    ['background', 'warm'],
    ['final', 'delta'],
    ['offline', 'full'],
  ] as const)('an import %s is a %s pass', (mode, pass) => {
    expect(moverPass(mode)).toBe(pass);
  });

  const report: MoverReport = {
    version: 1,
    op: 'e#1/sync',
    state: 'succeeded',
    message: 'copied 2 disks',
    progress: { done: 10, total: 10 },
    disks: [
      { name: 'a', device: 'disk0', copy: 'warm', bytes_written: 5, change_id: '52 aa/7', sha256: '00' },
      { name: 'b', device: 'disk1', copy: 'warm', bytes_written: 5, change_id: null, sha256: '00' },
    ],
    updated_at: '2026-12-07T14:00:00Z',
  };

  it('reads a report and refuses what is not one', () => {
    expect(parseReport(JSON.stringify(report))).toEqual(report);
    expect(parseReport('{')).toBe('the report is not JSON');
    expect(parseReport(JSON.stringify({ ...report, version: 2 }))).toBe('the report is not version 1');
    expect(parseReport(JSON.stringify({ ...report, state: 'done' }))).toBe("the report's state is done");
    expect(parseReport(JSON.stringify({ ...report, progress: null }))).toBe('the report has no progress');
  });

  it('refuses a readiness check that is not one, and a not-ready one without its reason', () => {
    const ready = { state: 'ready', details: ['viostor found in the driver store'] };
    expect(parseReport(JSON.stringify({ ...report, readiness: ready }))).toEqual({ ...report, readiness: ready });
    expect(parseReport(JSON.stringify({ ...report, readiness: { state: 'maybe', details: [] } }))).toBe("the report's readiness has no state ready or not-ready");
    expect(parseReport(JSON.stringify({ ...report, readiness: { state: 'ready', details: 'all good' } }))).toBe("the report's readiness has no details");
    expect(parseReport(JSON.stringify({ ...report, readiness: { state: 'not-ready', details: [] } }))).toBe("the report's readiness is not-ready without a failure code and message");
  });

  it('turns a not-ready check into guest_not_ready, shown as short as a preparation failure; a ready guest adds nothing', () => {
    const failure = { code: 'virtio-win-missing', message: 'Windows Server 2019 has no virtio storage driver and the target has no virtio_win_image' };
    expect(guestReadiness({ ...report, readiness: { state: 'not-ready', family: 'windows', details: [], failure } })).toEqual({
      guest_not_ready: 'virtio-win-missing: Windows Server 2019 has no virtio storage driver and the target has no virtio_win_image',
    });
    expect(guestReadiness({ ...report, readiness: { state: 'ready', family: 'windows', details: ['viostor is in the driver store'] } })).toEqual({});
    expect(guestReadiness(report)).toEqual({});
    const hostile = guestReadiness({ ...report, readiness: { state: 'not-ready', details: [], failure: { code: 'c'.repeat(500), message: 'm'.repeat(1_000_000) } } }).guest_not_ready!;
    expect(hostile.length).toBeLessThan(1200);
    expect(hostile).toMatch(/^c{60}… \(500 characters\): m{1000}… \(1000000 characters\)$/);
  });

  it('records the change ids a warm pass reports, and none for a pass without them', () => {
    expect(reportedChangeIds(report)).toEqual({ a: '52 aa/7' });
    expect(reportedChangeIds({ ...report, disks: report.disks.map((d) => ({ ...d, change_id: null })) })).toBeNull();
    expect(recordedChangeIds({ [MOVER_STATE_KEY]: JSON.stringify({ op: 'e#1/sync', change_ids: { a: '52 aa/7' } }) })).toEqual({ a: '52 aa/7' });
    expect(recordedChangeIds({})).toEqual({});
  });

  it('reads a job only when it is one', () => {
    expect(parseJob(undefined)).toBeNull();
    expect(parseJob('')).toBeNull();
    expect(parseJob('not json')).toBeNull();
    expect(parseJob('{"op":"e#1/sync"}')).toMatchObject({ op: 'e#1/sync' });
  });

  it('scrubs the session out of a text that echoes it', () => {
    expect(scrub('PATCH failed: {"session":"abc123"} abc123', 'abc123')).toBe('PATCH failed: {"session":"[session]"} [session]');
    expect(scrub('nothing here', '')).toBe('nothing here');
  });
});

describe('the job of a pass', () => {
  const access: MoverAccess = {
    vcenter: { url: 'https://vc.example/sdk', session: 'secret' },
    datacenter: '/DC0',
    vm: { moref: 'vm-42', uuid: 'u-1' },
    running: true,
    disks: [
      { index: 0, name: '[ds1] w/w.vmdk', key: 2000, capacity: 1024 },
      { index: 1, name: '[ds1] w/w_1.vmdk', key: 2001, capacity: 2048 },
    ],
  };
  const action = (mode: ImportDisksAction['mode'], preparation?: 'linux' | 'windows' | 'detect'): ImportDisksAction => ({
    kind: 'import_disks',
    op: `e#1/${mode}`,
    entry: 'e',
    attempt: 'e#1',
    batch: 'wave-1',
    target: 't',
    project: 'p',
    name: 'w',
    source: 'dc1',
    vm: 'u-1',
    mode,
    ...(preparation !== undefined ? { guest: { preparation } } : {}),
  });
  const devices = (virtioWin: string | null) => ({ disk: (index: number) => `disk${index}`, virtioWin });

  it('names each disk by its device, and a delta the change id each disk was copied at', () => {
    const warm = moverJob(action('background'), access, devices(null), {});
    expect(warm).toEqual({
      version: 1,
      op: 'e#1/background',
      pass: 'warm',
      vcenter: access.vcenter,
      datacenter: '/DC0',
      vm: access.vm,
      disks: [
        { name: '[ds1] w/w.vmdk', key: 2000, capacity: 1024, device: 'disk0' },
        { name: '[ds1] w/w_1.vmdk', key: 2001, capacity: 2048, device: 'disk1' },
      ],
    });
    const delta = moverJob(action('final'), access, devices(null), { '[ds1] w/w.vmdk': '52 aa/7' });
    expect(delta.disks.map((disk) => disk.change_id)).toEqual(['52 aa/7', undefined]);
  });

  it.each([
    ['background', 'windows', { preparation: 'windows' }],
    ['offline', 'detect', { preparation: 'detect' }],
    ['background', 'detect', { preparation: 'detect' }],
    ['final', 'windows', undefined],
    ['final', 'detect', undefined],
    ['background', 'linux', undefined],
    ['offline', undefined, undefined],
  ] as const)('a %s copy of a guest prepared as %s asks for the readiness check: %j', (mode, preparation, guest) => {
    expect(moverJob(action(mode, preparation), access, devices(null), {}).guest).toEqual(guest);
  });

  it('names the virtio-win device in every pass when the target has the ISO, and none when it has not', () => {
    for (const mode of ['background', 'final', 'offline'] as const) {
      expect(moverJob(action(mode, 'windows'), access, devices('ferry-virtio-win'), {}).virtio_win).toEqual({ device: 'ferry-virtio-win' });
      expect(moverJob(action(mode, 'windows'), access, devices(null), {})).not.toHaveProperty('virtio_win');
    }
  });
});
