// Argument checking for built-ins, with starlark-go's UnpackArgs / UnpackPositionalArgs
// wording ("len: got 2 arguments, want 1", "sorted: for parameter key: got int, want callable").

import { fail } from '../eval/errors.js';
import { isCallable } from '../eval/call.js';
import { nearest } from '../text/spell.js';
import { repr } from '../values/repr.js';
import { StarDict } from '../values/dict.js';
import { StarList } from '../values/list.js';
import { Float, StarObject, typeName, type Kwargs, type Value } from '../values/value.js';

export type ArgKind = 'value' | 'string' | 'bool' | 'int' | 'float' | 'list' | 'dict' | 'callable' | 'iterable';

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

export function isIterable(v: Value): boolean {
  return Array.isArray(v) || (v instanceof StarObject && v.iterate !== undefined);
}

/** Checks one argument against a kind; returns an error message or undefined. */
function check(v: Value, kind: ArgKind): string | undefined {
  switch (kind) {
    case 'value':
      return undefined;
    case 'string':
      return typeof v === 'string' ? undefined : `got ${typeName(v)}, want string`;
    case 'bool':
      return typeof v === 'boolean' ? undefined : `got ${typeName(v)}, want bool`;
    case 'int':
      if (typeof v === 'number') return undefined;
      if (typeof v === 'bigint') {
        return v >= MIN_INT64 && v <= MAX_INT64 ? undefined : `${v} out of range (want value in signed 64-bit range)`;
      }
      return `got ${typeName(v)}, want int`;
    case 'float':
      return v instanceof Float ? undefined : `got ${typeName(v)}, want float`;
    case 'list':
      return v instanceof StarList ? undefined : `got ${typeName(v)}, want list`;
    case 'dict':
      return v instanceof StarDict ? undefined : `got ${typeName(v)}, want dict`;
    case 'callable':
      return isCallable(v) ? undefined : `got ${typeName(v)}, want callable`;
    case 'iterable':
      return isIterable(v) ? undefined : `got ${typeName(v)}, want iterable`;
  }
}

/**
 * UnpackPositionalArgs: no keyword arguments, between `min` and kinds.length positional
 * arguments. Returns the arguments (undefined where omitted).
 */
export function positional(fn: string, args: Value[], kwargs: Kwargs | null, min: number, kinds: readonly ArgKind[]): (Value | undefined)[] {
  if (kwargs !== null && kwargs.length > 0) fail(`${fn}: unexpected keyword arguments`);
  const max = kinds.length;
  if (args.length < min) fail(`${fn}: got ${args.length} arguments, want ${min < max ? 'at least ' : ''}${min}`);
  if (args.length > max) fail(`${fn}: got ${args.length} arguments, want ${max > min ? 'at most ' : ''}${max}`);
  for (let i = 0; i < args.length; i++) {
    const problem = check(args[i], kinds[i]);
    if (problem !== undefined) fail(`${fn}: for parameter ${i + 1}: ${problem}`);
  }
  return args;
}

export interface Param {
  /** Parameter name; a trailing "?" marks it optional (as in starlark-go). */
  name: string;
  kind: ArgKind;
}

/** Parameters prepared once, for functions called often. */
export interface ParamSpec {
  readonly fn: string;
  readonly names: readonly string[];
  readonly optional: readonly boolean[];
  readonly kinds: readonly ArgKind[];
}

export function paramSpec(fn: string, params: readonly Param[]): ParamSpec {
  return {
    fn,
    names: params.map((p) => (p.name.endsWith('?') ? p.name.slice(0, -1) : p.name)),
    optional: params.map((p) => p.name.endsWith('?')),
    kinds: params.map((p) => p.kind),
  };
}

/** UnpackArgs: positional or keyword arguments matched to named parameters. */
export function unpackNamed(spec: ParamSpec, args: Value[], kwargs: Kwargs | null): (Value | undefined)[] {
  const { fn, names, kinds } = spec;
  const n = names.length;
  if (args.length > n) fail(`${fn}: got ${args.length} arguments, want at most ${n}`);
  const out: (Value | undefined)[] = [];
  for (let i = 0; i < n; i++) out.push(undefined);
  for (let i = 0; i < args.length; i++) {
    const problem = check(args[i], kinds[i]);
    if (problem !== undefined) fail(`${fn}: for parameter ${names[i]}: ${problem}`);
    out[i] = args[i];
  }
  if (kwargs !== null) {
    outer: for (const [name, value] of kwargs) {
      for (let i = 0; i < n; i++) {
        if (names[i] === name) {
          if (out[i] !== undefined) fail(`${fn}: got multiple values for keyword argument ${repr(name)}`);
          const problem = check(value, kinds[i]);
          if (problem !== undefined) fail(`${fn}: for parameter ${repr(name)}: ${problem}`);
          out[i] = value;
          continue outer;
        }
      }
      // starlark-go suggests only the first half of the parameter names: its loop steps by two
      // over the names as if they were (name, variable) pairs. The same hints keep messages equal.
      const hint = nearest(name, names.slice(0, Math.ceil(n / 2)));
      fail(`${fn}: unexpected keyword argument ${repr(name)}${hint !== '' ? ` (did you mean ${hint}?)` : ''}`);
    }
  }
  for (let i = args.length; i < n; i++) {
    if (spec.optional[i]) break;
    if (out[i] === undefined) fail(`${fn}: missing argument for ${names[i]}`);
  }
  return out;
}

/** UnpackArgs with parameters given inline. */
export function named(fn: string, args: Value[], kwargs: Kwargs | null, params: readonly Param[]): (Value | undefined)[] {
  return unpackNamed(paramSpec(fn, params), args, kwargs);
}

/** The value of an 'int' argument as a JS number (ints beyond 2^53 lose precision). */
export function intArg(v: Value | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  return Number(v as number | bigint);
}

/** Fails unless no arguments at all were given. */
export function noArgs(fn: string, args: Value[], kwargs: Kwargs | null): void {
  positional(fn, args, kwargs, 0, []);
}
