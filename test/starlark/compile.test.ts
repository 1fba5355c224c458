// compileModule reports every problem with a position and never throws, whatever the input.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compileModule } from '../../src/starlark/index.js';

describe('compileModule', () => {
  test('compiles a valid module and lists its top-level functions with their parameters', () => {
    const result = compileModule('def placement(instance, batch, *rest, **extra):\n    pass\nX = 1\n', 'p.star');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.module.functions.get('placement')).toEqual({ name: 'placement', params: ['instance', 'batch', '*rest', '**extra'], line: 1, column: 1 });
  });

  test('reports a syntax error with its line, column and starlark-go wording', () => {
    const result = compileModule('x = (1,\n', 'bad.star');
    expect(result).toEqual({ ok: false, errors: [{ kind: 'syntax', line: 2, column: 1, message: "got end of file, want ')'" }] });
  });

  test('reports independent syntax errors in later top-level statements too', () => {
    const result = compileModule('def f(:\n    pass\n\ny = 1 +\n\nz = [1, 2\n', 'bad.star');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.kind, e.line])).toEqual([
      ['syntax', 1],
      ['syntax', 4],
      ['syntax', 7],
    ]);
  });

  test('reports every resolve error, sorted by position', () => {
    const result = compileModule('x = 1\ndef f():\n    return undefined_a\nx = 2\nbreak\n', 'r.star');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { kind: 'resolve', line: 3, column: 12, message: 'undefined: undefined_a' },
      { kind: 'resolve', line: 4, column: 1, message: 'cannot reassign global x declared at r.star:1:1' },
      { kind: 'resolve', line: 5, column: 1, message: 'break not in a loop' },
    ]);
  });

  test('suggests the name that was probably meant', () => {
    const result = compileModule('hostname = "x"\ndef f():\n    return hostnme\n', 's.star');
    expect(!result.ok && result.errors[0].message).toBe('undefined: hostnme (did you mean hostname?)');
  });

  test('knows only the predeclared names it is told about', () => {
    expect(compileModule('set_target("x")', 'p.star').ok).toBe(false);
    expect(compileModule('set_target("x")', 'p.star', { predeclared: ['set_target'] }).ok).toBe(true);
  });

  test('keeps dialect features behind their options', () => {
    const src = 'def f():\n    while True:\n        break\n';
    expect(compileModule(src, 'w.star').ok).toBe(false);
    expect(compileModule(src, 'w.star', { dialect: { recursion: true } }).ok).toBe(false);
    expect(compileModule(src, 'w.star', { dialect: { while: true } }).ok).toBe(true);
    expect(compileModule('s = set()', 's.star').ok).toBe(false);
    expect(compileModule('s = set()', 's.star', { dialect: { set: true } }).ok).toBe(true);
    const topLevel = 'x = 1\nif x:\n    x = 2\n';
    expect(compileModule(topLevel, 't.star', { dialect: { globalReassign: true } }).ok).toBe(false);
    expect(compileModule(topLevel, 't.star', { dialect: { globalReassign: true, topLevelControl: true } }).ok).toBe(true);
  });

  test('counts columns in characters, not bytes', () => {
    const result = compileModule('s = "é€😀" + undefined_x\n', 'u.star');
    expect(!result.ok && result.errors[0]).toMatchObject({ line: 1, column: 13 });
  });

  test('never throws, whatever the source', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (source) => {
        const result = compileModule(source, 'fuzz.star');
        if (!result.ok) {
          for (const e of result.errors) {
            expect(e.line).toBeGreaterThanOrEqual(1);
            expect(e.message.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 500 },
    );
    const pieces = ['def', 'f', '(', ')', ':', '\n', '    ', 'x', '=', '1', '[', ']', 'for', 'in', 'lambda', '"s', "'''", '#', '\\', ',', 'load', 'if', 'else'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), (tokens) => {
        compileModule(tokens.join(' '), 'tokens.star');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('nesting limits', () => {
  test.each([
    ['nested brackets', `x = ${'['.repeat(500)}${']'.repeat(500)}`, 'code is nested too deeply (more than 100 levels)'],
    ['nested calls', `x = ${'str('.repeat(500)}1${')'.repeat(500)}`, 'code is nested too deeply (more than 100 levels)'],
    ['a chain of unary minus', `x = ${'-'.repeat(500)}1`, 'code is nested too deeply (more than 100 levels)'],
    ['nested blocks', `def f():\n${Array.from({ length: 150 }, (_, i) => `${' '.repeat(i + 1)}if True:`).join('\n')}\n${' '.repeat(152)}pass\n`, 'code is nested too deeply (more than 100 levels)'],
    ['a 20,000-term sum', `x = ${Array(20000).fill('1').join(' + ')}`, 'expression is nested too deeply (more than 1000 levels)'],
    ['a long index chain', `x = [1]${'[0]'.repeat(5000)}`, 'expression is nested too deeply (more than 1000 levels)'],
  ])('reports %s as a syntax error instead of crashing', (_what, source, message) => {
    const result = compileModule(source, 'deep.star');
    expect(!result.ok && result.errors[0]).toMatchObject({ kind: 'syntax', message });
  });

  test('accepts nesting just inside the limits, and runs it', async () => {
    const { execModule } = await import('../../src/starlark/index.js');
    const source = `x = ${'('.repeat(99)}${Array(900).fill('1').join(' + ')}${')'.repeat(99)}\ny = ${'str('.repeat(98)}1${')'.repeat(98)}\n`;
    const result = compileModule(source, 'deep.star');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const run = execModule(result.module);
    expect(run.ok && [run.globals.get('x'), run.globals.get('y')]).toEqual([900, '1']);
  });
});
