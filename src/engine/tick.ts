// Everything one decide call shares: its inputs, indexes built once (instances by UUID with their
// overrides, entries by batch), the limit counts, the drafts of the status it changes
// (copy-on-write: an unchanged entry keeps its identity) and what it has decided so far.

import { expressionView, type CompiledExpression, type ExpressionView } from '../expr/index.js';
import type { InstanceRecord } from '../model/instance.js';
import type { Action } from './actions.js';
import { attachOverride, type CompiledDesired } from './compiled.js';
import type { Change, DecideInput } from './decision.js';
import type { EffectiveBatch } from './effective-batch.js';
import { matchesInstance } from './evaluation.js';
import type { SourceObservation, TargetObservation } from './observations.js';
import { Occupancy } from './occupancy.js';
import { frozenInventory } from './frozen-instances.js';
import { transportOf, type Transport } from './transports.js';
import type { ArchivedTransition, BatchAssignment, BatchStatus, LedgerEntry, QueueEntry, SourceInventory, TransitionRecord } from './status.js';

/** How a batch's entries are driven this tick. */
export type BatchMode =
  /** Running: everything moves. */
  | 'run'
  /** Stopped (or its document is gone, or it is asked to go back to defined): nothing new starts;
   *  work past the point of no return completes; background transfers are canceled. */
  | 'pause'
  /** Defined: only the clean-up of a reset runs. */
  | 'hold';

export interface BatchRun {
  name: string;
  /** null when the batch's document is no longer in the repository. */
  effective: EffectiveBatch | null;
  mode: BatchMode;
}

interface InventoryItem {
  instance: InstanceRecord;
  source: string;
}

/** An inventory record as decide uses it: with its source and its override attached, and what expressions see of it. */
interface PreparedInstance {
  source: string;
  record: InstanceRecord;
  view: ExpressionView | null;
}

/**
 * Prepared instances by compiled desired state and inventory record. Both depend on nothing else
 * (records are frozen), and a long-running reconciler hands decide the same records and the same
 * compiled desired state tick after tick: building an instance's expression view was two fifths of
 * a quiet tick's decide. A cache only: a record or a compiled state that goes takes its entries with it.
 */
const preparedInstances = new WeakMap<CompiledDesired, WeakMap<InstanceRecord, PreparedInstance>>();

export class TickContext {
  readonly now: number;
  readonly actions: Action[] = [];
  readonly changes: Change[] = [];
  readonly entries: Record<string, QueueEntry>;
  readonly batches: Record<string, BatchStatus>;
  readonly ledger: Record<string, LedgerEntry>;
  readonly inventory: Record<string, SourceInventory>;
  /** Transitions entries no longer hold (copy-on-write per instance). */
  readonly archive: Record<string, ArchivedTransition[]>;
  /** The instances each Defined batch holds, as this tick's sync left them (./assignments.ts). */
  assignments: Record<string, BatchAssignment> = {};
  readonly occupancy: Occupancy;
  readonly runs = new Map<string, BatchRun>();
  private readonly items = new Map<string, InventoryItem>();
  private readonly prepared: WeakMap<InstanceRecord, PreparedInstance>;
  private readonly byBatch = new Map<string, string[]>();
  private wake = Infinity;
  private retired: Map<string, number> | null = null;
  private readonly retiring = new Set<string>();

  constructor(readonly input: DecideInput) {
    this.now = input.now;
    let prepared = preparedInstances.get(input.compiled);
    if (!prepared) preparedInstances.set(input.compiled, (prepared = new WeakMap()));
    this.prepared = prepared;
    const { status, observations } = input;
    this.entries = { ...status.entries };
    this.batches = { ...status.batches };
    this.ledger = { ...status.ledger };
    this.archive = { ...status.archive };
    this.inventory = { ...status.inventory };
    // A sync does not change the record of an instance a running batch is migrating (research §1.2).
    for (const source in observations.inventory) this.inventory[source] = frozenInventory(status, source, observations.inventory[source]!);
    for (const source of Object.keys(this.inventory).sort()) {
      for (const instance of this.inventory[source]!.instances) {
        if (!this.items.has(instance.uuid)) this.items.set(instance.uuid, { instance, source });
      }
    }
    for (const uuid in status.entries) this.indexEntry(status.entries[uuid]!);
    this.occupancy = new Occupancy(Object.values(status.entries));
  }

  get compiled() {
    return this.input.compiled;
  }

  get observations() {
    return this.input.observations;
  }

  get reconciler(): string {
    return this.input.reconciler;
  }

  /** Claimants known to be gone, whose claims need not wait out their time-to-live. */
  get goneClaimants(): ReadonlySet<string> | undefined {
    return this.input.goneClaimants;
  }

  /** Asks to be woken at `time` if it is in the future (the earliest one wins). */
  wakeAt(time: number): void {
    if (time > this.now && time < this.wake) this.wake = time;
  }

  get wakeTime(): number | null {
    return this.wake === Infinity ? null : this.wake;
  }

  // ── Instances of the current inventory ────────────────────────────────────────────────────

  /** Every instance of the inventory, first by source name, then in inventory order; duplicate UUIDs keep the first. */
  *inventoryInstances(): Iterable<{ uuid: string; source: string }> {
    for (const [uuid, item] of this.items) yield { uuid, source: item.source };
  }

