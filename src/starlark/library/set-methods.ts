// Methods of set values (starlark-go's setMethods). Failures are prefixed with the method's
// name, as starlark-go's nameErr does ("add: cannot insert into frozen hash table").

import { fail, withName } from '../eval/errors.js';
import { iterate } from '../eval/iterate.js';
import { StarSet } from '../values/set.js';
import { None, typeName, type Kwargs, type StarIterator, type Value } from '../values/value.js';
import { positional, type ArgKind } from './args.js';
import type { MethodImpl } from './method.js';

// Argument kinds, allocated once rather than on every call.
const KINDS_NONE: readonly ArgKind[] = [];
const KINDS_VALUE: readonly ArgKind[] = ['value'];
const KINDS_ITERABLE: readonly ArgKind[] = ['iterable'];

/** A JS iterable over a Starlark iterator, which it releases when iteration stops. */
function elements(it: StarIterator): Iterable<Value> {
  return {
    [Symbol.iterator]: () => ({
      next: (): IteratorResult<Value> => {
        const v = it.next();
        return v === undefined ? { done: true, value: undefined } : { done: false, value: v };
      },
    }),
  };
}

/** Runs `f` over the elements of a value already checked to be iterable. */
function overIterable<T>(items: Value, f: (elems: Iterable<Value>) => T): T {
  const it = iterate(items) as StarIterator;
  try {
    return f(elements(it));
  } finally {
    it.done();
  }
}

/**
 * A method taking one iterable. starlark-go declares the argument optional but then uses it,
 * and crashes when it is missing; Ferry reports the missing argument instead.
 */
function withIterable<T>(name: string, args: Value[], kwargs: Kwargs | null, f: (elems: Iterable<Value>) => T): T {
  const [items] = positional(name, args, kwargs, 0, KINDS_ITERABLE);
  if (items === undefined) fail(`${name}: got 0 arguments, want at least 1`);
  return withName(name, () => overIterable(items, f));
}

/** set.update and set.union: any number of iterables, no keywords. */
function updateFrom(set: StarSet, args: Value[], kwargs: Kwargs | null): void {
  if (kwargs !== null && kwargs.length > 0) fail('does not accept keyword arguments');
  args.forEach((arg, i) => {
    if (iterate(arg) === undefined) fail(`argument #${i + 1} is not iterable: ${typeName(arg)}`);
    overIterable(arg, (elems) => {
      for (const x of elems) set.insert(x);
    });
  });
}

export const SET_METHODS: ReadonlyMap<string, MethodImpl> = new Map<string, MethodImpl>([
  [
    'add',
    (_t, recv, args, kwargs, name) => {
      const [x] = positional(name, args, kwargs, 1, KINDS_VALUE);
      const set = recv as StarSet;
      withName(name, () => {
        // Even adding an element already there is an error on a set that cannot change.
        set.checkMutable('insert into');
        if (!set.has(x as Value)) set.insert(x as Value);
      });
      return None;
    },
  ],
  [
    'clear',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      const set = recv as StarSet;
      if (set.len() > 0) withName(name, () => set.clear());
      return None;
    },
  ],
  ['difference', (_t, recv, args, kwargs, name) => withIterable(name, args, kwargs, (xs) => (recv as StarSet).difference(xs))],
  [
    'discard',
    (_t, recv, args, kwargs, name) => {
      const [x] = positional(name, args, kwargs, 1, KINDS_VALUE);
      const set = recv as StarSet;
      withName(name, () => {
        set.checkMutable('delete from');
        if (set.has(x as Value)) set.delete(x as Value);
      });
      return None;
    },
  ],
  ['intersection', (_t, recv, args, kwargs, name) => withIterable(name, args, kwargs, (xs) => (recv as StarSet).intersection(xs))],
  ['issubset', (_t, recv, args, kwargs, name) => withIterable(name, args, kwargs, (xs) => (recv as StarSet).isSubset(xs))],
  ['issuperset', (_t, recv, args, kwargs, name) => withIterable(name, args, kwargs, (xs) => (recv as StarSet).isSuperset(xs))],
  [
    'pop',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      const set = recv as StarSet;
      const x = set.first();
      if (x === undefined) fail(`${name}: empty set`);
      withName(name, () => set.delete(x));
      return x;
    },
  ],
  [
    'remove',
    (_t, recv, args, kwargs, name) => {
      const [x] = positional(name, args, kwargs, 1, KINDS_VALUE);
      if (!withName(name, () => (recv as StarSet).delete(x as Value))) fail(`${name}: missing key`);
      return None;
    },
  ],
  [
    'symmetric_difference',
    (_t, recv, args, kwargs, name) => withIterable(name, args, kwargs, (xs) => (recv as StarSet).symmetricDifference(xs)),
  ],
  [
    'union',
    (_t, recv, args, kwargs, name) =>
      withName(name, () => {
        const out = (recv as StarSet).union([]);
        updateFrom(out, args, kwargs);
        return out;
      }),
  ],
  [
    'update',
    (_t, recv, args, kwargs, name) => {
      withName(name, () => updateFrom(recv as StarSet, args, kwargs));
      return None;
    },
  ],
]);
