// Runs chunked test files against Ferry's interpreter in starlark-go's three modes:
//   exec    – run each chunk; a runtime error is attributed to the innermost frame in the
//             chunk's file; assert.star failures and static errors fail the chunk;
//   resolve – resolve each chunk with predeclared M and universals U and float; check every
//             static error;
//   parse   – check the first syntax error of each chunk.

import { readFileSync } from 'node:fs';
import { compileModule, execModule, fromStarlarkString, toStarlarkString, type Limits } from '../../../src/starlark/index.js';
import { resolveFile } from '../../../src/starlark/resolve/resolver.js';
import { parseFile } from '../../../src/starlark/syntax/parser.js';
import { lineOf } from '../../../src/starlark/syntax/position.js';
import { chunkOptions, Expectations, readChunks, type Chunk } from './chunked.js';
import { execPredeclared, REPORTER, testModules, type Reporter } from './host-env.js';

export type Mode = 'exec' | 'resolve' | 'parse';

export interface ChunkResult {
  file: string;
  chunk: number;
  line: number;
  pass: boolean;
  problems: string[];
}

export interface RunnerOptions {
  /** The assert.star the exec chunks load. */
  assertStar: string;
  /** Budgets for exec chunks (none by default). */
  limits?: Partial<Limits>;
}

function runExec(filename: string, chunk: Chunk, load: ReturnType<typeof testModules>, limits: Partial<Limits> | undefined): string[] {
  const expect = new Expectations(chunk);
  const predeclared = execPredeclared();
  const compiled = compileModule(chunk.source, filename, { dialect: chunkOptions(chunk.source), predeclared: Object.keys(predeclared) });
  if (!compiled.ok) {
    expect.problems.push(...compiled.errors.map((e) => `${filename}:${e.line}:${e.column}: ${e.message}`));
    return expect.done();
  }
  const report: Reporter = (message) => expect.problems.push(`assertion failed: ${message}`);
  const result = execModule(compiled.module, {
    predeclared,
    load,
    limits,
    locals: new Map([[REPORTER, report]]),
  });
  if (!result.ok) {
    const frame = [...result.error.frames].reverse().find((f) => f.file === filename);
    if (frame === undefined) expect.problems.push(`error outside the chunk: ${result.error.backtrace}`);
    else expect.gotError(frame.line, result.error.message);
  }
  return expect.done();
}

function runResolve(filename: string, chunk: Chunk): string[] {
  const expect = new Expectations(chunk);
  const parsed = parseFile(toStarlarkString(chunk.source));
  if (parsed.error !== undefined) {
    expect.problems.push(`syntax error: ${fromStarlarkString(parsed.error.message)}`);
    return expect.done();
  }
  const flags = chunkOptions(chunk.source);
  const resolved = resolveFile({ filename: toStarlarkString(filename), stmts: parsed.stmts }, flags, {
    isPredeclared: (name) => name === 'M',
    isUniversal: (name) => name === 'U' || name === 'float',
  });
  for (const e of resolved.errors) expect.gotError(lineOf(e.pos), fromStarlarkString(e.message));
  return expect.done();
}

function runParse(chunk: Chunk): string[] {
  const expect = new Expectations(chunk);
  const parsed = parseFile(toStarlarkString(chunk.source));
  if (parsed.error !== undefined) expect.gotError(lineOf(parsed.error.pos), fromStarlarkString(parsed.error.message));
  return expect.done();
}

/** Runs every chunk of a file; `filename` is the name scripts and errors see. */
export function runChunkedFile(filename: string, mode: Mode, options: RunnerOptions, text = readFileSync(filename, 'utf8')): ChunkResult[] {
  const load = testModules(options.assertStar);
  return readChunks(text).map((chunk) => {
    let problems: string[];
    try {
      problems = mode === 'exec' ? runExec(filename, chunk, load, options.limits) : mode === 'resolve' ? runResolve(filename, chunk) : runParse(chunk);
    } catch (e) {
      problems = [`runner crashed: ${(e as Error).stack ?? String(e)}`];
    }
    return { file: filename, chunk: chunk.index, line: chunk.startLine, pass: problems.length === 0, problems };
  });
}
