import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS, compileExpression, expressionView, interpret, type CompiledExpression, type EvalResult, type ExprLimits, type ExpressionView,
} from '../../src/expr/index.js';
import { regexProgramSize } from '../../src/expr/regex-size.js';
import { normalizeInstance } from '../../src/model/instance.js';
import { SAMPLE_VIEWS } from './sample-instances.js';

// One budget per evaluation — work, allocation, depth, time — charged alike by the compiled
// closures and the reference interpreter. The hostile corpus is generated here: each class of
// expression that used to take seconds or gigabytes on one instance must end with expr-budget of
// its kind (or be refused when compiled), and ordinary expressions must not notice.

const LONG = 50_000;
/** An instance with long strings, many disks and many tags: what hostile expressions feed on. */
const big = expressionView(normalizeInstance({
  uuid: 'u-big',
  name: 'a'.repeat(LONG),
  description: 'a'.repeat(LONG),
  location: `/DC1/vm/${'x'.repeat(1000)}`,
  os: ' '.repeat(LONG) + 'x',
  config: {
    ...Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`tag.c${i}`, Array.from({ length: 20 }, (__, j) => `t${j}`).join(',')])),
    'tag.list': Array.from({ length: 1000 }, (_, i) => `t${i}`).join(','),
  },
  disks: Array.from({ length: 200 }, (_, i) => ({ name: `[ds] d${i}.vmdk` })),
}));

function compiled(source: string, limits: Partial<ExprLimits> = {}): CompiledExpression {
  const result = compileExpression(source, { limits });
  if (!result.ok) throw new Error(`${source}: ${result.errors[0]!.message}`);
  return result.expression;
}

/** Both evaluators' answers; they must be the same. */
function evaluate(source: string, view: ExpressionView, limits: Partial<ExprLimits> = {}): EvalResult {
  const expression = compiled(source, limits);
  const result = expression.matches(view);
  expect(interpret(expression.ast, view, { limits }), source).toEqual(result);
  return result;
}

const breach = (kind: string) => ({ ok: false, error: expect.objectContaining({ code: 'expr-budget', budget: { kind, limit: expect.any(Number) } }) });

describe('each hostile class ends with expr-budget of its kind, in both evaluators', () => {
  const split = `split(name, '')`;
  it.each([
    ['work', 'nested predicates over long lists', 'any(disks, any(disks, any(disks, .name == "nope")))'],
    ['work', 'a large regular expression against every character', `any(${split}, name matches '\\\\pL{900}b')`],
    ['work', 'a regular expression of nested counted repetitions within the size limit', `any(${split}, name matches '((a{1,8}){1,8}){1,8}b')`],
    ['work', 'long strings compared again and again', `any(${split}, name != description)`],
    ['work', 'the characters of a long string counted again and again', `any(${split}, len(name) == 0)`],
    ['work', 'trimming a long string again and again', `any(${split}, trim(os) == '')`],
    ['work', 'every tag of a large config, again and again', `any(${split}, matches_tag('*', 'zz'))`],
    ['work', 'a long list searched again and again', `any(${split}, # not in ${split})`],
    ['allocation', 'filter(map(split(…))) building lists of long strings', `len(filter(map(${split}, name + #), # != '')) > 0`],
    ['allocation', 'a list of lists', `len(map(${split}, ${split})) > 0`],
    ['allocation', 'concatenation doubling a long string', `len(${Array.from({ length: 40 }, () => 'name').join(' + ')}) > 0`],
    ['allocation', 'concatenating long strings again and again', `any(${split}, name + description == '')`],
  ])('%s: %s', (kind, _what, source) => {
    expect(evaluate(source, big)).toEqual(breach(kind));
  });

  it('refuses a constant regular expression whose program is too big when compiling it, at the pattern', () => {
    const source = `name matches '(\\\\pL{1000}x|\\\\pL{1000}y|\\\\pL{1000}z)'`;
    const result = compileExpression(source);
    expect(result.ok ? [] : result.errors).toEqual([{
      code: 'expr-regex-too-big',
      message: expect.stringMatching(/^the regular expression is too big: its program has about [\d,]+ instructions, more than the limit of 2,000/),
      offset: source.indexOf("'"),
      length: source.length - source.indexOf("'"),
    }]);
  });

  it('refuses a constant pattern built by concatenation when compiling it too', () => {
    const result = compileExpression(`name matches '(a{1,100}' + '){1,100}'`);
    expect(result.ok ? [] : result.errors.map((error) => error.code)).toEqual(['expr-regex-too-big']);
  });

  it('refuses a pattern read from the instance that is too big when evaluating, before compiling it', () => {
    const view = expressionView(normalizeInstance({ uuid: 'u', name: 'x', location: '/x', description: '(a{1,100}){1,100}' }));
    expect(evaluate('name matches description', view)).toEqual({ ok: false, error: expect.objectContaining({ code: 'expr-regex-too-big', offset: 13, length: 11 }) });
  });

  it('charges a dynamic pattern like a constant one', () => {
    const view = expressionView(normalizeInstance({ uuid: 'u', name: 'a'.repeat(2000), location: '/x', description: 'a{900}b' }));
    expect(evaluate('name matches description', view, { maxWork: 500_000 })).toEqual(breach('work'));
    expect(evaluate(`name matches 'a{900}b'`, view, { maxWork: 500_000 })).toEqual(breach('work'));
  });
});

