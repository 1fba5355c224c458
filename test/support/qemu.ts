// Boots a machine under QEMU with software emulation (TCG: no KVM needed), shaped like an Incus VM
// where it matters to a guest: q35, disks on a virtio-scsi controller with the serial and device id
// Incus gives them (`incus_<device>`, so udev links them as
// /dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_incus_<device>, and a CD-ROM, as Incus attaches an ISO
// volume, as scsi-0QEMU_QEMU_CD-ROM_incus_<device>), the boot medium a SCSI CD or disk, the
// console on the first serial port. The guest's network is QEMU's user mode: it reaches the host's
// loopback at 10.0.2.2. The serial output goes to a file the test reads lines from.
//
// Tests close what they open: `stop()` always ends QEMU (SIGTERM, then SIGKILL).

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export interface QemuDisk {
  file: string;
  format?: 'raw' | 'qcow2';
  /** The Incus device name as Incus writes it into the id (path-encoded: `-` doubled): serial and device id `incus_<device>`. */
  device: string;
  readOnly?: boolean;
  /** A CD-ROM (QEMU's scsi-cd, read-only) as Incus attaches an ISO volume; a disk (scsi-hd) by default. */
  media?: 'disk' | 'cdrom';
}

export type QemuFirmware =
  | { type: 'bios' }
  /** `code` read-only, `vars` copied (the guest may write its variables). */
  | { type: 'uefi'; code: string; vars: string; secureBoot?: boolean };

export interface QemuOptions {
  /** qemu-system-x86_64. */
  binary: string;
  firmware: QemuFirmware;
  /** What the machine boots: an ISO as a CD, or a disk. */
  boot: { cdrom: string; device?: string } | { disk: QemuDisk };
  /** More disks and CD-ROMs, after the boot medium. */
  disks?: QemuDisk[];
  /** Host directories shared read-only over 9p, by mount tag (Incus shares the agent drive as `config`). */
  shares?: { path: string; tag: string }[];
  /** fw_cfg files the guest reads under /sys/firmware/qemu_fw_cfg/by_name/<name>/raw. */
  fwCfg?: { name: string; file: string }[];
  memoryMiB?: number;
  cpus?: number;
  /** Where the serial output goes. */
  serialLog: string;
}

export interface Qemu {
  pid: number;
  serialLog: string;
  /** Every serial line so far (carriage returns dropped). */
  lines(): string[];
  /** The first serial line (from the start) that `match` accepts; rejects on timeout or when QEMU exits. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** Presses the power button (QMP system_powerdown), as a clean `incus stop` does. */
  powerDown(): Promise<void>;
  /** Resolves when QEMU has exited (the guest powered off: QEMU runs with -no-reboot); rejects on timeout. */
  exited(timeoutMs: number): Promise<void>;
  /** Ends QEMU if it still runs (SIGTERM, then SIGKILL) and removes its scratch files. */
  stop(): Promise<void>;
}

