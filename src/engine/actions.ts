// The provider calls decide asks for. Every action carries the operation id that the new status
// recorded first (write-ahead): providers treat a repeated id as the same call, so running an
// action twice after a crash does the work once.

import type { GuestPreparation } from './preparation.js';
import type { ActionKind } from '../model/crash-steps.js';
import type { InstanceRecord } from '../model/instance.js';
import type { Placement } from '../placement/index.js';

interface ActionBase {
  /** Operation id `${attempt_id}/${step}`: the idempotency key. */
  op: string;
  /** The entry (instance UUID) and its attempt id, written as markers on the target instance. */
  entry: string;
  attempt: string;
  batch: string;
}

interface TargetRef {
  target: string;
  project: string;
  /** The target instance name. */
  name: string;
}

/** Create the target instance definition (stopped), with its disks in their pools and the markers. */
export interface CreateInstanceAction extends ActionBase, TargetRef {
  kind: 'create_instance';
  source: string;
  /** The source VM as it is to be recreated (cpus, memory, firmware, disks, NICs; overrides applied). */
  instance: InstanceRecord;
  placement: Placement;
  /** The NIC to use while migrating (defaults.migration_network for this target and project), or null for the project's default profile. */
  migration_network: { network: string; nictype: string; vlan_id: string } | null;
}

/** Copy the source VM's disks into the target instance: a background pass, the final delta, or one offline copy. */
export interface ImportDisksAction extends ActionBase, TargetRef {
  kind: 'import_disks';
  source: string;
  /** The source VM's UUID. */
  vm: string;
  mode: 'background' | 'final' | 'offline';
  /**
   * A background or offline copy of a guest the mover will prepare (src/engine/preparation.ts):
   * a target with a mover checks the copy for what would stop it booting (the readiness check
   * before the cutover) and says so in the observation's `guest_not_ready`. Absent: no check.
   */
  guest?: { preparation: GuestPreparation };
}

/** Stop an operation that is in flight (a transfer whose mode no longer matches the power state). */
export interface CancelOperationAction extends ActionBase {
  kind: 'cancel_operation';
  cancel: string;
}

export interface PowerSourceAction extends ActionBase {
  kind: 'power_off_source' | 'power_on_source';
  source: string;
  vm: string;
}

/** The guest-side post-import steps (migration-manager's worker POST_IMPORT). */
export interface PostImportAction extends ActionBase, TargetRef {
  kind: 'post_import';
  /**
   * What a target whose mover is still attached prepares in the guest (src/engine/preparation.ts),
   * with the source's view of the OS for the mover's log. Absent: nothing known (the VM left the
   * inventory), which prepares nothing.
   */
  guest?: { preparation: GuestPreparation; reason: string; os_type: string; distribution: string };
}

/** Apply the final NICs and config, and start the instance when placement.running. */
export interface FinalizeInstanceAction extends ActionBase, TargetRef {
  kind: 'finalize_instance';
  placement: Placement;
  start: boolean;
}

/** Delete the target instance; the provider refuses unless it carries this entry's and attempt's markers. */
export interface DeleteInstanceAction extends ActionBase, TargetRef {
  kind: 'delete_instance';
}

export type Action =
  | CreateInstanceAction
  | ImportDisksAction
  | CancelOperationAction
  | PowerSourceAction
  | PostImportAction
  | FinalizeInstanceAction
  | DeleteInstanceAction;

/** `T`, which must be one of `U`. */
type Within<T extends U, U> = T;

/**
 * The crash steps are named after the kinds model/crash-steps.ts lists: the type checker holds the
 * two lists equal (a kind listed there and not here fails here; one here and not there fails where
 * the reconciler and the simulator name their steps).
 */
export type ListedActionKind = Within<ActionKind, Action['kind']>;

/** Destructive or irreversible actions: their intent must be committed before they run. */
export function isDestructive(action: Action): boolean {
  return action.kind === 'power_off_source' || action.kind === 'delete_instance' || action.kind === 'cancel_operation';
}
