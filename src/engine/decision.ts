// decide's input and output.

import type { DesiredState } from '../model/desired.js';
import type { Problem } from '../model/problem.js';
import type { Action } from './actions.js';
import type { CompiledDesired } from './compiled.js';
import type { Observations } from './observations.js';
import type { StatusState } from './status.js';

export interface DecideInput {
  desired: DesiredState;
  /** compileDesired(desired), compiled once per desired commit. */
  compiled: CompiledDesired;
  status: StatusState;
  observations: Observations;
  /** The tick's time (epoch milliseconds): the only clock decide knows. */
  now: number;
  /** This reconciler's identity, recorded on the operations it claims. */
  reconciler: string;
  /**
   * Claimants known to be gone (a crashed predecessor on this host): their claims are this
   * reconciler's to take over at once instead of after CLAIM_TTL_MS.
   */
  goneClaimants?: ReadonlySet<string>;
  desiredCommit: string | null;
}

/**
 * One line of a plan or of progress output: a batch or entry that moved (from → to, display
 * strings such as "Idle" or "Running"), or a resolution that was applied or rejected.
 */
export interface Change {
  kind: 'batch' | 'entry' | 'resolution';
  batch: string;
  instance?: string;
  uuid?: string;
  from?: string;
  to: string;
  message: string;
}

export interface Decision {
  /** The next status: every action below is already recorded in it as its entry's operation. */
  status: StatusState;
  /** Provider calls to make once the status is committed. */
  actions: Action[];
  changes: Change[];
  /** Modification-rule problems of the desired state (positioned), and warnings. */
  problems: Problem[];
  /** The earliest future time at which time alone could change the decision; null when none. */
  wakeAt: number | null;
}
