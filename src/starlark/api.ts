// The host API: compile a module (all syntax and resolve errors, positioned, never a throw),
// execute it with host-provided values and limits, and call its functions.

import { callWithThread, compileProgram, execProgram, type Program } from './eval/program.js';
import { StarFail, type BudgetBreach, type CallFrame } from './eval/errors.js';
import { Thread, type PrintHook } from './eval/thread.js';
import type { Limits } from './eval/limits.js';
import { UNIVERSE } from './library/universe.js';
import { dialect as makeDialect, type DialectOptions } from './options.js';
import { resolveFile } from './resolve/resolver.js';
import type { Expr, Stmt } from './syntax/ast.js';
import { parseFile } from './syntax/parser.js';
import { Tok } from './syntax/tokens.js';
import { colOf, lineOf, type SourceError } from './syntax/position.js';
import { fromBytes, toBytes } from './text/utf8.js';
import { ModuleValue } from './values/module.js';
import type { Kwargs, Value } from './values/value.js';

export interface CompileOptions {
  /** Dialect flags (all off by default, as in starlark-go). */
  dialect?: Partial<DialectOptions>;
  /** Names the host will predeclare when executing (besides the universal built-ins). */
  predeclared?: Iterable<string>;
}

/** A syntax error, or a static (resolve) error such as an undefined name; 1-based. */
export interface SourceProblem {
  kind: 'syntax' | 'resolve';
  line: number;
  column: number;
  message: string;
}

/** A top-level def, as written: its name, parameters and position. */
export interface FunctionSignature {
  name: string;
  /** Parameter names in order; *args and **kwargs keep their stars. */
  params: string[];
  line: number;
  column: number;
}

export class CompiledModule {
  constructor(
    readonly filename: string,
    readonly program: Program,
    /** Top-level defs, for hosts that require a function with a given signature. */
    readonly functions: ReadonlyMap<string, FunctionSignature>,
  ) {}
}

export type CompileResult = { ok: true; module: CompiledModule } | { ok: false; errors: SourceProblem[] };

function problem(kind: SourceProblem['kind'], e: SourceError): SourceProblem {
  return { kind, line: lineOf(e.pos), column: colOf(e.pos), message: fromBytes(e.message) };
}

const MAX_SYNTAX_ERRORS = 20;

/**
 * Parses the whole file, resynchronising after a syntax error at the next line that starts a
 * top-level statement, so that independent mistakes are reported together.
 */
function parseAll(src: string): { stmts: Stmt[]; errors: SourceError[] } {
  const first = parseFile(src);
  if (first.error === undefined) return { stmts: first.stmts, errors: [] };
  const errors: SourceError[] = [{ pos: first.error.pos, message: first.error.message }];
  const lines = src.split('\n');
  let errorLine = lineOf(first.error.pos);
  while (errors.length < MAX_SYNTAX_ERRORS) {
    let next = -1;
    for (let l = errorLine; l < lines.length; l++) {
      if (/^[A-Za-z_]/.test(lines[l]) && !/^(elif|else)\b/.test(lines[l])) {
        next = l;
        break;
      }
    }
    if (next < 0) break;
    const rest = '\n'.repeat(next) + lines.slice(next).join('\n');
    const again = parseFile(rest);
    if (again.error === undefined) break;
    errors.push({ pos: again.error.pos, message: again.error.message });
    const line = lineOf(again.error.pos);
    if (line <= errorLine) break;
    errorLine = line;
  }
  return { stmts: [], errors };
}

function signatures(stmts: Stmt[]): Map<string, FunctionSignature> {
  const out = new Map<string, FunctionSignature>();
  for (const stmt of stmts) {
    if (stmt.kind !== 'DefStmt') continue;
    const params = stmt.params.map((p: Expr) => {
      if (p.kind === 'Ident') return fromBytes(p.name);
      if (p.kind === 'BinaryExpr' && p.x.kind === 'Ident') return fromBytes(p.x.name);
      if (p.kind === 'UnaryExpr') {
        const stars = p.op === Tok.STARSTAR ? '**' : '*';
        return p.x !== undefined && p.x.kind === 'Ident' ? `${stars}${fromBytes(p.x.name)}` : stars;
      }
      return '?';
    });
    out.set(fromBytes(stmt.name.name), { name: fromBytes(stmt.name.name), params, line: lineOf(stmt.def), column: colOf(stmt.def) });
  }
  return out;
}

/** Compiles Starlark source. Returns every syntax error, or every resolve error; never throws. */
export function compileModule(source: string, filename: string, options: CompileOptions = {}): CompileResult {
  const src = toBytes(source);
  const file = toBytes(filename);
  const { stmts, errors } = parseAll(src);
  if (errors.length > 0) return { ok: false, errors: errors.map((e) => problem('syntax', e)) };
  const flags = makeDialect(options.dialect);
  const predeclared = new Set([...(options.predeclared ?? [])].map(toBytes));
  try {
    const resolved = resolveFile({ filename: file, stmts }, flags, {
      isPredeclared: (name) => predeclared.has(name),
      isUniversal: (name) => UNIVERSE.has(name),
    });
    if (resolved.errors.length > 0) {
      const sorted = [...resolved.errors].sort((a, b) => a.pos - b.pos);
      return { ok: false, errors: sorted.map((e) => problem('resolve', e)) };
    }
    const program = compileProgram(file, stmts, resolved.module, flags);
    return { ok: true, module: new CompiledModule(filename, program, signatures(stmts)) };
  } catch (e) {
    // The parser bounds nesting (syntax/depth.ts), so this is a last resort.
    if (e instanceof RangeError) return { ok: false, errors: [{ kind: 'syntax', line: 1, column: 1, message: 'the program is nested too deeply to compile' }] };
    throw e;
  }
}

