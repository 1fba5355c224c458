// Operations: the write-ahead record of a provider call (QueueEntry.operation) and the action it
// becomes. An action is always rebuilt from its entry and operation, so an operation that was
// recorded but never ran (a crash between commit and act) is dispatched again identically.

import { guestPreparation } from './preparation.js';
import type { InstanceRecord } from '../model/instance.js';
import type { Action } from './actions.js';
import { migrationNetworkFor } from './placing.js';
import { CLAIM_TTL_MS, type Operation, type OperationKind, type QueueEntry } from './status.js';
import type { BatchRun, TickContext } from './tick.js';

const CANCEL_SUFFIX = '/cancel';

/** The attempt id an operation id belongs to (its prefix up to the first slash). */
export function operationAttempt(id: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(0, slash);
}

/** The entry and attempt an operation id names (`<entry>#<n>/<step>`): the markers of its target instance. */
export function operationMarkers(id: string): { entry: string; attempt: string } {
  const attempt = operationAttempt(id);
  return { entry: attempt.split('#')[0]!, attempt };
}

export function cancelOperationId(id: string): string {
  return `${id}${CANCEL_SUFFIX}`;
}

/** For a cancel operation: the id of the operation it stops. */
export function canceledOperationId(cancelId: string): string {
  return cancelId.endsWith(CANCEL_SUFFIX) ? cancelId.slice(0, -CANCEL_SUFFIX.length) : cancelId;
}

/**
 * The operation ids whose state decide reads for an entry: its operation, and for a cancel also
 * the operation being stopped (the entry moves on only once that one is reported gone).
 */
export function operationIdsToObserve(entry: Pick<QueueEntry, 'operation'>): string[] {
  const op = entry.operation;
  if (op === null) return [];
  return op.kind === 'cancel_operation' ? [op.id, canceledOperationId(op.id)] : [op.id];
}

/**
 * Whether this reconciler may (re)dispatch an operation that no provider has heard of: its own,
 * one whose claimant is known to be gone, or one whose claim is older than CLAIM_TTL_MS.
 */
export function claimable(op: Operation, reconciler: string, now: number, gone?: ReadonlySet<string>): boolean {
  return op.claimed_by === reconciler || now - op.claimed_at >= CLAIM_TTL_MS || gone?.has(op.claimed_by) === true;
}

/** The target whose observation tells about an operation of the entry. */
export function operationTarget(entry: QueueEntry, op: Operation): string {
  return op.kind === 'delete_instance' && entry.cleanup?.delete_target ? entry.cleanup.delete_target.target : entry.placement.target_name;
}

/** Whether the systems that would know the operation were contacted this tick (not a plan without credentials). */
export function operationObservable(ctx: TickContext, entry: QueueEntry, op: Operation): boolean {
  const source = ctx.source(entry.source) !== undefined;
  const target = ctx.targetContacted(operationTarget(entry, op));
  switch (op.kind) {
    case 'power_off_source':
    case 'power_on_source':
      return source;
    case 'import_disks':
    case 'cancel_operation':
      return source && target;
    default:
      return target;
  }
}

export const STEP_NAMES: Readonly<Record<Exclude<OperationKind, 'import_disks' | 'cancel_operation'>, string>> = {
  create_instance: 'create',
  power_off_source: 'poweroff',
  power_on_source: 'poweron',
  post_import: 'postimport',
  finalize_instance: 'finalize',
  delete_instance: 'delete',
};

export function importStepName(mode: NonNullable<Operation['mode']>): string {
  return mode === 'background' ? 'sync' : mode;
}

/** The source VM as the target instance recreates it: the overrides' values in place of the source's. */
export function recreatedInstance(instance: InstanceRecord): InstanceRecord {
  const o = instance.overrides;
  if (o === undefined) return instance;
  return {
    ...instance,
    name: o.name ? o.name : instance.name,
    cpus: o.cpus ? o.cpus : instance.cpus,
    memory: o.memory ? o.memory : instance.memory,
    architecture: o.architecture ? o.architecture : instance.architecture,
    config: { ...instance.config, ...o.config },
    os_type: o.os_type ?? instance.os_type,
    distribution: o.distribution ?? instance.distribution,
    distribution_version: o.distribution_version ?? instance.distribution_version,
  };
}

/** The action an entry's operation stands for; null when it can no longer be built (its VM left the inventory). */
export function actionFor(ctx: TickContext, run: BatchRun | undefined, entry: QueueEntry, op: Operation): Action | null {
  const base = { op: op.id, entry: entry.uuid, attempt: operationAttempt(op.id), batch: entry.batch };
  const ref = { target: entry.placement.target_name, project: entry.placement.target_project, name: entry.name };
  switch (op.kind) {
    case 'create_instance': {
      const instance = ctx.vm(entry.uuid) ?? ctx.instance(entry.uuid);
      if (!instance) return null;
      const network = run?.effective ? migrationNetworkFor(run.effective, entry.placement) : null;
      return {
        kind: 'create_instance',
        ...base,
        ...ref,
        source: entry.source,
        instance: recreatedInstance(instance),
        placement: entry.placement,
        migration_network: network === null ? null : { network: network.network, nictype: network.nictype, vlan_id: network.vlan_id },
      };
    }
    case 'import_disks': {
      const mode = op.mode ?? 'background';
      const action: Action = { kind: 'import_disks', ...base, ...ref, source: entry.source, vm: entry.uuid, mode };
      if (mode === 'final') return action;
      // The readiness check before the cutover: only where the copy is a guest the mover prepares.
      const instance = ctx.vm(entry.uuid) ?? ctx.instance(entry.uuid);
      const preparation = instance ? guestPreparation(instance).preparation : 'none';
      return preparation === 'none' ? action : { ...action, guest: { preparation } };
    }
    case 'cancel_operation':
      return { kind: 'cancel_operation', ...base, cancel: canceledOperationId(op.id) };
    case 'power_off_source':
    case 'power_on_source':
      return { kind: op.kind, ...base, source: entry.source, vm: entry.uuid };
    case 'post_import': {
      const instance = ctx.vm(entry.uuid) ?? ctx.instance(entry.uuid);
      if (!instance) return { kind: 'post_import', ...base, ...ref };
      const decided = guestPreparation(instance);
      return {
        kind: 'post_import',
        ...base,
        ...ref,
        guest: { preparation: decided.preparation, reason: decided.reason, os_type: instance.overrides?.os_type || instance.os_type, distribution: instance.overrides?.distribution || instance.distribution },
      };
    }
    case 'finalize_instance':
      return { kind: 'finalize_instance', ...base, ...ref, placement: entry.placement, start: entry.placement.running };
    case 'delete_instance': {
      const target = entry.cleanup?.delete_target;
      if (!target) return null;
      return { kind: 'delete_instance', ...base, target: target.target, project: target.project, name: target.name };
    }
  }
}
