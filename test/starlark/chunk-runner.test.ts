// The chunked-file runner itself: chunk boundaries and line numbers, and that it reports
// failed assertions, unexpected errors and missing errors (so the samples cannot pass vacuously).

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readChunks } from './support/chunked.js';
import { runChunkedFile } from './support/runner.js';

const assertStar = join(import.meta.dirname, 'fixtures', 'assert.star');

describe('readChunks', () => {
  test('splits on --- lines and keeps file line numbers (the --- line counts)', () => {
    const chunks = readChunks('a = 1\nb = 2\n---\nc = 3 ### "boom"\n---\nd = 4');
    expect(chunks.map((c) => c.startLine)).toEqual([1, 4, 6]);
    expect(chunks[1].source).toBe('\n\n\nc = 3 ### "boom"');
    expect([...chunks[1].wantErrors.keys()]).toEqual([4]);
    expect(chunks[1].wantErrors.get(4)?.source).toBe('boom');
  });

  test('reads backquoted and escaped expectations', () => {
    // Line 1: a raw Go string; line 2: a Go string with an escaped backslash and a \x escape.
    const text = 'x ### `a\\(b`\n' + 'y ### "c\\\\\\\\d \\x41"';
    const [chunk] = readChunks(text);
    expect(chunk.wantErrors.get(1)?.test('a(b')).toBe(true);
    expect(chunk.wantErrors.get(2)?.test('c\\d A')).toBe(true);
    expect(chunk.wantErrors.get(2)?.test('c1 A')).toBe(false);
  });
});

describe('runChunkedFile', () => {
  const run = (text: string) => runChunkedFile('/virtual/sample.star', 'exec', { assertStar }, text);

  test('passes a chunk whose expected error happens on its line', () => {
    expect(run('x = 1 // 0 ### "division by zero"')[0]).toMatchObject({ pass: true, problems: [] });
  });

  test('fails a chunk whose assertion fails', () => {
    const [result] = run('load("assert.star", "assert")\nassert.eq(1, 2)');
    expect(result.pass).toBe(false);
    expect(result.problems).toEqual(['assertion failed: 1 != 2']);
  });

  test('fails a chunk with an unexpected error, an expected error that did not happen, or a mismatch', () => {
    expect(run('x = 1 // 0')[0].problems[0]).toMatch(/line 1: unexpected error: floored division by zero/);
    expect(run('x = 1 ### "boom"')[0].problems).toEqual(['line 1: expected error matching /boom/u']);
    expect(run('x = 1 // 0 ### "modulo"')[0].problems[0]).toMatch(/does not match pattern/);
  });

  test('attributes an error to the innermost frame in the chunk, not to assert.star', () => {
    const [result] = run('load("assert.star", "assert")\ndef f():\n    return 1 // 0 ### "division"\nassert.eq(f(), 1)');
    expect(result.problems).toEqual([]);
  });

  test('fails a chunk that does not compile', () => {
    expect(run('x = undefined_name')[0].problems[0]).toMatch(/undefined: undefined_name/);
  });

  test('enables dialect options named in the chunk', () => {
    expect(run('# option:set\nx = set([1])')[0].pass).toBe(true);
    expect(run('x = set([1])')[0].pass).toBe(false);
  });
});
