// The Windows side of guest preparation inside the mover image (issue #20), under QEMU without KVM:
// the image boots under UEFI as Incus boots a VM, with the operator's virtio-win ISO (a fake one in
// virtio-win's layout, test/peers/guest-tools/windows-guest.ts) attached as Incus attaches an ISO
// volume: a SCSI CD-ROM whose device id is `incus_` and the path-encoded device name
// ferry-virtio-win. The mover is given no --virtio-win and no --device: it finds the ISO by the link
// udev makes in the image (/dev/disk/by-id/scsi-0QEMU_QEMU_CD-ROM_incus_ferry--virtio--win) and
// reads it with xorriso from the block device. A stand-in Incus agent hands it two jobs, as the
// reconciler does: a full pass from vcsim (reached at 10.0.2.2 with a session of the job's own) of a
// powered-off VM whose disk is a synthetic Windows Server 2019 without virtio drivers, with the
// readiness check; then, once the test has compared the copy with the source, a prepare pass on the
// copy. The check finds the drivers on the ISO and writes nothing (the copy is the source's, byte for
// byte); the preparation injects them, which the host reads back from the disk once the VM is off. No Windows boots here: this proves the mover's
// mechanics inside its image, not that Windows starts on Incus.

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIRTIO_WIN_DEVICE, type MoverJob, type MoverPrepareJob } from '../../../src/mover/protocol.js';
import { startQemu, type Qemu } from '../../support/qemu.js';
import { requireGuestTools } from '../guest-tools/peer-env.js';
import { buildVirtioIso, onSystemVolume, registryValue } from '../guest-tools/windows-guest.js';
import { qemuPeer, type QemuPeer } from '../qemu/peer-env.js';
import { admin, vmsByName, type Admin } from '../vcsim/admin.js';
import { jobFor, jobSession, type JobSession } from '../vcsim/mover-peer.js';
import { startVcsim, type Vcsim } from '../vcsim/peer-env.js';
import { seedWindowsVm } from '../vcsim-guest-tools/windows-vm.js';
import { agentDrive } from './agent-drive.js';
import { consoleReport, finalReportOf, SECRET_LOOKING } from './console.js';
import { moverIso } from './peer-env.js';

// Bounds for hangs, not for speed (TCG on two busy cores).
const COPY_TIMEOUT_MS = 600_000;
const PREPARE_TIMEOUT_MS = 600_000;
const POWER_OFF_TIMEOUT_MS = 120_000;

const VM = 'DC0_H0_VM1';
const DEVICE = 'disk0';
/** How Incus writes the device name ferry-virtio-win into the CD-ROM's id (linux.PathNameEncode). */
const VIRTIO_WIN_ID = 'ferry--virtio--win';

let peer: QemuPeer;
let vcsim: Vcsim;
let a: Admin;
let dir: string;
let source: Buffer;
let session: JobSession;
let copy: MoverJob;
let prepare: MoverPrepareJob;
let target: string;
let mover: Qemu | undefined;
/** The test's word to the stand-in agent that the prepare job may be served (the copy has been compared). */
let prepareReleased = false;
let release: Server;

beforeAll(async () => {
  requireGuestTools();
  peer = qemuPeer();
  release = createServer((_, response) => response.writeHead(prepareReleased ? 200 : 409).end());
  await new Promise<void>((resolve) => release.listen(0, '127.0.0.1', resolve));
  dir = mkdtempSync(join(tmpdir(), 'ferry-mover-windows-'));
  vcsim = await startVcsim();
  a = await admin(vcsim);
  const vm = (await vmsByName(a)).get(VM)!;
  source = await seedWindowsVm(a, VM, vm, join(dir, 'windows.img'));
  session = await jobSession(a);
  const job = await jobFor(a, vm, 'op-windows-copy', 'full', source.length, session.value);
  copy = {
    ...job,
    // The guest reaches the host's loopback, where vcsim listens, at 10.0.2.2.
    vcenter: { ...job.vcenter, url: `https://10.0.2.2:${vcsim.port}/sdk` },
    guest: { preparation: 'windows' },
    virtio_win: { device: VIRTIO_WIN_DEVICE },
  };
  prepare = {
    version: 1,
    op: 'op-windows-prepare',
    pass: 'prepare',
    disks: [{ name: job.disks[0]!.name, device: DEVICE }],
    guest: { preparation: 'windows', os_type: 'windows', distribution: 'windows2019srv_64Guest', nics: [] },
    virtio_win: { device: VIRTIO_WIN_DEVICE },
  };
});