describe('a budget breach', () => {
  it('names the budget and its limit, keeps the position of the node, and says which budget it was', () => {
    const result = evaluate('count(disks, any(disks, false)) > 0', big, { maxWork: 1000 });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'expr-budget',
        message: 'the expression needs more work on this instance than its budget of 1,000 units (one per operator, list element and character read or written); simplify it',
        offset: 13,
        length: 17,
        budget: { kind: 'work', limit: 1000 },
      },
    });
    expect(evaluate(`len(split(name, '')) > 0`, big, { maxAllocation: 10_000 })).toEqual({
      ok: false,
      error: {
        code: 'expr-budget',
        message: 'the expression builds more than its budget of 10,000 list elements and characters on this instance; simplify it',
        offset: 4,
        length: 15,
        budget: { kind: 'allocation', limit: 10_000 },
      },
    });
  });

  it('ends at the deadline by the clock the host passes, read only now and then', () => {
    let now = 0;
    let reads = 0;
    const clock = () => {
      reads++;
      return (now += 10);
    };
    const expression = compiled('any(disks, any(disks, any(disks, false)))', { maxMillis: 50, now: clock });
    expect(expression.matches(big)).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'expr-budget', message: 'the expression ran longer than its time budget of 50 ms on this instance; simplify it', budget: { kind: 'time', limit: 50 } }),
    });
    // One reading per 65,536 units of work: 7 of them, not one per operation.
    expect(reads).toBe(7);
    now = 0;
    expect(interpret(expression.ast, big, { limits: { maxMillis: 50, now: clock } })).toEqual(expression.matches(big));
  });

  it('reads no clock for an evaluation that stays small, and none at all without one', () => {
    let reads = 0;
    const expression = compiled(`location matches '^/DC1/' and cpus >= 4`, { now: () => ++reads });
    for (const view of SAMPLE_VIEWS.values()) expression.matches(view);
    expect(reads).toBe(0);
    expect(compiled('any(disks, any(disks, any(disks, false)))').matches(big)).toEqual(breach('work'));
  });

  it('reports running out of stack as the depth budget instead of throwing', () => {
    const source = `${'lower('.repeat(60)}name${')'.repeat(60)} == ''`;
    const expression = compiled(source);
    const breach = { ok: false, error: { code: 'expr-budget', budget: { kind: 'depth', limit: DEFAULT_LIMITS.maxDepth } } };
    // The stack runs out inside the evaluation, wherever the host called it from: an instance whose
    // name cannot be read without recursing without end (an expression's own nesting is bounded, so
    // a real evaluation runs out only when the host leaves it little stack).
    const endless = (): string => endless() + '';
    const small = SAMPLE_VIEWS.values().next().value!;
    const hostile = Object.defineProperty({ ...small }, 'name', { get: endless }) as ExpressionView;
    expect(expression.matches(hostile)).toMatchObject(breach);
    expect(interpret(expression.ast, hostile)).toMatchObject(breach);

    // Called at every depth on the way back from the end of the stack (how much stack is left where
    // an evaluation starts depends on the JIT's frame sizes): where the call can start, the result
    // is the right one or the depth budget, never another error. Where even the call cannot start,
    // it throws before the evaluator runs.
    const expected = expression.matches(small);
    expect(expected.ok).toBe(true);
    const results: EvalResult[] = [];
    const dive = (): void => {
      try {
        dive();
      } catch {
        // the end of the stack
      }
      try {
        results.push(expression.matches(small));
      } catch {
        // the call itself found no stack
      }
    };
    dive();
    expect(results.length).toBeGreaterThan(100);
    for (const result of results) {
      if (result.ok) expect(result).toEqual(expected);
      else expect(result).toMatchObject(breach);
    }
  });
});

