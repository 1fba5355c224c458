// `ferry explain INSTANCE`: which batches want an instance and which one holds it, where its entry
// is, why it waits there, and what an operator can change — from the same rules decide applies.

import { expressionView } from '../expr/index.js';
import type { BatchState, DesiredState } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';
import { blockReason, effectiveName, type BlockCode } from './blocking.js';
import { attachOverride, type CompiledDesired } from './compiled.js';
import { owesPowerOn } from './entry-cleanup.js';
import { at, MSG } from './messages.js';
import type { Observations } from './observations.js';
import { matchesInstance } from './evaluation.js';
import { entryTransferOutlook, type TransferOutlook } from './transports.js';
import { LINE_TERMINATOR } from '../text/control.js';
import {
  ENTRY_STATUS_TEXT,
  pauseOf,
  type BatchStatusCode,
  type QueueEntry,
  type StatusState,
} from './status.js';

export interface ExplainInput {
  desired: DesiredState;
  compiled: CompiledDesired;
  status: StatusState;
  /** When given, fresher than the status's inventory snapshot. */
  observations?: Observations;
  now: number;
}

/** The entry's fields `ferry explain` shows. */
export type ExplainedEntryFields = Pick<
  QueueEntry,
  'batch' | 'status' | 'message' | 'import_stage' | 'mode' | 'window' | 'attempt' | 'attempt_id' | 'retries' | 'syncs' | 'last_background_sync' | 'source_powered_off' | 'placement' | 'operation' | 'history'
>;

export interface InstanceExplanation {
  instance: { uuid: string; name: string; location: string; source: string };
  in_inventory: boolean;
  /** Every batch whose include expression matches the instance, in claiming order (by name). */
  matching_batches: { batch: string; state: BatchState; status: BatchStatusCode }[];
  /** The batch whose entry holds the instance, or null. */
  claimed_by: string | null;
  entry: (ExplainedEntryFields & { status_text: string }) | null;
  /** How its disks travel: the transport, the next pass and the disks a delta copies whole (null: no entry in flight). */
  transfer: TransferOutlook | null;
  /** Why the instance is where it is, in one or two sentences. */
  reason: string;
  /** What an operator can change to move it on (empty when nothing is needed). */
  advice: string[];
}

export type ExplainResult =
  | { ok: true; explanation: InstanceExplanation }
  | { ok: false; message: string; candidates: { uuid: string; name: string; location: string }[] };

interface Found {
  instance: InstanceRecord | null;
  entry: QueueEntry | null;
  source: string;
}

/** Explains the instance named by `query`: its UUID, inventory location, or name (when unique). */
export function explainInstance(input: ExplainInput, query: string): ExplainResult {
  const found = find(input, query);
  if ('message' in found) return { ok: false, ...found };
  const { instance, entry, source } = found;
  const batches = instance === null ? [] : matchingBatches(input, instance);
  const identity = instance !== null
    ? { uuid: instance.uuid, name: effectiveName(instance), location: instance.location, source }
    : { uuid: entry!.uuid, name: entry!.name, location: entry!.location, source: entry!.source };
  const { reason, advice } = entry !== null ? entryReason(input, entry, instance) : unclaimedReason(input, instance!, batches);
  return {
    ok: true,
    explanation: {
      instance: identity,
      in_inventory: instance !== null,
      matching_batches: batches,
      claimed_by: entry?.batch ?? null,
      entry: entry === null ? null : {
        batch: entry.batch,
        status: entry.status,
        status_text: ENTRY_STATUS_TEXT[entry.status],
        message: entry.message,
        import_stage: entry.import_stage,
        mode: entry.mode,
        window: entry.window,
        attempt: entry.attempt,
        attempt_id: entry.attempt_id,
        retries: entry.retries,
        syncs: entry.syncs,
        last_background_sync: entry.last_background_sync,
        source_powered_off: entry.source_powered_off,
        placement: entry.placement,
        operation: entry.operation,
        history: entry.history,
      },
      transfer: entry === null ? null : outlookOf(input, entry, instance),
      reason,
      advice,
    },
  };
}

const SETTLED = new Set<QueueEntry['status']>(['finished', 'canceled', 'error', 'blocked']);

/** The entry's transfer outlook, from the VM as read now (else its inventory record). */
function outlookOf(input: ExplainInput, entry: QueueEntry, instance: InstanceRecord | null): TransferOutlook | null {
  if (SETTLED.has(entry.status)) return null;
  const vm = input.observations?.vms[entry.uuid] ?? instance;
  if (!vm) return null;
  const copied = input.status.inventory[entry.source]?.instances.find((i) => i.uuid === entry.uuid);
  const streams = input.observations?.sources[entry.source]?.background_import ?? null;
  return entryTransferOutlook(entry, vm, copied, input.compiled.targets.get(entry.placement.target_name), streams);
}