/** One frame of a Starlark backtrace, outermost first. */
export interface BacktraceFrame {
  function: string;
  file: string;
  /** 0 for built-in functions. */
  line: number;
  column: number;
}

/**
 * A failed execution: the message, starlark-go's traceback text, and, when the evaluation ran
 * out of a budget (rather than failing on its own terms), which budget and its limit.
 */
export class StarlarkError extends Error {
  constructor(
    message: string,
    readonly frames: BacktraceFrame[],
    readonly backtrace: string,
    readonly budget?: BudgetBreach,
  ) {
    super(message);
    this.name = 'StarlarkError';
  }
}

function frameOf(f: CallFrame): BacktraceFrame {
  return { function: fromBytes(f.name), file: fromBytes(f.file), line: f.pos === 0 ? 0 : lineOf(f.pos), column: f.pos === 0 ? 0 : colOf(f.pos) };
}

/** Converts an evaluation failure to the host's error, with the Go-style backtrace. */
export function toStarlarkError(failure: StarFail): StarlarkError {
  const frames = failure.frames.slice().reverse().map(frameOf);
  const message = fromBytes(failure.message);
  let stack = frames;
  let suffix = '';
  const last = frames[frames.length - 1];
  if (last !== undefined && last.line === 0) {
    suffix = ` in ${last.function}`;
    stack = frames.slice(0, -1);
  }
  let text = stack.length > 0 ? 'Traceback (most recent call last):\n' : '';
  for (const f of stack) text += `  ${f.line === 0 ? f.file : `${f.file}:${f.line}:${f.column}`}: in ${f.function}\n`;
  return new StarlarkError(message, frames, `${text}Error${suffix}: ${message}`, failure.budget);
}

export type ValueMap = ReadonlyMap<string, Value> | Readonly<Record<string, Value>>;

function toByteMap(values: ValueMap | undefined): Map<string, Value> {
  const entries = values === undefined ? [] : values instanceof Map ? [...values.entries()] : Object.entries(values);
  return new Map(entries.map(([k, v]) => [toBytes(k), v]));
}

export interface RunOptions {
  limits?: Partial<Limits>;
  /** Receives print() output (decoded as UTF-8). Output is discarded if absent. */
  print?: (message: string) => void;
  /** Provides modules to `load` by name; return undefined for an unknown module. */
  load?: (module: string) => ValueMap | undefined;
  /** Host data made available to host functions through thread.locals. */
  locals?: ReadonlyMap<string, unknown>;
}

export interface ExecOptions extends RunOptions {
  /** Values of the predeclared names. */
  predeclared?: ValueMap;
}

export type ExecResult = { ok: true; globals: ReadonlyMap<string, Value> } | { ok: false; error: StarlarkError };
export type CallResult = { ok: true; value: Value } | { ok: false; error: StarlarkError };

/** A thread configured from run options; exported for hosts that make many calls. */
export function makeThread(options: RunOptions = {}): Thread {
  const print: PrintHook | undefined = options.print === undefined ? undefined : (msg) => options.print!(fromBytes(msg));
  const load = options.load;
  const thread = new Thread({
    limits: options.limits,
    print,
    load:
      load === undefined
        ? undefined
        : (module) => {
            const members = load(fromBytes(module));
            return members === undefined ? 'module not found' : toByteMap(members);
          },
  });
  for (const [k, v] of options.locals ?? []) thread.locals.set(k, v);
  return thread;
}

function failure(e: unknown): { ok: false; error: StarlarkError } {
  if (e instanceof StarFail) return { ok: false, error: toStarlarkError(e) };
  throw e;
}

/** Runs a module's top level; its globals are frozen afterwards. */
export function execModule(module: CompiledModule, options: ExecOptions = {}): ExecResult {
  const thread = makeThread(options);
  try {
    const { globals } = execProgram(module.program, thread, toByteMap(options.predeclared));
    return { ok: true, globals: new Map([...globals].map(([k, v]) => [fromBytes(k), v])) };
  } catch (e) {
    return failure(e);
  }
}

/**
 * Calls a Starlark function (or any callable) with positional and keyword arguments. Keyword
 * arguments may be given as (name, value) pairs, whose names must already be Starlark strings
 * (plain ASCII names are).
 */
export function callFunction(fn: Value, args: Value[] = [], kwargs: ValueMap | Kwargs = {}, options: RunOptions | Thread = {}): CallResult {
  const thread = options instanceof Thread ? options : makeThread(options);
  const kw: Kwargs = Array.isArray(kwargs) ? (kwargs as Kwargs) : [...toByteMap(kwargs as ValueMap)];
  try {
    return { ok: true, value: callWithThread(thread, fn, args, kw.length > 0 ? kw : null) };
  } catch (e) {
    return failure(e);
  }
}

/** A module value (like `json`) built from named members, for `load` or predeclaring. */
export function makeModule(name: string, members: ValueMap): Value {
  return new ModuleValue(toBytes(name), toByteMap(members));
}