/** The QEMU command line for these options (separate so a test can print it). */
export function qemuArgs(options: QemuOptions, scratch: { vars: string | null; qmp: string }): string[] {
  const { firmware } = options;
  const smm = firmware.type === 'uefi' && firmware.secureBoot === true;
  const args = [
    '-machine', `q35,accel=tcg${smm ? ',smm=on' : ''}`,
    '-m', String(options.memoryMiB ?? 1024),
    '-smp', String(options.cpus ?? 1),
    '-nodefaults', '-display', 'none', '-no-user-config', '-no-reboot',
    '-serial', `file:${options.serialLog}`,
    '-qmp', `unix:${scratch.qmp},server=on,wait=off`,
    '-device', 'virtio-scsi-pci,id=qemu_scsi',
    '-netdev', 'user,id=net0',
    '-device', 'virtio-net-pci,netdev=net0',
  ];
  if (firmware.type === 'uefi') {
    if (smm) args.push('-global', 'driver=cfi.pflash01,property=secure,value=on');
    args.push('-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${firmware.code}`);
    args.push('-drive', `if=pflash,format=raw,unit=1,file=${scratch.vars}`);
  }
  let bootIndex = 0;
  const attach = (disk: QemuDisk, media: 'disk' | 'cdrom' = disk.media ?? 'disk') => {
    const id = `incus_${disk.device}`;
    const readOnly = disk.readOnly || media === 'cdrom' ? ',read-only=on' : '';
    args.push('-blockdev', `driver=file,filename=${disk.file},node-name=file-${disk.device}${readOnly}`);
    args.push('-blockdev', `driver=${disk.format ?? 'raw'},file=file-${disk.device},node-name=${id}${readOnly}`);
    const boot = bootIndex === 0 ? ',bootindex=0' : '';
    bootIndex++;
    args.push('-device', `${media === 'cdrom' ? 'scsi-cd' : 'scsi-hd'},bus=qemu_scsi.0,channel=0,lun=1,drive=${id},serial=${id},device_id=${id}${boot}`);
  };
  if ('cdrom' in options.boot) attach({ file: options.boot.cdrom, device: options.boot.device ?? 'boot' }, 'cdrom');
  else attach(options.boot.disk, 'disk');
  for (const disk of options.disks ?? []) attach(disk);
  for (const share of options.shares ?? []) args.push('-virtfs', `local,path=${share.path},mount_tag=${share.tag},security_model=none,readonly=on`);
  for (const entry of options.fwCfg ?? []) args.push('-fw_cfg', `name=${entry.name},file=${entry.file}`);
  return args;
}

export async function startQemu(options: QemuOptions): Promise<Qemu> {
  const scratch = mkdtempSync(join(tmpdir(), 'ferry-qemu-'));
  const files = { vars: options.firmware.type === 'uefi' ? join(scratch, 'vars.fd') : null, qmp: join(scratch, 'qmp.sock') };
  if (options.firmware.type === 'uefi') copyFileSync(options.firmware.vars, files.vars!);
  const child = spawn(options.binary, qemuArgs(options, files), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited: string | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `QEMU exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ''}`;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });

  const serial = serialReader(options.serialLog);
  return {
    pid: child.pid!,
    serialLog: options.serialLog,
    lines: () => serial.lines(),
    async waitForLine(match, timeoutMs) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = serial.lines().find(match);
        if (found !== undefined) return found;
        const tail = () => serial.lines().slice(-30).join('\n');
        if (exited !== null) throw new Error(`${exited}\nlast serial lines:\n${tail()}`);
        if (Date.now() > until) throw new Error(`no matching serial line within ${timeoutMs / 1000} s; last serial lines:\n${tail()}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    powerDown: () => qmp(files.qmp, 'system_powerdown'),
    async exited(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`QEMU still runs after ${timeoutMs / 1000} s; last serial lines:\n${serial.lines().slice(-30).join('\n')}`)), timeoutMs);
      });
      try {
        await Promise.race([exit, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      await stopProcess(child, exit);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Runs one QMP command without arguments (the handshake first) and resolves on its answer. */
function qmp(socketPath: string, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let received = '';
    let answers = 0;
    socket.setTimeout(30_000, () => socket.destroy(new Error(`QMP ${command}: no answer within 30 s`)));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      for (let newline = received.indexOf('\n'); newline >= 0; newline = received.indexOf('\n')) {
        const message = JSON.parse(received.slice(0, newline)) as { QMP?: unknown; return?: unknown; error?: { desc: string } };
        received = received.slice(newline + 1);
        if (message.QMP) socket.write(`${JSON.stringify({ execute: 'qmp_capabilities' })}\n`);
        else if (message.error) socket.destroy(new Error(`QMP ${command}: ${message.error.desc}`));
        else if (message.return !== undefined && ++answers === 1) socket.write(`${JSON.stringify({ execute: command })}\n`);
        else if (message.return !== undefined) {
          socket.end();
          resolve();
        }
      }
    });
  });
}

/** Reads the serial file as it grows; keeps complete lines. */
function serialReader(path: string): { lines(): string[] } {
  const lines: string[] = [];
  let offset = 0;
  let partial = '';
  const decoder = new StringDecoder('utf8');
  return {
    lines() {
      if (existsSync(path)) {
        const fd = openSync(path, 'r');
        try {
          const buffer = Buffer.alloc(1 << 16);
          for (;;) {
            const read = readSync(fd, buffer, 0, buffer.length, offset);
            if (read === 0) break;
            offset += read;
            partial += decoder.write(buffer.subarray(0, read));
          }
        } finally {
          closeSync(fd);
        }
        const parts = partial.split('\n');
        partial = parts.pop()!;
        for (const part of parts) lines.push(part.replace(/\r/g, ''));
      }
      return lines;
    },
  };
}

function stopProcess(child: ChildProcess, exit: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return exit;
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.kill('SIGTERM');
  return exit.finally(() => clearTimeout(timer));
}
