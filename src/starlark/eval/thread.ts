// A Thread is the state of one Starlark computation: step and depth counters, limits, and
// the host's print and load hooks. It carries no clock and no randomness.

import { fail } from './errors.js';
import { UNLIMITED, type Limits } from './limits.js';
import type { Value } from '../values/value.js';

export type PrintHook = (message: string) => void;
/** Returns a module's members by name, or a message saying why it cannot be loaded. */
export type LoadHook = (module: string) => ReadonlyMap<string, Value> | string;

export class Thread {
  steps = 0;
  depth = 0;
  readonly limits: Limits;
  /** Receives print() output as a byte string. */
  print: PrintHook;
  load: LoadHook | undefined;
  /** Host data for host built-ins (for example a placement being built). */
  readonly locals = new Map<string, unknown>();

  constructor(options: { limits?: Partial<Limits>; print?: PrintHook; load?: LoadHook } = {}) {
    this.limits = { ...UNLIMITED, ...options.limits };
    this.print = options.print ?? (() => {});
    this.load = options.load;
  }

  stepLimitExceeded(): never {
    fail(`Starlark execution step limit of ${this.limits.maxSteps} exceeded`);
  }

  depthLimitExceeded(): never {
    fail(`Starlark call depth limit of ${this.limits.maxCallDepth} exceeded`);
  }
}
