// Ferry's Starlark interpreter: the dialect of starlark-go at migration-manager's version, with
// host-controlled limits and no access to clocks, randomness or I/O.

export {
  callFunction,
  compileModule,
  execModule,
  makeModule,
  makeThread,
  toStarlarkError,
  CompiledModule,
  StarlarkError,
  type BacktraceFrame,
  type CallResult,
  type CompileOptions,
  type CompileResult,
  type ExecOptions,
  type ExecResult,
  type FunctionSignature,
  type RunOptions,
  type SourceProblem,
  type ValueMap,
} from './api.js';
export { dialect, STANDARD_DIALECT, type DialectOptions } from './options.js';
export { UNLIMITED, type Limits } from './eval/limits.js';
export { Thread } from './eval/thread.js';
export { StarFail, type BudgetBreach, type BudgetKind } from './eval/errors.js';
export { AttributeObject, type FieldConverter } from './host/attribute-object.js';
export { fromJSON, toJSON, type FromJsonOptions, type JsonValue } from './host/json-convert.js';
export { argumentUnpacker, hostFunction, type ArgumentUnpacker, type HostImpl } from './host/host-function.js';
export { JSON_MODULE } from './library/json.js';
export { STRUCT_BUILTIN } from './library/struct-builtin.js';
export { fromBytes as fromStarlarkString, toBytes as toStarlarkString } from './text/utf8.js';
export { repr, str } from './values/repr.js';
export { equals } from './values/compare.js';
export { StarDict } from './values/dict.js';
export { StarList, freezeValue as freezeStarlarkValue } from './values/list.js';
export { StarFunction } from './values/function.js';
export { Struct } from './values/struct.js';
export { Float, None, StarObject, truth, typeName, type Kwargs, type Tuple, type Value } from './values/value.js';
