// The desired state compiled once per desired commit: every batch's include expression, the
// expressions of its constraints and its placement scriptlet, plus the override indexes. decide
// runs on every tick and never compiles anything itself.

import { compileExpression, type CompiledExpression } from '../expr/index.js';
import type { Batch, Constraint, DesiredState, InstanceOverride, Source, Target } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';
import { batchJson, networkOverrideMap } from '../model/migration-manager-json.js';
import { compilePlacementScriptlet, type NetworkOverrides, type PlacementScriptlet } from '../placement/index.js';

export interface CompiledConstraint {
  constraint: Constraint;
  expression: CompiledExpression;
}

export interface CompiledBatch {
  batch: Batch;
  include: CompiledExpression;
  /** In the batch's order: the last matching one applies. */
  constraints: readonly CompiledConstraint[];
  scriptlet: PlacementScriptlet | null;
  /** migration-manager's batch JSON: what the scriptlet receives as `batch`. */
  json: Readonly<Record<string, unknown>>;
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

export function compileExpressionOrThrow(text: string, what: string): CompiledExpression {
  const compiled = compileExpression(text);
  if (!compiled.ok) throw new UnvalidatedDesiredState(`${what} does not compile: ${compiled.errors[0]?.message ?? 'unknown error'}`);
  return compiled.expression;
}

export function compileScriptletOrThrow(text: string, filename: string, what: string): PlacementScriptlet {
  const compiled = compilePlacementScriptlet(text, filename);
  if (!compiled.ok) throw new UnvalidatedDesiredState(`${what} does not compile: ${compiled.problems[0]?.message ?? 'unknown error'}`);
  return compiled.scriptlet;
}

export function scriptletFilename(batch: Batch): string {
  return batch.config.placement_scriptlet_file ?? batch.meta.origin.file;
}

export function compileBatch(batch: Batch): CompiledBatch {
  const name = batch.meta.name;
  const include = compileExpressionOrThrow(batch.include_expression.text, `the include expression of batch "${name}"`);
  const constraints = batch.constraints.map((constraint) => ({
    constraint,
    expression: compileExpressionOrThrow(constraint.include_expression.text, `the expression of constraint "${constraint.name}" of batch "${name}"`),
  }));
  const text = batch.config.placement_scriptlet;
  const scriptlet = text === null ? null : compileScriptletOrThrow(text.text, scriptletFilename(batch), `the placement scriptlet of batch "${name}"`);
  return { batch, include, constraints, scriptlet, json: batchJson(batch) };
}

export function compileDesired(desired: DesiredState): CompiledDesired {
  const batches = new Map<string, CompiledBatch>();
  for (const batch of desired.batches) batches.set(batch.meta.name, compileBatch(batch));

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
