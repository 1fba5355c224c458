// Runs one program under the reference CLI and under Ferry in the same way: print() lines to
// stdout, and on failure the backtrace (or first static error) to stderr with exit status 1.

import { spawnSync } from 'node:child_process';
import { compileModule } from '../../../src/starlark/index.js';
import { StarFail } from '../../../src/starlark/eval/errors.js';
import { execProgram } from '../../../src/starlark/eval/program.js';
import { Thread } from '../../../src/starlark/eval/thread.js';
import { toStarlarkError } from '../../../src/starlark/api.js';
import { JSON_MODULE } from '../../../src/starlark/library/json.js';
import { STRUCT_BUILTIN } from '../../../src/starlark/library/struct-builtin.js';
import type { Value } from '../../../src/starlark/values/value.js';

export interface Flags {
  set?: boolean;
  recursion?: boolean;
  globalReassign?: boolean;
}

export interface Outcome {
  /** Raw bytes as latin1 text. */
  stdout: string;
  stderr: string;
  status: number;
}

export function runReference(cli: string, file: string, flags: Flags = {}): Outcome {
  const args: string[] = [];
  if (flags.set) args.push('-set');
  if (flags.recursion) args.push('-recursion');
  if (flags.globalReassign) args.push('-globalreassign');
  const result = spawnSync(cli, [...args, file], { timeout: 60_000 });
  if (result.error) throw result.error;
  return {
    stdout: result.stdout.toString('latin1'),
    stderr: result.stderr.toString('latin1'),
    status: result.status ?? -1,
  };
}

export function runFerry(source: string, file: string, flags: Flags = {}): Outcome {
  const compiled = compileModule(source, file, {
    dialect: { set: flags.set, recursion: flags.recursion, globalReassign: flags.globalReassign },
    predeclared: ['json', 'struct'],
  });
  if (!compiled.ok) {
    const e = compiled.errors[0];
    return { stdout: '', stderr: Buffer.from(`${file}:${e.line}:${e.column}: ${e.message}\n`).toString('latin1'), status: 1 };
  }
  let stdout = '';
  const thread = new Thread({ print: (msg) => (stdout += `${msg}\n`) });
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
