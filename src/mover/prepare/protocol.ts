// The Linux side of guest preparation (issue #20): the plan it works from and the record it
// leaves. The job and the report's general shape are in src/mover/protocol.ts (MoverPrepareJob,
// PrepareReport); a LinuxPrepareReport is one of those records, with the root it found.

import type { GuestNic, PrepareReport as AnyPrepareReport } from '../protocol.js';

export type { GuestNic };

/** What the reconciler knows of the guest, for preparation. */
export interface PreparePlan {
  /** The source's guest id (`debian12_64Guest`, …), only logged: the mover reads the disk itself. */
  guest_id?: string;
  nics: GuestNic[];
}

export type GuestFamily = Exclude<NonNullable<AnyPrepareReport['family']>, 'windows'>;

export type PrepareStepName = 'vmware-tools' | 'incus-agent' | 'network-names' | 'initramfs' | 'selinux';

/** One step of the preparation and what it changed in the guest; `changed: false` when it found the guest already so. */
export interface PrepareStepRecord {
  step: PrepareStepName;
  changed: boolean;
  /** One sentence per change (or why nothing was needed), for the entry's status. */
  details: string[];
}

/**
 * Stable codes of a failed preparation (docs/errors.md, "Guest preparation").
 * no-root-filesystem: no filesystem on the disks holds an /etc/os-release;
 * unsupported-distribution: the guest is not of a family Ferry prepares;
 * mount-failed: a filesystem of the guest (root, /boot, /usr, /var) could not be mounted;
 * initramfs-failed: the guest's own initramfs tool failed (its output's tail follows);
 * step-failed: another step could not write into the guest;
 * not-root: the mover does not run as root.
 */
export type PrepareFailureCode = 'no-root-filesystem' | 'unsupported-distribution' | 'mount-failed' | 'initramfs-failed' | 'step-failed' | 'not-root';

/** The `preparation` record: what the reconciler keeps in the entry's status. */
export interface PrepareReport {
  state: 'succeeded' | 'failed';
  /** `debian`, `rhel`, `suse`; absent when the guest was not recognised. */
  family?: GuestFamily;
  /** os-release's PRETTY_NAME. */
  distribution?: string;
  /** The root filesystem as found on the mover's devices. */
  root?: { device: string; fstype: string; subvolume?: string };
  steps: PrepareStepRecord[];
  failure?: { code: PrepareFailureCode; message: string };
}

