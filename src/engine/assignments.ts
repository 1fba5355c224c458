// Which instances a Defined batch holds (migration-manager's batch assignment, research §1.2). It
// is computed when the batch is first seen and whenever its include expression is edited; a sync
// adds the instances it made match (a repository has no "save the batch" event, so what a
// migration-manager user would pick up by editing the batch joins by itself) and leaves those it
// moved out of the expression assigned: when the batch starts, their entries are Conflicts
// ("Instance no longer matches batch expression"). A batch that started holds entries instead.
// Pure.

import type { CompiledExpression } from '../expr/index.js';
import { matchesInstance } from './evaluation.js';
import { sameRecord } from './same-record.js';
import type { BatchAssignment, SourceInventory } from './status.js';
import type { TickContext } from './tick.js';

/** The instances of the sources synced this tick whose record is new or changed since the last snapshot. */
function changedInstances(ctx: TickContext): string[] {
  const changed: string[] = [];
  const { status, observations } = ctx.input;
  for (const source in observations.inventory) {
    const before: SourceInventory | undefined = status.inventory[source];
    const after = ctx.inventory[source]!;
    if (before === after) continue;
    const previous = new Map((before?.instances ?? []).map((instance) => [instance.uuid, instance]));
    for (const instance of after.instances) if (!sameRecord(previous.get(instance.uuid), instance)) changed.push(instance.uuid);
  }
  return changed;
}

/** The assignments after this tick's sync, for every batch that is Defined. */
export function assignBatches(ctx: TickContext): Record<string, BatchAssignment> {
  const previous = ctx.input.status.assignments;
  const out: Record<string, BatchAssignment> = {};
  const full: { name: string; include: CompiledExpression; expression: string; instances: string[] }[] = [];
  const incremental: { name: string; include: CompiledExpression; was: BatchAssignment }[] = [];
  for (const run of ctx.runs.values()) {
    if (run.effective === null || (ctx.batches[run.name]?.status ?? 'Defined') !== 'Defined') continue;
    const was = previous[run.name];
    // A batch seen for the first time with state: running starts in this very tick: it will hold
    // entries, not an assignment. Should its start be refused, the next tick assigns it.
    if (was === undefined && ctx.batches[run.name] === undefined && run.effective.batch.state === 'running') continue;
    const include = run.effective.include;
    const expression = run.effective.batch.include_expression.text;
    if (was === undefined || was.include_expression !== expression) full.push({ name: run.name, include, expression, instances: [] });
    else incremental.push({ name: run.name, include, was });
  }
  if (full.length > 0) {
    // One pass over the inventory, each instance's view built once for every batch.
    for (const { uuid } of ctx.inventoryInstances()) {
      const view = ctx.view(uuid)!;
      const where = () => ctx.instance(uuid)?.location ?? uuid;
      for (const batch of full) if (matchesInstance(batch.include, view, where)) batch.instances.push(uuid);
    }
    for (const batch of full) out[batch.name] = { include_expression: batch.expression, instances: batch.instances.sort() };
  }
  if (incremental.length > 0) {
    const changed = changedInstances(ctx);
    for (const { name, include, was } of incremental) {
      if (changed.length === 0) {
        out[name] = was;
        continue;
      }
      const held = new Set(was.instances);
      const joining = changed.filter((uuid) => !held.has(uuid) && ctx.instance(uuid) !== undefined && ctx.matches(include, uuid));
      out[name] = joining.length === 0 ? was : { include_expression: was.include_expression, instances: [...was.instances, ...joining].sort() };
    }
  }
  return out;
}
