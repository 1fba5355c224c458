// Guest preparation inside the mover image (issue #20), under QEMU without KVM: the image boots as
// an Incus VM would boot it, with a Debian guest disk whose initramfs holds only VMware's storage
// drivers (test/support/debian-guest.sh host-only) attached as the Incus disk device `root`, and a
// blank disk as `blank`. A stand-in Incus agent hands the mover two prepare jobs one after the other,
// as the reconciler does: the Debian disk's, then the blank disk's. The first must succeed with the
// preparation's steps on its console line, the second fail with its code; nothing secret-looking
// reaches the console. Then the prepared disk boots on virtio-scsi with the source NIC's MAC until
// the guest says it is up with the Incus agent's unit and its VMware interface name. The guest's
// disk is a qcow2 overlay over the cached image, which stays as built.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoverPrepareJob } from '../../../src/mover/protocol.js';
import { startQemu, type Qemu } from '../../support/qemu.js';
import { bootUntil, GUEST_UP, NO_ROOT } from '../../support/qemu-guest.js';
import { qemuPeer, type QemuPeer } from '../qemu/peer-env.js';
import { agentDrive } from './agent-drive.js';
import { consoleReport, finalReportOf, SECRET_LOOKING } from './console.js';
import { debianHostOnlyGuest, moverIso } from './peer-env.js';

// Bounds for hangs, not for speed (TCG on two busy cores).
const PREPARE_TIMEOUT_MS = 900_000;
const BLANK_TIMEOUT_MS = 180_000;
const POWER_OFF_TIMEOUT_MS = 120_000;
const GUEST_BOOT_TIMEOUT_MS = 600_000;

const MAC = '00:50:56:8a:01:02';
const NIC_NAME = 'ens192';

const job = (op: string, device: string): MoverPrepareJob => ({
  version: 1,
  op,
  pass: 'prepare',
  disks: [{ name: `[LocalDS_0] guest/${device}.vmdk`, device }],
  guest: { preparation: 'linux', os_type: 'linux', distribution: 'debian12_64Guest', nics: [{ mac: MAC, name: NIC_NAME }] },
});
const PREPARE = job('op-prepare', 'root');
const BLANK = job('op-prepare-blank', 'blank');

let peer: QemuPeer;
let dir: string;
let overlay: string;
let mover: Qemu | undefined;

beforeAll(() => {
  peer = qemuPeer();
  dir = mkdtempSync(join(tmpdir(), 'ferry-mover-prepare-'));
  overlay = join(dir, 'guest.qcow2');
  execFileSync(peer.qemuImg, ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', debianHostOnlyGuest(), overlay]);
});

afterAll(async () => {
  await mover?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

describe('guest preparation inside the mover image under QEMU', () => {
  let started = 0;

  it('prepares a host-only Debian guest disk and reports its steps on the console', async () => {
    const blank = join(dir, 'blank.img');
    writeFileSync(blank, '');
    truncateSync(blank, 64 * 1024 * 1024);
    started = Date.now();
    mover = await startQemu({
      binary: peer.qemuSystem,
      firmware: { type: 'uefi', code: peer.ovmfCode, vars: peer.ovmfVars },
      boot: { cdrom: moverIso(), device: 'ferry-mover' },
      disks: [
        { file: overlay, format: 'qcow2', device: PREPARE.disks[0]!.device },
        { file: blank, device: BLANK.disks[0]!.device },
      ],
      shares: [{ path: agentDrive(join(dir, 'agent'), [PREPARE, BLANK]), tag: 'config' }],
      serialLog: join(dir, 'mover.serial.log'),
    });
    const line = await mover.waitForLine(finalReportOf(PREPARE.op), PREPARE_TIMEOUT_MS);
    console.log(`mover image: booted and prepared the guest in ${seconds(started)} s`);

    const report = consoleReport(line)!;
    const tail = mover.lines().slice(-40).join('\n');
    expect(report.state, tail).toBe('succeeded');
    expect(report.message).toBe('guest prepared (Debian GNU/Linux 12 (bookworm)): vmware-tools, incus-agent, network-names, initramfs');
    expect(report.preparation).toMatchObject({ state: 'succeeded', family: 'debian', distribution: 'Debian GNU/Linux 12 (bookworm)' });
    const steps = report.preparation!.steps;
    expect(steps.map((step) => [step.step, step.changed])).toEqual([
      ['vmware-tools', true],
      ['incus-agent', true],
      ['network-names', true],
      ['initramfs', true],
    ]);
    const details = (name: string) => steps.find((step) => step.step === name)!.details.join('; ');
    expect(details('vmware-tools')).toContain('masked open-vm-tools.service');
    expect(details('network-names')).toContain(`pinned ${NIC_NAME} to ${MAC}`);
    expect(details('initramfs')).toMatch(/rebuilt the initramfs with update-initramfs for .*virtio_scsi/);
  });

  it('fails the next job, on a blank disk, with no-root-filesystem on its console line', async () => {
    const line = await mover!.waitForLine(finalReportOf(BLANK.op), BLANK_TIMEOUT_MS);
    const report = consoleReport(line)!;
    expect(report).toMatchObject({ state: 'failed', preparation: { state: 'failed', failure: { code: 'no-root-filesystem' } } });
    expect(report.message).toMatch(/^error no-root-filesystem: /);

    // The power button ends the VM cleanly (and frees the overlay for the guest's boot).
    await mover!.powerDown();
    await mover!.exited(POWER_OFF_TIMEOUT_MS);
    console.log(`mover image: both jobs done and powered off ${seconds(started)} s after the start`);
    const text = mover!.lines().join('\n');
    for (const secret of SECRET_LOOKING) expect(text).not.toMatch(secret);
  });

  it('boots the prepared guest on virtio-scsi with the Incus agent unit and its VMware interface name', async () => {
    await mover?.stop();
    const result = await bootUntil({
      qemu: peer.qemuSystem,
      accelerator: 'tcg',
      disk: overlay,
      format: 'qcow2',
      serialLog: join(dir, 'guest.serial.log'),
      mac: MAC,
      until: [GUEST_UP, NO_ROOT],
      timeoutMs: GUEST_BOOT_TIMEOUT_MS,
    });
    console.log(`prepared guest: booted in ${result.seconds.toFixed(1)} s`);
    expect(result.line, result.tail).toBe(`FERRY-GUEST-UP agent=yes nics=${NIC_NAME}`);
  });
});
