// A failed preparation as the operator reads it: a stable code (docs/errors.md, "Guest
// preparation") and one sentence saying what happened and what to do.

import type { PrepareFailureCode } from './protocol.js';

export class PrepareError extends Error {
  constructor(
    readonly code: PrepareFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'PrepareError';
  }
}

/** What an operator does when preparation cannot be done by Ferry. */
export const BY_HAND = 'prepare the guest by hand on the source (or after the cutover) and set guest_preparation: skip in the instance\'s InstanceOverride';
