// Running a placement scriptlet for one instance: the scriptlet's set_* calls change a copy
// of the default placement; placement() must return None. Failures name the scriptlet file
// and the instance, and carry the Starlark backtrace, and the budget when one ran out.

import type { InstanceRecord } from '../model/instance.js';
import {
  callFunction,
  fromStarlarkString,
  hostFunction,
  makeThread,
  None,
  repr,
  typeName,
  type BudgetBreach,
  type Kwargs,
  type Limits,
  type Value,
} from '../starlark/index.js';
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
  /** Set when the run ran out of a budget (work, allocation, time, ...) rather than failing. */
  budget?: BudgetBreach;
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
  if (!result.ok) return failed(scriptlet, run, result.error.message, result.error.backtrace, result.error.budget);
  if (result.value !== None) return failed(scriptlet, run, `placement() must return None, got ${describe(result.value)}`, '');
  return { ok: true, placement: run.placement, logs: run.logs };
}

const DESCRIBED_BYTES = 200;
const DESCRIBE = hostFunction('describe', ([value]) => repr(value));
/** Enough to print the start of any value, not enough to print a hostile one in full. */
const DESCRIBE_LIMITS: Partial<Limits> = { ...DEFAULT_PLACEMENT_LIMITS, maxSteps: 100_000, maxAllocation: 1_000_000, maxStringBytes: 1 << 16 };

/** The returned value for the error message; a type name if it is too large or deep to print. */
function describe(value: Value): string {
  const printed = callFunction(DESCRIBE, [value], {}, { limits: DESCRIBE_LIMITS });
  if (!printed.ok || typeof printed.value !== 'string') return `a ${typeName(value)}`;
  const text = fromStarlarkString(printed.value);
  return text.length > DESCRIBED_BYTES ? `${text.slice(0, DESCRIBED_BYTES)}…` : text;
}

function failed(scriptlet: PlacementScriptlet, run: PlacementRun, message: string, backtrace: string, budget?: BudgetBreach): PlacementResult {
  const error: PlacementFailure = { message: `placement scriptlet ${scriptlet.filename} failed for instance ${run.instance.location}: ${message}`, backtrace };
  if (budget !== undefined) error.budget = budget;
  return { ok: false, error, logs: run.logs };
}
