// Methods of set values (starlark-go's setMethods).

import { withName } from '../eval/errors.js';
import { collect } from '../eval/iterate.js';
import { StarSet } from '../values/set.js';
import type { Value } from '../values/value.js';
import { positional, type ArgKind } from './args.js';
import type { MethodImpl } from './method.js';

// Argument kinds, allocated once rather than on every call.
const KINDS_ITERABLE: readonly ArgKind[] = ['iterable'];

export const SET_METHODS: ReadonlyMap<string, MethodImpl> = new Map<string, MethodImpl>([
  [
    'union',
    (_t, recv, args, kwargs, name) => {
      const [items] = positional(name, args, kwargs, 0, KINDS_ITERABLE);
      const extra = items === undefined ? [] : collect(items as Value);
      return withName(name, () => new StarSet([...(recv as StarSet).elems(), ...extra]));
    },
  ],
]);