function find(input: ExplainInput, query: string): Found | { message: string; candidates: { uuid: string; name: string; location: string }[] } {
  const inventory = { ...input.status.inventory, ...input.observations?.inventory };
  const instances: { instance: InstanceRecord; source: string }[] = [];
  for (const source of Object.keys(inventory).sort()) {
    for (const instance of inventory[source]!.instances) instances.push({ instance: attachOverride(instance, input.compiled.instanceOverride(instance.source === '' ? { ...instance, source } : instance)), source });
  }
  const byId = instances.find(({ instance }) => instance.uuid === query) ?? instances.find(({ instance }) => instance.location === query);
  let hit = byId;
  if (!hit) {
    const named = instances.filter(({ instance }) => instance.name === query || effectiveName(instance) === query);
    if (named.length > 1) {
      return {
        message: `${named.length} instances are named "${query}"; name one by its location or UUID`,
        candidates: named.map(({ instance }) => ({ uuid: instance.uuid, name: instance.name, location: instance.location })),
      };
    }
    hit = named[0];
  }
  const entries = input.status.entries;
  if (hit) return { instance: hit.instance, entry: entries[hit.instance.uuid] ?? null, source: hit.source };
  const entry = entries[query] ?? Object.values(entries).find((e) => e.location === query || e.name === query);
  if (entry) return { instance: null, entry, source: entry.source };
  return { message: `no instance has the UUID, location or name "${query}" in the inventory or the queue`, candidates: [] };
}

function matchingBatches(input: ExplainInput, instance: InstanceRecord): InstanceExplanation['matching_batches'] {
  const view = expressionView(instance);
  const out: InstanceExplanation['matching_batches'] = [];
  for (const name of input.compiled.batchNames) {
    const compiled = input.compiled.batches.get(name)!;
    if (matchesInstance(compiled.include, view, instance.location)) out.push({ batch: name, state: compiled.batch.state, status: input.status.batches[name]?.status ?? 'Defined' });
  }
  return out;
}

function unclaimedReason(input: ExplainInput, instance: InstanceRecord, batches: InstanceExplanation['matching_batches']): { reason: string; advice: string[] } {
  if (batches.length === 0) {
    return { reason: 'No batch\'s include expression matches this instance, so nothing will migrate it.', advice: ['Widen a batch\'s include_expression, or add a batch for it ("ferry query EXPR" shows what an expression selects).'] };
  }
  const first = batches[0]!;
  const blocked = (() => {
    const batch = input.compiled.batches.get(first.batch)!.batch;
    const reason = blockReason(instance, batch);
    return reason === null ? null : reason;
  })();
  const note = blocked ? ` Once queued it would be Blocked: ${blocked.message}.` : '';
  if (first.status === 'Defined') {
    const advice = first.state === 'running' ? [] : [`Set spec.state: running on batch ${first.batch} to start it.`];
    if (blocked) advice.push(...blockAdvice(blocked.code));
    return {
      reason: `Batch ${first.batch} matches it and will claim it when it starts${first.state === 'running' ? ' (its start is pending; see "ferry status")' : ''}.${note}`,
      advice,
    };
  }
  return {
    reason: `Batch ${first.batch} matches it but had already started (${first.status}) when it began to match: entries are created only when a batch starts.${note}`,
    advice: [`Stop and start batch ${first.batch} again (state: stopped, then running) to queue it, or put it in a batch that has not started.`],
  };
}

