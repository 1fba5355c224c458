// The readiness check after a full or warm pass, against the real tools on synthetic Windows-like
// disks and fake virtio-win ISOs (windows-guest.ts): what it answers, and that it is a look only —
// the copy's bytes are the same after it (the next delta pass relies on them).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareGuest } from '../../../src/mover/prepare/guest.js';
import { checkReadiness, NO_WINDOWS, type ReadinessOptions } from '../../../src/mover/prepare/readiness.js';
import { injectVirtioWin } from '../../../src/mover/prepare/windows.js';
import { listIsoFiles } from '../../../src/mover/prepare/windows-iso.js';
import type { GuestDisk } from '../../../src/mover/prepare/windows-protocol.js';
import { VIRTIO_WIN_DEVICE } from '../../../src/mover/protocol.js';
import { virtioWinIso } from '../../../src/mover/virtio-win.js';
import { requireGuestTools } from './peer-env.js';
import { buildVirtioIso, buildWindowsDisk, encryptSignature, onSystemVolume, SERVER_2019 } from './windows-guest.js';

const log = { info: (): void => undefined, warn: (): void => undefined };
let work: string;
/** Server 2019 guests without and with the virtio drivers, and an ISO with them; shared: the check changes none of them. */
let bare: string;
let prepared: string;
let iso: string;

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function disks(path: string): GuestDisk[] {
  return [{ device: 'disk0', path }];
}

function check(path: string, options: Partial<ReadinessOptions> = {}) {
  return checkReadiness(disks(path), { preparation: 'windows', log, ...options });
}

const isoAt = (path: string) => () => Promise.resolve(path);

/** Nothing of ours is left attached or mounted. */
function expectReleased(image: string): void {
  expect(execFileSync('losetup', ['-j', image], { encoding: 'utf8' }).trim()).toBe('');
  expect(readFileSync('/proc/mounts', 'utf8')).not.toMatch(/ferry-windows-/);
}

/** `use` with the file attached as a loop block device (read-only when asked). */
async function asBlockDevice<T>(file: string, readOnly: boolean, use: (device: string) => Promise<T>): Promise<T> {
  const device = execFileSync('losetup', ['-f', '--show', ...(readOnly ? ['-r'] : []), file], { encoding: 'utf8' }).trim();
  try {
    return await use(device);
  } finally {
    execFileSync('losetup', ['-d', device]);
  }
}