  hasSourceInventory(): boolean {
    return this.items.size > 0 || Object.keys(this.inventory).length > 0;
  }

  /** The instance as the inventory has it, with the repository's override attached. */
  instance(uuid: string): InstanceRecord | undefined {
    return this.prepare(uuid)?.record;
  }

  private prepare(uuid: string): PreparedInstance | undefined {
    const item = this.items.get(uuid);
    if (!item) return undefined;
    const cached = this.prepared.get(item.instance);
    if (cached?.source === item.source) return cached;
    const raw = item.instance.source === '' ? { ...item.instance, source: item.source } : item.instance;
    const prepared: PreparedInstance = { source: item.source, record: attachOverride(raw, this.compiled.instanceOverride(raw)), view: null };
    this.prepared.set(item.instance, prepared);
    return prepared;
  }

  sourceOfInstance(uuid: string): string | undefined {
    return this.items.get(uuid)?.source;
  }

  /** What expressions see of the instance (the inventory's record, overrides applied); built once per record and desired state. */
  view(uuid: string): ExpressionView | undefined {
    const prepared = this.prepare(uuid);
    if (!prepared) return undefined;
    return (prepared.view ??= expressionView(prepared.record));
  }

  /** Whether the instance matches the expression. Run-time errors do not match; running out of budget throws (./evaluation.ts). */
  matches(expression: CompiledExpression, uuid: string): boolean {
    const view = this.view(uuid);
    if (!view) return false;
    return matchesInstance(expression, view, () => this.instance(uuid)?.location ?? uuid);
  }

  /** A fresh read of a source VM with the repository's override attached: undefined = not read, null = gone. */
  vm(uuid: string): InstanceRecord | null | undefined {
    const vm = this.observations.vms[uuid];
    if (vm === undefined || vm === null) return vm;
    return attachOverride(vm, this.compiled.instanceOverride(vm));
  }

  // ── Sources and targets ───────────────────────────────────────────────────────────────────

  source(name: string): SourceObservation | undefined {
    return this.observations.sources[name];
  }

  target(name: string): TargetObservation | undefined {
    return this.observations.targets[name];
  }

  /** Whether the target answered this tick (not a layout recorded by an earlier one). */
  targetContacted(name: string): boolean {
    const observed = this.observations.targets[name];
    return observed !== undefined && observed.recorded_at === undefined;
  }

  /** How disk data reaches the target (its `transfer`). */
  transport(target: string): Transport {
    return transportOf(this.compiled.targets.get(target));
  }

  importLimits(source: string, target: string): { source: number; target: number } {
    return { source: this.compiled.sources.get(source)?.import_limit ?? 0, target: this.compiled.targets.get(target)?.import_limit ?? 0 };
  }

  createLimit(target: string): number {
    return this.compiled.targets.get(target)?.create_limit ?? 0;
  }

  // ── Entries ───────────────────────────────────────────────────────────────────────────────

  private indexEntry(entry: QueueEntry): void {
    const list = this.byBatch.get(entry.batch);
    if (list) list.push(entry.uuid);
    else this.byBatch.set(entry.batch, [entry.uuid]);
  }

  /** The batch's entries as they are now in this tick. */
  entriesOf(batch: string): QueueEntry[] {
    const out: QueueEntry[] = [];
    for (const uuid of this.byBatch.get(batch) ?? []) {
      const entry = this.entries[uuid];
      if (entry !== undefined && entry.batch === batch) out.push(entry);
    }
    return out;
  }

  addEntry(entry: QueueEntry): void {
    this.entries[entry.uuid] = entry;
    this.indexEntry(entry);
  }

  /** The highest attempt number a reset retired for this instance, over all batches. */
  retiredAttempt(uuid: string): number {
    if (this.retired === null) {
      this.retired = new Map();
      for (const name in this.batches) {
        const retired = this.batches[name]!.retired_attempts ?? {};
        for (const id in retired) this.retired.set(id, Math.max(this.retired.get(id) ?? 0, retired[id]!));
      }
    }
    return this.retired.get(uuid) ?? 0;
  }

  /** Keeps transitions an entry no longer holds, so that its whole life stays recoverable. */
  archiveTransitions(entry: QueueEntry, transitions: readonly TransitionRecord[]): void {
    if (transitions.length === 0) return;
    this.archive[entry.uuid] = [...(this.archive[entry.uuid] ?? []), ...transitions.map((t) => ({ ...t, batch: entry.batch }))];
  }

  /** Drops an entry (a reset's clean-up is done) and remembers its attempt number in its batch. */
  removeEntry(entry: QueueEntry): void {
    this.archiveTransitions(entry, entry.history);
    delete this.entries[entry.uuid];
    const batch = this.batches[entry.batch];
    if (batch !== undefined) {
      // One copy of the batch record per tick; later removals add to that copy.
      if (!this.retiring.has(entry.batch)) {
        this.batches[entry.batch] = { ...batch, retired_attempts: { ...batch.retired_attempts } };
        this.retiring.add(entry.batch);
      }
      this.batches[entry.batch]!.retired_attempts![entry.uuid] = entry.attempt;
    }
    if (this.retired !== null) this.retired.set(entry.uuid, Math.max(this.retired.get(entry.uuid) ?? 0, entry.attempt));
  }
}
