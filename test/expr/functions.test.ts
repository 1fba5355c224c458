import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { Budget } from '../../src/expr/budget.js';
import { compileExpression } from '../../src/expr/index.js';
import { splitText } from '../../src/expr/builtins-text.js';
import { DEFAULT_LIMITS } from '../../src/expr/limits.js';
import { comparePathBase, comparePathDir, pathBase, pathClean, pathDir, type PathComparison } from '../../src/expr/paths.js';
import { compileRegex, literalPattern, requiredLiteral } from '../../src/expr/regex.js';
import { hasTag } from '../../src/expr/tags.js';
import { SAMPLE_VIEWS } from './sample-instances.js';

const compared = (compare: typeof comparePathBase, path: string, expected: string): PathComparison => {
  const into = { length: -1, equal: false };
  compare(path, expected, into);
  return into;
};
const NO_SPAN = { start: 0, end: 0 };
const SAMPLE = SAMPLE_VIEWS.values().next().value!;
const tagged = (config: ReadonlyMap<string, string>, category: string, tag: string, substring: boolean) =>
  hasTag(config, category, tag, substring, new Budget(DEFAULT_LIMITS), NO_SPAN);

// The examples of Go's documentation for the functions migration-manager's built-ins call.
describe('path_base is Go filepath.Base', () => {
  it.each([
    ['/foo/bar/baz.js', 'baz.js'], ['/foo/bar/baz', 'baz'], ['/foo/bar/baz/', 'baz'], ['dev.txt', 'dev.txt'], ['../todo.txt', 'todo.txt'],
    ['..', '..'], ['.', '.'], ['/', '/'], ['', '.'], ['//a//', 'a'], ['/DC1/vm/Folder Name/web 01', 'web 01'],
  ])('path_base(%j) is %j', (path, base) => {
    expect(pathBase(path)).toBe(base);
    expect(compared(comparePathBase, path, base)).toEqual({ length: base.length, equal: true });
    expect(compared(comparePathBase, path, `${base}x`)).toEqual({ length: base.length, equal: false });
    expect(compared(comparePathBase, path, base.slice(1)).equal).toBe(base.length === 0);
  });
});

describe('path_dir is Go filepath.Dir', () => {
  it.each([
    ['/foo/bar/baz.js', '/foo/bar'], ['/foo/bar/baz', '/foo/bar'], ['/foo/bar/baz/', '/foo/bar/baz'], ['/dirty//path///', '/dirty/path'],
    ['dev.txt', '.'], ['../todo.txt', '..'], ['..', '.'], ['.', '.'], ['/', '/'], ['', '.'], ['/a/b/c', '/a/b'],
  ])('path_dir(%j) is %j', (path, dir) => {
    expect(pathDir(path)).toBe(dir);
  });

  it.each([
    '/foo/bar/baz.js', '/foo/bar/baz/', '/dirty//path///', 'dev.txt', '../todo.txt', '..', '.', '/', '', '/a/b/c', '/a/./b/c', '/a/../c/d',
    'a/b', './a/b', '/a', '//a', '/a/b/../c', '/a/.b/c', '/a/..b/c', 'a/../../b/c',
  ])('path_dir(%j) == x compares like building path_dir(%j)', (path) => {
    const dir = pathDir(path);
    expect(compared(comparePathDir, path, dir)).toEqual({ length: dir.length, equal: true });
    expect(compared(comparePathDir, path, `${dir}/`)).toEqual({ length: dir.length, equal: false });
    expect(compared(comparePathDir, path, dir.slice(0, -1)).equal).toBe(false);
  });

  it.each([
    ['a/c', 'a/c'], ['a//c', 'a/c'], ['a/c/.', 'a/c'], ['a/c/b/..', 'a/c'], ['/../a/c', '/a/c'], ['/../a/b/../././/c', '/a/c'], ['', '.'],
    ['../../a', '../../a'], ['a/../..', '..'], ['/..', '/'],
  ])('Clean(%j) is %j', (path, clean) => {
    expect(pathClean(path)).toBe(clean);
  });
});

