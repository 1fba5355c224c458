// The representation of Starlark values.
//
//   None      the `None` singleton (a StarObject)
//   bool      JS boolean
//   int       JS number when it is a safe integer, otherwise bigint (never a safe-range bigint)
//   float     Float (boxed, so that 1.0 and 1 stay distinct types)
//   string    JS string holding bytes (see text/utf8.ts)
//   tuple     a plain JS array (never mutated once built)
//   others    StarObject subclasses: list, dict, set, function, built-in, range, host values...
//
// Keeping ints and strings unboxed makes the common operations allocation-free.

import type { Thread } from '../eval/thread.js';
import { formatFloatG } from './float-format.js';

export type Tuple = readonly Value[];
export type Value = boolean | number | bigint | string | Tuple | StarObject;

export type Int = number | bigint;

/** Keyword arguments as (name, value) pairs; names are byte strings. */
export type Kwargs = readonly (readonly [string, Value])[];

/** An iterator over a Starlark iterable; `next` returns undefined when exhausted. */
export interface StarIterator {
  next(): Value | undefined;
  /** Must be called when iteration ends, so the iterable may be mutated again. */
  done(): void;
}

export const enum CompareOp {
  EQ,
  NE,
  LT,
  LE,
  GT,
  GE,
}

export const COMPARE_OP_NAMES = ['==', '!=', '<', '<=', '>', '>='];

/**
 * Base class of every boxed value. Optional methods declare capabilities, as starlark-go's
 * optional interfaces do (HasAttrs, Iterable, Indexable, Mapping, Callable, ...).
 */
export abstract class StarObject {
  abstract type(): string;

  truth(): boolean {
    return true;
  }

  /** Makes the value and everything reachable from it immutable. */
  freeze(): void {}

  /**
   * Freezes this value only, adding the values it holds to `pending` for the caller to freeze
   * next (see freezeValue). Containers override it; the default freezes the value itself.
   */
  freezeInto(_pending: Value[]): void {
    this.freeze();
  }

  /**
   * The key under which this value is stored in a dict or set; equal values must have equal
   * keys. Throws a StarFail for unhashable values. Default: identity.
   */
  hashKey(): unknown {
    return this;
  }

  /** The Starlark representation; `path` holds the containers being printed (cycle check). */
  abstract repr(path: StarObject[]): string;

  attr?(name: string): Value | undefined;
  attrNames?(): string[];
  setField?(name: string, value: Value): void;
  iterate?(): StarIterator;
  len?(): number;
  index?(i: number): Value;
  slice?(start: number, end: number, step: number): Value;
  setIndex?(i: number, value: Value): void;
  /** Mapping lookup: undefined when absent; throws for unhashable keys. */
  get?(key: Value): Value | undefined;
  setKey?(key: Value, value: Value): void;
  /** Key/value pairs of a mapping, in iteration order. */
  items?(): [Value, Value][];
  compareSameType?(op: CompareOp, y: StarObject, depth: number): boolean;
  /** Returns undefined when the operation is not handled. */
  binary?(op: string, y: Value, right: boolean): Value | undefined;
  unary?(op: string): Value | undefined;
  callInternal?(thread: Thread, args: Value[], kwargs: Kwargs | null): Value;
  /** Name of a callable. */
  declare name?: string;
}

export class NoneType extends StarObject {
  type(): string {
    return 'NoneType';
  }
  override truth(): boolean {
    return false;
  }
  repr(): string {
    return 'None';
  }
}

export const None: StarObject = new NoneType();

export class Float extends StarObject {
  constructor(readonly v: number) {
    super();
  }
  type(): string {
    return 'float';
  }
  override truth(): boolean {
    return this.v !== 0;
  }
  override hashKey(): unknown {
    return floatKey(this.v);
  }
  repr(): string {
    return formatFloatG(this.v);
  }
}

/** The dict key of a big int (never a safe integer): its hex digits (see hash-key.ts). */
export function bigIntKey(v: bigint): string {
  return `\u010a${v.toString(16)}`;
}

/** A float's dict key: equal to the key of the int with the same value, if there is one. */
export function floatKey(v: number): unknown {
  if (Number.isInteger(v) && !Number.isSafeInteger(v)) return bigIntKey(BigInt(v));
  return v;
}

export function isTuple(v: Value): v is Tuple {
  return Array.isArray(v);
}

/** The name `type(v)` returns. */
export function typeName(v: Value): string {
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
  }
  if (Array.isArray(v)) return 'tuple';
  return (v as StarObject).type();
}

export function truth(v: Value): boolean {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'string':
      return v.length > 0;
    case 'bigint':
      return true;
  }
  if (Array.isArray(v)) return v.length > 0;
  return (v as StarObject).truth();
}

/**
 * Freezes a value and everything reachable from it. Iterative, with a visited set, so deep or
 * cyclic structures (a closure whose cell holds itself) cannot exhaust the stack, and tuples
 * shared many times over (t = (t, t), sixty times) are visited once each.
 */
export function freezeValue(root: Value): void {
  const pending: Value[] = [root];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const v = pending.pop() as Value;
    if (typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) pending.push(v[i]);
      continue;
    }
    (v as StarObject).freezeInto(pending);
  }
}
