import { describe, expect, it } from 'vitest';
import { clipped, excerpt, quoted, quotedValue } from '../../src/text/excerpt.js';

const TWO_MIB = 2 * 1024 * 1024;

describe('what a message shows of a value', () => {
  it('is the whole value up to 60 code points', () => {
    const sixty = 'x'.repeat(60);
    expect(excerpt(sixty)).toBe(sixty);
    expect(quoted(sixty)).toBe(`"${sixty}"`);
    // 60 code points in 120 code units are not cut.
    expect(quoted('😀'.repeat(60))).toBe(`"${'😀'.repeat(60)}"`);
  });

  it('is the first 60 code points and the length of a longer value', () => {
    const long = `Batc${'x'.repeat(TWO_MIB)}`;
    expect(excerpt(long)).toBe(`Batc${'x'.repeat(56)}… (2,097,156 characters)`);
    expect(quoted(long)).toBe(`"Batc${'x'.repeat(56)}…" (2,097,156 characters)`);
    expect(quotedValue(long).length).toBeLessThan(100);
  });

  it('never splits a character in two', () => {
    const shown = quoted(`a${'😀'.repeat(100)}`);
    expect(shown).toBe(`"a${'😀'.repeat(59)}…" (101 characters)`);
  });

  it('escapes control and bidirectional characters as JSON does, after cutting', () => {
    expect(quotedValue('a\u001b[31mb\u202e')).toBe('"a\\u001b[31mb\\u202e"');
    expect(quotedValue(`\u202e${'y'.repeat(100)}`)).toBe(`"\\u202e${'y'.repeat(59)}…" (101 characters)`);
  });

  it('shows a value that is not a string as its JSON', () => {
    expect(quotedValue(5)).toBe('"5"');
    expect(quotedValue({ a: 'x'.repeat(100) })).toBe(`"{\\"a\\":\\"${'x'.repeat(54)}…" (108 characters)`);
  });
});

describe('what an entry keeps of a message from outside (a mover report)', () => {
  it('is the whole message up to 1,000 characters, else its first 1,000 and its length', () => {
    expect(clipped('m'.repeat(1000))).toBe('m'.repeat(1000));
    expect(clipped('m'.repeat(1001))).toBe(`${'m'.repeat(1000)}… (1001 characters)`);
  });
});
