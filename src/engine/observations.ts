// What the reconciler observed this tick: the input of decide besides the desired state and the
// previous status. Providers produce it (src/providers); the engine never performs I/O.

import type { InstanceRecord } from '../model/instance.js';
import type { SourceInventory, TargetInstanceRecord, TargetProjectRecord } from './status.js';

export interface SourceObservation {
  reachable: boolean;
  /** Why it is not reachable (never contains a secret). */
  message: string;
  /**
   * Whether this source hands a stream transfer a running VM's disks (readDisk 'background'): the
   * stream transport's warm copies. A mover reads the VM itself and does not need it.
   */
  background_import: boolean;
}

/** An instance of a target project; its markers say which entry and attempt made it. */
export type TargetInstanceObservation = TargetInstanceRecord;

/** Pools, networks and every instance of the project by name, ours or not (a foreign one blocks the name). */
export type ProjectObservation = TargetProjectRecord;

export interface TargetObservation {
  reachable: boolean;
  message: string;
  projects: Record<string, ProjectObservation>;
  /**
   * Set when the target was not contacted and this is the layout the status branch recorded
   * (a plan of a pull request): placements can be checked against it, but nothing it says about
   * instances in flight or operations is current. The time is when the layout was recorded.
   */
  recorded_at?: number;
}

export type OperationState = 'running' | 'succeeded' | 'failed' | 'canceled';

export interface OperationObservation {
  state: OperationState;
  /** Progress text or the failure, for the entry's message. */
  message: string;
  /** Bytes done and total, for transfers. */
  progress?: { done: number; total: number };
  ended_at?: number;
  /**
   * A failure only the operator can settle (a guest the mover could not prepare): the entry goes
   * to Conflict with the message instead of Error.
   */
  conflict?: boolean;
  /** What a succeeded operation changed that the entry's history keeps (a guest's preparation). */
  record?: string;
  /**
   * A background or offline copy that succeeded, but whose readiness check says the guest would
   * not boot under Incus once cut over (`code: sentence`): the entry is held in Conflict before
   * its cutover instead of powering the source VM off for nothing.
   */
  guest_not_ready?: string;
}

export interface Observations {
  /**
   * Per source: its instances and networks as last synced. Fresh when this tick synced the source,
   * otherwise the status branch's snapshot (so a plan works without credentials).
   */
  inventory: Record<string, SourceInventory>;
  /** Per source: reachability and capabilities. Absent when it was not contacted (plan from the snapshot). */
  sources: Record<string, SourceObservation>;
  /**
   * Fresh reads of the source VMs of entries in flight, by instance UUID (power state, identity,
   * disks). null: the VM is gone from the source. Absent: not read this tick.
   */
  vms: Record<string, InstanceRecord | null>;
  /** Per target: its projects with pools, networks and instances. Absent when not contacted. */
  targets: Record<string, TargetObservation>;
  /**
   * The operations the status has in flight, by operation id, as the providers report them.
   * An id that is absent was never started (or was lost): decide may dispatch it again.
   */
  operations: Record<string, OperationObservation>;
}

export function emptyObservations(): Observations {
  return { inventory: {}, sources: {}, vms: {}, targets: {}, operations: {} };
}
