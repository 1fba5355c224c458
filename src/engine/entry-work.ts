// A queue entry being changed during one tick: copy-on-write (an entry nothing happens to keeps
// its identity, so the store rewrites only what changed), every transition recorded in its
// history, the limit counts kept current, and every operation recorded before its action is
// handed out (write-ahead).

import type { Action } from './actions.js';
import { footprint } from './occupancy.js';
import { actionFor, cancelOperationId, importStepName, STEP_NAMES } from './operations.js';
import { appendTransition } from './entry-history.js';
import { ENTRY_HISTORY_LIMIT, type EntryStatusCode, type Operation, type OperationKind, type QueueEntry, type TargetInstanceRef } from './status.js';
import type { BatchRun, TickContext } from './tick.js';

export type StepResult = 'wait' | 'continue';

export class EntryWork {
  entry: QueueEntry;
  removed = false;
  private copied = false;

  constructor(
    readonly ctx: TickContext,
    readonly run: BatchRun | undefined,
    readonly original: QueueEntry,
  ) {
    this.entry = original;
  }

  get now(): number {
    return this.ctx.now;
  }

  /** Sets fields that differ; the first change copies the entry. */
  patch(fields: Partial<QueueEntry>): void {
    let differs = false;
    for (const key in fields) {
      if (!Object.is((this.entry as unknown as Record<string, unknown>)[key], (fields as Record<string, unknown>)[key])) {
        differs = true;
        break;
      }
    }
    if (!differs) return;
    const before = footprint(this.entry);
    if (!this.copied) {
      this.entry = { ...this.entry };
      this.copied = true;
    }
    Object.assign(this.entry, fields);
    this.entry.updated_at = this.now;
    this.ctx.occupancy.move(before, footprint(this.entry));
    this.ctx.entries[this.entry.uuid] = this.entry;
  }

  /** Moves to `status` with `message` (recorded in the history when the status changes). */
  to(status: EntryStatusCode, message: string, fields: Partial<QueueEntry> = {}): void {
    const from = this.entry.status;
    if (from === status) {
      this.patch({ message, ...fields });
      return;
    }
    const history = appendTransition(this.entry.history, { at: this.now, attempt: fields.attempt ?? this.entry.attempt, from, to: status, message });
    if (history.length > ENTRY_HISTORY_LIMIT) this.ctx.archiveTransitions(this.entry, history.splice(0, history.length - ENTRY_HISTORY_LIMIT));
    this.patch({ status, message, history, ...fields });
  }

  say(message: string): void {
    this.patch({ message });
  }

  /** The fields of a fresh attempt: a new target instance will be created. */
  newAttempt(): Partial<QueueEntry> {
    const attempt = this.entry.attempt + 1;
    return { attempt, attempt_id: `${this.entry.uuid}#${attempt}`, retries: 0, syncs: 0, last_background_sync: null };
  }

  /** The target instance of the current attempt (for a clean-up). */
  currentTargetRef(): TargetInstanceRef {
    const { placement, name, attempt_id } = this.entry;
    return { target: placement.target_name, project: placement.target_project, name, attempt_id };
  }

  /** Records a new operation and hands out its action. */
  emit(kind: Exclude<OperationKind, 'cancel_operation'>, mode?: Operation['mode']): void {
    const steps = (this.entry.steps ?? 0) + 1;
    const prefix = kind === 'delete_instance' ? this.entry.cleanup?.delete_target?.attempt_id ?? this.entry.attempt_id : this.entry.attempt_id;
    const step = kind === 'import_disks' ? importStepName(mode ?? 'background') : STEP_NAMES[kind];
    const operation: Operation = {
      id: `${prefix}/${step}-${steps}`,
      kind,
      ...(mode !== undefined ? { mode } : {}),
      decided_at: this.now,
      claimed_by: this.ctx.reconciler,
      claimed_at: this.now,
    };
    this.patch({ steps, operation });
    this.dispatch(operation);
  }

  /** Records a cancel of the entry's running operation; the entry keeps it until the old one is reported gone. */
  cancel(running: Operation): void {
    const operation: Operation = {
      id: cancelOperationId(running.id),
      kind: 'cancel_operation',
      decided_at: this.now,
      claimed_by: this.ctx.reconciler,
      claimed_at: this.now,
    };
    this.patch({ operation });
    this.dispatch(operation);
  }

  /**
   * Hands out the action of a recorded operation again (it never ran), claimed anew at this tick:
   * the claim's time-to-live runs from the latest dispatch, so another reconciler does not take
   * over (and call too) an operation its claimant is dispatching again right now.
   */
  redispatch(op: Operation): void {
    let operation = op;
    if (op.claimed_by !== this.ctx.reconciler || op.claimed_at !== this.now) {
      operation = { ...op, claimed_by: this.ctx.reconciler, claimed_at: this.now };
      this.patch({ operation });
    }
    this.dispatch(operation);
  }

  private dispatch(operation: Operation): void {
    const action: Action | null = actionFor(this.ctx, this.run, this.entry, operation);
    if (action === null) {
      // Only a creation can lose what it needs (the VM left the inventory): forget the operation.
      this.patch({ operation: null });
      return;
    }
    this.ctx.actions.push(action);
  }

  remove(): void {
    this.ctx.occupancy.move(footprint(this.entry), null);
    this.ctx.removeEntry(this.entry);
    this.removed = true;
  }
}
