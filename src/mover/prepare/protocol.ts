// Guest preparation in the mover's contract (issue #20): a proposal extending src/mover/protocol.ts
// without editing it; the lead merges the two.
//
// After the final pass (`delta` or `full`), the reconciler writes one more job with pass `prepare`:
// the mover, still attached to the VM with the guest's disks, mounts the guest and makes it boot
// under Incus (virtio drivers in the initramfs, the Incus agent's start-up, VMware Tools off, the
// interface names pinned to the NICs' MACs). The report carries the `preparation` record, which
// the reconciler copies into the entry's status; a failed preparation becomes a Conflict with the
// failure's code and sentence (the operator fixes the source, or marks the VM as prepared by hand
// with the override and the step is skipped).

import type { MoverJob, MoverPass, MoverReport } from '../protocol.js';

/** The passes with preparation: `prepare` copies nothing, it only changes the guest's disks. */
export type MoverPassWithPrepare = MoverPass | 'prepare';

/** A NIC of the guest as the source had it: Ferry keeps the source MAC on the Incus NIC. */
export interface GuestNic {
  /** The MAC, `00:50:56:…`, lower case, colon separated. */
  mac: string;
  /** The interface name the guest gave it on the source (from VMware Tools), when known. */
  name?: string;
}

/** What the reconciler knows of the guest, for preparation. */
export interface PreparePlan {
  /** The source's guest id (`debian12_64Guest`, …), only logged: the mover reads the disk itself. */
  guest_id?: string;
  nics: GuestNic[];
}

/** A prepare job: the disks are already copied; `disks` names the mover VM's devices holding them, in the source's order. */
export interface MoverPrepareJob extends Omit<MoverJob, 'pass'> {
  pass: MoverPassWithPrepare;
  /** Present when pass is `prepare`. */
  guest?: PreparePlan;
}

export type GuestFamily = 'debian' | 'rhel' | 'suse';

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

/** A mover report with the preparation record (pass `prepare`). */
export interface MoverReportWithPreparation extends MoverReport {
  preparation?: PrepareReport;
}
