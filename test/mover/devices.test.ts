// Which block device of the mover VM is which Incus disk device, and where the virtio-win ISO is:
// `--virtio-win`, then `--device NAME=PATH` in process mode, then the CD-ROM's /dev/disk/by-id link.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findIncusDisk, incusDiskLinks } from '../../src/mover/devices.js';
import { WindowsPrepareError } from '../../src/mover/prepare/windows-failure.js';
import { VIRTIO_WIN_DEVICE } from '../../src/mover/protocol.js';
import { virtioWinIso } from '../../src/mover/virtio-win.js';

describe('Incus disk devices inside the VM', () => {
  it('names the virtio-scsi and virtio-blk links of a device, path-encoded', () => {
    expect(incusDiskLinks('disk0', 'disk', '/d')).toEqual(['/d/scsi-0QEMU_QEMU_HARDDISK_incus_disk0', '/d/virtio-incus_disk0']);
    expect(incusDiskLinks('root-2', 'disk', '/d')[0]).toBe('/d/scsi-0QEMU_QEMU_HARDDISK_incus_root--2');
  });

  it('names an ISO volume as the CD-ROM Incus makes of it (scsi-cd)', () => {
    const [scsi, virtio] = incusDiskLinks(VIRTIO_WIN_DEVICE, 'cdrom', '/d');
    expect(scsi).toBe('/d/scsi-0QEMU_QEMU_CD-ROM_incus_ferry--virtio--win');
    // virtio-blk's serial holds 14 characters: the 18 of the encoded name are hashed.
    expect(virtio).toMatch(/^\/d\/virtio-incus_[A-Za-z0-9_-]{14}$/);
  });

  it('hashes a name longer than the id allows, as Incus does', () => {
    const [scsi, virtio] = incusDiskLinks('a-very-long-device-name-of-a-disk', 'disk', '/d');
    expect(scsi).toMatch(/^\/d\/scsi-0QEMU_QEMU_HARDDISK_incus_[A-Za-z0-9_-]{25}$/);
    expect(virtio).toMatch(/^\/d\/virtio-incus_[A-Za-z0-9_-]{14}$/);
  });
});

describe('where the virtio-win ISO is', () => {
  let byId: string;
  const signal = new AbortController().signal;
  const vm = { virtioWin: undefined, devices: new Map<string, string>() };
  const job = { virtio_win: { device: VIRTIO_WIN_DEVICE } };
  beforeEach(() => {
    byId = mkdtempSync(join(tmpdir(), 'ferry-by-id-'));
  });
  afterEach(() => rmSync(byId, { recursive: true, force: true }));

  async function failure(iso: (() => Promise<string>) | undefined): Promise<WindowsPrepareError> {
    const error: unknown = await iso!().then(() => null, (reason: unknown) => reason);
    expect(error).toBeInstanceOf(WindowsPrepareError);
    return error as WindowsPrepareError;
  }

  it('is none when the job names no device and no --virtio-win is given', () => {
    expect(virtioWinIso(vm, {}, { waitMs: 0, signal, byId })).toBeUndefined();
    expect(virtioWinIso({ virtioWin: undefined, devices: new Map([[VIRTIO_WIN_DEVICE, '/iso']]) }, {}, { waitMs: 0, signal, byId })).toBeUndefined();
  });

  it('takes --virtio-win first, then --device NAME=PATH in process mode', async () => {
    const devices = new Map([['disk0', '/dev/loop1'], [VIRTIO_WIN_DEVICE, '/srv/virtio-win.iso']]);
    expect(await virtioWinIso({ virtioWin: '/flag.iso', devices }, job, { waitMs: 0, signal, byId })!()).toBe('/flag.iso');
    expect(await virtioWinIso({ virtioWin: '/flag.iso', devices: new Map() }, {}, { waitMs: 0, signal, byId })!()).toBe('/flag.iso');
    expect(await virtioWinIso({ virtioWin: undefined, devices }, job, { waitMs: 0, signal, byId })!()).toBe('/srv/virtio-win.iso');
  });

  it('fails with virtio-win-unreadable in process mode without a --device for it, saying which', async () => {
    const error = await failure(virtioWinIso({ virtioWin: undefined, devices: new Map([['disk0', '/dev/loop1']]) }, job, { waitMs: 0, signal, byId }));
    expect(error.code).toBe('virtio-win-unreadable');
    expect(error.message).toContain('--device ferry-virtio-win=PATH');
  });

  it("finds the CD-ROM's by-id link in the VM, and names the links looked for when there is none", async () => {
    const missing = await failure(virtioWinIso(vm, job, { waitMs: 0, signal, byId }));
    expect(missing.code).toBe('virtio-win-unreadable');
    expect(missing.message).toContain(`${byId}/scsi-0QEMU_QEMU_CD-ROM_incus_ferry--virtio--win`);
    expect(missing.message).toContain('virtio_win_image');

    writeFileSync(join(byId, 'scsi-0QEMU_QEMU_CD-ROM_incus_ferry--virtio--win'), '');
    expect(await virtioWinIso(vm, job, { waitMs: 0, signal, byId })!()).toBe(join(byId, 'scsi-0QEMU_QEMU_CD-ROM_incus_ferry--virtio--win'));
  });

  it('waits for a link udev makes late', async () => {
    const link = join(byId, 'scsi-0QEMU_QEMU_HARDDISK_incus_disk0');
    const found = findIncusDisk('disk0', { media: 'disk', waitMs: 60_000, signal, byId });
    setTimeout(() => writeFileSync(link, ''), 50);
    expect(await found).toBe(link);
    expect(await findIncusDisk('disk1', { media: 'disk', waitMs: 0, signal, byId })).toBeNull();
  });
});
