// The budgets of one evaluation: a generated corpus of hostile programs, each of which must stop
// at the budget that bounds it, with an error naming it; and ordinary programs, which must not
// notice the budgets at all. Budgets here are small, so every case ends in milliseconds.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  AttributeObject,
  callFunction,
  compileModule,
  execModule,
  fromJSON,
  JSON_MODULE,
  repr,
  STRUCT_BUILTIN,
  type BudgetKind,
  type DialectOptions,
  type ExecResult,
  type Limits,
  type Value,
} from '../../src/starlark/index.js';
import { runChunkedFile } from './support/runner.js';

/** The placement defaults divided by 32 (the call depth aside). */
const LIMITS: Partial<Limits> = {
  maxSteps: 312_500,
  maxAllocation: 312_500,
  maxCallDepth: 50,
  maxStringBytes: 32 * 1024,
  maxElements: 3_125,
};

function run(source: string, limits: Partial<Limits> = LIMITS, dialect: Partial<DialectOptions> = {}): ExecResult {
  const compiled = compileModule(source, 'hostile.star', { dialect, predeclared: ['json', 'struct'] });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return execModule(compiled.module, { predeclared: { json: JSON_MODULE, struct: STRUCT_BUILTIN }, limits });
}

/** A program whose top level calls f(), whose body is `body` (lines joined, indented). */
function inFunction(...body: string[]): string {
  return `def f():\n${body.map((line) => `    ${line}`).join('\n')}\nf()\n`;
}

/** Statements building t = (t, t) sixty times: 2^60 leaves, 61 distinct tuples. */
const DAG = ['t = ()', 'for i in range(60):', '    t = (t, t)'];
/** c is a 1000 x 1000 x 1000 tuple of zeros with one tuple per level; c2 equals it. */
const WIDE = ['a = tuple([0] * 1000)', 'b = tuple([a] * 1000)', 'c = tuple([b] * 1000)', 'c2 = tuple([tuple([tuple([0] * 1000)] * 1000)] * 1000)'];

interface HostileCase {
  name: string;
  kind: BudgetKind;
  source: string;
  dialect?: Partial<DialectOptions>;
}

