// What the reconciler observed this tick: the input of decide besides the desired state and the
// previous status. Providers produce it (src/providers); the engine never performs I/O.

import type { InstanceRecord } from '../model/instance.js';
import type { SourceInventory } from './status.js';

export interface SourceObservation {
  reachable: boolean;
  /** Why it is not reachable (never contains a secret). */
  message: string;
  /** Whether this source can do background (changed-block) imports at all. */
  background_import: boolean;
}

export interface TargetInstanceObservation {
  name: string;
  running: boolean;
  /** `user.ferry.entry` (the instance UUID it migrates), null when the instance has no Ferry markers. */
  entry: string | null;
  /** `user.ferry.attempt` (the entry's attempt id), null without markers. */
  attempt: string | null;
}

export interface ProjectObservation {
  pools: string[];
  networks: string[];
  /** Every instance of the project by name, ours or not (a foreign one blocks the name). */
  instances: Record<string, TargetInstanceObservation>;
}

export interface TargetObservation {
  reachable: boolean;
  message: string;
  projects: Record<string, ProjectObservation>;
}

export type OperationState = 'running' | 'succeeded' | 'failed' | 'canceled';

export interface OperationObservation {
  state: OperationState;
  /** Progress text or the failure, for the entry's message. */
  message: string;
  /** Bytes done and total, for transfers. */
  progress?: { done: number; total: number };
  ended_at?: number;
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
