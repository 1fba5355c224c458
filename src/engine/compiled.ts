// The desired state compiled once per desired commit: every batch's include expression, the
// expressions of its constraints and its placement scriptlet, plus the override indexes. decide
// runs on every tick and never compiles anything itself.

import { compileExpression, type CompiledExpression, type ExprLimits } from '../expr/index.js';
import { DEFAULT_BUDGETS, type Budgets } from '../model/budgets.js';
import type { Batch, Constraint, DesiredState, InstanceOverride, Origin, SourceText, Source, Target } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';
import { batchJson, networkOverrideMap } from '../model/migration-manager-json.js';
import { compilePlacementScriptlet, DEFAULT_PLACEMENT_LIMITS, type NetworkOverrides, type PlacementScriptlet } from '../placement/index.js';
import type { Limits } from '../starlark/index.js';
import { registerExpression } from './evaluation.js';

export interface CompiledConstraint {
  constraint: Constraint;
  expression: CompiledExpression;
}

/** The limits every evaluation of a desired state runs within (its Project's spec.budgets). */
export interface EvaluationLimits {
  expression: Partial<ExprLimits>;
  scriptlet: Partial<Limits>;
}

/**
 * The budgets as the evaluators take them. The time budget reads the process's clock: the only
 * clock the engine touches, and only to stop a runaway evaluation — it never changes a decision.
 */
export function evaluationLimits(budgets: Budgets): EvaluationLimits {
  const now = () => performance.now();
  return {
    expression: { maxWork: budgets.expression.work, maxAllocation: budgets.expression.allocation, maxMillis: budgets.expression.time_ms, now },
    scriptlet: {
      ...DEFAULT_PLACEMENT_LIMITS,
      maxSteps: budgets.scriptlet.work,
      maxAllocation: budgets.scriptlet.allocation,
      maxCallDepth: budgets.scriptlet.call_depth,
      maxMillis: budgets.scriptlet.time_ms,
      now,
    },
  };
}

export const DEFAULT_EVALUATION_LIMITS: EvaluationLimits = evaluationLimits(DEFAULT_BUDGETS);

/** What a compiled scriptlet is, where its text is and the limits it runs within, for computePlacement. */
export interface ScriptletOrigin {
  what: string;
  source: SourceText | null;
  fallback: Origin;
  limits: Partial<Limits>;
}

const scriptletOrigins = new WeakMap<PlacementScriptlet, ScriptletOrigin>();

export function scriptletOrigin(scriptlet: PlacementScriptlet): ScriptletOrigin | undefined {
  return scriptletOrigins.get(scriptlet);
}

export interface CompiledBatch {
  batch: Batch;
  include: CompiledExpression;
  /** In the batch's order: the last matching one applies. */
  constraints: readonly CompiledConstraint[];
  scriptlet: PlacementScriptlet | null;
  /** migration-manager's batch JSON: what the scriptlet receives as `batch`. */
  json: Readonly<Record<string, unknown>>;
  /** The limits its expressions and scriptlet were compiled with (a refused change is compiled with them too). */
  limits: EvaluationLimits;
}

export interface CompiledDesired {
  /** The desired state this was compiled from. */
  desired: DesiredState;
  batches: ReadonlyMap<string, CompiledBatch>;
  /** Batch names sorted: the order in which batches starting in the same tick claim instances. */
  batchNames: readonly string[];
  sources: ReadonlyMap<string, Source>;
  targets: ReadonlyMap<string, Target>;
  networkOverrides: NetworkOverrides;
  /** The InstanceOverride that applies to an instance (matched by UUID or location, and source when given). */
  instanceOverride(instance: InstanceRecord): InstanceOverride | undefined;
}

/** Thrown when the desired state was not validated first: a bug in the caller, not an operator error. */
export class UnvalidatedDesiredState extends Error {
  constructor(message: string) {
    super(`internal error: decide needs a validated desired state: ${message}`);
    this.name = 'UnvalidatedDesiredState';
  }
}

export function compileExpressionOrThrow(text: string, what: string, limits: EvaluationLimits, source: SourceText | null, fallback: Origin): CompiledExpression {
  const compiled = compileExpression(text, { limits: limits.expression });
  if (!compiled.ok) throw new UnvalidatedDesiredState(`${what} does not compile: ${compiled.errors[0]?.message ?? 'unknown error'}`);
  return registerExpression(compiled.expression, { what, source, fallback });
}