const HOSTILE: HostileCase[] = [
  { name: 'a runaway loop', kind: 'work', source: inFunction('for i in range(1000000000):', '    pass') },
  { name: 'many lists, each under the size cap', kind: 'allocation', source: 'x = [[0] * 3000 for i in range(100000)]\n' },
  { name: 'one list over the size cap', kind: 'elements', source: 'x = [0] * 20000\n' },
  { name: 'one string over the size cap', kind: 'string', source: 'x = "ab" * 40000\n' },
  { name: 'a deep call chain', kind: 'depth', source: `${Array.from({ length: 60 }, (_, i) => `def f${i}():\n    return f${i + 1}()\n`).join('')}def f60():\n    return 0\nx = f0()\n` },
  { name: 'deep recursion', kind: 'depth', source: 'def f(n):\n    return f(n + 1)\nf(0)\n', dialect: { recursion: true } },
  { name: 'a list nested too deep to print', kind: 'depth', source: inFunction('x = []', 'for i in range(30000):', '    x = [x]', 'return str(x)') },
  { name: 'hashing a tuple DAG as a dict key', kind: 'allocation', source: inFunction(...DAG, 'd = {t: 1}') },
  { name: 'hashing a tuple DAG for a dict lookup', kind: 'allocation', source: inFunction(...DAG, 'return t in {}') },
  { name: 'hashing a tuple DAG as a set element', kind: 'allocation', source: inFunction(...DAG, 'return set([t])'), dialect: { set: true } },
  { name: 'comparing wide shared tuples for equality', kind: 'work', source: inFunction(...WIDE, 'return c == c2') },
  { name: 'ordering wide shared tuples', kind: 'work', source: inFunction(...WIDE, 'return c < c2') },
  { name: 'looking for a wide shared tuple in a list', kind: 'work', source: inFunction(...WIDE, 'return c in [1, c2]') },
  { name: 'str of a tuple DAG', kind: 'string', source: inFunction(...DAG, 'return str(t)') },
  { name: 'repr of a tuple DAG inside a list', kind: 'string', source: inFunction(...DAG, 'return repr([t])') },
  { name: 'formatting a tuple DAG with %', kind: 'string', source: inFunction(...DAG, 'return "%s" % (t,)') },
  { name: 'formatting a tuple DAG with format', kind: 'string', source: inFunction(...DAG, 'return "{}".format(t)') },
  { name: 'json.encode of a tuple DAG', kind: 'string', source: inFunction(...DAG, 'return json.encode(t)') },
  { name: 'str of a list shared a thousand times', kind: 'string', source: inFunction('l = [[0] * 1000] * 1000', 'return str(l)') },
  { name: 'printing a tuple DAG', kind: 'string', source: inFunction(...DAG, 'print(t)') },
  { name: 'slicing a long string again and again', kind: 'allocation', source: inFunction('s = "x" * 30000', 'for i in range(1000000):', '    y = s[1:]') },
  { name: 'slicing a long string with a step', kind: 'allocation', source: inFunction('s = "x" * 30000', 'for i in range(1000000):', '    y = s[::3]') },
  { name: 'slicing a long list again and again', kind: 'allocation', source: inFunction('l = [0] * 3000', 'for i in range(1000000):', '    m = l[1:]') },
  { name: 'sorting values that are expensive to compare', kind: 'work', source: inFunction(...WIDE, 'return sorted([c, c2, c, c2])') },
  { name: 'sorting with an expensive key', kind: 'allocation', source: inFunction('return sorted(range(3000), key = lambda x: str(x) * 100)') },
  { name: 'squaring a big int again and again', kind: 'work', source: inFunction('x = 10', 'for i in range(30):', '    x = x * x') },
  { name: 'growing a big int by products', kind: 'allocation', source: inFunction('x = 1 << 500', 'for i in range(1000000):', '    x = x * (1 << 500)') },
  { name: 'dividing big ints', kind: 'work', source: inFunction('x = 7', 'for i in range(16):', '    x = x * x', 'for i in range(1000000):', '    y = x // (x // 3 + 1)') },
  { name: 'printing a big int again and again', kind: 'work', source: inFunction('x = 7', 'for i in range(16):', '    x = x * x', 'for i in range(1000000):', '    s = str(x)') },
  { name: 'formatting a big int with %d', kind: 'work', source: inFunction('x = 7', 'for i in range(16):', '    x = x * x', 'for i in range(1000000):', '    s = "%d" % x') },
  { name: 'int() of a long run of digits', kind: 'work', source: inFunction('return int("1" * 30000)') },
  { name: 'json.decode of a long run of digits', kind: 'work', source: inFunction('s = "1" * 30000', 'for i in range(1000000):', '    x = json.decode(s)') },
  { name: 'dict keys that V8 hashes alike', kind: 'work', source: inFunction('p = "x" * 16400', 'ks = [p + str(i) for i in range(5)]', 'd = {k: 1 for k in ks}', 'for i in range(1000000):', '    x = ks[i % 5] in d') },
  { name: 'items() of a big dict again and again', kind: 'allocation', source: inFunction('d = {i: i for i in range(3000)}', 'for i in range(1000000):', '    x = d.items()') },
  { name: 'repeating a string again and again', kind: 'allocation', source: inFunction('for i in range(1000000):', '    s = "x" * 30000') },
  { name: 'joining strings again and again', kind: 'allocation', source: inFunction('l = ["x" * 100] * 300', 'for i in range(1000000):', '    s = ",".join(l)') },
  { name: 'a format that repeats a long argument', kind: 'string', source: inFunction('a = "x" * 1000', 'return ("{0}" * 10000).format(a)') },
  { name: 'a % format that repeats a long argument', kind: 'string', source: inFunction('a = "x" * 1000', 'return ("%s" * 3000) % tuple([a] * 3000)') },
  { name: 'a replace that multiplies a string', kind: 'string', source: inFunction('return ("x" * 10000).replace("x", "y" * 100)') },
  { name: 'replacing in a long string again and again', kind: 'allocation', source: inFunction('s = "ab" * 15000', 'for i in range(1000000):', '    t = s.replace("a", "c")') },
  { name: 'building a string by repeated concatenation', kind: 'allocation', source: inFunction('s = ""', 'for i in range(1000000):', '    s = s + "xxxxxxxxxx"') },
  { name: 'comparing long equal strings', kind: 'work', source: inFunction('a = "x" * 30000', 'b = "x" * 29999 + "x"', 'for i in range(1000000):', '    c = a == b') },
  { name: 'ordering long strings', kind: 'work', source: inFunction('a = "x" * 30000', 'b = "x" * 29999 + "y"', 'for i in range(1000000):', '    c = a < b') },
  { name: 'searching a long string', kind: 'work', source: inFunction('a = "x" * 30000', 'for i in range(1000000):', '    c = "y" in a') },
  { name: 'string methods over a long string', kind: 'work', source: inFunction('a = "x" * 30000', 'for i in range(1000000):', '    c = a.count("y") + a.find("y") + len(a.strip("x"))') },
  { name: 'case mapping a long non-ASCII string', kind: 'work', source: inFunction('a = "é" * 15000', 'for i in range(1000000):', '    c = a.upper()') },
  { name: 'hashing a long string', kind: 'work', source: inFunction('a = "x" * 30000', 'for i in range(1000000):', '    c = hash(a)') },
  { name: 'splitting a long string', kind: 'elements', source: inFunction('return ("x " * 15000).split(" ")') },
  { name: 'looking for a value in a long list', kind: 'work', source: inFunction('l = list(range(3000))', 'for i in range(1000000):', '    c = -1 in l') },
  { name: 'emptying a list from the front', kind: 'work', source: inFunction('l = list(range(3000))', 'for i in range(3000):', '    l.pop(0)') },
  { name: 'inserting at the front of a list', kind: 'work', source: inFunction('l = list(range(3000))', 'for i in range(1000000):', '    l.insert(0, 1)', '    l.pop()') },
  { name: 'materialising a huge range', kind: 'allocation', source: inFunction('return list(range(1000000000))') },
  { name: 'sorting a huge range', kind: 'allocation', source: inFunction('return sorted(range(1000000000))') },
  { name: 'zipping huge ranges', kind: 'elements', source: inFunction('return zip(range(1000000000), range(1000000000))') },
  { name: 'spreading a huge range into a call', kind: 'allocation', source: inFunction('def g(*args):', '    return len(args)', 'return g(*range(1000000000))') },
  { name: 'spreading a big dict into keyword arguments', kind: 'work', source: inFunction('def g(**kw):', '    return len(kw)', 'd = {str(i): i for i in range(3000)}', 'for i in range(1000000):', '    g(**d)') },
  { name: 'formatting tiny floats exactly', kind: 'work', source: inFunction('for i in range(1000000):', '    s = "%f" % 5e-324') },
  { name: 'a long tuple as a dict key', kind: 'allocation', source: inFunction('t = tuple(range(3000))', 'd = {}', 'for i in range(1000000):', '    d[t] = i') },
  { name: 'creating closures', kind: 'allocation', source: inFunction('fs = [lambda: i for i in range(3000)]', 'return [fs + [] for i in range(1000)]') },
  { name: 're-indenting deeply nested JSON', kind: 'string', source: inFunction('return json.indent("[" * 300 + "]" * 300, indent = " " * 100)') },
  { name: 'calling a function with many locals', kind: 'allocation', source: `def g():\n    if False:\n${Array.from({ length: 3000 }, (_, i) => `        v${i} = ${i}\n`).join('')}    return 0\n${inFunction('for i in range(1000000):', '    g()')}` },
  { name: 'a format that looks names up among many keywords', kind: 'work', source: inFunction('d = {"k%d" % i: i for i in range(3000)}', 'return ("{k0}" * 5000).format(**d)') },
  { name: 'hasattr on a value with many fields', kind: 'work', source: inFunction('s = struct(**{"f%d" % i: i for i in range(3000)})', 'for i in range(1000000):', '    x = hasattr(s, "missing")') },
  { name: 'a struct with many fields', kind: 'work', source: inFunction('d = {str(i): i for i in range(3000)}', 'return [struct(**d) for i in range(1000)]') },
  { name: 'a runaway while loop', kind: 'work', source: inFunction('while True:', '    pass'), dialect: { while: true } },
  { name: 'a while loop at top level', kind: 'work', source: 'n = 0\nwhile n >= 0:\n    n += 1\n', dialect: { while: true, topLevelControl: true, globalReassign: true } },
  { name: 'one bytes over the size cap', kind: 'string', source: 'x = b"ab" * 40000\n' },
  { name: 'repeating bytes again and again', kind: 'allocation', source: inFunction('for i in range(1000000):', '    s = b"x" * 30000') },
  { name: 'slicing long bytes again and again', kind: 'allocation', source: inFunction('s = b"x" * 30000', 'for i in range(1000000):', '    y = s[1:]') },
  { name: 'bytes of a long string again and again', kind: 'work', source: inFunction('a = "é" * 15000', 'for i in range(1000000):', '    b = bytes(a)') },
  { name: 'bytes of the elems of long bytes', kind: 'work', source: inFunction('a = b"x" * 30000', 'for i in range(1000000):', '    b = bytes(a.elems())') },
  { name: 'comparing long equal bytes', kind: 'work', source: inFunction('a = b"x" * 30000', 'b = bytes("x" * 30000)', 'for i in range(1000000):', '    c = a == b') },
  { name: 'searching long bytes', kind: 'work', source: inFunction('a = b"x" * 30000', 'for i in range(1000000):', '    c = b"y" in a or 121 in a') },
  { name: 'hashing long bytes', kind: 'work', source: inFunction('a = b"x" * 30000', 'for i in range(1000000):', '    c = hash(a)') },
  { name: 'long bytes as a dict key', kind: 'allocation', source: inFunction('a = b"x" * 30000', 'd = {}', 'for i in range(1000000):', '    d[a] = i') },
  { name: 'printing long bytes again and again', kind: 'work', source: inFunction('a = b"x" * 30000', 'for i in range(1000000):', '    s = str(a)') },
  { name: 'a huge range of big ints', kind: 'allocation', source: inFunction('return list(range(1 << 62, (1 << 62) + 1000000000))') },
  { name: 'stepping through a range above 2^53', kind: 'work', source: inFunction('for x in range(1 << 60, 1 << 61):', '    pass') },
];

