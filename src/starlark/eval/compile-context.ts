// What the compiler needs while turning one file's syntax tree into closures.

import type { Binding } from '../resolve/binding.js';
import type { DialectOptions } from '../options.js';
import type { Value } from '../values/value.js';
import type { Frame } from './frame.js';

export type ExprFn = (fr: Frame) => Value;
/** A statement returns a completion code (see control.ts). */
export type StmtFn = (fr: Frame) => number;
/** Stores a value into an assignment target. */
export type AssignFn = (fr: Frame, v: Value) => void;

export class CompileContext {
  /** Names of predeclared values used by the file, in slot order. */
  readonly predeclaredNames: string[] = [];
  private readonly predeclaredSlots = new Map<string, number>();

  constructor(
    readonly file: string,
    readonly dialect: DialectOptions,
    /** Globals of the module, in slot order. */
    readonly globals: Binding[],
  ) {}

  predeclaredSlot(name: string): number {
    let slot = this.predeclaredSlots.get(name);
    if (slot === undefined) {
      slot = this.predeclaredNames.length;
      this.predeclaredNames.push(name);
      this.predeclaredSlots.set(name, slot);
    }
    return slot;
  }
}
