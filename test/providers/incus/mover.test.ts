// transfer: mover on Incus, the pure parts: the mover VM's devices (the image boots first), the
// disks it writes into, the image volume's name and checks, the report read at the boundary, and
// the session scrubbed from any text that could echo a job.

import { describe, expect, it } from 'vitest';
import { MOVER_STATE_KEY, diskKey } from '../../../src/providers/incus/markers.js';
import { imageDescription, imageMismatch, moverImageVolume } from '../../../src/providers/incus/mover-image.js';
import { imagePool, moverDevices, moverDisks, parseJob, parseReport, recordedChangeIds, scrub } from '../../../src/providers/incus/mover.js';
import { moverPass, reportedChangeIds } from '../../../src/providers/mover-transfer.js';
import type { MoverReport } from '../../../src/mover/protocol.js';

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
    const devices = moverDevices(disks, { pool, volume: 'ferry-mover-0123456789ab' });
    expect(devices).toEqual({
      disk0: { type: 'disk', pool: 'fast', source: 'web-disk0-a', 'boot.priority': '10' },
      disk2: { type: 'disk', pool: 'bulk', source: 'web-disk2-a' },
      'ferry-mover': { type: 'disk', pool: 'fast', source: 'ferry-mover-0123456789ab', 'boot.priority': '20' },
    });
    expect(Number(devices['ferry-mover']!['boot.priority'])).toBeGreaterThan(Number(devices.disk0!['boot.priority']));
  });

  it("puts the image in the root device's pool when no disk is placed", () => {
    expect(imagePool({ config: {}, devices: { root: { type: 'disk', path: '/', pool: 'other' } } }, [])).toBe('other');
  });
});

describe('the mover image volume', () => {
  const image = { path: '/srv/mover.iso', size: 4096, sha256: 'ab'.repeat(32), volume: moverImageVolume('ab'.repeat(32)) };

  it('is named after the first 12 hex digits of its SHA-256', () => {
    expect(image.volume).toBe('ferry-mover-abababababab');
  });

  it.each([
    ['the same image', { content_type: 'iso', config: { size: '4096' }, description: imageDescription(image.sha256) }, null],
    ['the same size, hash not recorded yet', { content_type: 'iso', config: { size: '4096' } }, null],
    ['another size', { content_type: 'iso', config: { size: '8192' } }, 'it holds 8192 bytes, the image 4096'],
    ['another image', { content_type: 'iso', config: { size: '4096' }, description: imageDescription('cd'.repeat(32)) }, `it was imported from an image with SHA-256 ${'cd'.repeat(32)}`],
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
