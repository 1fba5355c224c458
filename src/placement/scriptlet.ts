// Compiling a placement scriptlet: Starlark syntax and static checks, then the top level is run
// once and `placement(instance, batch)` must exist with exactly those parameters (as
// migration-manager validates at batch create and update).

import {
  compileModule,
  execModule,
  StarFunction,
  type BacktraceFrame,
  type BudgetBreach,
  type Limits,
  type Value,
} from '../starlark/index.js';
import { PLACEMENT_BUILTINS } from './builtins.js';
import { DEFAULT_PLACEMENT_LIMITS } from './limits.js';

export type ScriptletProblemCode =
  | 'scriptlet-syntax'
  | 'scriptlet-resolve'
  | 'scriptlet-init'
  | 'scriptlet-no-placement'
  | 'scriptlet-signature';

export interface ScriptletProblem {
  line: number;
  column: number;
  code: ScriptletProblemCode;
  message: string;
  /** For `scriptlet-init`: set when the top level ran out of a budget rather than failing. */
  budget?: BudgetBreach;
}

export interface PlacementScriptlet {
  readonly filename: string;
  /** The scriptlet's `placement` function. */
  readonly placement: StarFunction;
}

export type CompileScriptletResult = { ok: true; scriptlet: PlacementScriptlet } | { ok: false; problems: ScriptletProblem[] };

const PARAMS = ['instance', 'batch'];

/**
 * migration-manager compiles scriptlets with Incus's scriptlet.Compile: starlark-go's legacy
 * file options (the resolver's global flags, all off but AllowSet) with Set forced on. So `set`
 * is available; while loops, top-level control, reassigned globals and recursion are not.
 */
const PLACEMENT_DIALECT = { set: true } as const;

function innermostIn(frames: readonly BacktraceFrame[], filename: string): BacktraceFrame | undefined {
  return [...frames].reverse().find((f) => f.file === filename && f.line > 0);
}

export function compilePlacementScriptlet(source: string, filename: string, limits: Partial<Limits> = {}): CompileScriptletResult {
  const compiled = compileModule(source, filename, { dialect: PLACEMENT_DIALECT, predeclared: PLACEMENT_BUILTINS.keys() });
  if (!compiled.ok) {
    return {
      ok: false,
      problems: compiled.errors.map((e) => ({
        line: e.line,
        column: e.column,
        code: e.kind === 'syntax' ? 'scriptlet-syntax' : 'scriptlet-resolve',
        message: e.message,
      })),
    };
  }
  const signature = compiled.module.functions.get('placement');
  const at = signature !== undefined ? { line: signature.line, column: signature.column } : { line: 1, column: 1 };

  const executed = execModule(compiled.module, { predeclared: PLACEMENT_BUILTINS, limits: { ...DEFAULT_PLACEMENT_LIMITS, ...limits } });
  if (!executed.ok) {
    const frame = innermostIn(executed.error.frames, filename);
    const problem: ScriptletProblem = {
      line: frame?.line ?? 1,
      column: frame?.column ?? 1,
      code: 'scriptlet-init',
      message: `the scriptlet's top level failed: ${executed.error.message}`,
    };
    if (executed.error.budget !== undefined) problem.budget = executed.error.budget;
    return { ok: false, problems: [problem] };
  }

  const placement: Value | undefined = executed.globals.get('placement');
  if (placement === undefined) {
    return { ok: false, problems: [{ ...at, code: 'scriptlet-no-placement', message: 'the scriptlet must define placement(instance, batch)' }] };
  }
  if (!(placement instanceof StarFunction)) {
    return { ok: false, problems: [{ ...at, code: 'scriptlet-signature', message: 'placement must be a function: def placement(instance, batch)' }] };
  }
  const code = placement.code;
  const params = code.paramNames;
  if (code.numParams !== 2 || code.hasVarargs || code.hasKwargs || code.numKwonlyParams > 0 || params[0] !== PARAMS[0] || params[1] !== PARAMS[1]) {
    const written = signature !== undefined ? `placement(${signature.params.join(', ')})` : 'placement';
    return {
      ok: false,
      problems: [{ ...at, code: 'scriptlet-signature', message: `placement must take exactly the parameters (instance, batch), not ${written}` }],
    };
  }
  return { ok: true, scriptlet: { filename, placement } };
}
