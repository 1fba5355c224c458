// Windows preparation against the real tools (ntfs-3g, hivex, loop devices) on a synthetic
// Windows-like disk: no Windows exists here, so this proves the mechanics (finding the volume,
// reading and editing hives, copying drivers, idempotence, clean-up), not that Windows boots.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectVirtioWin, probeWindowsGuest } from '../../../src/mover/prepare/windows.js';
import type { GuestDisk } from '../../../src/mover/prepare/windows-protocol.js';
import { requireGuestTools } from './peer-env.js';
import { breakBootSector, buildVirtioIso, buildWindowsDisk, encryptSignature, onSystemVolume, registryValue, SERVER_2019 } from './windows-guest.js';

const log = (): void => undefined;
let work: string;

function sha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Nothing of ours is left attached or mounted (the whole machine's view, filtered to this test's files). */
function expectReleased(image: string): void {
  expect(execFileSync('losetup', ['-j', image], { encoding: 'utf8' }).trim()).toBe('');
  expect(readFileSync('/proc/mounts', 'utf8')).not.toMatch(/ferry-windows-/);
}

function disks(image: string): GuestDisk[] {
  return [{ device: 'root', path: image }];
}

beforeAll(() => {
  requireGuestTools();
  work = mkdtempSync(join(tmpdir(), 'ferry-windows-test-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a Windows Server 2019 guest without virtio drivers', () => {
  let image: string;
  let iso: string;
  beforeAll(() => {
    image = join(work, 'server2019.img');
    iso = join(work, 'virtio-win.iso');
    buildWindowsDisk(image, SERVER_2019);
    buildVirtioIso(iso, ['2k16', '2k19', 'w10']);
  });

  it('is found, read and reported without virtio, then injected, then reported with virtio', async () => {
    const before = await probeWindowsGuest(disks(image), log);
    expect(before).toMatchObject({ windows: true, virtio: 'absent', volume: 'partition 2 of disk root' });
    if (!before.windows) throw new Error('unreachable');
    expect(before.version).toEqual({ product: SERVER_2019.product, version: '6.3', build: 17763, installation: 'Server', architecture: 'AMD64' });
    expect(before.details.join('\n')).toMatch(/vioscsi: not installed/);
    expectReleased(image);

    const report = await injectVirtioWin(disks(image), iso, { guest_id: 'windows2019srv_64Guest' }, log);
    expect(report.failure).toBeUndefined();
    expect(report.state).toBe('succeeded');
    expect(report.driver_folder).toBe('2k19/amd64');
    expect(report.steps.map((step) => [step.step, step.changed])).toEqual([
      ['driver-files', true],
      ['staged-packages', true],
      ['services', true],
      ['device-path', true],
    ]);
    expectReleased(image);

    const after = await probeWindowsGuest(disks(image), log);
    expect(after).toMatchObject({ windows: true, virtio: 'present' });
    expectReleased(image);

    onSystemVolume(image, (root) => {
      const system = join(root, 'Windows', 'System32', 'config', 'SYSTEM');
      for (const set of ['ControlSet001', 'ControlSet002']) {
        expect(registryValue(system, `${set}\\Services\\vioscsi`, 'Start')).toBe('0');
        expect(registryValue(system, `${set}\\Services\\viostor`, 'Type')).toBe('1');
        expect(registryValue(system, `${set}\\Services\\netkvm`, 'Start')).toBe('3');
        expect(registryValue(system, `${set}\\Services\\vioscsi`, 'ImagePath')).toBe('system32\\drivers\\vioscsi.sys');
        expect(registryValue(system, `${set}\\Services\\vioscsi`, 'Group')).toBe('SCSI miniport');
        expect(registryValue(system, `${set}\\Services\\vioscsi\\Parameters\\PnpInterface`, '5')).toBe('1');
      }
      const software = join(root, 'Windows', 'System32', 'config', 'SOFTWARE');
      expect(registryValue(software, 'Microsoft\\Windows\\CurrentVersion', 'DevicePath')).toBe('%SystemRoot%\\inf;%SystemRoot%\\Drivers\\VirtIO');
      expect(readFileSync(join(root, 'Windows', 'System32', 'drivers', 'vioscsi.sys'), 'utf8')).toBe('vioscsi 2k19 sys\n');
      expect(readdirSync(join(root, 'Windows', 'Drivers', 'VirtIO')).sort()).toEqual(
        ['netkvm.cat', 'netkvm.inf', 'netkvm.sys', 'netkvmco.exe', 'vioscsi.cat', 'vioscsi.inf', 'vioscsi.sys', 'viostor.cat', 'viostor.inf', 'viostor.sys'],
      );
    });
  });

  it('changes nothing when injected a second time', async () => {
    const hives = () =>
      onSystemVolume(image, (root) => ['SYSTEM', 'SOFTWARE'].map((name) => sha(join(root, 'Windows', 'System32', 'config', name))));
    const before = hives();
    const report = await injectVirtioWin(disks(image), iso, {}, log);
    expect(report.state).toBe('succeeded');
    expect(report.steps.filter((step) => step.changed)).toEqual([]);
    expect(hives()).toEqual(before);
    expectReleased(image);
  });
});

describe('other Windows releases', () => {
  it('names the virtio storage drivers in the CriticalDeviceDatabase of every control set on Windows 7', async () => {
    const image = join(work, 'windows7.img');
    buildWindowsDisk(image, { product: 'Windows 7 Professional', build: '7601', installation: 'Client', architecture: 'AMD64' });
    const iso = join(work, 'w7.iso');
    buildVirtioIso(iso, ['w7']);
    const report = await injectVirtioWin(disks(image), iso, {}, log);
    expect(report.state).toBe('succeeded');
    expect(report.steps.map((step) => step.step)).toContain('critical-device-database');
    onSystemVolume(image, (root) => {
      const system = join(root, 'Windows', 'System32', 'config', 'SYSTEM');
      for (const set of ['ControlSet001', 'ControlSet002']) {
        expect(registryValue(system, `${set}\\Control\\CriticalDeviceDatabase\\pci#ven_1af4&dev_1004`, 'Service')).toBe('vioscsi');
        expect(registryValue(system, `${set}\\Control\\CriticalDeviceDatabase\\pci#ven_1af4&dev_1001`, 'Service')).toBe('viostor');
      }
    });
    expectReleased(image);
  });

  it("uses Windows 10's drivers for Windows 11 when the ISO has no w11 folder, and says so", async () => {
    const image = join(work, 'windows11.img');
    buildWindowsDisk(image, { product: 'Windows 10 Pro', build: '22631', installation: 'Client', architecture: 'AMD64' });
    const iso = join(work, 'w10.iso');
    buildVirtioIso(iso, ['w10', '2k22']);
    const report = await injectVirtioWin(disks(image), iso, {}, log);
    expect(report.state).toBe('succeeded');
    expect(report.driver_folder).toBe("w10/amd64 (the ISO has no w11 folder: w10's drivers are used)");
    expect(report.steps.map((step) => step.step)).not.toContain('critical-device-database');
    expect(await probeWindowsGuest(disks(image), log)).toMatchObject({ windows: true, virtio: 'present' });
    expectReleased(image);
  });
});

describe('guests and ISOs preparation cannot use', () => {
  it('fails clearly on a BitLocker-encrypted system volume, for the probe and the injection', async () => {
    const image = join(work, 'bitlocker.img');
    buildWindowsDisk(image, SERVER_2019);
    encryptSignature(image);
    const probe = await probeWindowsGuest(disks(image), log);
    expect(probe).toMatchObject({ windows: false, failure: { code: 'bitlocker' } });
    if (probe.windows) throw new Error('unreachable');
    expect(probe.failure.message).toMatch(/^partition 2 of disk root is BitLocker-encrypted .*manage-bde -off/);
    const iso = join(work, 'any.iso');
    buildVirtioIso(iso, ['2k19']);
    expect((await injectVirtioWin(disks(image), iso, {}, log)).failure?.code).toBe('bitlocker');
    expectReleased(image);
  });

  it('says when no volume holds Windows', async () => {
    const image = join(work, 'empty.img');
    buildWindowsDisk(image, null);
    expect(await probeWindowsGuest(disks(image), log)).toMatchObject({ windows: false, failure: { code: 'no-windows-volume' } });
    expectReleased(image);
  });

  it('says mount-failed, not no-windows-volume, when an NTFS volume that may hold Windows cannot be looked at', async () => {
    const image = join(work, 'unmountable.img');
    buildWindowsDisk(image, SERVER_2019);
    breakBootSector(image);
    const probe = await probeWindowsGuest(disks(image), log);
    expect(probe).toMatchObject({ windows: false, failure: { code: 'mount-failed' } });
    if (probe.windows) throw new Error('unreachable');
    expect(probe.failure.message).toMatch(/^the NTFS volume on partition 2 of disk root cannot be mounted: /);
    expectReleased(image);
  });

  it('fails with virtio-win-missing-driver when the ISO lacks a driver for the release, and leaves the guest untouched', async () => {
    const image = join(work, 'missing.img');
    buildWindowsDisk(image, SERVER_2019);
    const iso = join(work, 'old.iso');
    buildVirtioIso(iso, ['2k19', '2k16'], ['NetKVM/2k19', 'NetKVM/2k16']);
    const report = await injectVirtioWin(disks(image), iso, {}, log);
    expect(report.failure?.code).toBe('virtio-win-missing-driver');
    expect(report.failure?.message).toMatch(/NetKVM\/2k19\/amd64\/netkvm\.sys/);
    expect(report.steps).toEqual([]);
    expectReleased(image);
    onSystemVolume(image, (root) => expect(existsSync(join(root, 'Windows', 'System32', 'drivers', 'vioscsi.sys'))).toBe(false));
  });

  it('refuses a volume Windows left hibernated (ntfs-3g would mount it read-only) and changes nothing', async () => {
    const image = join(work, 'hibernated.img');
    buildWindowsDisk(image, SERVER_2019);
    onSystemVolume(image, (root) => writeFileSync(join(root, 'hiberfil.sys'), Buffer.concat([Buffer.from('HIBR'), Buffer.alloc(8188)])));
    const iso = join(work, 'hibernated.iso');
    buildVirtioIso(iso, ['2k19']);
    expect(await probeWindowsGuest(disks(image), log)).toMatchObject({ windows: true, virtio: 'absent' });
    const report = await injectVirtioWin(disks(image), iso, {}, log);
    expect(report.failure?.code).toBe('windows-hibernated');
    expect(report.failure?.message).toMatch(/Fast Startup/);
    expect(report.steps).toEqual([]);
    expectReleased(image);
  });

  it('fails with virtio-win-unreadable when the ISO is not there', async () => {
    const image = join(work, 'noiso.img');
    buildWindowsDisk(image, SERVER_2019);
    const report = await injectVirtioWin(disks(image), join(work, 'absent.iso'), {}, log);
    expect(report.failure?.code).toBe('virtio-win-unreadable');
    expectReleased(image);
  });
});
