// What `ferry plan` says about each entry's disk copies after a decision: its transport, the pass
// its next import is, and for a mover's delta the disks copied whole and why (./transports.ts).
// Pure, like decide.

import type { DecideInput, Decision } from './decision.js';
import { TickContext } from './tick.js';
import type { GuestPreparation } from './preparation.js';
import { entryTransferOutlook, type Transport, type WholeDisk } from './transports.js';
import type { EntryStatusCode } from './status.js';

export interface PlannedTransfer {
  batch: string;
  instance: string;
  uuid: string;
  transport: Transport;
  /** The pass of its next (or running) import on that transport. */
  next: string;
  whole: WholeDisk[];
  /** What the mover prepares in the guest after the final pass (src/engine/preparation.ts). */
  guest: GuestPreparation;
  text: string;
}

/** Entries whose copies are still to come: placed, and not settled. */
const COPYING = new Set<EntryStatusCode>(['waiting', 'creating', 'background_import', 'idle', 'final_import']);

/** Each entry with a copy still to make, by batch then name. */
export function plannedTransfers(input: DecideInput, decision: Decision): PlannedTransfer[] {
  const ctx = new TickContext({ ...input, status: decision.status });
  const out: PlannedTransfer[] = [];
  for (const entry of Object.values(decision.status.entries)) {
    if (!COPYING.has(entry.status) || entry.import_stage === 'complete') continue;
    const copied = ctx.instance(entry.uuid);
    const vm = ctx.vm(entry.uuid) ?? copied;
    if (!vm) continue;
    const outlook = entryTransferOutlook(entry, vm, copied, input.compiled.targets.get(entry.placement.target_name), ctx.source(entry.source)?.background_import ?? null);
    out.push({ batch: entry.batch, instance: entry.name, uuid: entry.uuid, transport: outlook.transport, next: outlook.next, whole: outlook.whole, guest: outlook.guest, text: outlook.text });
  }
  return out.sort((a, b) => (a.batch !== b.batch ? (a.batch < b.batch ? -1 : 1) : a.instance !== b.instance ? (a.instance < b.instance ? -1 : 1) : a.uuid < b.uuid ? -1 : 1));
}
