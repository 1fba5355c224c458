// The host environment starlark-go's tests give their scripts (eval_test.go, starlarktest,
// struct_test.go): the assert module loaded from an assert.star file, json, struct, and the
// test-only values hasfields, fibonacci and gensym.

import { readFileSync } from 'node:fs';
import {
  compileModule,
  execModule,
  Float,
  fromStarlarkString,
  JSON_MODULE,
  None as NONE,
  STRUCT_BUILTIN,
  StarObject,
  StarList,
  Struct,
  type Value,
} from '../../../src/starlark/index.js';
import { callValue } from '../../../src/starlark/eval/call.js';
import { StarFail, fail } from '../../../src/starlark/eval/errors.js';
import type { Thread } from '../../../src/starlark/eval/thread.js';
import { named, positional } from '../../../src/starlark/library/args.js';
import { Builtin } from '../../../src/starlark/values/builtin.js';
import { freezeValue } from '../../../src/starlark/values/list.js';
import { ModuleValue } from '../../../src/starlark/values/module.js';
import { repr } from '../../../src/starlark/values/repr.js';
import { compileRe2 } from './chunked.js';

/** Thread-local key under which a chunk's failure reporter is stored. */
export const REPORTER = 'reporter';
export type Reporter = (message: string) => void;

const errorBuiltin = new Builtin('error', (thread: Thread, args) => {
  if (args.length !== 1) fail(`error: got ${args.length} arguments, want 1`);
  const report = thread.locals.get(REPORTER) as Reporter | undefined;
  const msg = typeof args[0] === 'string' ? args[0] : repr(args[0]);
  if (report === undefined) fail(`error reported with no reporter: ${msg}`);
  report(fromStarlarkString(msg));
  return NONE;
});

const catchBuiltin = new Builtin('catch', (thread, args, kwargs) => {
  const [fn] = named('catch', args, kwargs, [{ name: 'fn', kind: 'callable' }]);
  try {
    callValue(thread, fn as Value, [], null);
  } catch (e) {
    if (e instanceof StarFail) return e.message;
    throw e;
  }
  return NONE;
});

const matchesBuiltin = new Builtin('matches', (_t, args, kwargs) => {
  const [pattern, str] = named('matches', args, kwargs, [
    { name: 'pattern', kind: 'string' },
    { name: 'str', kind: 'string' },
  ]);
  let rx: RegExp;
  try {
    rx = compileRe2(fromStarlarkString(pattern as string));
  } catch (e) {
    return fail(`matches: ${(e as Error).message}`);
  }
  return rx.test(fromStarlarkString(str as string));
});

const moduleBuiltin = new Builtin('module', (_t, args, kwargs, self) => {
  const [name] = positional(self.name, args, null, 1, ['string']);
  return new ModuleValue(name as string, new Map(kwargs ?? []));
});

const freezeBuiltin = new Builtin('freeze', (_t, args, kwargs) => {
  if (kwargs !== null && kwargs.length > 0) fail('freeze does not accept keyword arguments');
  if (args.length !== 1) fail(`freeze got ${args.length} arguments, wants 1`);
  freezeValue(args[0]);
  return args[0];
});

/** floateq(x, y): whether two floats are within one unit in the last place (starlarktest). */
const floateqBuiltin = new Builtin('floateq', (_t, args, kwargs, self) => {
  const [x, y] = positional(self.name, args, kwargs, 2, ['float', 'float']) as [Float, Float];
  if (x.v === y.v) return true;
  if (Number.isNaN(x.v) || Number.isNaN(y.v)) return Number.isNaN(x.v) && Number.isNaN(y.v);
  const bits = new DataView(new ArrayBuffer(16));
  bits.setFloat64(0, x.v);
  bits.setFloat64(8, y.v);
  const distance = bits.getBigUint64(0) - bits.getBigUint64(8);
  return distance === 1n || distance === -1n;
});