describe('a hostile program stops at the budget that bounds it', () => {
  for (const c of HOSTILE) {
    test(`${c.name}: ${c.kind}`, () => {
      const result = run(c.source, LIMITS, c.dialect);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect({ kind: result.error.budget?.kind, message: result.error.message }).toMatchObject({ kind: c.kind });
    });
  }
});

describe('budget errors', () => {
  test('name the budget and its limit in plain words', () => {
    const message = (source: string, limits: Partial<Limits>) => {
      const result = run(source, limits);
      return result.ok ? 'ok' : result.error.message;
    };
    expect(message(inFunction('for i in range(100000):', '    pass'), { maxSteps: 10_000 })).toBe('Starlark work budget of 10,000 units exceeded');
    expect(message('x = [[0] * 1000 for i in range(100)]\n', { maxAllocation: 20_000 })).toBe('Starlark allocation budget of 20,000 elements and bytes exceeded');
    expect(message('x = "ab" * 1000\n', { maxStringBytes: 100 })).toBe('Starlark string length limit of 100 bytes exceeded (2000 bytes)');
    expect(message('x = [0] * 1000\n', { maxElements: 100 })).toBe('Starlark collection size limit of 100 elements exceeded (1000 elements)');
  });

  test('carry the budget kind and limit for the host', () => {
    const result = run(inFunction('for i in range(100000):', '    pass'), { maxSteps: 10_000 });
    expect(!result.ok && result.error.budget).toEqual({ kind: 'work', limit: 10_000 });
  });

  test('are absent from ordinary errors', () => {
    const result = run('x = 1 // 0\n');
    expect(!result.ok && result.error.message).toBe('floored division by zero');
    expect(!result.ok && result.error.budget).toBeUndefined();
  });

  test('keep the backtrace position of the operation that ran out', () => {
    const result = run('def f():\n    x = [0] * 1000\n    return x + x\ny = f()\n', { maxAllocation: 1_500 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.budget?.kind).toBe('allocation');
    expect(result.error.backtrace).toBe(
      'Traceback (most recent call last):\n  hostile.star:4:6: in <toplevel>\n  hostile.star:3:14: in f\nError: Starlark allocation budget of 1,500 elements and bytes exceeded',
    );
  });

  test('reach the host through callFunction too', () => {
    const mod = run('def spin(n):\n    for i in range(n):\n        pass\n', {});
    if (!mod.ok) throw new Error(mod.error.message);
    const result = callFunction(mod.globals.get('spin') as Value, [1_000_000], {}, { limits: { maxSteps: 1_000 } });
    expect(!result.ok && result.error.budget).toEqual({ kind: 'work', limit: 1_000 });
  });

  test('cannot be caught by the operations that catch ordinary errors', () => {
    // `in` on a dict treats an unhashable key as absent, getattr falls back to its default,
    // hasattr to false, and sorted() keeps going after a failed comparison; none of them may
    // swallow a budget.
    const dagIn = run(inFunction(...DAG, 'return t in {}'));
    expect(!dagIn.ok && dagIn.error.budget?.kind).toBe('allocation');
    const dagSort = run(inFunction(...WIDE, 'return sorted([c, c2, c, 1])'));
    expect(!dagSort.ok && dagSort.error.budget?.kind).toBe('work');
    // A host value whose field converts (here, into a big dict) during the lookup.
    const fields = { big: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])) };
    const thing = new AttributeObject('thing', fields, (_name, raw) => fromJSON(raw));
    for (const source of ['x = getattr(thing, "big", None)\n', 'x = hasattr(thing, "big")\n']) {
      const compiled = compileModule(source, 'host.star', { predeclared: ['thing'] });
      if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
      const result = execModule(compiled.module, { predeclared: { thing }, limits: { maxAllocation: 1_000 } });
      expect(!result.ok && result.error.budget?.kind).toBe('allocation');
    }
  });
});

