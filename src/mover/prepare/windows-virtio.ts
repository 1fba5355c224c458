// What Ferry puts into a Windows guest from virtio-win, decided from the guest's version alone:
// which folder of the ISO, which registry keys and values. Pure; windows.ts applies it.
//
// virtio-win's ISO has one folder per driver, then one per Windows release, then one per
// architecture: `vioscsi/w10/amd64/vioscsi.sys`, `NetKVM/2k22/amd64/netkvm.inf`.

import type { RegistryKeyEdit, RegistryValue } from './windows-reg-file.js';
import type { VirtioDriver, WindowsFailureCode, WindowsVersion } from './windows-protocol.js';

export interface VirtioDriverSpec {
  driver: VirtioDriver;
  /** The driver's top folder on the ISO (matched without regard to case). */
  isoFolder: string;
  /** A storage driver starts at boot: the guest's system disk is behind it. */
  storage: boolean;
  group: string;
  /** The virtio PCI device ids (vendor 1af4): the transitional one, then the modern one. */
  pciDevices: string[];
  classGuid: string;
}

/** vioscsi first: Incus attaches a VM's disks to virtio-scsi unless told otherwise. */
export const VIRTIO_DRIVERS: VirtioDriverSpec[] = [
  { driver: 'vioscsi', isoFolder: 'vioscsi', storage: true, group: 'SCSI miniport', pciDevices: ['1004', '1048'], classGuid: '{4D36E97B-E325-11CE-BFC1-08002BE10318}' },
  { driver: 'viostor', isoFolder: 'viostor', storage: true, group: 'SCSI miniport', pciDevices: ['1001', '1042'], classGuid: '{4D36E97B-E325-11CE-BFC1-08002BE10318}' },
  { driver: 'netkvm', isoFolder: 'NetKVM', storage: false, group: 'NDIS', pciDevices: ['1000', '1041'], classGuid: '{4D36E972-E325-11CE-BFC1-08002BE10318}' },
];

/** Where the driver packages (.inf, .cat, .sys, helpers) are staged in the guest, and how Windows' DevicePath names it. */
export const STAGING_FOLDER = ['Windows', 'Drivers', 'VirtIO'];
export const STAGING_DEVICE_PATH = '%SystemRoot%\\Drivers\\VirtIO';
const DEFAULT_DEVICE_PATH = '%SystemRoot%\\inf';

const ARCHITECTURES: Record<string, string> = { amd64: 'amd64', x86: 'x86', arm64: 'ARM64' };

/** The architecture folder for PROCESSOR_ARCHITECTURE; null for one virtio-win does not build for. */
export function architectureFolder(architecture: string): string | null {
  return ARCHITECTURES[architecture.toLowerCase()] ?? null;
}

export function isServer(version: WindowsVersion): boolean {
  return /server/i.test(version.installation) || /server/i.test(version.product);
}

/**
 * The release folders to look for, best first. The build decides (Windows 11 calls itself
 * "Windows 10" in ProductName); a newer release falls back to the previous one's drivers when the
 * ISO is older than the guest (virtio-win's drivers for a release also load on the next).
 */
export function releaseFolders(version: WindowsVersion): string[] {
  const build = version.build;
  if (isServer(version)) {
    if (build >= 26100) return ['2k25', '2k22'];
    if (build >= 20348) return ['2k22', '2k19'];
    if (build >= 17763) return ['2k19', '2k16'];
    if (build >= 14393) return ['2k16'];
    if (build >= 9600) return ['2k12R2'];
    if (build >= 9200) return ['2k12'];
    if (build >= 7600) return ['2k8R2'];
    if (build >= 6001) return ['2k8'];
    return [];
  }
  if (build >= 22000) return ['w11', 'w10'];
  if (build >= 10240) return ['w10'];
  if (build >= 9600) return ['w8.1', 'w8'];
  if (build >= 9200) return ['w8'];
  if (build >= 7600) return ['w7'];
  return [];
}

export function describeWindows(version: WindowsVersion): string {
  return `${version.product || 'Windows'} (build ${version.build || 'unknown'}, ${version.architecture || 'unknown architecture'})`;
}

/** Where an ISO holds the drivers for a Windows: each driver's .sys (as the ISO spells it) in the first release folder that has them all. */
export interface DriverFolders {
  release: string;
  arch: string;
  files: { spec: VirtioDriverSpec; sys: string }[];
  /** For the operator: `2k19/amd64`, and why when it is not the release's own folder. */
  description: string;
}

