import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, compileExpression, expressionView, interpret } from '../../src/expr/index.js';
import { normalizeInstance } from '../../src/model/instance.js';

const view = expressionView(normalizeInstance({
  uuid: 'u-1',
  name: 'a'.repeat(50_000),
  location: '/DC1/vm/x',
  config: { 'tag.list': Array.from({ length: 1000 }, (_, i) => `t${i}`).join(',') },
  disks: Array.from({ length: 200 }, (_, i) => ({ name: `[ds] d${i}.vmdk` })),
}));

function compileErrorCodes(source: string, limits = {}): string[] {
  const result = compileExpression(source, { limits });
  return result.ok ? [] : result.errors.map((error) => error.code);
}

describe('only the instance data is reachable', () => {
  it.each([
    ['__proto__', 'expr-unknown-field'],
    ['constructor', 'expr-unknown-field'],
    ['toString', 'expr-unknown-field'],
    ['overrides', 'expr-unknown-field'],
    ['disks.constructor', 'expr-type'],
    ['disks[0].constructor', 'expr-unknown-field'],
    ['disks[0].__proto__', 'expr-unknown-field'],
    ["disks[0]['constructor']", 'expr-unknown-field'],
    ['name.length', 'expr-type'],
    ['process', 'expr-unknown-field'],
    ['globalThis', 'expr-unknown-field'],
  ])('%s is not a field (%s)', (source, code) => {
    expect(compileErrorCodes(`${source} == nil`)).toEqual([code]);
  });

  it.each(['eval', 'require', 'Function', 'constructor', 'toString', 'hasOwnProperty', 'setTimeout'])('%s() is not a function', (name) => {
    expect(compileErrorCodes(`${name}('1') == nil`)).toEqual(['expr-unknown-function']);
  });

  it.each(["name.toString()", "disks.map(1)", "config.get('x')", "location.constructor('x')"])('%s: only the time package\'s methods can be called', (source) => {
    expect(compileErrorCodes(`${source} == nil`)).toEqual(['expr-unknown-field']);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('config[%j] is a missing key, the empty string', (key) => {
    const result = compileExpression(`config['${key}'] == '' and not ('${key}' in config) and config.${key} == ''`);
    if (!result.ok) throw new Error(result.errors[0]!.message);
    expect(result.expression.matches(view)).toEqual({ ok: true, value: true });
    expect(interpret(result.expression.ast, view)).toEqual({ ok: true, value: true });
  });

  it('reads a struct field named like a prototype property only when it is an own field, at run time too', () => {
    const result = compileExpression(`(tpm ? disks[0] : nics)['constructor'] == nil`);
    if (!result.ok) throw new Error(result.errors[0]!.message);
    const outcome = result.expression.matches(view);
    expect(outcome.ok ? outcome : outcome.error.code).toBe('expr-type');
    const struct = compileExpression(`(tpm ? nics : disks[0])['constructor'] == nil`);
    if (!struct.ok) throw new Error(struct.errors[0]!.message);
    const fromStruct = struct.expression.matches(view);
    expect(fromStruct.ok ? fromStruct : fromStruct.error).toMatchObject({ code: 'expr-unknown-field', message: 'disk has no field "constructor"' });
    expect(interpret(struct.expression.ast, view)).toEqual(fromStruct);
  });

  it('does not let a parse change jsep for other users in the process', async () => {
    const jsep = (await import('jsep')).default;
    compileExpression(`name matches 'x' and not tpm`);
    expect(jsep('a === b && c')).toMatchObject({ type: 'BinaryExpression', operator: '&&' });
    expect(jsep('a and b')).toMatchObject({ type: 'Compound' });
  });
});

describe('limits', () => {
  it('rejects a source longer than the limit, pointing at the first character past it', () => {
    const source = `name == '${'x'.repeat(DEFAULT_LIMITS.maxLength)}'`;
    const result = compileExpression(source);
    expect(result.ok ? [] : result.errors).toEqual([{
      code: 'expr-too-long',
      message: `the expression is ${source.length} characters long; the limit is ${DEFAULT_LIMITS.maxLength}`,
      offset: DEFAULT_LIMITS.maxLength,
      length: source.length - DEFAULT_LIMITS.maxLength,
    }]);
  });

  it('rejects parentheses nested deeper than the limit at the first one too deep', () => {
    const source = `${'('.repeat(70)}tpm${')'.repeat(70)}`;
    const result = compileExpression(source);
    expect(result.ok ? [] : result.errors).toEqual([{ code: 'expr-too-deep', message: 'the expression nests deeper than 64 levels', offset: 64, length: 1 }]);
    expect(compileErrorCodes(`${'('.repeat(60)}tpm${')'.repeat(60)}`)).toEqual([]);
  });

  it.each([
    ['unary operators', `${'!'.repeat(4000)}tpm`],
    ['nested calls', `${'lower('.repeat(500)}name${')'.repeat(500)} == ''`],
    ['nested predicates', `${'any(disks, '.repeat(200)}true${')'.repeat(200)}`],
    ['nested conditionals', `${'tpm ? '.repeat(200)}true${' : false'.repeat(200)}`],
    ['arithmetic chains', `${'1 + '.repeat(900)}1 > 0`],
  ])('rejects deep %s without overflowing the stack', (_, source) => {
    expect(compileErrorCodes(source)).toEqual(['expr-too-deep']);
  });

  it('counts a long and/or chain as one level', () => {
    const source = Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? 'tpm' : '!tpm')).join(' or ');
    expect(compileErrorCodes(source)).toEqual([]);
  });

  it('honours limits given by the caller', () => {
    expect(compileErrorCodes('tpm and running', { maxLength: 5 })).toEqual(['expr-too-long']);
    expect(compileErrorCodes('((tpm))', { maxDepth: 1 })).toEqual(['expr-too-deep']);
  });

  it('stops an evaluation that needs more work than the budget, in both evaluators', () => {
    // 200 × 200 × 200 = 8 million predicate iterations.
    const result = compileExpression('any(disks, any(disks, any(disks, .name == "nope")))');
    if (!result.ok) throw new Error(result.errors[0]!.message);
    const expected = { ok: false, error: expect.objectContaining({ code: 'expr-budget', offset: 22, length: 27, budget: { kind: 'work', limit: DEFAULT_LIMITS.maxWork } }) };
    expect(result.expression.matches(view)).toEqual(expected);
    expect(interpret(result.expression.ast, view)).toEqual(result.expression.matches(view));
  });

  // count(disks, any(disks, false)) == 0: the root region (==, count, disks, 0), then 200 outer
  // iterations of 1 + 2 (any, disks), each with 200 inner iterations of 1 + 1 (false).
  const NESTED_WORK = 4 + 200 * 3 + 200 * 200 * 2;

  it('resets the budget for every evaluation', () => {
    const result = compileExpression('count(disks, any(disks, false)) == 0', { limits: { maxWork: NESTED_WORK } });
    if (!result.ok) throw new Error(result.errors[0]!.message);
    for (let i = 0; i < 3; i++) expect(result.expression.matches(view)).toEqual({ ok: true, value: true });
    const tight = compileExpression('count(disks, any(disks, false)) == 0', { limits: { maxWork: NESTED_WORK - 1 } });
    if (!tight.ok) throw new Error(tight.errors[0]!.message);
    expect(tight.expression.matches(view).ok).toBe(false);
  });

  it('charges split-then-search exactly like the general path', () => {
    const source = `any(split(config['tag.list'], ','), # == 't999')`;
    const result = compileExpression(source);
    if (!result.ok) throw new Error(result.errors[0]!.message);
    const interpreted = (maxWork: number) => interpret(result.expression.ast, view, { limits: { maxWork } });
    const compiled = (maxWork: number) => {
      const limited = compileExpression(source, { limits: { maxWork } });
      if (!limited.ok) throw new Error(limited.errors[0]!.message);
      return limited.expression.matches(view);
    };
    let needed = 1;
    for (let high = DEFAULT_LIMITS.maxWork; needed < high;) {
      const middle = Math.floor((needed + high) / 2);
      if (interpreted(middle).ok) high = middle;
      else needed = middle + 1;
    }
    expect(compiled(needed)).toEqual({ ok: true, value: true });
    expect(compiled(needed - 1)).toMatchObject({ ok: false, error: { code: 'expr-budget', budget: { kind: 'work', limit: needed - 1 } } });
    expect(compiled(needed - 1)).toEqual(interpreted(needed - 1));
  });
});