export function compileScriptletOrThrow(text: string, filename: string, what: string, limits: EvaluationLimits, source: SourceText | null, fallback: Origin): PlacementScriptlet {
  const compiled = compilePlacementScriptlet(text, filename, limits.scriptlet);
  if (!compiled.ok) throw new UnvalidatedDesiredState(`${what} does not compile: ${compiled.problems[0]?.message ?? 'unknown error'}`);
  scriptletOrigins.set(compiled.scriptlet, { what, source, fallback, limits: limits.scriptlet });
  return compiled.scriptlet;
}

export function scriptletFilename(batch: Batch): string {
  return batch.config.placement_scriptlet_file ?? batch.meta.origin.file;
}

export function compileBatch(batch: Batch, limits: EvaluationLimits = DEFAULT_EVALUATION_LIMITS): CompiledBatch {
  const name = batch.meta.name;
  const include = compileExpressionOrThrow(batch.include_expression.text, `the include expression of batch "${name}"`, limits, batch.include_expression, batch.meta.origin);
  const constraints = batch.constraints.map((constraint) => ({
    constraint,
    expression: compileExpressionOrThrow(constraint.include_expression.text, `the expression of constraint "${constraint.name}" of batch "${name}"`, limits, constraint.include_expression, constraint.origin),
  }));
  const text = batch.config.placement_scriptlet;
  const scriptlet = text === null ? null : compileScriptletOrThrow(text.text, scriptletFilename(batch), `the placement scriptlet of batch "${name}"`, limits, text, batch.meta.origin);
  return { batch, include, constraints, scriptlet, json: batchJson(batch), limits };
}

export function compileDesired(desired: DesiredState): CompiledDesired {
  const limits = evaluationLimits(desired.project.budgets);
  const batches = new Map<string, CompiledBatch>();
  for (const batch of desired.batches) batches.set(batch.meta.name, compileBatch(batch, limits));

  const instanceOverride = overrideLookup(desired);

  return {
    desired,
    batches,
    batchNames: [...batches.keys()].sort(),
    sources: new Map(desired.sources.map((source) => [source.meta.name, source])),
    targets: new Map(desired.targets.map((target) => [target.meta.name, target])),
    networkOverrides: networkOverrideMap(desired),
    instanceOverride,
  };
}

/**
 * The InstanceOverride lookup, indexed by UUID and by location: among the candidates the first one
 * in repository order whose every match field agrees wins, exactly as a linear scan would choose.
 */
export function overrideLookup(desired: DesiredState): (instance: InstanceRecord) => InstanceOverride | undefined {
  const byUuid = new Map<string, number[]>();
  const byLocation = new Map<string, number[]>();
  const index = (map: Map<string, number[]>, key: string | undefined, i: number) => {
    if (key === undefined) return;
    const list = map.get(key);
    if (list) list.push(i);
    else map.set(key, [i]);
  };
  desired.instanceOverrides.forEach((override, i) => {
    index(byUuid, override.match.uuid, i);
    index(byLocation, override.match.location, i);
  });
  const overrides = desired.instanceOverrides;
  return (instance) => {
    let best = Infinity;
    for (const candidates of [byUuid.get(instance.uuid), byLocation.get(instance.location)]) {
      if (!candidates) continue;
      for (const i of candidates) {
        if (i >= best) break;
        const { match } = overrides[i]!;
        if ((match.uuid === undefined || match.uuid === instance.uuid)
          && (match.location === undefined || match.location === instance.location)
          && (match.source === undefined || match.source === instance.source)) {
          best = i;
          break;
        }
      }
    }
    return best === Infinity ? undefined : overrides[best];
  };
}

/** The instance with its override attached as `overrides`, as migration-manager attaches instance overrides. */
export function attachOverride(instance: InstanceRecord, override: InstanceOverride | undefined): InstanceRecord {
  if (override === undefined) return instance;
  const { meta: _meta, match: _match, ...fields } = override;
  return { ...instance, overrides: { ...instance.overrides, ...fields } };
}