describe('split is Go strings.Split and SplitN', () => {
  it.each([
    ['a,b,c', ',', -1, ['a', 'b', 'c']],
    ['a man a plan a canal panama', 'a ', -1, ['', 'man ', 'plan ', 'canal panama']],
    [' xyz ', '', -1, [' ', 'x', 'y', 'z', ' ']],
    ['', "Bernardo O'Higgins", -1, ['']],
    ['a,b,c,d', ',', 2, ['a', 'b,c,d']],
    ['a,b,c,d', ',', 0, []],
    ['a,b', ',', 5, ['a', 'b']],
    ['😀é', '', -1, ['😀', 'é']],
    ['abc', '', 2, ['a', 'bc']],
  ] as const)('split(%j, %j, %i)', (value, separator, count, parts) => {
    expect(splitText(value, separator, count)).toEqual(parts);
  });
});

describe('trim is Go strings.TrimSpace and strings.Trim', () => {
  it.each([
    [`trim(' \\t\\n x y \\r\\v\\f')`, 'x y'],
    [`trim('\\u0085\\u00a0\\u2000\\u200a\\u3000x\\u205f\\u202f')`, 'x'],
    [`trim('\\ufeffx\\u200b')`, '\ufeffx\u200b'],
    [`trim('${' '.repeat(1_000)}x${' '.repeat(1_000)}y${' '.repeat(1_000)}')`, `x${' '.repeat(1_000)}y`],
    [`trim('xxaxx', 'x')`, 'a'],
    [`trim('😀a😀é', '😀é')`, 'a'],
    [`trim('abc', '')`, 'abc'],
    [`trim('aaa', 'a')`, ''],
  ])('%s is %j', (call, expected) => {
    const result = compileExpression(`${call} == ${JSON.stringify(expected)}`);
    if (!result.ok) throw new Error(result.errors[0]!.message);
    expect(result.expression.matches(SAMPLE)).toEqual({ ok: true, value: true });
  });
});

describe("has_tag and matches_tag follow migration-manager's code (not its documentation)", () => {
  const config = new Map([
    ['tag.env', 'prod,eu-west'],
    ['tag.owner', 'team-web'],
    ['tag.empty', ''],
    ['tags.mistake', 'prod'],
    ['vmware.resource_pool', 'prod'],
  ]);
  it.each([
    // matches_tag: one of the comma-separated tags equals the text; with "*", a whole tag.* value does
    ['env', 'prod', false, true], ['env', 'eu-west', false, true], ['env', 'eu', false, false], ['env', 'prod,eu-west', false, false],
    ['owner', 'team-web', false, true], ['missing', 'prod', false, false], ['empty', '', false, true],
    ['*', 'eu-west', false, false], ['*', 'team', false, false], ['*', 'prod,eu-west', false, true], ['*', 'team-web', false, true],
    // has_tag: one of the tags contains the text; with "*", a whole tag.* value does, commas included
    ['env', 'eu', true, true], ['env', 'od', true, true], ['env', 'd,e', true, false], ['owner', 'web', true, true],
    ['*', 'team', true, true], ['*', 'd,e', true, true], ['*', 'nope', true, false], ['missing', '', true, false],
  ] as const)('category %j, tag %j, substring %j: %j', (category, tag, substring, expected) => {
    expect(tagged(config, category, tag, substring)).toBe(expected);
  });

  it('only reads tag.* keys for the category "*"', () => {
    expect(tagged(config, '*', 'prod', true)).toBe(true);
    expect(tagged(new Map([['tags.mistake', 'prod'], ['vmware.resource_pool', 'prod']]), '*', 'prod', true)).toBe(false);
  });
});

