// Runs programs under the reference CLI and under Ferry in the same way: print() lines to
// stdout, and on failure the backtrace (or first static error) to stderr with exit status 1.

import { spawnSync } from 'node:child_process';
import { compileModule, type DialectOptions } from '../../../src/starlark/index.js';
import { StarFail } from '../../../src/starlark/eval/errors.js';
import { execProgram } from '../../../src/starlark/eval/program.js';
import { Thread } from '../../../src/starlark/eval/thread.js';
import { toStarlarkError } from '../../../src/starlark/api.js';
import type { Limits } from '../../../src/starlark/eval/limits.js';
import { JSON_MODULE } from '../../../src/starlark/library/json.js';
import { STRUCT_BUILTIN } from '../../../src/starlark/library/struct-builtin.js';
import type { Value } from '../../../src/starlark/values/value.js';

export type Flags = Partial<DialectOptions>;

export interface Outcome {
  /** Raw bytes as latin1 text. */
  stdout: string;
  stderr: string;
  status: number;
}

/** The reference CLI's name for each dialect flag (its command-line flag without the dash). */
const OPTION_NAMES: Record<keyof DialectOptions, string> = {
  set: 'set',
  while: 'while',
  topLevelControl: 'toplevelcontrol',
  globalReassign: 'globalreassign',
  recursion: 'recursion',
  loadBindsGlobally: 'loadbindsglobally',
};

export function optionNames(flags: Flags): string[] {
  return (Object.keys(OPTION_NAMES) as (keyof DialectOptions)[]).filter((k) => flags[k] === true).map((k) => OPTION_NAMES[k]);
}

/** Reads `# flags: -set -while` from a program's source (the hand-written corpus). */
export function flagsOf(source: string): Flags {
  const line = /^# flags:(.*)$/m.exec(source)?.[1] ?? '';
  const named = new Set(line.split(/\s+/).map((f) => f.replace(/^-/, '')));
  const flags: Flags = {};
  for (const [key, name] of Object.entries(OPTION_NAMES)) if (named.has(name)) flags[key as keyof DialectOptions] = true;
  return flags;
}

export function runReference(cli: string, file: string, flags: Flags = {}): Outcome {
  const args = optionNames(flags).map((name) => `-${name}`);
  const result = spawnSync(cli, [...args, file], { timeout: 60_000, maxBuffer: 1 << 30 });
  if (result.error) throw result.error;
  return {
    stdout: result.stdout.toString('latin1'),
    stderr: result.stderr.toString('latin1'),
    status: result.status ?? -1,
  };
}

const REFERENCE_MAX_STEPS = 100_000_000;

/** Runs many programs in one reference process (the CLI's -batch mode), in order. */
export function runReferenceBatch(cli: string, programs: readonly { file: string; flags: Flags }[]): Outcome[] {
  const input = programs.map((p) => JSON.stringify({ file: p.file, options: optionNames(p.flags) })).join('\n');
  // A step limit far above what a generated program needs: a runaway one then fails (and shows
  // as a disagreement) instead of growing the reference's memory without end.
  const result = spawnSync(cli, ['-max-steps', String(REFERENCE_MAX_STEPS), '-batch'], { input, timeout: 600_000, maxBuffer: 1 << 30 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`reference batch failed (${result.status}): ${result.stderr.toString()}`);
  const outcomes = result.stdout
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Outcome);
  if (outcomes.length !== programs.length) throw new Error(`reference batch answered ${outcomes.length} of ${programs.length} programs`);
  return outcomes;
}

export function runFerry(source: string, file: string, flags: Flags = {}, limits: Partial<Limits> = {}): Outcome {
  const compiled = compileModule(source, file, { dialect: flags, predeclared: ['json', 'struct'] });
  if (!compiled.ok) {
    const e = compiled.errors[0];
    return { stdout: '', stderr: Buffer.from(`${file}:${e.line}:${e.column}: ${e.message}\n`).toString('latin1'), status: 1 };
  }
  let stdout = '';
  const thread = new Thread({ print: (msg) => (stdout += `${msg}\n`), limits });
  const predeclared = new Map<string, Value>([
    ['json', JSON_MODULE],
    ['struct', STRUCT_BUILTIN],
  ]);
  try {
    execProgram(compiled.module.program, thread, predeclared);
    return { stdout, stderr: '', status: 0 };
  } catch (e) {
    if (!(e instanceof StarFail)) throw e;
    const backtrace = toStarlarkError(e).backtrace;
    return { stdout, stderr: Buffer.from(`${backtrace}\n`).toString('latin1'), status: 1 };
  }
}