function entryReason(input: ExplainInput, entry: QueueEntry, instance: InstanceRecord | null): { reason: string; advice: string[] } {
  const batchStatus = input.status.batches[entry.batch];
  const desiredBatch = input.compiled.batches.get(entry.batch)?.batch;
  const pause = pauseOf(input.status.pauses, entry.batch);
  const stopped = pause !== null
    ? ` ${input.status.pauses.campaign !== null ? 'The campaign' : `Batch ${entry.batch}`} is paused by ${pause.by} since ${at(pause.at)} (${pause.reason.replace(LINE_TERMINATOR, ' ')}): nothing new starts until "ferry resume${input.status.pauses.campaign !== null ? '' : ` ${entry.batch}`}".`
    : batchStatus?.status === 'Stopped' ? ` Batch ${entry.batch} is stopped: nothing new starts until it runs again.` : '';
  const text = `${ENTRY_STATUS_TEXT[entry.status]}: ${entry.message}.`;
  const op = entry.operation ? ` Operation ${entry.operation.id} (${entry.operation.kind}) is in flight since ${at(entry.operation.decided_at)}.` : '';
  const owed = owesPowerOn(entry) ? ' Its source VM is being powered back on.' : entry.cleanup?.delete_target ? ' Its target instance from attempt ' + entry.cleanup.delete_target.attempt_id + ' is being deleted.' : '';
  const reason = `${text}${op}${owed}${stopped}`;
  const resolution = (action: string) =>
    `Add a Resolution (spec: {batch: ${entry.batch}, instance: ${entry.location}, action: ${action}}), or run "ferry resolve ${entry.batch} ${entry.name} --action ${action}".`;
  const advice: string[] = [];
  switch (entry.status) {
    case 'blocked': {
      if (instance !== null && desiredBatch) {
        const block = blockReason(instance, desiredBatch);
        if (block) advice.push(...blockAdvice(block.code));
      }
      if (entry.message.startsWith(MSG.cannotPlace)) advice.push('Create what is missing on the target, or change the placement (the batch scriptlet, or the InstanceOverride and NetworkOverride documents).');
      if (entry.message.startsWith('Placement scriptlet failed')) advice.push('Fix the placement scriptlet ("ferry placement BATCH --instance NAME" runs it for this instance).');
      if (entry.message.startsWith(MSG.notInInventory)) advice.push('The VM is gone from the source: cancel the entry.');
      break;
    }
    case 'idle':
    case 'waiting':
      if (entry.message.startsWith(MSG.waitWindow) && entry.message.includes('capacity')) advice.push('Raise a window\'s capacity or add a window to the batch.');
      if (entry.message.startsWith(MSG.waitWindow) && entry.message.includes('add a migration window')) advice.push('Add a migration window to the batch.');
      if (entry.message.startsWith(MSG.waitWindow) && entry.message.includes('constraint')) advice.push('Raise the constraint\'s max_concurrent_instances, or wait for the entries in their final steps to finish.');
      if (entry.message.startsWith(MSG.waitImportSlots) || entry.message.startsWith(MSG.waitCreateSlots)) advice.push('Raise the import_limit or create_limit the message names, or wait for the other instances.');
      break;
    case 'conflict':
      if (entry.message.startsWith(MSG.guestNotReady) || entry.message.startsWith(MSG.preparationFailed)) {
        advice.push(
          'Make the guest bootable on Incus: install the virtio drivers in the source VM (virtio-win guest tools on Windows), or name a virtio_win_image on the target (trusted configuration), or prepare the guest by hand and set guest_preparation: skip in its InstanceOverride; then resolve the conflict:',
          resolution('resolve'),
        );
      } else {
        advice.push('Change what the message names (or set defaults.force_conflict_resolution: true to keep the original placement), then resolve the conflict:', resolution('resolve'));
      }
      advice.push('To start over instead: cancel it with cleanup: true, then retry it.');
      break;
    case 'error':
      advice.push('An Error does not retry by itself: cancel the entry (cleanup: true removes its target instance), then retry it:', resolution('cancel'));
      break;
    case 'canceled':
      advice.push('To queue it again:', resolution('retry'));
      break;
    default:
      break;
  }
  return { reason, advice };
}

function blockAdvice(code: BlockCode): string[] {
  switch (code) {
    case 'migration-disabled':
      return ['Its InstanceOverride sets disable_migration: true; remove that to migrate it.'];
    case 'invalid-hostname':
      return ['Give the target instance a valid name with an InstanceOverride name.'];
    case 'unknown-os':
      return ['Start the guest agent so the next source sync detects the OS, set distribution in an InstanceOverride, or set config.instance_restriction_overrides.allow_unknown_os: true on the batch.'];
    case 'unknown-architecture':
      return ['Set architecture in an InstanceOverride.'];
    case 'no-ipv4':
      return ['Start the guest agent so the next source sync sees its IPv4 address, or set config.instance_restriction_overrides.allow_no_ipv4: true on the batch.'];
    case 'no-background-import':
    case 'background-import-unverified':
      return ['Enable changed block tracking on the VM (it takes effect after a power cycle; the next source sync verifies it), or set config.instance_restriction_overrides.allow_no_background_import: true on the batch (the whole copy then happens in the window, with the VM off).'];
    case 'unsupported-disk':
      return ['Remove or convert the disk, or set ignore_restrictions: true in an InstanceOverride (unsupported disks are then left behind).'];
    case 'no-supported-disk':
      return ['The instance has no disk Ferry can migrate; remove it from the batch with an InstanceOverride disable_migration, or cancel the entry.'];
  }
}