describe('regular expressions run in linear time', () => {
  it('matches a catastrophic-backtracking pattern against a long name quickly', () => {
    const result = compileExpression(`name matches '^(a+)+$' and not (name matches '^(a|aa)+b$')`);
    if (!result.ok) throw new Error(result.errors[0]!.message);
    const started = performance.now();
    expect(result.expression.matches(view)).toEqual({ ok: true, value: true });
    // A backtracking engine needs longer than the age of the universe here; RE2 scans once.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('rejects syntax that RE2 does not support, such as backreferences and lookbehind', () => {
    expect(compileErrorCodes(`name matches '(a)\\\\1'`)).toEqual(['expr-regex']);
    expect(compileErrorCodes(`name matches '(?<=a)b'`)).toEqual(['expr-regex']);
  });
});

describe('nothing throws', () => {
  it.each([
    ['a view that is not an instance view', {}],
    ['null', null],
    ['a view with the wrong types', { name: 5, disks: 'x', config: {} }],
  ])('evaluating on %s returns an error result', (_, input) => {
    for (const source of [`name matches 'x'`, 'len(disks) > 0', `config['a'] == ''`, `has_tag('a', 'b')`, 'any(disks, .shared)']) {
      const result = compileExpression(source);
      if (!result.ok) throw new Error(result.errors[0]!.message);
      const bad = input as unknown as Parameters<typeof result.expression.matches>[0];
      expect(() => result.expression.matches(bad)).not.toThrow();
      expect(() => interpret(result.expression.ast, bad)).not.toThrow();
    }
  });

  it.each(['\u0000', '\uD800', '(((', ')))', '"\\', '`', '[[[]]]', ',', ';', 'a;b', '{}', '{a: 1}', 'a.b.c.d.e()', '#.#', '..', '?:', 'not not not'])('compiling %j returns errors, never throws', (source) => {
    expect(() => compileExpression(source)).not.toThrow();
    expect(compileExpression(source).ok).toBe(false);
  });
});
