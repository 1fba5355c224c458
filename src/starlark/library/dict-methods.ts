// Methods of dict values (starlark-go's dictMethods), and the update logic shared with dict().

import { fail, nameErr, StarFail, withName } from '../eval/errors.js';
import { iterate, length } from '../eval/iterate.js';
import { chargeWork } from '../eval/limits.js';
import { StarDict } from '../values/dict.js';
import { StarList } from '../values/list.js';
import { repr } from '../values/repr.js';
import { None, StarObject, typeName, type Kwargs, type Value } from '../values/value.js';
import { positional, type ArgKind } from './args.js';
import type { MethodImpl } from './method.js';

// Argument kinds, allocated once rather than on every call.
const KINDS_NONE: readonly ArgKind[] = [];
const KINDS_VALUE_VALUE: readonly ArgKind[] = ['value', 'value'];

/** Adds a positional mapping or sequence of pairs, then the keyword arguments. */
export function updateDict(dict: StarDict, updates: Value[], kwargs: Kwargs | null): void {
  if (updates.length === 1) {
    const u = updates[0];
    if (u instanceof StarObject && u.items !== undefined && u.iterate !== undefined) {
      for (const [k, v] of u.items()) dict.setKey(k, v);
    } else {
      const it = iterate(u);
      if (it === undefined) fail(`got ${typeName(u)}, want iterable`);
      try {
        let i = 0;
        for (let pair = it.next(); pair !== undefined; pair = it.next(), i++) {
          chargeWork(1);
          const it2 = iterate(pair);
          if (it2 === undefined) fail(`dictionary update sequence element #${i} is not iterable (${typeName(pair)})`);
          it2.done();
          const len = length(pair);
          if (len < 0) fail(`dictionary update sequence element #${i} has unknown length (${typeName(pair)})`);
          if (len !== 2) fail(`dictionary update sequence element #${i} has length ${len}, want 2`);
          const pairIt = iterate(pair)!;
          const k = pairIt.next() as Value;
          const v = pairIt.next() as Value;
          pairIt.done();
          dict.setKey(k, v);
        }
      } finally {
        it.done();
      }
    }
  }
  if (kwargs === null) return;
  const before = dict.len();
  for (const [k, v] of kwargs) dict.setKey(k, v);
  if (dict.len() < before + kwargs.length) {
    const seen = new Set<string>();
    for (const [k] of kwargs) {
      if (seen.has(k)) fail(`duplicate keyword arg: ${repr(k)}`);
      seen.add(k);
    }
  }
}

export const DICT_METHODS: ReadonlyMap<string, MethodImpl> = new Map<string, MethodImpl>([
  [
    'clear',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      (recv as StarDict).clear();
      return None;
    },
  ],
  [
    'get',
    (_t, recv, args, kwargs, name) => {
      const [key, dflt] = positional(name, args, kwargs, 1, KINDS_VALUE_VALUE);
      let v: Value | undefined;
      try {
        v = (recv as StarDict).get(key as Value);
      } catch (e) {
        if (e instanceof StarFail) nameErr(name, e);
        throw e;
      }
      return v ?? dflt ?? None;
    },
  ],
  [
    'items',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      return new StarList((recv as StarDict).items());
    },
  ],
  [
    'keys',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      return new StarList((recv as StarDict).keys());
    },
  ],
  [
    'pop',
    (_t, recv, args, kwargs, name) => {
      const [key, dflt] = positional(name, args, kwargs, 1, KINDS_VALUE_VALUE);
      const v = withName(name, () => (recv as StarDict).delete(key as Value));
      if (v !== undefined) return v;
      if (dflt !== undefined) return dflt;
      return nameErr(name, 'missing key');
    },
  ],
  [
    'popitem',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      const dict = recv as StarDict;
      const k = dict.firstKey();
      if (k === undefined) nameErr(name, 'empty dict');
      const v = withName(name, () => dict.delete(k)) as Value;
      return [k, v];
    },
  ],
  [
    'setdefault',
    (_t, recv, args, kwargs, name) => {
      const [key, dflt] = positional(name, args, kwargs, 1, KINDS_VALUE_VALUE);
      const dict = recv as StarDict;
      const v = withName(name, () => dict.get(key as Value));
      if (v !== undefined) return v;
      const value = dflt ?? None;
      withName(name, () => dict.setKey(key as Value, value));
      return value;
    },
  ],
  [
    'update',
    (_t, recv, args, kwargs) => {
      if (args.length > 1) fail(`update: got ${args.length} arguments, want at most 1`);
      withName('update', () => updateDict(recv as StarDict, args, kwargs));
      return None;
    },
  ],
  [
    'values',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      return new StarList((recv as StarDict).values());
    },
  ],
]);