afterAll(async () => {
  await mover?.stop();
  release?.close();
  session?.close();
  await a?.close();
  await vcsim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

describe('a Windows guest inside the mover image under QEMU, with the virtio-win ISO as an Incus CD-ROM', () => {
  let started = 0;

  it('copies the guest from vcsim and finds it ready through the CD-ROM link, writing nothing to the copy', async () => {
    const iso = join(dir, 'virtio-win.iso');
    buildVirtioIso(iso, ['2k19']);
    target = join(dir, `${DEVICE}.img`);
    writeFileSync(target, '');
    truncateSync(target, source.length);
    started = Date.now();
    mover = await startQemu({
      binary: peer.qemuSystem,
      firmware: { type: 'uefi', code: peer.ovmfCode, vars: peer.ovmfVars },
      boot: { cdrom: moverIso(), device: 'ferry-mover' },
      disks: [
        { file: target, device: DEVICE },
        { file: iso, device: VIRTIO_WIN_ID, media: 'cdrom' },
      ],
      shares: [{ path: agentDrive(join(dir, 'agent'), [copy, prepare], { [prepare.op]: `http://10.0.2.2:${(release.address() as AddressInfo).port}/` }), tag: 'config' }],
      serialLog: join(dir, 'mover.serial.log'),
    });
    const line = await mover.waitForLine(finalReportOf(copy.op), COPY_TIMEOUT_MS);
    console.log(`mover image: booted, copied and checked the Windows guest in ${seconds(started)} s`);

    const report = consoleReport(line)!;
    expect(report.state, mover.lines().slice(-40).join('\n')).toBe('succeeded');
    expect(report).toMatchObject({
      disks: [{ device: DEVICE, copy: 'full' }],
      readiness: { state: 'ready', family: 'windows', distribution: 'Windows Server 2019 Standard (build 17763)' },
    });
    expect(report.readiness!.details.at(-1)).toMatch(/^the virtio-win ISO holds its drivers \(.*\): 2k19\/amd64 is injected when the guest is prepared/);
    expect(report.message).toMatch(/; guest ready to boot on Incus \(Windows Server 2019 Standard \(build 17763\)\)$/);
    expect(sha256(readFileSync(target))).toBe(sha256(source));
    prepareReleased = true;
  });

  it('prepares the copy with the drivers from the CD-ROM on the next job', async () => {
    const line = await mover!.waitForLine(finalReportOf(prepare.op), PREPARE_TIMEOUT_MS);
    console.log(`mover image: prepared the Windows guest ${seconds(started)} s after the start`);
    const report = consoleReport(line)!;
    expect(report.state, mover!.lines().slice(-40).join('\n')).toBe('succeeded');
    expect(report.preparation).toMatchObject({ state: 'succeeded', family: 'windows' });
    expect(report.preparation!.steps.map((step) => [step.step, step.changed])).toEqual([
      ['driver-files', true],
      ['staged-packages', true],
      ['services', true],
      ['device-path', true],
    ]);
    expect(report.message).toBe('guest prepared (Windows Server 2019 Standard (build 17763)): driver-files, staged-packages, services, device-path');

    await mover!.powerDown();
    await mover!.exited(POWER_OFF_TIMEOUT_MS);
    console.log(`mover image: both jobs done and powered off ${seconds(started)} s after the start`);
    const text = mover!.lines().join('\n');
    expect(text).not.toContain(session.value);
    for (const secret of SECRET_LOOKING) expect(text).not.toMatch(secret);
  });

  it('left the drivers and their services on the disk, as the host reads it back', () => {
    onSystemVolume(target, (root) => {
      expect(readFileSync(join(root, 'Windows', 'System32', 'drivers', 'vioscsi.sys'), 'utf8')).toBe('vioscsi 2k19 sys\n');
      expect(existsSync(join(root, 'Windows', 'Drivers', 'VirtIO', 'netkvm.inf'))).toBe(true);
      const system = join(root, 'Windows', 'System32', 'config', 'SYSTEM');
      for (const set of ['ControlSet001', 'ControlSet002']) {
        expect(registryValue(system, `${set}\\Services\\vioscsi`, 'Start')).toBe('0');
        expect(registryValue(system, `${set}\\Services\\vioscsi`, 'ImagePath')).toBe('system32\\drivers\\vioscsi.sys');
        expect(registryValue(system, `${set}\\Services\\viostor`, 'Start')).toBe('0');
        expect(registryValue(system, `${set}\\Services\\netkvm`, 'Start')).toBe('3');
      }
    });
  });
});
