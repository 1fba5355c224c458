// Methods of bytes values (starlark-go's bytesMethods).

import { BytesElems, StarBytes } from '../values/bytes.js';
import { positional, type ArgKind } from './args.js';
import type { MethodImpl } from './method.js';

const KINDS_NONE: readonly ArgKind[] = [];

export const BYTES_METHODS: ReadonlyMap<string, MethodImpl> = new Map<string, MethodImpl>([
  [
    'elems',
    (_t, recv, args, kwargs, name) => {
      positional(name, args, kwargs, 0, KINDS_NONE);
      return new BytesElems(recv as StarBytes);
    },
  ],
]);
