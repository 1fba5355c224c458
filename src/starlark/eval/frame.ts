// The activation record of a Starlark function call.

import type { Pos } from '../syntax/position.js';
import { None, type Value } from '../values/value.js';
import type { Cell, StarFunction } from '../values/function.js';
import type { Thread } from './thread.js';

export class Frame {
  /** Local variables; cells for captured ones; undefined while unbound. */
  readonly locals: (Value | Cell | undefined)[];
  readonly globals: (Value | undefined)[];
  /** Position of the operation being executed, for backtraces. */
  pos: Pos;
  result: Value = None;

  constructor(
    readonly fn: StarFunction,
    readonly thread: Thread,
  ) {
    const n = fn.code.numLocals;
    const locals: (Value | Cell | undefined)[] = [];
    for (let i = 0; i < n; i++) locals.push(undefined);
    this.locals = locals;
    this.globals = fn.module.globals;
    this.pos = fn.code.entryPos;
  }
}
