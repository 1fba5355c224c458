// The mover image booted under QEMU (software emulation), moving a disk from vcsim: the image of
// scripts/build-mover-image.sh boots as a SCSI CD (UEFI with secure boot enforced, as Incus boots
// VMs by default; and BIOS), its init brings up udev and DHCP and starts the mover, which reads its
// job from fw_cfg (opt/ferry/job) or, with an agent drive, from /dev/incus/sock, reaches vcsim on
// the host's loopback through QEMU's user network (10.0.2.2), copies the powered-off VM's disk into
// the VM's disk `disk0` (a file on the host, attached as Incus attaches disks) and prints its report
// on the serial console. The target file then holds the source disk's bytes, and the power button
// ends the VM.

import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoverJob } from '../../../src/mover/protocol.js';
import { VimClient } from '../../../src/providers/vmware/client.js';
import { SoapTransport, sdkUrl } from '../../../src/providers/vmware/soap.js';
import { trustingAgent } from '../../../src/providers/vmware/tls.js';
import { field, items, str, type MoRef } from '../../../src/providers/vmware/values.js';
import { startQemu, type Qemu, type QemuFirmware } from '../../support/qemu.js';
import { admin, flatDescriptor, powerOff, putDatastoreFile, quietLog, vmsByName, type Admin } from '../vcsim/admin.js';
import { startVcsim, type Vcsim } from '../vcsim/peer-env.js';
import { qemuPeer, type QemuPeer } from '../qemu/peer-env.js';
import { agentDrive } from './agent-drive.js';
import { consoleReport, finalReportOf } from './console.js';
import { moverIso } from './peer-env.js';

const MIB = 1024 * 1024;
// Bounds for hangs, not for speed: one boot takes about two minutes under TCG on two busy cores.
const BOOT_TIMEOUT_MS = 480_000;
const POWER_OFF_TIMEOUT_MS = 120_000;

let peer: QemuPeer;
let iso: string;
let vcsim: Vcsim;
let a: Admin;
let vms: Map<string, MoRef>;
let dir: string;
const open: Qemu[] = [];

beforeAll(async () => {
  peer = qemuPeer();
  iso = moverIso();
  dir = mkdtempSync(join(tmpdir(), 'ferry-mover-boot-'));
  vcsim = await startVcsim();
  a = await admin(vcsim);
  vms = await vmsByName(a);
});

afterAll(async () => {
  for (const qemu of open) await qemu.stop();
  await a?.close();
  await vcsim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A session of the job's own, as the reconciler would hand over (the mover logs it out). */
async function jobSession(): Promise<string> {
  const agent = trustingAgent({ fingerprint: vcsim.fingerprint }, { maxSockets: 1, connectTimeoutMs: 10_000 });
  try {
    const transport = new SoapTransport({ url: sdkUrl(vcsim.endpoint), agent, log: quietLog, timeoutMs: 30_000 });
    await new VimClient(transport, { username: 'user', password: async () => 'pass' }, quietLog).session();
    return transport.sessionCookie!.slice('vmware_soap_session='.length);
  } finally {
    agent.destroy();
  }
}

/** Puts a disk image (random, with a zero stretch) over the VM's first disk; the job that copies it whole. */
async function prepareFullPass(vmName: string, op: string, size: number): Promise<{ job: MoverJob; image: Buffer }> {
  const vm = vms.get(vmName)!;
  await powerOff(a, vm);
  const image = randomBytes(size);
  image.fill(0, size / 4, size / 2);
  await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${vmName}/disk1.vmdk`, Buffer.from(flatDescriptor([{ file: 'disk1-flat.vmdk', size }])));
  await putDatastoreFile(a, 'DC0', 'LocalDS_0', `${vmName}/disk1-flat.vmdk`, image);
  const [found] = await a.client.retrieve({ propSet: [{ type: 'VirtualMachine', paths: ['config.instanceUuid', 'config.hardware.device'] }], objectSet: [{ obj: vm }] });
  const disk = items(found!.props.get('config.hardware.device')).find((d) => d.type === 'VirtualDisk')!;
  const job: MoverJob = {
    version: 1,
    op,
    pass: 'full',
    // The guest reaches the host's loopback, where vcsim listens, at 10.0.2.2.
    vcenter: { url: `https://10.0.2.2:${vcsim.port}/sdk`, fingerprint: vcsim.fingerprint, session: await jobSession() },
    datacenter: '/DC0',
    vm: { moref: vm.value, uuid: str(found!.props.get('config.instanceUuid'))! },
    disks: [{ name: str(field(disk, 'backing.fileName'))!, key: Number(str(field(disk, 'key'))), capacity: size, device: 'disk0' }],
  };
  return { job, image };
}

async function bootAndMove(firmware: QemuFirmware, vmName: string, op: string, jobVia: 'fw_cfg' | 'agent drive'): Promise<Qemu> {
  const size = 8 * MIB;
  const { job, image } = await prepareFullPass(vmName, op, size);
  const jobFile = join(dir, `${op}.job.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  const target = join(dir, `${op}.disk0.img`);
  // An empty disk of the source's size (sparse).
  writeFileSync(target, '');
  truncateSync(target, size);

  const qemu = await startQemu({
    binary: peer.qemuSystem,
    firmware,
    boot: { cdrom: iso, device: 'ferry-mover' },
    disks: [{ file: target, device: 'disk0' }],
    ...(jobVia === 'fw_cfg' ? { fwCfg: [{ name: 'opt/ferry/job', file: jobFile }] } : { shares: [{ path: agentDrive(join(dir, `${op}.agent`), [job]), tag: 'config' }] }),
    serialLog: join(dir, `${op}.serial.log`),
  });
  open.push(qemu);
  const line = await qemu.waitForLine(finalReportOf(op), BOOT_TIMEOUT_MS);
  // The power button ends the VM cleanly, as `incus stop` (without --force) does.
  await qemu.powerDown();
  await qemu.exited(POWER_OFF_TIMEOUT_MS);
  expect(qemu.lines()).toContain('ferry-mover: power button: powering off');

  const final = consoleReport(line)!;
  expect(final, qemu.lines().slice(-40).join('\n')).toMatchObject({ op, state: 'succeeded', disks: [{ device: 'disk0', copy: 'full' }] });
  const copied = readFileSync(target);
  expect(copied.length).toBe(size);
  expect(sha256(copied)).toBe(sha256(image));
  // Nothing of the job's session reached the console.
  expect(qemu.lines().join('\n')).not.toContain(job.vcenter.session);
  return qemu;
}

describe('the mover image under QEMU', () => {
  it('boots under UEFI with secure boot enforced and copies a disk from vcsim byte for byte', async () => {
    const qemu = await bootAndMove({ type: 'uefi', code: peer.ovmfCodeSecureBoot, vars: peer.ovmfVarsMicrosoft, secureBoot: true }, 'DC0_H0_VM0', 'op-uefi', 'fw_cfg');
    // shim, grub and the kernel passed the firmware's and shim's signature checks.
    expect(qemu.lines().some((l) => l.includes('secureboot: Secure boot enabled'))).toBe(true);
  });

  it('boots under BIOS, starts the agent from its drive and takes the job from /dev/incus/sock', async () => {
    const qemu = await bootAndMove({ type: 'bios' }, 'DC0_H0_VM1', 'op-bios', 'agent drive');
    expect(qemu.lines()).toContain('ferry-mover: starting incus-agent');
    expect(qemu.lines().some((l) => l.includes('secureboot: Secure boot enabled'))).toBe(false);
  });
});
