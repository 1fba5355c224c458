// How an entry's disks travel (issue #19): the transport is its target's (`transfer: stream`,
// the reconciler streams each disk; `transfer: mover`, a mover inside the new VM copies them), and
// the engine's import modes become that transport's passes. A running VM is copied while it runs
// (a warm copy) only when the VM tracks its changes and the transport can read a running VM: a
// mover always can (it snapshots the VM), a stream only from a source that says so
// (SourceObservation.background_import). Otherwise the whole copy happens in the window, with the
// VM off. Pure: the plan, explain and the idle step all read the same rule.

import type { Target } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';
import type { ImportDisksAction } from './actions.js';
import { MSG } from './messages.js';
import { guestPreparation, type GuestPreparation } from './preparation.js';
import type { QueueEntry } from './status.js';

export type Transport = Target['transfer'];
export type ImportMode = ImportDisksAction['mode'];

/** A target's transport; a target the repository no longer has streams (the default). */
export function transportOf(target: Pick<Target, 'transfer'> | undefined): Transport {
  return target?.transfer ?? 'stream';
}

/**
 * Whether a running VM can be copied in the background on this transport. `sourceStreams` is the
 * source's observed background_import (null: not observed, which does not refuse).
 */
export function warmCopyPossible(vm: InstanceRecord, transport: Transport, sourceStreams: boolean | null): boolean {
  if (!vm.background_import) return false;
  return transport === 'mover' || sourceStreams !== false;
}

/** What an import mode is called on a transport: the mover's passes (src/mover/protocol.ts), or the stream's modes. */
export function passName(mode: ImportMode, transport: Transport): string {
  if (transport === 'stream') return mode;
  return mode === 'background' ? 'warm' : mode === 'final' ? 'delta' : 'full';
}

/** A disk a delta pass copies whole, and why. */
export interface WholeDisk {
  disk: string;
  reason: string;
}

export const WHOLE_REASON = {
  noTracking: 'no change tracking on the VM',
  noWarmCopy: 'no warm copy to start from (the copy was made with the VM off)',
  unverified: 'no change id: the disk is not verified for background import',
  added: 'added since the warm copy',
} as const;

/**
 * The disks a mover's delta pass copies whole instead of by changed areas. `vm` is the VM as read
 * now, `copied` the record the entry's copy was made from (the frozen inventory record; absent:
 * unknown), `warm` whether the last copy was a warm one (made while the VM ran).
 */
export function wholeDisks(vm: InstanceRecord, copied: InstanceRecord | undefined, warm: boolean): WholeDisk[] {
  const disks = vm.disks.filter((disk) => disk.supported);
  if (!vm.background_import) return disks.map((disk) => ({ disk: disk.name, reason: WHOLE_REASON.noTracking }));
  if (!warm) return disks.map((disk) => ({ disk: disk.name, reason: WHOLE_REASON.noWarmCopy }));
  const known = copied === undefined ? null : new Set(copied.disks.map((disk) => disk.name));
  const out: WholeDisk[] = [];
  for (const disk of disks) {
    if (known !== null && !known.has(disk.name)) out.push({ disk: disk.name, reason: WHOLE_REASON.added });
    else if (!disk.background_import_verified) out.push({ disk: disk.name, reason: WHOLE_REASON.unverified });
  }
  return out;
}

/** What the plan and explain say about an entry's disk copies. */
export interface TransferOutlook {
  transport: Transport;
  /** The pass the entry's next (or running) import is, on its transport. */
  next: string;
  /** For a mover's coming delta pass: the disks it copies whole. */
  whole: WholeDisk[];
  /** What the mover prepares in the guest after the final pass ('none' on a stream target). */
  guest: GuestPreparation;
  /** One or two sentences. */
  text: string;
}

export interface OutlookInput {
  target: string;
  transport: Transport;
  vm: InstanceRecord;
  copied: InstanceRecord | undefined;
  sourceName: string;
  sourceStreams: boolean | null;
  /** The entry's import stage: background (no copy yet), final (a copy exists), complete. */
  stage: 'background' | 'final' | 'complete';
  /** Whether the last copy was made while the VM ran. */
  lastCopyWarm: boolean;
  /** The mode of the import in flight, if any. */
  running: ImportMode | null;
}

