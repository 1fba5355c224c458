// Methods of list values (starlark-go's listMethods).

import { fail, nameErr, StarFail, withName } from '../eval/errors.js';
import { indices } from '../eval/index-ops.js';
import { collect } from '../eval/iterate.js';
import { chargeElements, chargeWork, checkElements } from '../eval/limits.js';
import { equals } from '../values/compare.js';
import { StarList } from '../values/list.js';
import { None, type Int, type Value } from '../values/value.js';
import { intArg, positional, type ArgKind } from './args.js';
import type { MethodImpl } from './method.js';

// Argument kinds, allocated once rather than on every call.
const KINDS_INT: readonly ArgKind[] = ['int'];
const KINDS_INT_VALUE: readonly ArgKind[] = ['int', 'value'];
const KINDS_ITERABLE: readonly ArgKind[] = ['iterable'];
const KINDS_NONE: readonly ArgKind[] = [];
const KINDS_VALUE: readonly ArgKind[] = ['value'];
const KINDS_VALUE_VALUE_VALUE: readonly ArgKind[] = ['value', 'value', 'value'];

function outOfRange(i: Int, n: number): string {
  return n === 0 ? `index ${i} out of range: empty list` : `list index ${i} out of range [${-n}:${n - 1}]`;
}

/** list += iterable, or list.extend(iterable); the caller has checked mutability. */
export function listExtend(list: StarList, items: Value): void {
  const extra = items instanceof StarList ? items.elems : collect(items);
  checkElements(list.elems.length + extra.length);
  chargeElements(extra.length);
  for (let i = 0; i < extra.length; i++) list.elems.push(extra[i]);
}

export const LIST_METHODS: ReadonlyMap<string, MethodImpl> = new Map<string, MethodImpl>([
  [
    'append',
    (_t, recv, args, kwargs, name) => {
      const [object] = positional(name, args, kwargs, 1, KINDS_VALUE);
      try {
        (recv as StarList).append(object as Value);
      } catch (e) {
        if (e instanceof StarFail) nameErr(name, e);
        throw e;
      }
      return None;
    },
  ],
  [
    'clear',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      const list = recv as StarList;
      withName(name, () => list.checkMutable('clear'));
      list.elems.length = 0;
      return None;
    },
  ],
  [
    'extend',
    (_t, recv, args, kwargs, name) => {
      const [items] = positional(name, args, kwargs, 1, KINDS_ITERABLE);
      const list = recv as StarList;
      withName(name, () => list.checkMutable('extend'));
      listExtend(list, items as Value);
      return None;
    },
  ],
  [
    'index',
    (_t, recv, args, kwargs, name) => {
      const [value, startArg, endArg] = positional(name, args, kwargs, 1, KINDS_VALUE_VALUE_VALUE);
      const elems = (recv as StarList).elems;
      const [start, end] = withName(name, () => indices(startArg ?? None, endArg ?? None, elems.length));
      for (let i = start; i < end; i++) {
        chargeWork(1);
        if (withName(name, () => equals(elems[i], value as Value))) return i;
      }
      return nameErr(name, 'value not in list');
    },
  ],
  [
    'insert',
    (_t, recv, args, kwargs, name) => {
      const [indexArg, object] = positional(name, args, kwargs, 2, KINDS_INT_VALUE);
      const list = recv as StarList;
      withName(name, () => list.checkMutable('insert into'));
      checkElements(list.elems.length + 1);
      chargeElements(1);
      let index = intArg(indexArg, 0);
      const n = list.elems.length;
      if (index < 0) index += n;
      chargeWork(n - Math.min(Math.max(index, 0), n));
      if (index >= n) list.elems.push(object as Value);
      else list.elems.splice(Math.max(index, 0), 0, object as Value);
      return None;
    },
  ],
  [
    'pop',
    (_t, recv, args, kwargs, name) => {
      const list = recv as StarList;
      const n = list.elems.length;
      const [indexArg] = positional(name, args, kwargs, 0, KINDS_INT);
      let i = intArg(indexArg, n - 1);
      if (i < 0) i += n;
      // An index beyond 2^53 is out of range; its message shows it exactly.
      if (i < 0 || i >= n) nameErr(name, outOfRange((indexArg as Int | undefined) ?? n - 1, n));
      withName(name, () => list.checkMutable('pop from'));
      chargeWork(n - i);
      return list.elems.splice(i, 1)[0];
    },
  ],
  [
    'remove',
    (_t, recv, args, kwargs, name) => {
      const [value] = positional(name, args, kwargs, 1, KINDS_VALUE);
      const list = recv as StarList;
      withName(name, () => list.checkMutable('remove from'));
      const elems = list.elems;
      for (let i = 0; i < elems.length; i++) {
        if (withName('remove', () => equals(elems[i], value as Value))) {
          chargeWork(elems.length);
          elems.splice(i, 1);
          return None;
        }
      }
      chargeWork(elems.length);
      return fail('remove: element not found');
    },
  ],
]);
