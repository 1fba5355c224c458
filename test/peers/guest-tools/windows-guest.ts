// A Windows-like guest disk for the preparation tests (no Windows exists here): an MBR image with
// a small NTFS volume (like "System Reserved") and a system NTFS volume holding the
// Windows\System32\config tree with SYSTEM and SOFTWARE hives made by emptyHive and filled with
// hivexregedit; and a fake virtio-win ISO in virtio-win's layout with dummy driver files.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyHive } from './empty-hive.js';

const MiB = 1024 * 1024;
/** The partitions: 1 MiB in, 8 MiB "System Reserved", then the system volume to the end of 64 MiB. */
export const SYSTEM_PARTITION = { offset: 9 * MiB, size: 55 * MiB };
const RESERVED_PARTITION = { offset: 1 * MiB, size: 8 * MiB };

function sh(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

function withLoop<T>(image: string, range: { offset: number; size: number }, use: (device: string) => T): T {
  const device = sh('losetup', ['-f', '--show', '-o', String(range.offset), '--sizelimit', String(range.size), image]).trim();
  try {
    return use(device);
  } finally {
    sh('losetup', ['-d', device]);
  }
}

function withMounted<T>(device: string, use: (root: string) => T): T {
  const root = mkdtempSync(join(tmpdir(), 'ferry-test-ntfs-'));
  sh('ntfs-3g', [device, root]);
  try {
    return use(root);
  } finally {
    sh('umount', [root]);
    rmdirSync(root);
  }
}

export interface WindowsGuestShape {
  product: string;
  build: string;
  installation: string;
  architecture: string;
}

/** The release most tests use: its drivers are virtio-win's 2k19 folder. */
export const SERVER_2019: WindowsGuestShape = { product: 'Windows Server 2019 Standard', build: '17763', installation: 'Server', architecture: 'AMD64' };

function systemReg(shape: WindowsGuestShape): string {
  const keys = ['ControlSet001', 'ControlSet002'].flatMap((set) => [
    `[HKEY_LOCAL_MACHINE\\SYSTEM\\${set}]`,
    `[HKEY_LOCAL_MACHINE\\SYSTEM\\${set}\\Services]`,
    `[HKEY_LOCAL_MACHINE\\SYSTEM\\${set}\\Control]`,
    `[HKEY_LOCAL_MACHINE\\SYSTEM\\${set}\\Control\\Session Manager]`,
    `[HKEY_LOCAL_MACHINE\\SYSTEM\\${set}\\Control\\Session Manager\\Environment]\r\n"PROCESSOR_ARCHITECTURE"="${shape.architecture}"`,
  ]);
  return ['Windows Registry Editor Version 5.00', '', ...keys, '[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\r\n"Current"=dword:00000001\r\n"Default"=dword:00000001', ''].join('\r\n\r\n');
}

function softwareReg(shape: WindowsGuestShape): string {
  const path = (parts: string[]) => `[HKEY_LOCAL_MACHINE\\SOFTWARE\\${parts.join('\\')}]`;
  return [
    'Windows Registry Editor Version 5.00',
    path(['Microsoft']),
    path(['Microsoft', 'Windows NT']),
    `${path(['Microsoft', 'Windows NT', 'CurrentVersion'])}\r\n"ProductName"="${shape.product}"\r\n"CurrentVersion"="6.3"\r\n"CurrentBuild"="${shape.build}"\r\n"InstallationType"="${shape.installation}"`,
    path(['Microsoft', 'Windows']),
    // %SystemRoot%\inf as hex(2) (REG_EXPAND_SZ in UTF-16LE), as Windows has it.
    `${path(['Microsoft', 'Windows', 'CurrentVersion'])}\r\n"DevicePath"=hex(2):${[...Buffer.from('%SystemRoot%\\inf\0', 'utf16le')].map((byte) => byte.toString(16).padStart(2, '0')).join(',')}`,
    '',
  ].join('\r\n\r\n');
}

function fillHive(file: string, rootName: string, prefix: string, reg: string): void {
  writeFileSync(file, emptyHive(rootName));
  const regFile = `${file}.reg`;
  writeFileSync(regFile, reg);
  sh('hivexregedit', ['--merge', '--prefix', prefix, '--encoding', 'UTF-16LE', file, regFile]);
  sh('rm', [regFile]);
}

/** A 64 MiB image: partition 1 an empty NTFS, partition 2 NTFS with Windows (when `shape` is given). */
export function buildWindowsDisk(image: string, shape: WindowsGuestShape | null): void {
  writeFileSync(image, '');
  sh('truncate', ['-s', `${64 * MiB}`, image]);
  sh('sfdisk', ['-q', image], `label: dos\nstart=${RESERVED_PARTITION.offset / 512}, size=${RESERVED_PARTITION.size / 512}, type=7\nstart=${SYSTEM_PARTITION.offset / 512}, type=7\n`);
  for (const range of [RESERVED_PARTITION, SYSTEM_PARTITION]) withLoop(image, range, (device) => sh('mkntfs', ['-Q', '-F', '-q', device]));
  if (shape === null) return;
  withLoop(image, SYSTEM_PARTITION, (device) =>
    withMounted(device, (root) => {
      const config = join(root, 'Windows', 'System32', 'config');
      mkdirSync(config, { recursive: true });
      mkdirSync(join(root, 'Windows', 'System32', 'drivers'));
      fillHive(join(config, 'SYSTEM'), 'SYSTEM', 'HKEY_LOCAL_MACHINE\\SYSTEM', systemReg(shape));
      fillHive(join(config, 'SOFTWARE'), 'SOFTWARE', 'HKEY_LOCAL_MACHINE\\SOFTWARE', softwareReg(shape));
    }),
  );
}

/** Runs `use` with the system volume of the image mounted read-write (to read back, or to damage). */
export function onSystemVolume<T>(image: string, use: (root: string) => T): T {
  return withLoop(image, SYSTEM_PARTITION, (device) => withMounted(device, use));
}

/** A value of a hive file (a key path below the hive's root), as hivexget prints it. */
export function registryValue(hive: string, key: string, value: string): string {
  return sh('hivexget', [hive, key, value]).trim();
}

/** Writes BitLocker's signature into the system volume's boot sector (what an encrypted volume has there). */
export function encryptSignature(image: string): void {
  sh('dd', [`of=${image}`, 'bs=1', `seek=${SYSTEM_PARTITION.offset + 3}`, 'conv=notrunc', 'status=none'], '-FVE-FS-');
}

/** Zeroes the system volume's bytes per sector: the boot sector still says NTFS, and ntfs-3g refuses to mount it. */
export function breakBootSector(image: string): void {
  sh('dd', [`of=${image}`, 'bs=1', `seek=${SYSTEM_PARTITION.offset + 11}`, 'conv=notrunc', 'status=none'], '\0\0');
}

/** A virtio-win-like ISO with the drivers for the given release folders (amd64 only). */
export function buildVirtioIso(iso: string, releases: string[], leaveOut: string[] = []): void {
  const tree = mkdtempSync(join(tmpdir(), 'ferry-test-virtio-'));
  for (const [folder, driver] of [['vioscsi', 'vioscsi'], ['viostor', 'viostor'], ['NetKVM', 'netkvm']] as const) {
    for (const release of releases) {
      if (leaveOut.includes(`${folder}/${release}`)) continue;
      const dir = join(tree, folder, release, 'amd64');
      mkdirSync(dir, { recursive: true });
      for (const extension of ['sys', 'inf', 'cat', 'pdb']) writeFileSync(join(dir, `${driver}.${extension}`), `${driver} ${release} ${extension}\n`);
      if (driver === 'netkvm') writeFileSync(join(dir, 'netkvmco.exe'), 'helper\n');
    }
  }
  sh('xorriso', ['-as', 'mkisofs', '-quiet', '-J', '-R', '-V', 'virtio-win', '-o', iso, tree]);
  sh('rm', ['-rf', tree]);
}