describe('matches: plain-literal patterns skip the regex engine with identical answers', () => {
  it.each([
    ['foo', { text: 'foo', anchoredStart: false, anchoredEnd: false }],
    ['^/DC1/', { text: '/DC1/', anchoredStart: true, anchoredEnd: false }],
    ['-01$', { text: '-01', anchoredStart: false, anchoredEnd: true }],
    ['^/path/to/bar$', { text: '/path/to/bar', anchoredStart: true, anchoredEnd: true }],
    ['a\\.b\\$', { text: 'a.b$', anchoredStart: false, anchoredEnd: false }],
    ['a\\\\$', { text: 'a\\', anchoredStart: false, anchoredEnd: true }],
    ['', { text: '', anchoredStart: false, anchoredEnd: false }],
    ['^$', { text: '', anchoredStart: true, anchoredEnd: true }],
  ])('%j is the literal %j', (pattern, literal) => {
    expect(literalPattern(pattern)).toEqual(literal);
  });

  it.each(['a.b', 'a*', '(?i)a', '\\d', 'a|b', '[a]', 'a{2}', '^^a', 'a$$', '\\', 'a\\Qb', '\\n', '\\pL'])('%j goes to RE2', (pattern) => {
    expect(literalPattern(pattern)).toBeUndefined();
  });

  it.each([
    ['^/a/[^/]+/c*', { text: '/a', anchoredStart: true }],
    ['^/a/e/.*$', { text: '/a/e', anchoredStart: true }],
    ['^abc*', { text: 'ab', anchoredStart: true }],
    ['web\\.example\\.com$', { text: 'web.example.co', anchoredStart: false }],
    ['foo.*bar', { text: 'fo', anchoredStart: false }],
    ['ab{2}', { text: 'a', anchoredStart: false }],
    ['ab(?i)*c', { text: 'a', anchoredStart: false }],
  ])('every match of %j contains %j', (pattern, literal) => {
    expect(requiredLiteral(pattern)).toEqual(literal);
  });

  it.each(['^a|b', 'a|b', '(?i)abc', '^(ab)', '[ab]c', 'a*b', '^\\d+', '.abc'])('%j has no required literal', (pattern) => {
    expect(requiredLiteral(pattern)).toBeUndefined();
  });

  const inputs = ['', 'foo', 'xfoox', 'fooo', '/DC1/vm', '/dc1/vm', '/DC1/vm\nx', 'web-01', 'a.b$', 'axb$', 'a\\', '/path/to/bar', '/path/to/bar/', '/a/b/c', '/a/bc', '/a//c', 'é', 'a\nb'];
  it.each([
    'foo', '^/DC1/', '-01$', '^/path/to/bar$', 'a\\.b\\$', 'a\\\\$', '', '^$', '$', '^', 'é', 'b$', '^a',
    '^/a/[^/]+/c*', '^/DC1/.*$', 'fo+', '^/pa.h', 'a.b\\$', '^/dc1/', '(?i)^/dc1/',
  ])('%j answers like RE2 on every input', (pattern) => {
    const compiled = compileRegex(pattern);
    if (!compiled.ok) throw new Error(compiled.message);
    const re2 = RE2JS.compile(pattern);
    for (const input of inputs) expect(compiled.matcher(input), `${pattern} on ${JSON.stringify(input)}`).toBe(re2.test(input));
  });

  it('answers like RE2 for random patterns and inputs, prefilters and literal paths included', () => {
    const token = fc.constantFrom('^', '$', 'a', 'b', '/', '.', '*', '+', '?', '|', '(', ')', '\\.', '\\$', '[ab]', '{2}', '(?i)', 'é');
    fc.assert(fc.property(fc.array(token, { maxLength: 8 }), fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'A', '/', '.', '$', '\n', 'é'), maxLength: 8 }), { maxLength: 6 }), (tokens, inputs) => {
      const pattern = tokens.join('');
      let re2: RE2JS | undefined;
      try {
        re2 = RE2JS.compile(pattern);
      } catch {
        re2 = undefined;
      }
      const compiled = compileRegex(pattern);
      expect(compiled.ok).toBe(re2 !== undefined);
      if (!compiled.ok || !re2) return;
      for (const input of inputs) expect(compiled.matcher(input), `${pattern} on ${JSON.stringify(input)}`).toBe(re2.test(input));
    }), { numRuns: 3000 });
  });

  it('caches compiled patterns', () => {
    expect(compileRegex('^a.+z$')).toBe(compileRegex('^a.+z$'));
  });
});
