// Value formatting and arithmetic that must match starlark-go byte for byte. The expected
// strings were checked against the reference CLI (test/peers/starlark).

import { describe, expect, test } from 'vitest';
import { compileModule, execModule, fromJSON, fromStarlarkString, repr, toJSON, type Value } from '../../src/starlark/index.js';

function evaluate(expression: string): string {
  const compiled = compileModule(`x = ${expression}`, 'v.star', { predeclared: ['json'] });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const result = execModule(compiled.module, { predeclared: {} });
  if (!result.ok) return `error: ${result.error.message}`;
  const x = result.globals.get('x') as Value;
  return fromStarlarkString(typeof x === 'string' ? x : repr(x));
}

describe('floats print like Go', () => {
  test.each([
    ['str(0.0)', '0.0'],
    ['str(-0.0)', '-0.0'],
    ['str(123456789.0)', '1.23456789e+08'],
    ['str(100000.0)', '100000.0'],
    ['str(1e6)', '1e+06'],
    ['str(1e-5)', '1e-05'],
    ['str(0.1 + 0.2)', '0.30000000000000004'],
    ['str(1 / 3)', '0.3333333333333333'],
    ['"%e" % 1.23e45', '1.230000e+45'],
    ['"%f" % 1.23e45', '1229999999999999973814869011019624571608236032.000000'],
    ['"%f" % 0.0078125', '0.007812'],
    ['"%g" % 1e5', '100000.0'],
    ['"%G" % 1e-10', '1E-10'],
    ['str(float("inf")) + str(float("-inf")) + str(float("nan"))', '+inf-infnan'],
  ])('%s → %s', (expression, expected) => {
    expect(evaluate(expression)).toBe(expected);
  });
});

describe('ints have arbitrary precision', () => {
  test.each([
    ['(1 << 64) * (1 << 64)', '340282366920938463463374607431768211456'],
    ['-(1 << 70) // 3', '-393530540239137101142'],
    ['-(1 << 70) % 3', '2'],
    ['9007199254740991 + 1', '9007199254740992'],
    ['9007199254740993 - 1', '9007199254740992'],
    ['int("1" * 30) % 97', '74'],
    ['"%x" % -(1 << 65)', '-20000000000000000'],
    ['(1 << 100) == float(1 << 100)', 'True'],
    ['float(1 << 500 << 500 << 100)', 'error: int too large to convert to float'],
    ['enumerate([1, 2], (1 << 63) - 1)', '[(9223372036854775807, 1), (-9223372036854775808, 2)]'],
    ['enumerate(["a"], (1 << 60) + 1)', '[(1152921504606846977, "a")]'],
    ['[1].pop((1 << 60) + 1)', 'error: pop: list index 1152921504606846977 out of range [-1:0]'],
    ['range(-(1 << 62), 1 << 62)[-1]', 'error: range index -1 out of range [-9223372036854775808:9223372036854775807]'],
  ])('%s → %s', (expression, expected) => {
    expect(evaluate(expression)).toBe(expected);
  });
});

describe('strings are bytes', () => {
  test.each([
    ['repr("é\\t\\x00\\x7f")', '"é\\t\\x00\\x7f"'],
    ['repr("é"[0])', '"\\xc3"'],
    ['repr(chr(0x1ac2))', '"\u1ac2"'],
    ['repr(chr(0x1c89))', '"\\u1c89"'],
    ['len("😀")', '4'],
    ['hash("Hello, 世界!")', '417292677'],
    ['"ǉubović".title()', 'ǈubović'],
    ['"ǆungla".capitalize()', 'ǅungla'],
    ['"აბგ ვ".title()', 'აბგ ვ'],
    ['"ᲐᲑᲒ".capitalize()', 'Აბგ'],
    ['"straße".upper()', 'STRASSE'.replace('SS', 'ß')],
  ])('%s → %s', (expression, expected) => {
    expect(evaluate(expression)).toBe(expected);
  });
});

describe('JSON conversion for hosts', () => {
  test('round-trips plain data, keeping ints and floats apart', () => {
    const data = { name: 'vm', cpus: 4, ratio: 0.5, tags: ['a', 'é'], nested: { ok: true, none: null } };
    const value = fromJSON(data);
    expect(fromStarlarkString(repr(value))).toBe('{"name": "vm", "cpus": 4, "ratio": 0.5, "tags": ["a", "é"], "nested": {"ok": True, "none": None}}');
    expect(toJSON(value)).toEqual(data);
  });

  test('can build structs instead of dicts', () => {
    expect(repr(fromJSON({ b: 1, a: [2] }, { objects: 'struct' }))).toBe('struct(a = [2], b = 1)');
  });
});
