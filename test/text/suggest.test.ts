// "Did you mean" stays cheap whatever it is given: a word longer than a name is not compared, a
// candidate whose length is too far off is not read, and the distance is computed in a band given
// up beyond the best so far. The cost is counted in cells of the distance table, not in time.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../src/repo/schemas.js';
import { nearest } from '../../src/starlark/text/spell.js';
import { boundedDistance, closest, LONGEST_HINTED, suggestion } from '../../src/text/suggest.js';

const TWO_MIB = 2 * 1024 * 1024;
const points = (text: string) => Array.from(text, (c) => c.codePointAt(0)!);

/** The edit distance with transpositions of neighbours, over the whole table: what the band must agree with. */
function fullDistance(a: readonly number[], b: readonly number[]): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe('hints', () => {
  it.each([
    ['a missing letter', 'Batc', KINDS, 'Batch'],
    ['two letters swapped', 'stauts', ['state', 'status', 'start'], 'status'],
    ['another case', 'SOURCE', KINDS, 'Source'],
    ['a letter too many', 'include_expresssion', ['include_expression', 'migration_windows'], 'include_expression'],
    ['an astral character for a letter', 'wave-😀', ['wave-1', 'wave-22'], 'wave-1'],
    ['the first of two equally close', 'cat', ['bat', 'hat'], 'bat'],
  ])('suggest the candidate for %s', (_, word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });

  it.each([
    ['a word unlike every candidate', 'zzzzzz', KINDS],
    ['more edits than a third of the word', 'Bxxch', KINDS],
    ['no candidates', 'Batch', []],
  ])('suggest nothing for %s', (_, word, candidates) => {
    expect(closest(word, candidates)).toBeUndefined();
  });

  it('agree with the distance over the whole table, within the limit', () => {
    const word = fc.array(fc.constantFrom(97, 98, 99, 100), { maxLength: 12 });
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 6 }), (a, b, limit) => {
        const full = fullDistance(a, b);
        expect(boundedDistance(a, b, limit).distance).toBe(full <= limit ? full : limit + 1);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('the cost of a hint', () => {
  it('is nothing for a word of 2 MiB, which gets no hint', () => {
    expect(suggestion(`Batc${'x'.repeat(TWO_MIB)}`, KINDS)).toEqual({ hint: undefined, compared: 0, cells: 0 });
    expect(suggestion('x'.repeat(LONGEST_HINTED + 1), ['x'.repeat(LONGEST_HINTED)])).toEqual({ hint: undefined, compared: 0, cells: 0 });
  });

  it('is nothing for a candidate of 2 MiB, which is not read', () => {
    expect(suggestion('wave-1', [`wave-1${'x'.repeat(TWO_MIB)}`, 'x'.repeat(TWO_MIB)])).toEqual({ hint: undefined, compared: 0, cells: 0 });
  });

  it('is nothing for candidates whose length is too far from the word\'s', () => {
    expect(suggestion('Batch', ['InstanceOverride', 'NetworkOverride', 'a'])).toEqual({ hint: undefined, compared: 0, cells: 0 });
  });

  it('is a band around the diagonal, given up at the first row beyond the limit', () => {
    const word = 'a'.repeat(60);
    // The limit is 20 edits: every row of the band is 41 cells wide at most, and row 21 is beyond it.
    expect(suggestion(word, ['b'.repeat(60)]).cells).toBeLessThanOrEqual(21 * 41);
    // An exact match ends the search: no other candidate is compared.
    expect(suggestion(word, [word, ...Array.from({ length: 1000 }, () => 'a'.repeat(59))])).toMatchObject({ hint: word, compared: 1 });
  });

  it('stays within the band for a thousand names as long as the word', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `vm-${String(i).padStart(4, '0')}-${'q'.repeat(56)}`);
    const { hint, compared, cells } = suggestion(`vm-0500-${'q'.repeat(55)}`, names);
    expect(hint).toBe(names[500]);
    expect(compared).toBe(1000);
    // Every candidate costs at most a band of 2 × 21 + 1 cells per row; the whole table would be 64 × 64.
    expect(cells).toBeLessThanOrEqual(1000 * 63 * 43);
  });
});

describe('the Starlark interpreter\'s hints (starlark-go\'s distance, the same bound)', () => {
  it('are given for names of at most 64 bytes', () => {
    expect(nearest('lenght', ['length', 'list'])).toBe('length');
    expect(nearest('x'.repeat(63), ['x'.repeat(64)])).toBe('x'.repeat(64));
  });

  it('are neither given for nor offered as a longer name', () => {
    expect(nearest('x'.repeat(65), ['x'.repeat(64)])).toBe('');
    expect(nearest('x'.repeat(64), ['x'.repeat(65)])).toBe('');
    expect(nearest(`a${'x'.repeat(1000)}`, [`b${'x'.repeat(1000)}`])).toBe('');
  });
});
