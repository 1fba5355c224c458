// Guest preparation against real guests (issue #20): Debian bookworm disks built as VMware would
// have them (test/support/debian-guest.sh), prepared by the mover's prepareLinuxGuest on loop
// devices, then booted under QEMU as Incus presents a VM (virtio-scsi disk, virtio-net NIC with the
// source's MAC) until the guest's marker on the serial console says it reached user space with the
// Incus agent's unit installed and its VMware interface name. The unprepared host-only guest is the
// negative control: it must not find its root on virtio-scsi. Needs root (loop devices, mounts,
// chroot) and QEMU; a missing piece fails the suite, it never skips.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { prepareLinuxGuest } from '../../../src/mover/prepare/prepare.js';
import type { PrepareReport } from '../../../src/mover/prepare/protocol.js';
import { bootUntil, GUEST_UP, kvmWorks, NO_ROOT, qemuSystem, type Accelerator } from '../../support/qemu-guest.js';

const here = dirname(fileURLToPath(import.meta.url));
const PEER_CACHE = join(here, '..', '.cache');
const BUILD = join(here, '..', '..', 'support', 'debian-guest.sh');
const MAC = '00:50:56:8a:01:02';

const lines: string[] = [];
const log = { info: (message: string) => lines.push(message), warn: (message: string) => lines.push(`warn: ${message}`) };

if (process.getuid?.() !== 0) throw new Error('the guest preparation suite needs root (loop devices, mounts, chroot)');
const qemu = qemuSystem(PEER_CACHE);
const tools = spawnSync('bash', [BUILD, '--host-tools'], { encoding: 'utf8' });
if (tools.status !== 0) throw new Error(`debian-guest.sh --host-tools failed:\n${tools.stderr.slice(-3000)}`);
const work = mkdtempSync(join(tmpdir(), 'ferry-guest-prepare-'));
const accelerator: Accelerator = (await kvmWorks(qemu, work)) ? 'kvm' : 'tcg';
/** Boots are bounded for hangs, not for speed: TCG on a busy 2-core machine is slow. */
const bootTimeoutMs = accelerator === 'kvm' ? 240_000 : 900_000;
console.log(`QEMU accelerator: ${accelerator}`);

function buildGuest(name: string, mode: string): string {
  const image = join(work, `${name}.img`);
  const started = Date.now();
  const result = spawnSync('bash', [BUILD, image, mode], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`debian-guest.sh ${mode} failed:\n${result.stderr.slice(-3000)}`);
  console.log(`guest ${name}: built/copied in ${((Date.now() - started) / 1000).toFixed(1)} s${result.stderr.trim() ? ` (${result.stderr.trim().replace(/\n/g, '; ')})` : ''}`);
  return image;
}

/** Runs `use` with the image attached as a loop device with its partitions, detached after. */
async function withLoop<T>(image: string, use: (device: string) => Promise<T>): Promise<T> {
  const device = execFileSync('losetup', ['--find', '--show', '--partscan', image], { encoding: 'utf8' }).trim();
  try {
    // This machine's kernel reads no MBR partition table (the mover's Debian kernel does): partx
    // adds the partitions a disk has; on a blank disk it finds none.
    if (!existsSync(`${device}p1`)) spawnSync('partx', ['-a', device]);
    return await use(device);
  } finally {
    execFileSync('losetup', ['-d', device]);
  }
}

async function prepare(image: string): Promise<PrepareReport> {
  const started = Date.now();
  const report = await withLoop(image, (device) => prepareLinuxGuest([{ device: 'root', path: device }], { nics: [{ mac: MAC, name: 'ens192' }] }, log));
  console.log(`prepare ${image}: ${((Date.now() - started) / 1000).toFixed(1)} s, ${JSON.stringify(report)}`);
  return report;
}

async function boot(image: string, name: string) {
  const result = await bootUntil({
    qemu,
    accelerator,
    disk: image,
    serialLog: join(work, `${name}.console`),
    mac: MAC,
    until: [GUEST_UP, NO_ROOT],
    timeoutMs: bootTimeoutMs,
  });
  console.log(`boot ${name} (${accelerator}): ${result.seconds.toFixed(1)} s, ${result.line ?? 'no marker before the time-out'}`);
  return result;
}