/**
 * The driver folders for `version` among an ISO's files (absolute paths in the ISO, matched
 * without regard to case), or why there are none: the release or architecture has no virtio-win
 * folder (unsupported-windows), or the ISO lacks a driver in each folder that would do
 * (virtio-win-missing-driver; the sentence lists what was looked for).
 */
export function driverFolders(isoFiles: readonly string[], version: WindowsVersion): DriverFolders | { failure: { code: WindowsFailureCode; message: string } } {
  const arch = architectureFolder(version.architecture);
  const releases = releaseFolders(version);
  if (arch === null || releases.length === 0) {
    return {
      failure: {
        code: 'unsupported-windows',
        message: `${describeWindows(version)} has no virtio-win drivers Ferry knows of: prepare the guest by hand and set guest_preparation: skip in its InstanceOverride`,
      },
    };
  }
  const byName = new Map(isoFiles.map((file) => [file.toLowerCase(), file]));
  const missing: string[] = [];
  for (const release of releases) {
    const files: DriverFolders['files'] = [];
    for (const spec of VIRTIO_DRIVERS) {
      const wanted = `/${spec.isoFolder}/${release}/${arch}/${spec.driver}.sys`;
      const sys = byName.get(wanted.toLowerCase());
      if (sys === undefined) missing.push(wanted.slice(1));
      else files.push({ spec, sys });
    }
    if (files.length < VIRTIO_DRIVERS.length) continue;
    const own = releases[0]!;
    const description = `${release}/${arch}${release === own ? '' : ` (the ISO has no ${own} folder: ${release}'s drivers are used)`}`;
    return { release, arch, files, description };
  }
  return {
    failure: {
      code: 'virtio-win-missing-driver',
      message: `the virtio-win ISO has no drivers for ${describeWindows(version)} (missing ${missing.join(', ')}): use a virtio-win release that supports this Windows`,
    },
  };
}

/** Windows up to 7 / 2008 R2 binds boot storage through the CriticalDeviceDatabase; Windows 8 and later dropped it. */
export function usesCriticalDeviceDatabase(version: WindowsVersion): boolean {
  return version.build < 9200;
}

const dword = (value: number): RegistryValue => ({ type: 'dword', value });
const sz = (value: string): RegistryValue => ({ type: 'sz', value });
const expandSz = (value: string): RegistryValue => ({ type: 'expand_sz', value });

/** A driver's service key (and for storage, the storport parameters its .inf would add), in one control set. */
export function serviceEdits(controlSet: string, spec: VirtioDriverSpec): RegistryKeyEdit[] {
  const key = `${controlSet}\\Services\\${spec.driver}`;
  const edits: RegistryKeyEdit[] = [
    {
      key,
      values: {
        Type: dword(1),
        Start: dword(spec.storage ? 0 : 3),
        ErrorControl: dword(1),
        Group: sz(spec.group),
        ImagePath: expandSz(`system32\\drivers\\${spec.driver}.sys`),
      },
    },
  ];
  if (spec.storage) {
    edits.push({ key: `${key}\\Parameters`, values: {} });
    edits.push({ key: `${key}\\Parameters\\PnpInterface`, values: { '5': dword(1) } });
  }
  return edits;
}

/** The CriticalDeviceDatabase entries naming the storage driver for its PCI ids, in one control set. */
export function criticalDeviceEdits(controlSet: string, spec: VirtioDriverSpec): RegistryKeyEdit[] {
  if (!spec.storage) return [];
  const database = `${controlSet}\\Control\\CriticalDeviceDatabase`;
  return [
    { key: database, values: {} },
    ...spec.pciDevices.map((device) => ({
      key: `${database}\\pci#ven_1af4&dev_${device}`,
      values: { Service: sz(spec.driver), ClassGUID: sz(spec.classGuid) },
    })),
  ];
}

/** SOFTWARE's DevicePath with the staging folder added (Plug and Play searches it for new devices' drivers); null when already there. */
export function devicePathWith(current: string | null): string | null {
  const entries = (current ?? DEFAULT_DEVICE_PATH).split(';').filter((entry) => entry.length > 0);
  if (entries.some((entry) => entry.toLowerCase() === STAGING_DEVICE_PATH.toLowerCase())) return null;
  return [...entries, STAGING_DEVICE_PATH].join(';');
}