describe('ordinary expressions do not notice the budget', () => {
  const ORDINARY = [
    `location matches 'foo' or location == '/path/to/bar'`,
    `len(filter(disks, .name matches 'mydisk')) > 2`,
    `hasSuffix(location, 'ubuntu') and background_import and secure_boot`,
    `path_base(location) == 'ubuntu2404' and source == 'esxi01'`,
    `(has_tag('category_1', 'mytag') or config['vmware.resource_pool'] == 'Windows') and location matches '/Incus migrations/'`,
    `source in ["vcenter01", "vcenter02", "vcenter03"] && (location startsWith "/a/b" || location startsWith "/e/f") && cpus <= 4 && memory <= 1024*1024*1024*8 && len(disks) == 1 && !disks[0].shared && os in ["Ubuntu 22.04", "Ubuntu 24.04"]`,
    `any(split(config['tag.list'], ','), # == 't999')`,
    `count(disks, .name matches '^\\\\[ds\\\\] d1[0-9]*\\\\.vmdk$') > 10 and all(disks, len(.name) < 100)`,
    `len(map(filter(disks, .name contains 'd1'), upper(#.name))) > 0`,
    `name matches '^(a+)+$' and not (name matches '^(a|aa)+b$')`,
  ];
  it.each(ORDINARY)('%s stays within the default budget, even on a very large instance', (source) => {
    for (const view of [big, ...SAMPLE_VIEWS.values()]) expect(evaluate(source, view).ok, view.uuid).toBe(true);
  });
});

describe('the compiled closures and the interpreter run out at the same place', () => {
  const CORPUS = [
    'count(disks, any(disks, false)) == 0',
    `any(split(config['tag.list'], ','), # == 't999')`,
    `any(split(config['tag.list'], ','), lower(#) == 't999')`,
    `len(filter(map(split(config['tag.list'], ','), # + '-x'), # startsWith 't9')) > 3`,
    `path_base(location) == 'x' or path_dir(location) != '/DC1' or 'y' == path_base(location)`,
    `has_tag('*', 't999') and matches_tag('c1', 't1') or has_tag('list', 'nope')`,
    `name in ['a', 'b', 'c'] or description in split(location, '/') or 'c5' in config`,
    `location matches 'x{10}' or location matches '^/DC1/' or trim(location, '/') contains 'vm'`,
    `len(upper(location) + lower(location)) > len(location) * 2 - 1`,
    `(cpus > 2 ? location : name) < 'm' and [1, 2, [3, 'x']] != [1, 2, [3, 'y']]`,
    `'a' + 'b' == 'ab' and split('a,b,c', ',')[1] == 'b' and lower('ABC') matches 'abc'`,
    `count(map(disks, .name), # endsWith '.vmdk') == len(disks) and none(disks, hasPrefix(.name, 'x'))`,
  ];
  const views = [big, ...SAMPLE_VIEWS.values()];
  it('for every work and allocation budget, on every instance', () => {
    fc.assert(fc.property(
      fc.constantFrom(...CORPUS), fc.constantFrom(...views), fc.integer({ min: 1, max: 40_000 }), fc.integer({ min: 0, max: 20_000 }),
      (source, view, maxWork, maxAllocation) => {
        evaluate(source, view, { maxWork, maxAllocation });
      },
    ), { numRuns: 1500 });
  });

  it('and the corpus does run out somewhere in that range, so the comparison means something', () => {
    const kinds = new Set<string>();
    for (const source of CORPUS) {
      for (const maxWork of [50, 500, 5000]) {
        const result = evaluate(source, big, { maxWork, maxAllocation: 200 });
        if (!result.ok && result.error.budget) kinds.add(result.error.budget.kind);
      }
    }
    expect([...kinds].sort()).toEqual(['allocation', 'work']);
  });
});

describe('regular-expression program sizes', () => {
  it('are estimated at least as large as re2js compiles them, without compiling', () => {
    const token = fc.constantFrom('a', 'b', '.', '\\d', '\\pL', '[a-z]', '[^/]', '(', ')', '(?:', '(?i)', '|', '*', '+', '?', '{2}', '{1,3}', '{2,}', '^', '$', '\\b', '\\Qx.\\E', '\\x{41}', 'é');
    fc.assert(fc.property(fc.array(token, { maxLength: 12 }), (tokens) => {
      const pattern = tokens.join('');
      let size: number;
      try {
        size = RE2JS.compile(pattern).programSize();
      } catch {
        return;
      }
      expect(regexProgramSize(pattern), pattern).toBeGreaterThanOrEqual(size);
    }), { numRuns: 3000 });
  });

  it('stay close for the patterns people write', () => {
    for (const pattern of ['foo', '^/DC1/', '^/a/[^/]+/c*', '(?i)WIN', '^(web|db|app)-[0-9]{2,4}$', '.{1000}']) {
      const size = RE2JS.compile(pattern).programSize();
      expect(regexProgramSize(pattern), pattern).toBeLessThanOrEqual(size + 8);
    }
  });
});
