// Resource limits. Size limits are checked where values grow (string building, list and dict
// insertion); they are module state because those operations have no thread at hand. A thread
// installs its limits when it starts running and restores the previous ones when it stops.

import { fail } from './errors.js';

export interface Limits {
  /** Execution steps (statements, loop iterations, calls) per call into the interpreter. */
  maxSteps: number;
  /** Nested calls (Starlark and built-in). */
  maxCallDepth: number;
  /** Bytes in any one string value. */
  maxStringBytes: number;
  /** Elements in any one list, tuple, dict or set. */
  maxElements: number;
}

/**
 * No limits, as in the reference implementation, except the call depth: deeper recursion than
 * this would exhaust Node's own stack.
 */
export const UNLIMITED: Readonly<Limits> = Object.freeze({
  maxSteps: Infinity,
  maxCallDepth: 1_000,
  maxStringBytes: Infinity,
  maxElements: Infinity,
});

/** The size limits of the thread that is running (see withThreadLimits in program.ts). */
export const activeSizeLimits = { maxStringBytes: Infinity, maxElements: Infinity };

/** Checks a string about to be created; returns it. */
export function checkString(s: string): string {
  if (s.length > activeSizeLimits.maxStringBytes) stringTooLong(s.length);
  return s;
}

export function checkStringLength(n: number): void {
  if (n > activeSizeLimits.maxStringBytes) stringTooLong(n);
}

function stringTooLong(n: number): never {
  fail(`Starlark string length limit of ${activeSizeLimits.maxStringBytes} bytes exceeded (${n} bytes)`);
}

/** Checks a collection size about to be reached. */
export function checkElements(n: number): void {
  if (n > activeSizeLimits.maxElements) {
    fail(`Starlark collection size limit of ${activeSizeLimits.maxElements} elements exceeded (${n} elements)`);
  }
}
