// Functions defined in Starlark (def and lambda), and the compiled code they share.

import type { Frame } from '../eval/frame.js';
import type { Pos } from '../syntax/position.js';
import { freezeValue, StarObject, type Value } from './value.js';

/** A variable shared between a function and the functions nested in it. */
export class Cell {
  constructor(public v: Value | undefined) {}
}

/** The compiled form of a def, lambda or module top level. */
export interface FuncCode {
  readonly name: string;
  readonly file: string;
  readonly pos: Pos;
  /** Where a call of this code is, before its first operation runs (see eval/go-positions.ts). */
  readonly entryPos: Pos;
  /** Parameter names (ordinary, then keyword-only, then *args, then **kwargs). */
  readonly paramNames: string[];
  readonly numParams: number;
  readonly numKwonlyParams: number;
  readonly hasVarargs: boolean;
  readonly hasKwargs: boolean;
  readonly numLocals: number;
  /** Locals that nested functions capture, so they live in cells. */
  readonly cells: number[];
  /** Names of locals, for "local variable x referenced before assignment". */
  readonly localNames: string[];
  readonly allowRecursion: boolean;
  /** Runs the body; the result is left in frame.result. */
  body: (fr: Frame) => unknown;
  /** Active calls of this code (the recursion check). */
  active: number;
}

/** The globals of one execution of a program; shared by all its functions. */
export class ModuleInstance {
  constructor(
    /** Global variables by slot; undefined until assigned. */
    readonly globals: (Value | undefined)[],
    /** Predeclared values by slot (see CompileContext.predeclaredSlot). */
    readonly pre: (Value | undefined)[],
    readonly globalNames: readonly string[],
    readonly predeclaredNames: readonly string[],
  ) {}
}

export class StarFunction extends StarObject {
  override readonly name: string;

  constructor(
    readonly code: FuncCode,
    readonly module: ModuleInstance,
    readonly defaults: (Value | undefined)[],
    readonly freevars: Cell[],
  ) {
    super();
    this.name = code.name;
  }
  type(): string {
    return 'function';
  }
  repr(): string {
    return `<function ${this.code.name}>`;
  }
  override freeze(): void {
    freezeValue(this);
  }
  override freezeInto(pending: Value[]): void {
    for (const d of this.defaults) if (d !== undefined) pending.push(d);
    for (const c of this.freevars) if (c.v !== undefined) pending.push(c.v);
  }
}
