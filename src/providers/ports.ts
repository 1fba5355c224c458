// The ports between the reconciler and the systems it migrates between (DESIGN §4). The engine
// never sees these: the reconcile loop asks them for observations and hands them actions.
// Every mutating call is idempotent by its operation id (`action.op`): calling it again with the
// same id returns without doing the work twice, whatever happened in between (a crash, a second
// reconciler). Errors never carry secrets.

import type {
  Action,
  CancelOperationAction,
  CreateInstanceAction,
  DeleteInstanceAction,
  FinalizeInstanceAction,
  ImportDisksAction,
  PostImportAction,
  PowerSourceAction,
} from '../engine/actions.js';
import type { OperationObservation, SourceObservation, TargetObservation } from '../engine/observations.js';
import type { NetworkRecord, OperationKind } from '../engine/status.js';
import type { InstanceRecord } from '../model/instance.js';
import type { MoverJob, MoverReport } from '../mover/protocol.js';

/** Time as the reconciler sees it: the real clock, or the simulator's virtual one. */
export interface Clock {
  now(): number;
  readonly virtual: boolean;
}

/** A virtual clock the reconcile loop may move forward (`ferry apply --until-idle`). */
export interface VirtualClock extends Clock {
  readonly virtual: true;
  /** The next time something scheduled happens on its own (a transfer ends, a scripted event fires), or null. */
  nextEventAt(): number | null;
  /** Moves time forward to `time` (never backwards), applying what happens on the way. */
  advanceTo(time: number): Promise<void>;
}

/** Which pass of a disk import: a running VM's background copy, the final delta, or a powered-off copy. */
export type ImportMode = ImportDisksAction['mode'];

/** One disk's bytes as a source hands them out, from offset 0 to `size`. */
export interface DiskData {
  /** The number of bytes the stream yields (the disk's capacity). */
  size: number;
  stream: AsyncIterable<Uint8Array>;
}

/** A target instance, by project and name. */
export interface InstanceRef {
  project: string;
  name: string;
}

/** One disk of a byte transfer into a target instance. */
export interface DiskWrite extends InstanceRef {
  /** The import operation id (the idempotency key of the whole transfer). */
  op: string;
  entry: string;
  attempt: string;
  /** The disk's position on the source VM (0 is the boot disk) and its source name (`[ds] vm/vm.vmdk`). */
  index: number;
  disk: string;
  mode: ImportMode;
}

/** Where an operation happens, for the providers that can only find it there (byte transfers). */
export interface OperationWhere {
  source: string;
  target: string;
  project: string;
  name: string;
}

/**
 * What a mover needs to copy one VM's disks itself (`transfer: mover`), made for one pass. It
 * holds a live credential (`vcenter.session`): it goes into the job and nowhere else (never a
 * log, a status, an error).
 */
export interface MoverAccess {
  /**
   * The SOAP endpoint (`https://host/sdk`), the fingerprint of the server certificate this process
   * verified (the mover pins it), and a vSphere session made for this pass alone: the value of its
   * `vmware_soap_session` cookie, cloned from the source's own session (never the password).
   */
  vcenter: MoverJob['vcenter'];
  /** The VM's datacenter (inventory path). */
  datacenter: string;
  vm: MoverJob['vm'];
  running: boolean;
  /** The disks Ferry copies (the supported ones), each with its position on the VM (0 is the boot disk). */
  disks: { index: number; name: string; key: number; capacity: number }[];
}

export interface SourceProvider {
  readonly name: string;
  /** Reachability and capabilities. Never throws: an unreachable source says so. */
  describe(): Promise<SourceObservation>;
  /** The full inventory (a sync). */
  inventory(): Promise<{ instances: InstanceRecord[]; networks: NetworkRecord[] }>;
  /** One VM read fresh by UUID; null when it no longer exists. */
  readVm(uuid: string): Promise<InstanceRecord | null>;
  powerOff(action: PowerSourceAction): Promise<void>;
  powerOn(action: PowerSourceAction): Promise<void>;
  /** The state of an operation this source ran (power changes), or undefined if it never heard of it. */
  operation(id: string): Promise<OperationObservation | undefined>;
  /**
   * The bytes of one disk of a VM (by VM UUID and disk name), for transfers into a target of
   * another kind. 'background' reads a running VM: only the simulator does (a vmware source
   * serves running VMs through movers, moverAccess, and refuses it); 'final' and 'offline' need the VM powered off and throw
   * ProviderError('vm-running') otherwise. The stream stops early when `signal` aborts.
   */
  readDisk(vm: string, disk: string, mode: ImportMode, signal: AbortSignal): Promise<DiskData>;
  /**
   * What a mover needs for one pass over a VM's disks (by VM UUID), with a fresh session of its
   * own. Absent: the source cannot serve movers. Throws ProviderError('not-found') for a VM that
   * no longer exists.
   */
  moverAccess?(vm: string): Promise<MoverAccess>;
}

/** What a mover target says of one pass (`MoverTarget.moverPass`). */
export type MoverPassObservation =
  /** The job of this op is in the instance, the mover has not reported on it yet. */
  | { state: 'waiting'; message: string }
  /** The mover's report of this op. */
  | { state: 'reported'; report: MoverReport }
  /** The instance holds no job of this op (never written, withdrawn, or replaced) and no report of it. */
  | { state: 'absent' };

/**
 * The target half of `transfer: mover`: an instance that boots a mover, which copies the source
 * disks into the instance's own disk devices. Every call refuses an instance without the markers
 * (ProviderError 'marker-mismatch'); none moves disk data through this process.
 */
