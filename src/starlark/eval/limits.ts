// Resource limits. The budgets of an evaluation (work, allocation, time) live in its thread's
// Meter; the caps on one value (string bytes, collection elements) are checked where values
// grow. Value operations have no thread at hand, so the running thread installs its limits and
// meter here when it starts and restores the previous ones when it stops (see withThreadLimits
// in program.ts); code running outside any thread sees no limits.
//
// What costs what (the table in docs/starlark.md, "Budgets"): one work unit per statement, loop
// iteration, call, and element compared, hashed, printed or searched; one per 4 elements copied
// into a new list or tuple; four per new dict or set key; one per 16 bytes copied, scanned or
// compared by native string code; one per byte processed a character at a time. The constants
// keep the costliest operations near 100 ns per unit on Node 20. Allocation counts the elements
// of every new list, tuple, dict or set (plus one for the container itself), the bytes of every
// new string, and the bytes of every big int result. Charges are made before the work wherever
// its size is known from the operands, so a single operation cannot run away.

import { budgetExceeded } from './errors.js';
import { UNMETERED, type Meter } from './meter.js';

export interface Limits {
  /**
   * The work budget of one evaluation, in work units (statements, iterations, calls, elements
   * touched, bytes processed: see above). Named after its first unit, the execution step.
   */
  maxSteps: number;
  /** Elements and bytes created by one evaluation, garbage included. */
  maxAllocation: number;
  /** Nested calls (Starlark and built-in). */
  maxCallDepth: number;
  /** Bytes in any one string value. */
  maxStringBytes: number;
  /** Elements in any one list, tuple, dict or set. */
  maxElements: number;
  /** Milliseconds one evaluation may take on the host's clock `now`; without `now`, no limit. */
  maxMillis: number;
  /** The host's clock in milliseconds (any origin). The interpreter reads no clock of its own. */
  now?: () => number;
}

/**
 * No limits, as in the reference implementation, except the call depth: deeper recursion than
 * this would exhaust Node's own stack.
 */
export const UNLIMITED: Readonly<Limits> = Object.freeze({
  maxSteps: Infinity,
  maxAllocation: Infinity,
  maxCallDepth: 1_000,
  maxStringBytes: Infinity,
  maxElements: Infinity,
  maxMillis: Infinity,
});

/**
 * Strings shorter than this are scanned, compared or quoted in about the time of the operation
 * around them, which has already been charged.
 */
export const SHORT_STRING = 64;

/**
 * Work units for a failure that an operation catches and absorbs (getattr with a default,
 * hasattr, `in` with an unhashable key, sorted): throwing and catching costs about a
 * microsecond.
 */
export const ABSORBED_FAILURE = 32;

/** Bytes of native string work per work unit. */
const BYTES_PER_UNIT = 16;
/** Elements copied into a new container per work unit. */
const ELEMENTS_PER_UNIT = 4;
/** Work units for inserting a new key into a dict or set. */
const ENTRY_UNITS = 4;

/** The limits and meter of the thread that is running (see withThreadLimits in program.ts). */
export const activeLimits: { maxStringBytes: number; maxElements: number; maxCallDepth: number; meter: Meter } = {
  maxStringBytes: Infinity,
  maxElements: Infinity,
  maxCallDepth: UNLIMITED.maxCallDepth,
  meter: UNMETERED,
};

/** Checks a string about to be created; returns it. */
export function checkString(s: string): string {
  if (s.length > activeLimits.maxStringBytes) stringTooLong(s.length);
  return s;
}

export function checkStringLength(n: number): void {
  if (n > activeLimits.maxStringBytes) stringTooLong(n);
}

export function stringTooLong(n: number): never {
  const limit = activeLimits.maxStringBytes;
  return budgetExceeded('string', limit, `Starlark string length limit of ${limit} bytes exceeded (${n} bytes)`);
}

/** Checks a collection size about to be reached. */
export function checkElements(n: number): void {
  if (n > activeLimits.maxElements) {
    const limit = activeLimits.maxElements;
    budgetExceeded('elements', limit, `Starlark collection size limit of ${limit} elements exceeded (${n} elements)`);
  }
}

/** Work about to be done (or just done, when its size could not be known before). */
export function chargeWork(units: number): void {
  const m = activeLimits.meter;
  if ((m.work += units) > m.checkAt) m.checkpoint();
}

/** Bytes scanned, compared or copied by native string code, without a new string. */
export function chargeScan(bytes: number): void {
  const m = activeLimits.meter;
  if ((m.work += bytes / BYTES_PER_UNIT) > m.checkAt) m.checkpoint();
}

/** Bytes processed one character at a time (decoding, quoting, case mapping). */
export function chargeRunes(bytes: number): void {
  const m = activeLimits.meter;
  if ((m.work += bytes) > m.checkAt) m.checkpoint();
}

/** A new string of `bytes` bytes. */
export function chargeString(bytes: number): void {
  const m = activeLimits.meter;
  m.allocated += bytes;
  m.work += bytes / BYTES_PER_UNIT;
  if (m.allocated > m.maxAllocation || m.work > m.checkAt) m.check();
}

/** `n` elements added to a list, tuple, dict or set. */
export function chargeElements(n: number): void {
  const m = activeLimits.meter;
  m.allocated += n;
  m.work += n / ELEMENTS_PER_UNIT;
  if (m.allocated > m.maxAllocation || m.work > m.checkAt) m.check();
}

/**
 * A new key in a dict or set: an element, and the work of hashing and inserting it, which in
 * a large table (growing, missing the cache) takes as long as a few statements.
 */
export function chargeEntry(): void {
  const m = activeLimits.meter;
  m.allocated += 1;
  m.work += ENTRY_UNITS;
  if (m.allocated > m.maxAllocation || m.work > m.checkAt) m.check();
}

/** A new list, tuple, dict or set of `n` elements: the elements, and the container itself. */
export function chargeContainer(n: number): void {
  chargeElements(n + 1);
}

/** Bytes of new memory without work beyond what is charged elsewhere (big int results). */
export function chargeAllocation(bytes: number): void {
  const m = activeLimits.meter;
  if ((m.allocated += bytes) > m.maxAllocation) m.check();
}
