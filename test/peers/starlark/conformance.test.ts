// starlark-go's own conformance files, from the module version migration-manager pins (fetched
// by install.sh through the Go module proxy), run against Ferry's interpreter: one test per
// chunk. The files are read from the Go module cache, never copied. These are the files of
// starlark-go's TestExecFile, TestResolve and TestParseErrors, except math.star, time.star and
// proto.star: they test library modules that a placement scriptlet cannot load (see
// docs/starlark.md, "Known differences from starlark-go").

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readChunks } from '../../starlark/support/chunked.js';
import { runChunkedFile, type Mode } from '../../starlark/support/runner.js';
import { starlarkPeer } from './peer-env.js';

const EXEC_FILES = [
  'assign',
  'bool',
  'builtins',
  'bytes',
  'control',
  'dict',
  'float',
  'function',
  'int',
  'json',
  'list',
  'misc',
  'set',
  'string',
  'tuple',
  'recursion',
  'module',
  'while',
];

// A missing peer fails the first test below, and every file's "is installed" test.
const testdata = (() => {
  try {
    return starlarkPeer().testdata;
  } catch {
    return '(the starlark peer is not installed)';
  }
})();

const FILES: [string, Mode][] = [
  ...EXEC_FILES.map((name): [string, Mode] => [join(testdata, 'starlark', 'testdata', `${name}.star`), 'exec']),
  [join(testdata, 'starlarkstruct', 'testdata', 'struct.star'), 'exec'],
  [join(testdata, 'resolve', 'testdata', 'resolve.star'), 'resolve'],
  [join(testdata, 'syntax', 'testdata', 'errors.star'), 'parse'],
];

test('the reference implementation and its test data are installed', () => {
  expect(() => starlarkPeer()).not.toThrow();
});

for (const [file, mode] of FILES) {
  const name = file.slice(testdata.length + 1);
  describe(`${name} (${mode})`, () => {
    if (!existsSync(file)) {
      test('is installed', () => {
        expect.fail(`${file} is missing: run test/peers/starlark/install.sh`);
      });
      return;
    }
    const chunks = readChunks(readFileSync(file, 'utf8'));
    const results = runChunkedFile(file, mode, { assertStar: join(testdata, 'starlarktest', 'assert.star') });
    test('has the chunks the reference suite has', () => {
      expect(results).toHaveLength(chunks.length);
    });
    for (const result of results) {
      test(`chunk ${result.chunk} at line ${result.line} passes`, () => {
        expect(result.problems).toEqual([]);
      });
    }
  });
}