/** Loads an assert.star file the way starlarktest.LoadAssertModule does. */
export function loadAssertModule(path: string): ReadonlyMap<string, Value> {
  const compiled = compileModule(readFileSync(path, 'utf8'), path, { predeclared: ['error', 'catch', 'matches', 'module', '_freeze', '_floateq'] });
  if (!compiled.ok) throw new Error(`${path}: ${compiled.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('; ')}`);
  const result = execModule(compiled.module, {
    predeclared: {
      error: errorBuiltin,
      catch: catchBuiltin,
      matches: matchesBuiltin,
      module: moduleBuiltin,
      _freeze: freezeBuiltin,
      _floateq: floateqBuiltin,
    },
  });
  if (!result.ok) throw new Error(`${path}: ${result.error.backtrace}`);
  return result.globals;
}

/** hasfields(): a value with settable fields, from eval_test.go. */
class HasFields extends StarObject {
  private readonly fields = new Map<string, Value>();
  private frozen = false;
  type(): string {
    return 'hasfields';
  }
  repr(): string {
    return 'hasfields';
  }
  override freeze(): void {
    freezeValue(this);
  }
  override freezeInto(pending: Value[]): void {
    if (this.frozen) return;
    this.frozen = true;
    for (const v of this.fields.values()) pending.push(v);
  }
  override attr(name: string): Value | undefined {
    return this.fields.get(name);
  }
  override attrNames(): string[] {
    return [...this.fields.keys()].sort();
  }
  override setField(name: string, value: Value): void {
    if (this.frozen) fail('cannot set field on a frozen hasfields');
    if (name.startsWith('no')) throw new StarFail(`no .${name} field`, true);
    this.fields.set(name, value);
  }
  override binary(op: string, y: Value): Value | undefined {
    return op === '+' && y instanceof StarList ? 42 : undefined;
  }
}

/** fibonacci: an infinite iterable, from eval_test.go. */
class Fibonacci extends StarObject {
  type(): string {
    return 'fib';
  }
  repr(): string {
    return 'fib';
  }
  override hashKey(): unknown {
    return fail('fib is unhashable');
  }
  override iterate() {
    let x = 0;
    let y = 1;
    return {
      next: (): Value => {
        const v = x;
        [x, y] = [y, x + y];
        return v;
      },
      done: () => {},
    };
  }
}

/** gensym(name=...): a callable "symbol" that brands structs, from struct_test.go. */
class Symbol extends StarObject {
  constructor(override readonly name: string) {
    super();
  }
  type(): string {
    return 'symbol';
  }
  repr(): string {
    return this.name;
  }
  override hashKey(): unknown {
    return fail('unhashable: symbol');
  }
  override callInternal(_thread: Thread, args: Value[], kwargs: readonly (readonly [string, Value])[] | null): Value {
    if (args.length > 0) fail(`${this.name}: unexpected positional arguments`);
    return new Struct(this, kwargs ?? []);
  }
}

const gensym = new Builtin('gensym', (_t, args, kwargs) => {
  const [name] = named('gensym', args, kwargs, [{ name: 'name', kind: 'string' }]);
  return new Symbol(name as string);
});

/** Predeclared values of the exec test files (eval_test.go plus struct_test.go's gensym). */
export function execPredeclared(): Record<string, Value> {
  return {
    hasfields: new Builtin('hasfields', (_t, args, kwargs, self) => {
      if (args.length + (kwargs?.length ?? 0) > 0) fail(`${self.name}: unexpected arguments`);
      return new HasFields();
    }),
    fibonacci: new Fibonacci(),
    struct: STRUCT_BUILTIN,
    gensym,
  };
}

/** The modules load() can find: assert.star (from a file) and json.star. */
export function testModules(assertStarPath: string): (name: string) => ReadonlyMap<string, Value> | undefined {
  let assertModule: ReadonlyMap<string, Value> | undefined;
  return (name) => {
    if (name === 'assert.star') return (assertModule ??= loadAssertModule(assertStarPath));
    if (name === 'json.star') return new Map([['json', JSON_MODULE as Value]]);
    return undefined;
  };
}
