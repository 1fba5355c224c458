// A Windows preparation that cannot go on, as the operator reads it: a stable code and one sentence.

import type { WindowsFailureCode } from './windows-protocol.js';

export class WindowsPrepareError extends Error {
  constructor(
    readonly code: WindowsFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'WindowsPrepareError';
  }
}
