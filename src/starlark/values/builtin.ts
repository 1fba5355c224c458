// Functions implemented by the host (Go's *Builtin): universal built-ins, methods bound to a
// receiver, and host-provided functions.

import type { Thread } from '../eval/thread.js';
import { identityNumber } from './hash-key.js';
import { freezeValue, StarObject, typeName, type Kwargs, type Value } from './value.js';

export type BuiltinImpl = (thread: Thread, args: Value[], kwargs: Kwargs | null, self: Builtin) => Value;

export class Builtin extends StarObject {
  constructor(
    override readonly name: string,
    readonly impl: BuiltinImpl,
    /** The receiver of a bound method ("".startswith). */
    readonly recv?: Value,
  ) {
    super();
  }

  type(): string {
    return 'builtin_function_or_method';
  }
  override freeze(): void {
    freezeValue(this);
  }
  override freezeInto(pending: Value[]): void {
    if (this.recv !== undefined) pending.push(this.recv);
  }
  override hashKey(): unknown {
    identityNumber(this);
    return this;
  }
  repr(): string {
    if (this.recv !== undefined) return `<built-in method ${this.name} of ${typeName(this.recv)} value>`;
    return `<built-in function ${this.name}>`;
  }
  override callInternal(thread: Thread, args: Value[], kwargs: Kwargs | null): Value {
    return this.impl(thread, args, kwargs, this);
  }
}
