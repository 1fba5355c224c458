// Calling functions: argument binding (starlark-go's setArgs), the recursion and depth checks,
// and the unwinding that records each frame of the backtrace.

import { toBytes } from '../text/utf8.js';
import { repr } from '../values/repr.js';
import { StarDict } from '../values/dict.js';
import { Cell, StarFunction, type FuncCode } from '../values/function.js';
import { StarObject, typeName, type Kwargs, type Value } from '../values/value.js';
import { BUILTIN_FILE, StarFail, fail } from './errors.js';
import { Frame } from './frame.js';
import { activeLimits, chargeContainer, chargeWork } from './limits.js';
import type { Thread } from './thread.js';

export function isCallable(v: Value): boolean {
  return v instanceof StarFunction || (v instanceof StarObject && v.callInternal !== undefined);
}

/** Converts anything thrown by host code into a StarFail. */
export function asStarFail(e: unknown): StarFail {
  if (e instanceof StarFail) return e;
  // Avoid regular expressions here: this may run with the JS stack nearly exhausted.
  if (e instanceof RangeError && String(e.message).includes('call stack')) {
    return new StarFail('Starlark call depth exceeded what the host stack allows', false, { kind: 'depth', limit: activeLimits.maxCallDepth });
  }
  if (e instanceof Error) return new StarFail(toBytes(e.message));
  return new StarFail(toBytes(String(e)));
}

/** Calls any callable value. */
export function callValue(thread: Thread, fn: Value, args: Value[], kwargs: Kwargs | null): Value {
  if (fn instanceof StarFunction) return callStarlark(thread, fn, args, kwargs);
  if (!(fn instanceof StarObject) || fn.callInternal === undefined) fail(`invalid call of non-function (${typeName(fn)})`);
  if (++thread.depth > thread.limits.maxCallDepth) {
    thread.depth--;
    thread.depthLimitExceeded();
  }
  const meter = thread.meter;
  if (++meter.work > meter.checkAt) meter.checkpoint();
  try {
    return fn.callInternal(thread, args, kwargs);
  } catch (e) {
    const failure = asStarFail(e);
    failure.frames.push({ name: fn.name ?? typeName(fn), file: BUILTIN_FILE, pos: 0 });
    throw failure;
  } finally {
    thread.depth--;
  }
}

export function callStarlark(thread: Thread, fn: StarFunction, args: Value[], kwargs: Kwargs | null): Value {
  const code = fn.code;
  if (++thread.depth > thread.limits.maxCallDepth) {
    thread.depth--;
    thread.depthLimitExceeded();
  }
  const fr = new Frame(fn, thread);
  try {
    if (code.active > 0 && !code.allowRecursion) fail(`function ${code.name} called recursively`);
    // A call costs a unit, and its frame as many elements as the function has locals.
    const meter = thread.meter;
    meter.allocated += code.numLocals;
    meter.work += 1 + code.numLocals / 4;
    if (meter.work > meter.checkAt || meter.allocated > meter.maxAllocation) meter.check();
    bindArgs(fr, fn, args, kwargs);
    const cells = code.cells;
    if (cells.length > 0) {
      const locals = fr.locals;
      for (let i = 0; i < cells.length; i++) locals[cells[i]] = new Cell(locals[cells[i]] as Value | undefined);
    }
    code.active++;
    try {
      code.body(fr);
    } finally {
      code.active--;
    }
    return fr.result;
  } catch (e) {
    const failure = asStarFail(e);
    failure.frames.push({ name: code.name, file: code.file, pos: fr.pos });
    throw failure;
  } finally {
    thread.depth--;
  }
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function bindArgs(fr: Frame, fn: StarFunction, args: Value[], kwargs: Kwargs | null): void {
  const code: FuncCode = fn.code;
  const locals = fr.locals;
  const nargs = args.length;
  // Fast path: exactly the ordinary parameters, passed positionally.
  if (kwargs === null && nargs === code.numParams && !code.hasVarargs && !code.hasKwargs && code.numKwonlyParams === 0) {
    for (let i = 0; i < nargs; i++) locals[i] = args[i];
    return;
  }
  const name = code.name;
  if (code.numParams === 0) {
    const n = nargs + (kwargs?.length ?? 0);
    if (n > 0) fail(`function ${name} accepts no arguments (${n} given)`);
    return;
  }

  let nparams = code.numParams;
  let kwdict: StarDict | undefined;
  if (code.hasKwargs) {
    nparams--;
    kwdict = new StarDict();
    locals[nparams] = kwdict;
  }
  if (code.hasVarargs) nparams--;
  const nonKwonly = nparams - code.numKwonlyParams;

  let n = nargs;
  if (nargs > nonKwonly) {
    if (!code.hasVarargs) {
      const atMost = fn.defaults.length > code.numKwonlyParams ? 'at most ' : '';
      fail(`function ${name} accepts ${atMost}${nonKwonly} ${plural(nonKwonly, 'positional argument')} (${nargs} given)`);
    }
    n = nonKwonly;
  }
  for (let i = 0; i < n; i++) locals[i] = args[i];
  if (code.hasVarargs) {
    chargeContainer(nargs - n);
    locals[nparams] = args.slice(n);
  }

  if (kwargs !== null) {
    // Each keyword is matched against the parameter names.
    chargeWork(kwargs.length * (1 + nparams / 8));
    const names = code.paramNames;
    outer: for (const [k, v] of kwargs) {
      for (let i = 0; i < nparams; i++) {
        if (names[i] === k) {
          if (locals[i] !== undefined) fail(`function ${name} got multiple values for parameter ${repr(k)}`);
          locals[i] = v;
          continue outer;
        }
      }
      if (kwdict === undefined) fail(`function ${name} got an unexpected keyword argument ${repr(k)}`);
      const before = kwdict.len();
      kwdict.setKey(k, v);
      if (kwdict.len() === before) fail(`function ${name} got multiple values for parameter ${repr(k)}`);
    }
  }

  if (n < nparams || code.numKwonlyParams > 0) {
    const defaults = fn.defaults;
    const m = nparams - defaults.length;
    const missing: string[] = [];
    let i = n;
    for (; i < m; i++) if (locals[i] === undefined) missing.push(code.paramNames[i]);
    for (; i < nparams; i++) {
      if (locals[i] !== undefined) continue;
      const dflt = defaults[i - m];
      if (dflt === undefined) missing.push(code.paramNames[i]);
      else locals[i] = dflt;
    }
    if (missing.length > 0) {
      fail(`function ${name} missing ${missing.length} ${plural(missing.length, 'argument')} (${missing.join(', ')})`);
    }
  }
}