describe('the time budget', () => {
  test('uses the clock the host injects, and names the limit', () => {
    let now = 0;
    const limits: Partial<Limits> = { maxMillis: 5, now: () => (now += 1) };
    const result = run(inFunction('for i in range(1000000000):', '    pass'), limits);
    expect(!result.ok && result.error.message).toBe('Starlark time budget of 5 ms exceeded');
    expect(!result.ok && result.error.budget).toEqual({ kind: 'time', limit: 5 });
  });

  test('states whole seconds in seconds', () => {
    let now = 0;
    const result = run(inFunction('for i in range(1000000000):', '    pass'), { maxMillis: 2_000, now: () => (now += 1_000) });
    expect(!result.ok && result.error.message).toBe('Starlark time budget of 2 s exceeded');
  });

  test('does not apply without a clock', () => {
    expect(run(inFunction('for i in range(100000):', '    pass'), { maxMillis: 0 }).ok).toBe(true);
  });
});

describe('ordinary programs', () => {
  const fixtures = join(import.meta.dirname, 'fixtures');
  const generous: Partial<Limits> = { maxSteps: 10_000_000, maxAllocation: 10_000_000, maxStringBytes: 1 << 20, maxElements: 100_000, maxCallDepth: 200 };

  describe('run the language samples unchanged under budgets', () => {
    for (const result of runChunkedFile(join(fixtures, 'language.star'), 'exec', { assertStar: join(fixtures, 'assert.star'), limits: generous })) {
      test(`chunk ${result.chunk} at line ${result.line} passes`, () => {
        expect(result.problems).toEqual([]);
      });
    }
  });

  test('print the same values with and without budgets', () => {
    const source = [
      'd = {str(i): (i, [i] * 3, {"k": i * 1.5, "big": (1 << 70) + i}) for i in range(200)}',
      'x = [repr(d), str(sorted(d.items())), "%r|%s|%d" % (d["7"], d["8"], 1 << 80), json.encode(d), "{}".format(d["9"]), hash("abc" * 30)]',
    ].join('\n');
    const printed = (limits: Partial<Limits>) => {
      const result = run(source, limits);
      return result.ok ? repr(result.globals.get('x') as Value) : result.error.message;
    };
    expect(printed(generous)).toBe(printed({}));
    expect(printed(generous)).toContain('1180591620717411303424');
  });

  test('keep working right up to the budget', () => {
    // A unit for the call and a quarter per local (n, i), one per statement of the body, one
    // for calling range(), and two per iteration (the iteration and its statement): 4.5 + 2n.
    const mod = run('def spin(n):\n    for i in range(n):\n        pass\n    return n\n', {});
    if (!mod.ok) throw new Error(mod.error.message);
    const spin = mod.globals.get('spin') as Value;
    expect(callFunction(spin, [100], {}, { limits: { maxSteps: 205 } }).ok).toBe(true);
    expect(callFunction(spin, [101], {}, { limits: { maxSteps: 205 } }).ok).toBe(false);
  });

  test('find big int keys by equal floats, as before', () => {
    const result = run('d = {1 << 64: "a", -(1 << 70): "b", 3: "c"}\nx = [d[float(1 << 64)], d[-(1 << 70)], list(d), (1 << 64) in d, float(1 << 70) in d]\n', {});
    expect(result.ok && repr(result.globals.get('x') as Value)).toBe('["a", "b", [18446744073709551616, -1180591620717411303424, 3], True, False]');
  });

  test('pop dict items in insertion order, also after a popped key comes back', () => {
    const result = run(
      inFunction(
        'd = {"a": 1, "b": 2, "c": 3}',
        'first = d.popitem()',
        'd["a"] = 4',
        'rest = [d.popitem(), d.popitem(), d.popitem()]',
        'if [first] + rest != [("a", 1), ("b", 2), ("c", 3), ("a", 4)]:',
        '    fail(first, rest)',
        'd = {i: i for i in range(1000)}',
        'for i in range(999):',
        '    d.popitem()',
        'if d.popitem() != (999, 999) or len(d) != 0:',
        '    fail("drained wrongly")',
      ),
      {},
    );
    expect(result.ok || result.error.message).toBe(true);
  });
});
