// Running a placement scriptlet for one instance: the scriptlet's set_* calls change a copy
// of the default placement; placement() must return None. Failures name the scriptlet file
// and the instance, and carry the Starlark backtrace.

import type { InstanceRecord } from '../model/instance.js';
import { callFunction, fromStarlarkString, makeThread, None, repr, typeName, type Kwargs, type Limits, type Value } from '../starlark/index.js';
import { batchValue } from './batch-value.js';
import { RUN_KEY, type PlacementLog, type PlacementRun } from './builtins.js';
import { instanceValue } from './instance-value.js';
import { DEFAULT_PLACEMENT_LIMITS } from './limits.js';
import { copyPlacement, type Placement } from './placement.js';
import type { PlacementScriptlet } from './scriptlet.js';

export interface PlacementFailure {
  /** "placement scriptlet wave-1.star failed for instance /DC1/vm/web-01: …" */
  message: string;
  /** The Starlark traceback (starlark-go's format). */
  backtrace: string;
}

export type PlacementResult =
  | { ok: true; placement: Placement; logs: PlacementLog[] }
  | { ok: false; error: PlacementFailure; logs: PlacementLog[] };

export function runPlacement(
  scriptlet: PlacementScriptlet,
  instance: InstanceRecord,
  batch: Readonly<Record<string, unknown>>,
  defaults: Placement,
  limits: Partial<Limits> = {},
): PlacementResult {
  const run: PlacementRun = { instance, placement: copyPlacement(defaults), logs: [] };
  const thread = makeThread({ limits: { ...DEFAULT_PLACEMENT_LIMITS, ...limits } });
  thread.locals.set(RUN_KEY, run);
  const kwargs: Kwargs = [
    ['instance', instanceValue(instance)],
    ['batch', batchValue(batch)],
  ];
  const result = callFunction(scriptlet.placement, [], kwargs, thread);
  if (!result.ok) return failed(scriptlet, run, result.error.message, result.error.backtrace);
  if (result.value !== None) return failed(scriptlet, run, `placement() must return None, got ${describe(result.value)}`, '');
  return { ok: true, placement: run.placement, logs: run.logs };
}

/** The returned value for the error message; a type name if it is too deep to print. */
function describe(value: Value): string {
  try {
    const text = fromStarlarkString(repr(value));
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return `a ${typeName(value)}`;
  }
}

function failed(scriptlet: PlacementScriptlet, run: PlacementRun, message: string, backtrace: string): PlacementResult {
  return {
    ok: false,
    error: { message: `placement scriptlet ${scriptlet.filename} failed for instance ${run.instance.location}: ${message}`, backtrace },
    logs: run.logs,
  };
}
