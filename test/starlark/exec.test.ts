// Running modules and calling functions: output, modules, freezing, backtraces, host
// functions, and the resource limits that bound a script.

import { describe, expect, test } from 'vitest';
import {
  callFunction,
  compileModule,
  execModule,
  hostFunction,
  makeModule,
  None,
  repr,
  toJSON,
  type CompiledModule,
  type ExecOptions,
  type Limits,
  type Value,
} from '../../src/starlark/index.js';

function compiled(source: string, predeclared: string[] = []): CompiledModule {
  const result = compileModule(source, 'test.star', { predeclared });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.module;
}

function run(source: string, options: ExecOptions = {}) {
  return execModule(compiled(source, Object.keys(options.predeclared ?? {})), options);
}

describe('execModule', () => {
  test('returns the globals, in definition order', () => {
    const result = run('b = 2\na = [b, "x"]\n');
    expect(result.ok && [...result.globals.keys()]).toEqual(['b', 'a']);
    expect(result.ok && toJSON(result.globals.get('a') as Value)).toEqual([2, 'x']);
  });

  test('sends print() output to the host, decoded as UTF-8', () => {
    const lines: string[] = [];
    run('print("héllo", 1, [2], sep = "|")', { print: (m) => lines.push(m) });
    expect(lines).toEqual(['héllo|1|[2]']);
  });

  test('loads host-provided modules only', () => {
    const options: ExecOptions = { load: (name) => (name === 'lib.star' ? { answer: 42 } : undefined) };
    const ok = run('load("lib.star", "answer")\nx = answer + 1', options);
    expect(ok.ok && ok.globals.get('x')).toBe(43);
    const missing = run('load("other.star", "y")', options);
    expect(!missing.ok && missing.error.message).toBe('cannot load other.star: module not found');
    const typo = run('load("lib.star", "answr")', options);
    expect(!typo.ok && typo.error.message).toBe('load: name answr not found in module lib.star (did you mean answer?)');
  });

  test('freezes module values once the module has run', () => {
    const mod = run('items = [1]\ndef add(x):\n    items.append(x)\n');
    if (!mod.ok) throw new Error(mod.error.message);
    const result = callFunction(mod.globals.get('add') as Value, [2]);
    expect(!result.ok && result.error.message).toBe('append: cannot append to frozen list');
  });

  test('reports failures with a starlark-go backtrace', () => {
    const result = run('def f(x):\n    return 1 // x\ndef g():\n    return f(0)\ng()\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe('floored division by zero');
    expect(result.error.backtrace).toBe(
      'Traceback (most recent call last):\n  test.star:5:2: in <toplevel>\n  test.star:4:13: in g\n  test.star:2:14: in f\nError: floored division by zero',
    );
    expect(result.error.frames.map((f) => [f.function, f.line])).toEqual([
      ['<toplevel>', 5],
      ['g', 4],
      ['f', 2],
    ]);
  });

  test('names the built-in a failure came from', () => {
    const result = run('x = ",".join([1])');
    expect(!result.ok && result.error.backtrace).toBe('Traceback (most recent call last):\n  test.star:1:13: in <toplevel>\nError in join: join: in list, want string, got int');
  });
});

describe('host functions', () => {
  test('receive arguments and return values; their errors fail the call at the call site', () => {
    const double = hostFunction('double', ([x]) => {
      if (typeof x !== 'number') throw new Error(`double: want int, got ${repr(x)}`);
      return x * 2;
    });
    const ok = run('y = double(21)', { predeclared: { double } });
    expect(ok.ok && ok.globals.get('y')).toBe(42);
    const bad = run('y = double("x")', { predeclared: { double } });
    expect(!bad.ok && bad.error.backtrace).toBe('Traceback (most recent call last):\n  test.star:1:11: in <toplevel>\nError in double: double: want int, got "x"');
  });

  test('callFunction passes keyword arguments', () => {
    const mod = run('def f(a, b = 2):\n    return (a, b)\n');
    if (!mod.ok) throw new Error(mod.error.message);
    const result = callFunction(mod.globals.get('f') as Value, [], { a: 1, b: 3 });
    expect(result.ok && toJSON(result.value)).toEqual([1, 3]);
  });

  test('module values group host members under a name', () => {
    const result = run('x = tools.inc(1)', { predeclared: { tools: makeModule('tools', { inc: hostFunction('inc', ([v]) => (v as number) + 1) }) } });
    expect(result.ok && result.globals.get('x')).toBe(2);
  });
});

describe('limits', () => {
  const loop = 'def spin():\n    for i in range(1000000000):\n        pass\nspin()\n';
  const limited = (source: string, limits: Partial<Limits>) => run(source, { limits });

  test('stop a runaway loop at the work budget, naming it', () => {
    const result = limited(loop, { maxSteps: 10_000 });
    expect(!result.ok && result.error.message).toBe('Starlark work budget of 10,000 units exceeded');
  });

  test('stop deep call chains at the depth limit', () => {
    const chain = Array.from({ length: 30 }, (_, i) => `def f${i}():\n    return f${i + 1}()\n`).join('') + 'def f30():\n    return 0\nx = f0()\n';
    const result = limited(chain, { maxCallDepth: 10 });
    expect(!result.ok && result.error.message).toBe('Starlark stack overflow: call depth limit of 10 exceeded');
    expect(limited(chain, { maxCallDepth: 40 }).ok).toBe(true);
  });

  test('bound string and collection sizes', () => {
    expect(limited('x = "ab" * 1000', { maxStringBytes: 100 })).toMatchObject({
      ok: false,
      error: { message: 'Starlark string length limit of 100 bytes exceeded (2000 bytes)' },
    });
    expect(limited('x = [0] * 1000', { maxElements: 100 })).toMatchObject({
      ok: false,
      error: { message: 'Starlark collection size limit of 100 elements exceeded (1000 elements)' },
    });
    expect(limited('def f():\n    d = {}\n    for i in range(200):\n        d[i] = i\nf()\n', { maxElements: 100 }).ok).toBe(false);
    expect(limited('def f():\n    return [i for i in range(50)]\nx = f()\n', { maxElements: 100 }).ok).toBe(true);
  });

  test('apply per call, so one call cannot use up another call’s budget', () => {
    const mod = run('def work(n):\n    t = 0\n    for i in range(n):\n        t += i\n    return t\n');
    if (!mod.ok) throw new Error(mod.error.message);
    const work = mod.globals.get('work') as Value;
    for (let i = 0; i < 3; i++) expect(callFunction(work, [4000], {}, { limits: { maxSteps: 10_000 } }).ok).toBe(true);
    expect(callFunction(work, [20000], {}, { limits: { maxSteps: 10_000 } }).ok).toBe(false);
  });
});

describe('determinism', () => {
  test('the same program gives the same output every time (no clock, no randomness)', () => {
    const source = 'def f():\n    d = {str(i): i * i for i in range(50)}\n    return [hash(k) for k in d] + sorted(d.values(), reverse = True)\nx = f()\n';
    const outputs = Array.from({ length: 3 }, () => {
      const result = run(source);
      return result.ok ? repr(result.globals.get('x') ?? None) : '';
    });
    expect(new Set(outputs).size).toBe(1);
  });
});

describe('freezing', () => {
  test('handles deep and self-referencing values without exhausting the stack', () => {
    const deep = run('def build():\n    x = []\n    for i in range(100000):\n        x = [x]\n    return x\nX = build()\n');
    expect(deep.ok).toBe(true);
    // starlark-go itself overflows its stack freezing this closure, whose cell holds itself.
    const selfCapture = run('def outer():\n    def g():\n        return g\n    return g\nh = outer()\n');
    expect(selfCapture.ok).toBe(true);
  });
});
