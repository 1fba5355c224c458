// What this process knows of the operations it ran: every call runs to completion (Incus
// operations awaited) and its outcome is kept by operation id. The same id called again while it
// runs joins the run; once it succeeded it returns at once. A failure Incus reported is kept (the
// engine reads it as the operation's end); a failure to reach Incus at all is not (the request may
// never have arrived, so the engine may dispatch it again). After a restart this memory is empty:
// the provider then reads the ids recorded on the instance (user.ferry.ops).

import type { OperationObservation } from '../../engine/observations.js';
import { ProviderError } from '../ports.js';
import { isUnreachable } from './errors.js';

/** Outcomes kept in memory; the oldest are forgotten first (the instances keep theirs). */
const KEPT = 10_000;

export class OperationLedger {
  private readonly ended = new Map<string, OperationObservation>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The outcome or progress of an operation this process ran, or undefined. */
  observe(id: string): OperationObservation | undefined {
    if (this.running.has(id)) return { state: 'running', message: 'in progress' };
    const ended = this.ended.get(id);
    return ended === undefined ? undefined : { ...ended };
  }

  /**
   * Runs `work` as operation `id` (once it succeeded, not again). `work` returns the message of its
   * success. Refusals with a code in `unrecorded` are thrown without being kept (like the
   * simulator, a refused delete is not an operation that ran).
   */
  async run(id: string, work: () => Promise<string>, unrecorded: readonly string[] = []): Promise<void> {
    const inFlight = this.running.get(id);
    if (inFlight !== undefined) return inFlight;
    if (this.ended.get(id)?.state === 'succeeded') return;
    const done = work().then(
      (message) => this.end(id, { state: 'succeeded', message, ended_at: this.now() }),
      (error: unknown) => {
        const keep = !isUnreachable(error) && !(error instanceof ProviderError && unrecorded.includes(error.code));
        if (keep) this.end(id, { state: 'failed', message: error instanceof Error ? error.message : String(error), ended_at: this.now() });
        throw error;
      },
    );
    this.running.set(id, done);
    try {
      await done;
    } finally {
      this.running.delete(id);
    }
  }

  private end(id: string, observation: OperationObservation): void {
    this.ended.delete(id);
    this.ended.set(id, observation);
    if (this.ended.size > KEPT) this.ended.delete(this.ended.keys().next().value!);
  }
}
