// struct(**fields): the constructor of plain structs (starlarkstruct.Make).

import { fail } from '../eval/errors.js';
import { Builtin } from '../values/builtin.js';
import { DEFAULT_CONSTRUCTOR, Struct } from '../values/struct.js';

export const STRUCT_BUILTIN = new Builtin('struct', (_t, args, kwargs) => {
  if (args.length > 0) fail('struct: unexpected positional arguments');
  return new Struct(DEFAULT_CONSTRUCTOR, kwargs ?? []);
});