/** The entry's transport, its next pass and — for a delta — the disks copied whole, in words. */
export function transferOutlook(o: OutlookInput): TransferOutlook {
  const warm = warmCopyPossible(o.vm, o.transport, o.sourceStreams);
  const via = `${o.transport} (target ${o.target})`;
  const final = o.transport === 'mover' ? 'a delta pass (only what changed since the warm copy)' : 'a final sync';
  const guest = o.transport === 'mover' ? guestPreparation(o.vm).preparation : 'none';
  const guestText = guestOutlook(o.transport, o.vm, guest);
  if (o.stage === 'complete') return { transport: o.transport, next: 'none', whole: [], guest, text: `${via}: the final copy is done${guestText}` };
  const next: ImportMode = o.running ?? (o.stage === 'final' ? 'final' : o.vm.running && warm ? 'background' : o.vm.running ? 'final' : 'offline');
  const whole = next === 'final' && o.transport === 'mover' ? wholeDisks(o.vm, o.copied, o.stage === 'final' && o.lastCopyWarm && warm) : [];
  const wholeText = whole.length === 0 ? '' : `; copied whole: ${whole.map((w) => `${w.disk} (${w.reason})`).join(', ')}`;
  let text: string;
  if (next === 'background') {
    text = `${via}: ${passName('background', o.transport)} copies while the VM runs, then ${final} in its window, with the VM off`;
  } else if (next === 'offline') {
    text = `${via}: a ${passName('offline', o.transport)} copy now (the VM is off), then ${final} in its window`;
  } else if (o.stage === 'final') {
    text = `${via}: ${final} in its window, with the VM off${wholeText}`;
  } else {
    text = `${via}: ${whyNoWarmCopy(o)}, so the whole copy happens in its window, with the VM off${wholeText}`;
  }
  return { transport: o.transport, next: passName(next, o.transport), whole, guest, text: text + guestText };
}

/** The guest's preparation in a few words (src/engine/preparation.ts), after the transfer's sentence. */
function guestOutlook(transport: Transport, vm: InstanceRecord, guest: GuestPreparation): string {
  if (transport === 'stream') {
    const would = guestPreparation(vm).preparation;
    return would === 'none' ? '' : '; the guest boots as copied (transfer: stream prepares nothing)';
  }
  switch (guest) {
    case 'linux':
      return '; then the guest is prepared (Linux)';
    case 'windows':
      return '; its copy is checked for virtio drivers before the cutover, then the guest is prepared (Windows, experimental)';
    case 'detect':
      return '; then the guest is prepared as its disk shows (guest_preparation: force)';
    case 'none':
      return vm.overrides?.guest_preparation === 'skip' ? '; the guest boots as copied (guest_preparation: skip)' : '; the guest boots as copied (not a Linux or Windows guest)';
  }
}

function whyNoWarmCopy(o: OutlookInput): string {
  if (!o.vm.background_import) return 'no change tracking on the VM, no warm copy';
  return `source ${o.sourceName} cannot stream a running VM's disks (use a target with transfer: mover for warm copies)`;
}

/** Whether the entry's last copy was made while the VM ran (its last pass into Idle was not an offline copy). */
export function lastCopyWarm(entry: Pick<QueueEntry, 'history' | 'mode' | 'last_background_sync'>): boolean {
  if (entry.last_background_sync === null) return false;
  for (let i = entry.history.length - 1; i >= 0; i--) {
    const t = entry.history[i]!;
    if (t.from === 'background_import' && t.to === 'idle') return t.message !== MSG.offlineCopyDone;
  }
  return entry.mode === 'live';
}

/**
 * An entry's outlook: `vm` as read now (else its inventory record), `copied` the record its copy
 * was made from (the status's frozen inventory record).
 */
export function entryTransferOutlook(
  entry: QueueEntry,
  vm: InstanceRecord,
  copied: InstanceRecord | undefined,
  target: Pick<Target, 'transfer'> | undefined,
  sourceStreams: boolean | null,
): TransferOutlook {
  const op = entry.operation;
  return transferOutlook({
    target: entry.placement.target_name,
    transport: transportOf(target),
    vm,
    copied,
    sourceName: entry.source,
    sourceStreams,
    stage: entry.import_stage,
    lastCopyWarm: lastCopyWarm(entry),
    running: op !== null && op.kind === 'import_disks' ? (op.mode ?? 'background') : null,
  });
}
