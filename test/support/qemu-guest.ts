// Booting a disk image under QEMU the way Incus presents a VM's disk and NIC (virtio-scsi with a
// scsi-hd, virtio-net), with BIOS firmware and the serial console in a file, until a line on that
// console says what happened. KVM when /dev/kvm works, software emulation (TCG) otherwise.
// (A small harness of the guest preparation tests, and of the mover image's prepare test for the
// prepared guest; the mover image itself boots with test/support/qemu.ts.)

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Accelerator = 'kvm' | 'tcg';

/** What a guest of test/support/debian-guest.sh prints once user space is up (`FERRY-GUEST-UP agent=… nics=…`). */
export const GUEST_UP = /FERRY-GUEST-UP/;
/** What its initramfs prints when it does not find the root device. */
export const NO_ROOT = /Dropping to a shell|Gave up waiting for root/;

const consoleText = (path: string) => (existsSync(path) ? readFileSync(path, 'latin1') : '');

/** qemu-system-x86_64 as the qemu peer installed it (test/peers/.cache/qemu.env), or on PATH. */
export function qemuSystem(peerCache: string): string {
  const envFile = join(peerCache, 'qemu.env');
  if (existsSync(envFile)) {
    const line = readFileSync(envFile, 'utf8').split('\n').find((entry) => entry.startsWith('QEMU_SYSTEM='));
    if (line !== undefined && existsSync(line.slice('QEMU_SYSTEM='.length))) return line.slice('QEMU_SYSTEM='.length);
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, 'qemu-system-x86_64'))) return join(dir, 'qemu-system-x86_64');
  }
  throw new Error('qemu-system-x86_64 not found: run test/peers/qemu/install.sh (FERRY_PEERS=qemu npm run test:peers)');
}

/**
 * Whether KVM runs a guest here. /dev/kvm opening is not enough: on this machine (nested, in a
 * Firecracker VM) KVM creates the machine but the firmware stops in its first option ROM. So the
 * firmware is run with no disk, and KVM works when it reaches "No bootable device" on its debug
 * console, as it does within a second where KVM works.
 */
export async function kvmWorks(qemu: string, scratchDir: string): Promise<boolean> {
  if (!existsSync('/dev/kvm')) return false;
  const debugLog = join(scratchDir, 'kvm-check.log');
  const child = spawn(qemu, ['-accel', 'kvm', '-cpu', 'host', '-machine', 'q35', '-m', '128', '-display', 'none', '-nodefaults', '-debugcon', `file:${debugLog}`, '-global', 'isa-debugcon.iobase=0x402'], {
    stdio: 'ignore',
  });
  let exited = false;
  child.on('close', () => (exited = true));
  child.on('error', () => (exited = true));
  try {
    for (let waited = 0; waited < 15_000 && !exited; waited += 250) {
      if (consoleText(debugLog).includes('No bootable device')) return true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return false;
  } finally {
    if (!exited) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
    }
  }
}

export interface BootOptions {
  qemu: string;
  accelerator: Accelerator;
  disk: string;
  /** The disk's format; raw unless said (a qcow2 overlay keeps a cached image pristine). */
  format?: 'raw' | 'qcow2';
  serialLog: string;
  /** The NIC's MAC (Ferry keeps the source's on the Incus NIC). */
  mac: string;
  /** The first console line matching one of these ends the boot. */
  until: RegExp[];
  timeoutMs: number;
}

export interface BootResult {
  /** The console line that matched, null on a time-out. */
  line: string | null;
  seconds: number;
  /** The console's last lines, for a failing assertion's message. */
  tail: string;
}

export async function bootUntil(options: BootOptions): Promise<BootResult> {
  const args = [
    ...(options.accelerator === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg', '-cpu', 'max']),
    '-machine', 'q35',
    '-m', '1024',
    '-smp', '1',
    '-nodefaults',
    '-display', 'none',
    '-no-reboot',
    '-serial', `file:${options.serialLog}`,
    '-device', 'virtio-scsi-pci,id=scsi0',
    '-drive', `file=${options.disk},format=${options.format ?? 'raw'},if=none,id=root,cache=unsafe`,
    '-device', 'scsi-hd,drive=root,bus=scsi0.0,bootindex=1',
    // restrict=on: the guest reaches nothing outside QEMU (DHCP is answered inside).
    '-netdev', 'user,id=net0,restrict=on',
    '-device', `virtio-net-pci,netdev=net0,mac=${options.mac}`,
  ];
  const started = Date.now();
  const child = spawn(options.qemu, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let exited = false;
  child.on('close', () => (exited = true));
  try {
    for (;;) {
      const text = consoleText(options.serialLog);
      const line = text.split(/\r?\n/).find((candidate) => options.until.some((pattern) => pattern.test(candidate)));
      const seconds = (Date.now() - started) / 1000;
      if (line !== undefined) return { line: line.trim(), seconds, tail: tail(text) };
      if (exited || Date.now() - started > options.timeoutMs) {
        return { line: null, seconds, tail: `${tail(text)}${exited ? `\n[qemu exited: ${stderr.trim()}]` : ''}` };
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    if (!exited) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
    }
  }
}

function tail(text: string): string {
  return text.split(/\r?\n/).slice(-15).join('\n');
}
