import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonOrigin, syntaxErrorOffset } from '../../src/repo/json-locate.js';

/** JSON.parse's verdict: null when it accepts the text, else the offset it names (undefined when it names none). */
function v8Offset(text: string): number | null | undefined {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    const named = /at position (\d+)/.exec((error as Error).message);
    return named ? Number(named[1]) : undefined;
  }
}

describe('the first character that is not JSON', () => {
  it.each([
    ['a trailing comma', '[\n  {"uuid": "u1",}\n]', 18],
    ['a literal cut short', '[{"a": tru}]', 10],
    ['a number with a leading zero', '[01]', 2],
    ['a control character in a string', '["a\tb"]', 3],
    ['a bad escape', '["a\\xb"]', 4],
    ['text after the value', '[1] x', 4],
    ['the end of the text', '{"a": [1, 2', 11],
    ['an empty text', '', 0],
  ])('is found for %s', (_, text, offset) => {
    expect(syntaxErrorOffset(text)).toBe(offset);
  });

  it('is none for JSON, however deeply nested', () => {
    expect(syntaxErrorOffset('{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n", {}, []], "b": {"c": ""}}')).toBeNull();
    expect(syntaxErrorOffset(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBeNull();
  });

  it('is where JSON.parse says it is, wherever it says', () => {
    const broken = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '0', '\\', ' ', '\n')).map(([json, at, inserted]) => {
      const cut = at % (json.length + 1);
      return json.slice(0, cut) + inserted + json.slice(cut + (inserted === '' ? 1 : 0));
    });
    fc.assert(
      fc.property(broken, (text) => {
        const v8 = v8Offset(text);
        if (v8 !== undefined) expect(syntaxErrorOffset(text)).toBe(v8);
        else expect(syntaxErrorOffset(text)).not.toBeNull();
      }),
      { numRuns: 500, seed: 21 },
    );
  });
});

describe('where a value is', () => {
  const text = '[\n  {"uuid": "u", "config": {"a": 1, "a": 2, "b\\"c": [3, {"d": 4}]}},\n  {"uuid": "v"}\n]';

  it.each([
    [[], 1, 1],
    [[1], 3, 3],
    [[0, 'config', 'a'], 2, 41],
    [[0, 'config', 'b"c', 1, 'd'], 2, 62],
    // A path that is not all there: the deepest value on the way.
    [[0, 'config', 'missing'], 2, 27],
    [[5], 1, 1],
  ])('%j is at %i:%i (a key twice: its last appearance)', (path, line, column) => {
    expect(jsonOrigin('f.json', text, path)).toEqual({ file: 'f.json', line, column });
  });
});
