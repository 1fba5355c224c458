// Host functions: built-ins implemented by the embedding program.

import type { Thread } from '../eval/thread.js';
import { paramSpec, unpackNamed, type Param } from '../library/args.js';
import { toBytes } from '../text/utf8.js';
import { Builtin } from '../values/builtin.js';
import type { Kwargs, Value } from '../values/value.js';

/**
 * The implementation of a host function. Throwing (any Error) makes the Starlark call fail
 * with the error's message; the backtrace shows the call site.
 */
export type HostImpl = (args: Value[], kwargs: Kwargs, thread: Thread) => Value;

export function hostFunction(name: string, impl: HostImpl): Value {
  return new Builtin(toBytes(name), (thread, args, kwargs) => impl(args, kwargs ?? [], thread));
}

export type ArgumentUnpacker = (args: Value[], kwargs: Kwargs) => (Value | undefined)[];

/**
 * Prepares the matching of arguments to parameter names, positionally or by keyword, with
 * starlark-go's messages ("f: missing argument for x"). A trailing "?" marks a parameter
 * optional; omitted optional arguments are undefined.
 */
export function argumentUnpacker(fn: string, params: readonly string[]): ArgumentUnpacker {
  const spec = paramSpec(
    toBytes(fn),
    params.map((name): Param => ({ name: toBytes(name), kind: 'value' })),
  );
  return (args, kwargs) => unpackNamed(spec, args, kwargs.length > 0 ? kwargs : null);
}
