// Differential testing: the same programs run under the reference `starlark` CLI (built from
// Debian's golang-starlark-dev) and under Ferry must print the same bytes, fail the same way
// (the whole backtrace is compared) and exit with the same status.

import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { generateProgram } from './program-generator.js';
import { PEER_CACHE, starlarkPeer } from './peer-env.js';
import { runFerry, runReference, type Flags } from './run-both.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpusDir = join(here, 'corpus');
const GENERATED = Number(process.env.FERRY_STARLARK_ORACLE_PROGRAMS ?? 400);

function flagsOf(source: string): Flags {
  const line = /^# flags:(.*)$/m.exec(source)?.[1] ?? '';
  return { set: line.includes('-set'), recursion: line.includes('-recursion'), globalReassign: line.includes('-globalreassign') };
}

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

describe('generated programs', () => {
  const dir = join(PEER_CACHE, 'starlark-generated');
  mkdirSync(dir, { recursive: true });
  test(`${GENERATED} random programs behave as under the reference implementation`, () => {
    const mismatches: string[] = [];
    let failing = 0;
    for (let seed = 1; seed <= GENERATED; seed++) {
      const program = generateProgram(seed);
      const file = join(dir, `program-${seed}.star`);
      writeFileSync(file, program.source);
      const reference = runReference(starlarkPeer().cli, file, program.flags);
      const ferry = runFerry(program.source, file, program.flags);
      if (reference.status !== 0) failing++;
      if (reference.status !== ferry.status || reference.stdout !== ferry.stdout || reference.stderr !== ferry.stderr) {
        mismatches.push(`seed ${seed} (${file}):\n--- reference\n${reference.stdout}${reference.stderr}--- ferry\n${ferry.stdout}${ferry.stderr}`);
      }
    }
    expect(mismatches.slice(0, 3)).toEqual([]);
    // The generator is meant to exercise both paths.
    expect(failing).toBeGreaterThan(GENERATED / 10);
    expect(failing).toBeLessThan(GENERATED * 0.9);
  });
});
