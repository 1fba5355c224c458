// Ctrl-C during `ferry apply`. The first SIGINT (or SIGTERM) lets the tick under way finish — its
// status commit is one compare-and-swap, and the actions it recorded are sent and answered — then
// the loop stops, the summary is printed and the command exits 130 (143 for SIGTERM). A second one
// stops the process at once, as a signal always did, after one line on what may be left: which
// step the tick was at, and what the next `ferry apply` does about it.

import { CLAIM_TTL_MS } from '../engine/status.js';
import type { CrashStep } from '../model/crash-steps.js';
import type { CliIo } from './io.js';

type Stage =
  | { kind: 'between-ticks' }
  | { kind: 'deciding' }
  | { kind: 'committing' }
  | { kind: 'acting'; sent: number; answered: number }
  | { kind: 'closing'; copies: boolean };

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type Signal = (typeof SIGNALS)[number];
const EXIT_CODES: Record<Signal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface Interrupts {
  /** Aborted at the first signal: the loops stop between ticks. */
  readonly signal: AbortSignal;
  /** The first signal received, or null. */
  readonly received: Signal | null;
  /** The exit code for the signal received (128 + its number). */
  readonly exitCode: number;
  /** Follows the tick's steps (the reconciler's side-effect points), then calls `next`. */
  track(next?: (step: CrashStep) => void): (step: CrashStep) => void;
  /** A tick returned. */
  tickEnded(): void;
  /** The providers are being closed; `copies`: disk copies still run in this process and are waited for. */
  closing(copies: boolean): void;
  /** Removes the handlers: a signal from now on does what it does by default. */
  dispose(): void;
}

/** Installs the handlers on `proc` (the process, or a stand-in in tests); messages go to `io.stderr`. */
export function catchInterrupts(io: Pick<CliIo, 'stderr'>, proc: Pick<NodeJS.Process, 'on' | 'off' | 'kill' | 'pid'> = process): Interrupts {
  const controller = new AbortController();
  let stage: Stage = { kind: 'between-ticks' };
  let received: Signal | null = null;
  const handlers = new Map<Signal, () => void>();

  const dispose = (): void => {
    for (const [name, handler] of handlers) proc.off(name, handler);
    handlers.clear();
  };

  const onSignal = (name: Signal): void => {
    if (received === null) {
      received = name;
      io.stderr.write(`ferry apply: ${firstMessage(stage)}; press Ctrl-C again to stop at once\n`);
      controller.abort();
      return;
    }
    io.stderr.write(`ferry apply: stopped at once ${whatIsLeft(stage)}\n`);
    dispose();
    // What a signal did before Ferry caught it: the process ends by it, now.
    proc.kill(proc.pid, name);
  };
  for (const name of SIGNALS) {
    const handler = () => onSignal(name);
    handlers.set(name, handler);
    proc.on(name, handler);
  }

  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    get exitCode() {
      return received === null ? 0 : EXIT_CODES[received];
    },
    track(next) {
      return (step) => {
        if (step === 'tick:observe') stage = { kind: 'deciding' };
        else if (step === 'tick:commit:before') stage = { kind: 'committing' };
        else if (step === 'tick:commit:after') stage = { kind: 'acting', sent: 0, answered: 0 };
        else if (stage.kind === 'acting' && /^act:.*:before$/.test(step)) stage = { ...stage, sent: stage.sent + 1 };
        else if (stage.kind === 'acting' && /^act:.*:after$/.test(step)) stage = { ...stage, answered: stage.answered + 1 };
        next?.(step);
      };
    },
    tickEnded() {
      stage = { kind: 'between-ticks' };
    },
    closing(copies) {
      stage = { kind: 'closing', copies };
      if (received !== null && copies) {
        io.stderr.write('ferry apply: waiting for the disk copies running in this process to end (they are recorded on the status branch); press Ctrl-C again to stop them now\n');
      }
    },
    dispose,
  };
}

function firstMessage(stage: Stage): string {
  switch (stage.kind) {
    case 'between-ticks':
      return 'interrupted: stopping before the next tick';
    case 'deciding':
    case 'committing':
    case 'acting':
      return 'interrupted: finishing the tick under way (its status commit and the operations it recorded), then stopping';
    case 'closing':
      return 'interrupted: the last tick is done; closing';
  }
}

const AGAIN = `the next "ferry apply" re-observes every recorded operation and sends again those no system knows, once their claim has expired (${CLAIM_TTL_MS / 60_000} minutes)`;

function whatIsLeft(stage: Stage): string {
  switch (stage.kind) {
    case 'between-ticks':
      return 'between two ticks: nothing was left half-done';
    case 'deciding':
      return 'while the tick was deciding: nothing of it was written or done';
    case 'committing':
      return 'while the tick\'s status was being committed: the commit landed whole or not at all (compare-and-swap), and none of its operations was sent yet; a temporary ref refs/ferry/tmp/* may be left in the repository';
    case 'acting':
      return `while the tick was acting: ${stage.sent} of its recorded operations had been sent and ${stage.answered} answered; any other is recorded on the status branch but was not sent: ${AGAIN}`;
    case 'closing':
      return stage.copies
        ? `while disk copies ran in this process: they stop unfinished; they are recorded on the status branch: ${AGAIN}`
        : 'while closing: every tick was finished and recorded';
  }
}
