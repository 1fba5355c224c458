// Differential testing: the hand-written programs of corpus/ run under the reference `starlark`
// CLI (go.starlark.net at migration-manager's version) and under Ferry must print the same
// bytes, fail the same way (the whole backtrace is compared) and exit with the same status.
// Generated programs are compared by the fuzzer (fuzz.test.ts).

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { starlarkPeer } from './peer-env.js';
import { flagsOf, runFerry, runReference, type Flags } from './run-both.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpusDir = join(here, 'corpus');

function compare(file: string, source: string, flags: Flags): void {
  const { cli } = starlarkPeer();
  const reference = runReference(cli, file, flags);
  const ferry = runFerry(source, file, flags);
  expect({ status: ferry.status, stdout: ferry.stdout, stderr: ferry.stderr }).toEqual({
    status: reference.status,
    stdout: reference.stdout,
    stderr: reference.stderr,
  });
}

describe('hand-written programs', () => {
  for (const name of readdirSync(corpusDir).filter((f) => f.endsWith('.star')).sort()) {
    test(`${name} behaves as under the reference implementation`, () => {
      const file = join(corpusDir, name);
      const source = readFileSync(file, 'utf8');
      compare(file, source, flagsOf(source));
    });
  }
});
