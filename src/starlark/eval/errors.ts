// Evaluation errors. They are thrown as plain objects (not JS Errors, whose stack capture is
// costly) and collect the Starlark call stack while they unwind, innermost frame first.

import type { Pos } from '../syntax/position.js';

export interface CallFrame {
  /** Function name: "<toplevel>", "lambda", a def name, or a built-in's name. */
  name: string;
  /** File of a Starlark frame; "<builtin>" for built-ins. */
  file: string;
  /** Position of the current operation in the frame; 0 for built-ins. */
  pos: Pos;
}

export const BUILTIN_FILE = '<builtin>';

/** Which budget of an evaluation ran out (see eval/limits.ts). */
export type BudgetKind = 'work' | 'allocation' | 'depth' | 'time' | 'string' | 'elements';

/** A breached budget, for hosts that must tell resource exhaustion from a script's own error. */
export interface BudgetBreach {
  kind: BudgetKind;
  /** The limit that was exceeded, in the budget's unit (units, elements and bytes, calls, ms, bytes, elements). */
  limit: number;
}

export class StarFail {
  /** Frames outermost last (pushed while unwinding). */
  readonly frames: CallFrame[] = [];

  constructor(
    /** The error message, a byte string, without "Error: " or backtrace. */
    readonly message: string,
    /** Set when an attribute or field is missing, so the caller may add a spelling hint. */
    readonly noSuchAttr = false,
    /** Set when the evaluation ran out of a budget rather than failing on its own terms. */
    readonly budget?: BudgetBreach,
  ) {}
}

/** Throws a StarFail with the message. */
export function fail(message: string): never {
  throw new StarFail(message);
}

/** Throws the failure of an exhausted budget. */
export function budgetExceeded(kind: BudgetKind, limit: number, message: string): never {
  throw new StarFail(message, false, { kind, limit });
}

/**
 * Rethrows an exhausted budget. Code that catches failures to reword or ignore them calls this
 * first: a budget breach must end the evaluation unchanged, whatever the script was doing.
 */
export function rethrowBudget(e: unknown): void {
  if (e instanceof StarFail && e.budget !== undefined) throw e;
}

/** Prefixes a failure message with the built-in's name, as starlark-go's nameErr does. */
export function nameErr(name: string, message: string | StarFail): never {
  if (typeof message !== 'string') rethrowBudget(message);
  throw new StarFail(`${name}: ${typeof message === 'string' ? message : message.message}`);
}

/** Rewrites any error raised by `action` as "name: message". */
export function withName<T>(name: string, action: () => T): T {
  try {
    return action();
  } catch (e) {
    if (e instanceof StarFail) nameErr(name, e);
    throw e;
  }
}
