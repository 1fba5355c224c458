// What the reconciler and a mover say to each other (docs/providers/incus.md, "The mover").
//
// The reconciler writes a job into the mover VM's configuration (Incus key `user.ferry.mover.job`,
// read inside through /dev/incus/sock); the mover copies the source disks into the block devices
// attached to the VM it runs in and keeps a report at REPORT_PATH, which the reconciler reads
// through the Incus file API. Nothing connects to the reconciler: it may run in CI. The mover
// also prints each report on the console as one line, `FERRY-MOVER <json>`.
//
// A job is one pass of one import operation, or (issue #20) the preparation of the guest after
// the final pass (a post-import operation). The mover does each op once: a job whose op it already
// finished is answered from the report, a new op starts a new pass.

/** The Incus configuration key holding the job. */
export const JOB_KEY = 'user.ferry.mover.job';
/** Where the mover keeps its report inside the mover VM. */
export const REPORT_PATH = '/run/ferry-mover/report.json';
/** The prefix of the report lines on the console. */
export const CONSOLE_PREFIX = 'FERRY-MOVER ';
/** The Incus disk device of a mover VM holding the virtio-win ISO its Target names (virtio_win_image). */
export const VIRTIO_WIN_DEVICE = 'ferry-virtio-win';

/**
 * full: the VM is powered off; each disk is read by ranges over the datastore interface.
 * warm: the VM may run; the mover snapshots it, copies each disk from the snapshot export (NFC,
 *       stream-optimized VMDK), records each disk's change id and removes the snapshot.
 * delta: the VM is powered off; only the areas changed since each disk's change_id are read by
 *       range. A disk without a change id, or whose change id vCenter no longer knows, is copied
 *       whole instead (`copy: full-fallback` with the reason).
 */
export type MoverPass = 'full' | 'warm' | 'delta';

export interface MoverJobDisk {
  /** The source disk (`[datastore] dir/file.vmdk`). */
  name: string;
  /** The virtual disk's device key on the source VM (QueryChangedDiskAreas names disks by it). */
  key: number;
  /** Bytes. */
  capacity: number;
  /** The Incus disk device of the mover VM this disk is written to. */
  device: string;
  /** delta: the change id the previous warm pass recorded for this disk. */
  change_id?: string;
}

export interface MoverJob {
  version: 1;
  /** The import operation this pass belongs to (the report names it). */
  op: string;
  pass: MoverPass;
  vcenter: {
    /** The SOAP endpoint, https://host/sdk. */
    url: string;
    /** SHA-256 fingerprint the server certificate must have; absent: the system's CAs. */
    fingerprint?: string;
    /**
     * A vSphere session made for this job alone (a clone of the reconciler's, by clone ticket):
     * the value of the `vmware_soap_session` cookie. Never the password. The mover logs it out
     * when the pass ends; vCenter ends it on its own when idle.
     */
    session: string;
  };
  /** The VM's datacenter (inventory path), for datastore URLs. */
  datacenter: string;
  vm: { moref: string; uuid: string };
  disks: MoverJobDisk[];
  /**
   * A full or warm pass of a guest the mover will prepare (issue #20): once the copy is written,
   * the mover checks it read-only for what would stop the guest booting under Incus (the
   * readiness check before the cutover) and puts the answer in the report's `readiness`.
   * Absent: no check (a Linux guest, a guest not prepared, a delta pass).
   */
  guest?: { preparation: 'windows' | 'detect' };
  /** The mover VM's disk device holding the operator's virtio-win ISO; absent: the Target names none. */
  virtio_win?: { device: string };
}

export type MoverDiskCopy = 'full' | 'warm' | 'delta' | 'full-fallback';

export interface MoverDiskReport {
  name: string;
  device: string;
  copy: MoverDiskCopy;
  /** Bytes written to the device in this pass. */
  bytes_written: number;
  /** warm: the change id of the snapshot the disk was copied from; otherwise null. */
  change_id: string | null;
  /** SHA-256 (hex) of the bytes written in this pass, in the order written, as read back from the device. */
  sha256: string;
  /** full-fallback: why the delta could not be used. */
  fallback_reason?: string;
}

export interface MoverReport {
  version: 1;
  op: string;
  state: 'running' | 'succeeded' | 'failed';
  /** One line an operator understands (the progress text, or why the pass failed). */
  message: string;
  progress: { done: number; total: number };
  disks: MoverDiskReport[];
  /** A prepare pass: what it did to the guest. */
  preparation?: PrepareReport;
  /** A full or warm pass with `guest`: whether the copy would boot under Incus once prepared. */
  readiness?: ReadinessReport;
  /** RFC 3339. */
  updated_at: string;
}

/** A NIC of the guest: Ferry keeps the source's MAC on the Incus NIC. */
export interface GuestNic {
  /** `00:50:56:…`, lower case, colon separated. */
  mac: string;
  /** The interface name the guest gave it on the source, when known. */
  name?: string;
}

/**
 * After the final pass (a post-import operation): make the copied guest boot under Incus. The
 * disks are the mover VM's devices holding the guest's disks, in the source's order.
 */
export interface MoverPrepareJob {
  version: 1;
  op: string;
  pass: 'prepare';
  disks: { name: string; device: string }[];
  guest: {
    /** What to prepare (src/engine/preparation.ts): detect = find the family from the disk. */
    preparation: 'linux' | 'windows' | 'detect';
    /** The source's view (os_type, distribution, its guest id), only for the log: the mover reads the disk. */
    os_type: string;
    distribution: string;
    nics: GuestNic[];
  };
  /** The mover VM's disk device holding the operator's virtio-win ISO; absent: the Target names none. */
  virtio_win?: { device: string };
}

export type AnyMoverJob = MoverJob | MoverPrepareJob;

export type GuestFamily = 'debian' | 'rhel' | 'suse' | 'windows';

/** One step of the preparation and what it changed; `changed: false` when the guest was already so. */
export interface PrepareStepRecord {
  step: string;
  changed: boolean;
  /** One sentence per change (or why nothing was needed). */
  details: string[];
}

/** What a prepare pass did to the guest: copied into the entry's status. */
export interface PrepareReport {
  state: 'succeeded' | 'failed';
  family?: GuestFamily;
  /** os-release's PRETTY_NAME, or the Windows product name. */
  distribution?: string;
  steps: PrepareStepRecord[];
  /** A stable code (docs/errors.md, "Guest preparation") and one sentence for the operator. */
  failure?: { code: string; message: string };
}

/**
 * The readiness check after a full or warm pass (a read-only look at the copy, nothing written):
 * `not-ready` when the guest would not boot under Incus and its preparation could not fix it (a
 * Windows guest without a virtio storage driver and no virtio-win ISO, or one whose ISO lacks its
 * drivers; BitLocker; a hibernated volume). The reconciler holds the entry before its cutover
 * (a Conflict with the code and sentence) instead of powering the source VM off for nothing.
 */
export interface ReadinessReport {
  state: 'ready' | 'not-ready';
  family?: GuestFamily;
  /** The Windows product name, or os-release's PRETTY_NAME. */
  distribution?: string;
  /** Sentences: what the check found (drivers, the ISO's folder). */
  details: string[];
  /** not-ready: a stable code (docs/errors.md, "Guest preparation") and one sentence for the operator. */
  failure?: { code: string; message: string };
}
