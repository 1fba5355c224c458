// Ferry's own chunked samples of the language, run through the same runner as starlark-go's
// conformance files (test/peers/starlark): exec, resolve and parse modes.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runChunkedFile, type Mode } from './support/runner.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const assertStar = join(fixtures, 'assert.star');

const FILES: [string, Mode][] = [
  ['language.star', 'exec'],
  ['resolve-errors.star', 'resolve'],
  ['syntax-errors.star', 'parse'],
];

for (const [name, mode] of FILES) {
  describe(`${name} (${mode} mode)`, () => {
    for (const result of runChunkedFile(join(fixtures, name), mode, { assertStar })) {
      test(`chunk ${result.chunk} at line ${result.line} passes`, () => {
        expect(result.problems).toEqual([]);
      });
    }
  });
}