export interface MoverTarget {
  /** The disk device of the instance that source disk `index` is written to (the job's `disks[].device`). */
  moverDevice(index: number): string;
  /** The mover VM's device holding the Target's virtio-win ISO (a job's `virtio_win.device`); null: the Target names none. */
  virtioWinDevice(): string | null;
  /**
   * Writes `job` as the instance's one job (replacing the job of an earlier op; the mover stops
   * that pass and starts this one), the virtio-win device it names attached first. Idempotent:
   * the same op again changes nothing.
   */
  writeMoverJob(ref: InstanceRef & Markers, job: MoverJob): Promise<void>;
  /** Where the pass of `op` stands. */
  moverPass(ref: InstanceRef, op: string): Promise<MoverPassObservation>;
  /**
   * Withdraws the job of `op` (the key is removed; the mover stops that pass). Finds the instance
   * by its entry (the op id's prefix) in every project; false when no instance holds that job.
   */
  withdrawMoverJob(op: string): Promise<boolean>;
  /**
   * Records that pass `op` succeeded (recordImport's key) and, for a warm pass, the change id of
   * each disk (by source disk name), durably on the instance, so a final pass after a restart
   * asks for the delta since them.
   */
  recordMoverPass(ref: InstanceRef & Markers, op: string, changeIds: Record<string, string> | null): Promise<void>;
  /** The change ids the last succeeded warm pass recorded, by source disk name (empty: none). */
  moverChangeIds(ref: InstanceRef): Promise<Record<string, string>>;
}

/** An entry's and attempt's markers. */
export interface Markers {
  entry: string;
  attempt: string;
}

export interface TargetProvider {
  readonly name: string;
  /** Projects with their pools, networks and instances; unreachable targets say so. */
  observe(projects: readonly string[]): Promise<TargetObservation>;
  createInstance(action: CreateInstanceAction): Promise<void>;
  postImport(action: PostImportAction): Promise<void>;
  finalizeInstance(action: FinalizeInstanceAction): Promise<void>;
  /** Refuses (throws MarkerMismatch) unless the instance carries the action's entry and attempt markers. */
  deleteInstance(action: DeleteInstanceAction): Promise<void>;
  operation(id: string): Promise<OperationObservation | undefined>;
  /**
   * Writes one disk's bytes into the instance createInstance made (into the storage pool its
   * placement chose, replacing what an earlier pass wrote), refusing an instance without the
   * write's entry and attempt markers. Resolves once the data is durable on the target.
   */
  writeDisk(write: DiskWrite, data: DiskData, signal: AbortSignal): Promise<void>;
  /** Records on the instance, durably, that import operation `op` wrote all its disks. */
  recordImport(ref: InstanceRef, op: string): Promise<void>;
  /** The import operation last recorded on the instance, or null (none, or no such instance). */
  lastImport(ref: InstanceRef): Promise<string | null>;
  /** Present when the target's transfer is `mover` (Target.transfer). */
  readonly mover?: MoverTarget;
}

/** Moves disk data from a source VM into a target instance. */
export interface TransferProvider {
  importDisks(action: ImportDisksAction): Promise<void>;
  cancel(action: CancelOperationAction): Promise<void>;
  /** `where` names the entry's source and target instance (byte transfers look there after a restart). */
  operation(id: string, where?: OperationWhere): Promise<OperationObservation | undefined>;
}

export class ProviderError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** The providers of one repository's sources and targets, and the clock they share. */
export interface ProviderSet {
  readonly clock: Clock | VirtualClock;
  source(name: string): SourceProvider;
  target(name: string): TargetProvider;
  readonly transfers: TransferProvider;
  /**
   * The sources and targets of the repository that this set does not contact (docs/security.md):
   * real systems whose connection settings are not the trusted revision's, or every real system
   * in an offline plan. Observe reads them from the status branch instead; absent: none.
   */
  readonly offline?: { readonly sources: ReadonlySet<string>; readonly targets: ReadonlySet<string> };
  /**
   * Resolves when work this process runs in the background (a disk copy) ends, so a loop on the
   * real clock can tick at once instead of at its next poll; undefined when nothing runs here.
   */
  activity?(): Promise<void> | undefined;
  /**
   * What opening the providers has to tell the operator: the simulator says which edits of the
   * repository its world adopted and which it could not honour. Absent: nothing.
   */
  readonly notes?: readonly { severity: 'note' | 'warning'; message: string }[];
  close(): Promise<void>;
}

/** Which provider answers for an operation of a given kind. */
export function operationOwner(kind: OperationKind): 'source' | 'target' | 'transfer' {
  switch (kind) {
    case 'power_off_source':
    case 'power_on_source':
      return 'source';
    case 'import_disks':
    case 'cancel_operation':
      return 'transfer';
    default:
      return 'target';
  }
}

/** Runs one action through the provider that owns it. */
export async function dispatch(providers: ProviderSet, action: Action): Promise<void> {
  switch (action.kind) {
    case 'create_instance':
      return providers.target(action.target).createInstance(action);
    case 'import_disks':
      return providers.transfers.importDisks(action);
    case 'cancel_operation':
      return providers.transfers.cancel(action);
    case 'power_off_source':
      return providers.source(action.source).powerOff(action);
    case 'power_on_source':
      return providers.source(action.source).powerOn(action);
    case 'post_import':
      return providers.target(action.target).postImport(action);
    case 'finalize_instance':
      return providers.target(action.target).finalizeInstance(action);
    case 'delete_instance':
      return providers.target(action.target).deleteInstance(action);
  }
}
