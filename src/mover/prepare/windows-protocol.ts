// Windows guests in the mover's preparation (issue #20 item 2, experimental: no real Windows guest
// has been through it). These shapes sit beside the Linux preparation's (protocol.ts in
// src/mover/prepare/, written alongside); the lead merges the two: `GuestDisk` is the same shape
// as the Linux side's, and `WindowsPrepareReport` is meant to be a variant of its PrepareReport.

/** A disk of the guest as attached to the mover: its Incus device and its block device (or image file). */
export interface GuestDisk {
  device: string;
  path: string;
}

/** The virtio drivers Ferry puts into a Windows guest (folder and service names in virtio-win). */
export type VirtioDriver = 'vioscsi' | 'viostor' | 'netkvm';

/** What the registry says of the installed Windows (SOFTWARE\Microsoft\Windows NT\CurrentVersion and the environment). */
export interface WindowsVersion {
  /** ProductName (Windows 11 still says "Windows 10" there: the build tells them apart). */
  product: string;
  /** CurrentVersion: 6.1 for 7/2008 R2, 6.3 for 8.1 and everything later. */
  version: string;
  build: number;
  /** InstallationType: Client, Server, Server Core. */
  installation: string;
  /** PROCESSOR_ARCHITECTURE: AMD64, x86, ARM64. */
  architecture: string;
}

/** How one driver stands in the guest: its file in System32\drivers and its service in the current control set. */
export interface VirtioDriverState {
  driver: VirtioDriver;
  file: boolean;
  /** The service's Start value in the current control set; null when there is no service key. */
  start: number | null;
}

/**
 * The readiness probe's answer. `virtio: present` when the guest can boot from Incus's default
 * disk bus (virtio-scsi): vioscsi.sys is in System32\drivers and its service starts at boot (Start=0).
 */
export interface WindowsProbe {
  windows: true;
  version: WindowsVersion;
  virtio: 'present' | 'absent';
  /** Windows left the volume hibernated or shut it down with Fast Startup (hiberfil.sys's header): it may not be written, nor boot elsewhere. */
  hibernated: boolean;
  /** The system volume as found (`/dev/sdb2`, or the disk and partition number). */
  volume: string;
  drivers: VirtioDriverState[];
  /** Sentences for the entry's status. */
  details: string[];
}

/**
 * Stable codes of a Windows preparation that cannot go on (docs/errors.md, "Guest preparation").
 * no-windows-volume: no NTFS volume holds Windows\System32\config\SYSTEM;
 * bitlocker: a volume is BitLocker-encrypted (the mover cannot read it);
 * windows-hibernated: Windows was hibernated or shut down with Fast Startup (the volume is not clean);
 * mount-failed: ntfs-3g could not mount the system volume, or an NTFS volume could not be looked at and none held Windows;
 * unsupported-windows: the version or the architecture has no virtio-win folder;
 * virtio-win-unreadable: the operator's virtio-win ISO cannot be found or read;
 * virtio-win-missing-driver: the ISO has no folder for this Windows and architecture, or a file is missing in it;
 * hive-edit-failed: hivex could not read or change the registry.
 */
export type WindowsFailureCode =
  | 'no-windows-volume'
  | 'bitlocker'
  | 'windows-hibernated'
  | 'mount-failed'
  | 'unsupported-windows'
  | 'virtio-win-unreadable'
  | 'virtio-win-missing-driver'
  | 'hive-edit-failed';

export type WindowsStepName = 'driver-files' | 'staged-packages' | 'services' | 'critical-device-database' | 'device-path';

/** One step of the injection and what it changed; `changed: false` when the guest already had it. */
export interface WindowsStepRecord {
  step: WindowsStepName;
  changed: boolean;
  details: string[];
}

/** The `preparation` record of a Windows guest: what the reconciler keeps in the entry's status. */
export interface WindowsPrepareReport {
  state: 'succeeded' | 'failed';
  version?: WindowsVersion;
  /** The virtio-win folder used (`w10/amd64`), and why when it is not the version's own. */
  driver_folder?: string;
  steps: WindowsStepRecord[];
  failure?: { code: WindowsFailureCode; message: string };
}

/** What the reconciler knows of the guest: the source's guest id is only logged (the mover reads the disk). */
export interface WindowsPreparePlan {
  guest_id?: string;
}