beforeAll(async () => {
  requireGuestTools();
  work = mkdtempSync(join(tmpdir(), 'ferry-readiness-test-'));
  bare = join(work, 'server2019.img');
  iso = join(work, 'virtio-win.iso');
  buildWindowsDisk(bare, SERVER_2019);
  buildVirtioIso(iso, ['2k16', '2k19', 'w10']);
  prepared = join(work, 'prepared.img');
  copyFileSync(bare, prepared);
  expect((await injectVirtioWin(disks(prepared), iso, {}, () => undefined)).state).toBe('succeeded');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a Windows guest', () => {
  it('is ready when vioscsi is installed and starts at boot, with no ISO needed', async () => {
    const readiness = await check(prepared);
    expect(readiness).toMatchObject({ state: 'ready', family: 'windows', distribution: 'Windows Server 2019 Standard (build 17763)' });
    expect(readiness.failure).toBeUndefined();
    expect(readiness.details.join('\n')).toMatch(/vioscsi: installed, Start=0 \(boot\)/);
    expectReleased(prepared);
  });

  it('is not ready without vioscsi and without an ISO: virtio-drivers-missing, the sentence prepareGuest gives', async () => {
    const readiness = await check(bare);
    expect(readiness).toMatchObject({ state: 'not-ready', family: 'windows', distribution: 'Windows Server 2019 Standard (build 17763)', failure: { code: 'virtio-drivers-missing' } });
    expect(readiness.failure?.message).toMatch(/^Windows Server 2019 Standard \(build 17763\) has no virtio storage driver set to boot \(vioscsi\)/);
    expect(readiness.details.join('\n')).toMatch(/vioscsi: not installed/);
    expectReleased(bare);
  });

  it('is ready without vioscsi when the ISO holds its drivers, and says which folder will be injected', async () => {
    const readiness = await check(bare, { virtioWin: isoAt(iso) });
    expect(readiness).toMatchObject({ state: 'ready', family: 'windows' });
    expect(readiness.details.at(-1)).toBe(
      "the virtio-win ISO holds its drivers (vioscsi/2k19/amd64/vioscsi.sys, viostor/2k19/amd64/viostor.sys, NetKVM/2k19/amd64/netkvm.sys): 2k19/amd64 is injected when the guest is prepared after the cutover's final pass",
    );
    expectReleased(bare);
  });

  it("is not ready when the ISO lacks the release's folder: virtio-win-missing-driver", async () => {
    const old = join(work, 'w10-only.iso');
    buildVirtioIso(old, ['w10']);
    const readiness = await check(bare, { virtioWin: isoAt(old) });
    expect(readiness).toMatchObject({ state: 'not-ready', failure: { code: 'virtio-win-missing-driver' } });
    expect(readiness.failure?.message).toMatch(/missing vioscsi\/2k19\/amd64\/vioscsi\.sys/);
  });

  it('reads the ISO from a block device (a CD-ROM in the mover VM) through xorriso stdio:', async () => {
    await asBlockDevice(iso, true, async (device) => {
      expect(await listIsoFiles(device)).toContain('/vioscsi/2k19/amd64/vioscsi.sys');
      expect(await check(bare, { virtioWin: isoAt(device) })).toMatchObject({ state: 'ready' });
    });
  });

  it('is not ready when the ISO cannot be found: virtio-win-unreadable naming the Target field', async () => {
    const readiness = await check(bare, { virtioWin: isoAt(join(work, 'absent.iso')) });
    expect(readiness).toMatchObject({ state: 'not-ready', failure: { code: 'virtio-win-unreadable' } });
    expect(readiness.failure?.message).toMatch(/check the Target's virtio_win_image$/);
  });

  it("finds the ISO for the check and the preparation alike: the job's device missing is virtio-win-unreadable for both", async () => {
    const iso = virtioWinIso({ virtioWin: undefined, devices: new Map([['disk0', bare]]) }, { virtio_win: { device: VIRTIO_WIN_DEVICE } }, { waitMs: 0, signal: new AbortController().signal });
    const readiness = await check(bare, { virtioWin: iso! });
    expect(readiness).toMatchObject({ state: 'not-ready', failure: { code: 'virtio-win-unreadable' } });
    const before = sha(bare);
    const preparation = await prepareGuest(disks(bare), { preparation: 'windows', nics: [], virtioWin: iso!, log });
    expect(preparation).toMatchObject({ state: 'failed', failure: readiness.failure });
    expect(sha(bare)).toBe(before);
  });

  it('leaves the copy as it was, byte for byte, on a block device too', async () => {
    const before = sha(bare);
    await check(bare, { virtioWin: isoAt(iso) });
    await check(bare);
    expect(sha(bare)).toBe(before);
    await asBlockDevice(bare, false, async (device) => {
      expect(await check(device, { virtioWin: isoAt(iso) })).toMatchObject({ state: 'ready' });
      expect(execFileSync('losetup', ['-j', bare], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
    });
    expect(sha(bare)).toBe(before);
  });
});

describe('guests the preparation cannot use', () => {
  it('is not ready on a volume Windows left hibernated, even with its drivers, and its preparation refuses it too', async () => {
    const hibernated = join(work, 'hibernated.img');
    copyFileSync(prepared, hibernated);
    onSystemVolume(hibernated, (root) => writeFileSync(join(root, 'hiberfil.sys'), Buffer.concat([Buffer.from('HIBR'), Buffer.alloc(8188)])));
    const readiness = await check(hibernated);
    expect(readiness).toMatchObject({ state: 'not-ready', family: 'windows', failure: { code: 'windows-hibernated' } });
    expect(readiness.failure?.message).toMatch(/Fast Startup/);
    expect(readiness.details.join('\n')).toMatch(/vioscsi: installed, Start=0/);
    const preparation = await prepareGuest(disks(hibernated), { preparation: 'windows', nics: [], log });
    expect(preparation).toMatchObject({ state: 'failed', failure: readiness.failure });
    expectReleased(hibernated);
  });

  it('is not ready on a BitLocker volume: bitlocker', async () => {
    const encrypted = join(work, 'bitlocker.img');
    copyFileSync(bare, encrypted);
    encryptSignature(encrypted);
    expect(await check(encrypted, { virtioWin: isoAt(iso) })).toMatchObject({ state: 'not-ready', family: 'windows', failure: { code: 'bitlocker' } });
  });

  it("is ready without Windows when detecting (prepared as Linux), not when Windows was expected", async () => {
    const empty = join(work, 'empty.img');
    buildWindowsDisk(empty, null);
    expect(await check(empty, { preparation: 'detect' })).toEqual({ state: 'ready', details: [NO_WINDOWS] });
    expect(await check(empty)).toMatchObject({ state: 'not-ready', failure: { code: 'no-windows-volume' } });
    expectReleased(empty);
  });

  it('says the check itself failed, with the reason, rather than throwing', async () => {
    const readiness = await check(join(work, 'no-such-disk.img'));
    expect(readiness).toMatchObject({ state: 'not-ready', failure: { code: 'readiness-check-failed' } });
    expect(readiness.failure?.message).toMatch(/no-such-disk\.img/);
  });
});