function expectPrepared(report: PrepareReport) {
  expect(report.failure).toBeUndefined();
  expect(report).toMatchObject({ state: 'succeeded', family: 'debian', root: { fstype: 'ext4' } });
  const byStep = Object.fromEntries(report.steps.map((step) => [step.step, step]));
  expect(byStep['vmware-tools']?.details).toContain('masked open-vm-tools.service');
  expect(byStep['incus-agent']?.changed).toBe(true);
  expect(byStep['network-names']?.details.join(' ')).toContain(`pinned ens192 to ${MAC}`);
  expect(byStep.initramfs?.changed).toBe(true);
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe(`guest preparation of Debian guests, booted under QEMU (${accelerator === 'kvm' ? 'KVM' : 'software emulation, TCG'})`, () => {
  test('an unprepared host-only guest does not find its root on virtio-scsi (the negative control)', async () => {
    const image = buildGuest('host-only-unprepared', 'host-only');
    const result = await boot(image, 'host-only-unprepared');
    expect(result.line, result.tail).toMatch(NO_ROOT);
  });

  test('a prepared host-only guest boots on virtio-scsi with the Incus agent unit and its VMware interface name', async () => {
    const image = buildGuest('host-only', 'host-only');
    expectPrepared(await prepare(image));

    const again = await prepare(image);
    expect(again.state).toBe('succeeded');
    expect(again.steps.filter((step) => step.changed)).toEqual([]);

    const result = await boot(image, 'host-only');
    expect(result.line, result.tail).toBe('FERRY-GUEST-UP agent=yes nics=ens192');
  });

  test('a prepared generic guest boots with the Incus agent unit and its VMware interface name', async () => {
    const image = buildGuest('generic', 'generic');
    expectPrepared(await prepare(image));
    const result = await boot(image, 'generic');
    expect(result.line, result.tail).toBe('FERRY-GUEST-UP agent=yes nics=ens192');
  });

});

describe('guests that cannot be prepared', () => {
  test('a blank disk fails with no-root-filesystem and leaves nothing mounted', async () => {
    const image = join(work, 'blank.img');
    execFileSync('truncate', ['-s', '64M', image]);
    const report = await prepare(image);
    expect(report.state).toBe('failed');
    expect(report.failure?.code).toBe('no-root-filesystem');
    expect(report.failure?.message).toMatch(/no Linux root filesystem/);
    expect(execFileSync('mount', { encoding: 'utf8' })).not.toContain('ferry-guest-');
  });

  // A Debian root without a kernel: found, recognised, then the initramfs step fails.
  test.each([
    { root: 'an XFS root', fstype: 'xfs', mkfs: ['mkfs.xfs', '-q'], inside: '' },
    { root: "a btrfs root in the default subvolume", fstype: 'btrfs', mkfs: ['mkfs.btrfs', '-q'], inside: '' },
    { root: 'a btrfs root in subvolume @', fstype: 'btrfs', mkfs: ['mkfs.btrfs', '-q'], inside: '@', subvolume: '@' },
  ])('$root is found, and a guest without an initramfs tool fails with initramfs-failed', async ({ fstype, mkfs, inside, subvolume }) => {
    const image = join(work, `${fstype}${inside}.img`);
    execFileSync('truncate', ['-s', '320M', image]);
    execFileSync(mkfs[0]!, [...mkfs.slice(1), image]);
    const dir = join(work, `${fstype}${inside}`);
    mkdirSync(dir);
    execFileSync('mount', [image, dir]);
    try {
      if (inside !== '') execFileSync('btrfs', ['subvolume', 'create', join(dir, inside)]);
      mkdirSync(join(dir, inside, 'etc'));
      writeFileSync(join(dir, inside, 'etc/os-release'), 'ID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
      writeFileSync(join(dir, inside, 'etc/fstab'), `LABEL=none / ${fstype} defaults 0 1\n`);
      for (const sub of ['dev', 'proc', 'sys', 'run']) mkdirSync(join(dir, inside, sub));
    } finally {
      execFileSync('umount', [dir]);
    }
    const report = await prepare(image);
    expect(report).toMatchObject({ state: 'failed', family: 'debian', root: { fstype, ...(subvolume ? { subvolume } : {}) } });
    expect(report.failure?.code).toBe('initramfs-failed');
    expect(report.failure?.message).toMatch(/neither initramfs-tools nor dracut/);
    expect(execFileSync('mount', { encoding: 'utf8' })).not.toContain('ferry-guest-');
  });

  test('a root of an unknown distribution fails with unsupported-distribution', async () => {
    const image = join(work, 'other.img');
    execFileSync('truncate', ['-s', '64M', image]);
    execFileSync('mkfs.ext4', ['-q', image]);
    const dir = join(work, 'other');
    mkdirSync(dir);
    execFileSync('mount', [image, dir]);
    try {
      mkdirSync(join(dir, 'etc'));
      writeFileSync(join(dir, 'etc/os-release'), 'ID=alpine\nPRETTY_NAME="Alpine Linux v3.20"\n');
      writeFileSync(join(dir, 'etc/fstab'), '/dev/sda / ext4 defaults 0 1\n');
    } finally {
      execFileSync('umount', [dir]);
    }
    const report = await prepare(image);
    expect(report.failure?.code).toBe('unsupported-distribution');
    expect(report.failure?.message).toContain('Alpine Linux v3.20');
    expect(existsSync(join(work, 'other', 'etc'))).toBe(false);
  });
});
