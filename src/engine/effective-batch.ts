// The batch decide acts on: the desired batch, except for the protected parts whose change the
// modification rules refused — those stay as last accepted (BatchStatus.started_spec).

import type { CompiledExpression } from '../expr/index.js';
import type { Batch, MigrationNetwork } from '../model/desired.js';
import { batchJson } from '../model/migration-manager-json.js';
import type { PlacementScriptlet } from '../placement/index.js';
import { compileExpressionOrThrow, compileScriptletOrThrow, scriptletFilename, type CompiledBatch, type CompiledConstraint } from './compiled.js';
import type { ProtectedPart } from './modification.js';
import type { StartedSpec } from './status.js';

export interface EffectiveBatch {
  name: string;
  batch: Batch;
  include: CompiledExpression;
  constraints: readonly CompiledConstraint[];
  scriptlet: PlacementScriptlet | null;
  json: Readonly<Record<string, unknown>>;
  /** The parts kept as last accepted because their change was refused. */
  refused: ReadonlySet<ProtectedPart>;
}

const NONE: ReadonlySet<ProtectedPart> = new Set();

export function effectiveBatch(compiled: CompiledBatch, started: StartedSpec | null, refused: ReadonlySet<ProtectedPart> | undefined): EffectiveBatch {
  const name = compiled.batch.meta.name;
  if (started === null || refused === undefined || refused.size === 0) {
    return { name, batch: compiled.batch, include: compiled.include, constraints: compiled.constraints, scriptlet: compiled.scriptlet, json: compiled.json, refused: NONE };
  }
  const desired = compiled.batch;
  const origin = desired.meta.origin;
  const batch: Batch = { ...desired, defaults: { ...desired.defaults }, config: { ...desired.config } };
  let include = compiled.include;
  let constraints = compiled.constraints;
  let scriptlet = compiled.scriptlet;
  if (refused.has('include_expression')) {
    batch.include_expression = { text: started.include_expression, origin: desired.include_expression.origin };
    include = compileExpressionOrThrow(started.include_expression, `the accepted include expression of batch "${name}"`, compiled.limits, null, desired.include_expression.origin);
  }
  if (refused.has('placement')) {
    batch.defaults.placement = { ...started.placement };
    batch.defaults.migration_network = started.migration_network.map((n) => ({ ...n, nictype: n.nictype as MigrationNetwork['nictype'] }));
  }
  if (refused.has('placement_scriptlet')) {
    const text = started.placement_scriptlet;
    batch.config.placement_scriptlet = text === null ? null : { text, origin: desired.config.placement_scriptlet?.origin ?? origin };
    scriptlet = text === null ? null : compileScriptletOrThrow(text, scriptletFilename(desired), `the accepted placement scriptlet of batch "${name}"`, compiled.limits, null, desired.config.placement_scriptlet?.origin ?? origin);
  }
  if (refused.has('constraints')) {
    batch.constraints = started.constraints.map((c) => ({
      name: c.name,
      description: '',
      include_expression: { text: c.include_expression, origin },
      max_concurrent_instances: c.max_concurrent_instances,
      min_instance_boot_time_ms: c.min_instance_boot_time_ms,
      origin,
    }));
    constraints = batch.constraints.map((constraint) => ({
      constraint,
      expression: compileExpressionOrThrow(constraint.include_expression.text, `the accepted constraint "${constraint.name}" of batch "${name}"`, compiled.limits, null, origin),
    }));
  }
  if (refused.has('windows')) {
    batch.migration_windows = started.windows.map((w) => ({ ...w, origin: desired.migration_windows.find((d) => d.name === w.name)?.origin ?? origin }));
  }
  return { name, batch, include, constraints, scriptlet, json: batchJson(batch), refused };
}
