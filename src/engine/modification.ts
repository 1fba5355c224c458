// What may change in a batch once it has started (migration-manager research §1.4 and §2.6): its
// include expression, default placement and migration networks never; its scriptlet only while
// no entry waits to be placed; a constraint only when it concerns no committed entry; a window
// some entry holds only in ways that cannot cut that entry's cutover short. A change that breaks a
// rule is a positioned problem for `ferry validate` and `plan`, and decide keeps the part as it
// was last accepted (BatchStatus.started_spec) until the repository is fixed.

import { compileExpression, expressionView, type CompiledExpression } from '../expr/index.js';
import type { Batch, Constraint, DesiredState, InstanceOverride, Origin } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';
import type { Problem } from '../model/problem.js';
import { attachOverride, DEFAULT_EVALUATION_LIMITS, overrideLookup, type CompiledDesired, type EvaluationLimits } from './compiled.js';
import { matchesInstance } from './evaluation.js';
import { at } from './messages.js';
import { isCommitted, type QueueEntry, type StartedSpec, type StatusState } from './status.js';

/** The parts of a started batch that the modification rules protect. */
export type ProtectedPart = 'include_expression' | 'placement' | 'placement_scriptlet' | 'constraints' | 'windows';

export interface ModificationCheck {
  problems: Problem[];
  /** Per batch name: the parts whose change is refused (decide keeps their last accepted form). */
  refused: Map<string, Set<ProtectedPart>>;
}

export interface ModificationOptions {
  /** With it, windows that are already over are reported as warnings. */
  now?: number;
  /** Reused when given (decide has it); compiled from `desired` otherwise. */
  compiled?: CompiledDesired;
}

/** The modification-rule problems of the desired state against the status: for `ferry validate` and `plan`. */
export function modificationProblems(desired: DesiredState, status: StatusState, options: ModificationOptions = {}): Problem[] {
  return checkModifications(desired, status, options).problems;
}

export function startedSpecOf(batch: Batch): StartedSpec {
  const { placement, migration_network } = batch.defaults;
  return {
    include_expression: batch.include_expression.text,
    placement: { target: placement.target, target_project: placement.target_project, storage_pool: placement.storage_pool },
    migration_network: migration_network.map(({ target, target_project, network, nictype, vlan_id }) => ({ target, target_project, network, nictype, vlan_id })),
    placement_scriptlet: batch.config.placement_scriptlet?.text ?? null,
    windows: batch.migration_windows.map(({ name, start, end, lockout, capacity }) => ({ name, start, end, lockout, capacity })),
    constraints: batch.constraints.map(({ name, include_expression, max_concurrent_instances, min_instance_boot_time_ms }) => ({
      name,
      include_expression: include_expression.text,
      max_concurrent_instances,
      min_instance_boot_time_ms,
    })),
  };
}

export function checkModifications(desired: DesiredState, status: StatusState, options: ModificationOptions = {}): ModificationCheck {
  const problems: Problem[] = [];
  const refused = new Map<string, Set<ProtectedPart>>();
  const compiled = options.compiled;
  let lookup: ((instance: InstanceRecord) => InstanceOverride | undefined) | null = compiled?.instanceOverride ?? null;
  const entriesByBatch = groupEntries(status);
  const pendingReset = new Set(
    desired.resolutions
      .filter((r) => r.action === 'reset' && status.ledger[r.id]?.hash !== r.hash)
      .map((r) => r.batch),
  );

  for (const batch of desired.batches) {
    const name = batch.meta.name;
    const batchStatus = status.batches[name];
    const started = batchStatus !== undefined && batchStatus.status !== 'Defined' && batchStatus.started_spec !== null ? batchStatus.started_spec : null;
    const entries = entriesByBatch.get(name) ?? [];
    const report = (origin: Origin, code: string, message: string, part: ProtectedPart | null, severity: Problem['severity'] = 'error') => {
      problems.push({ file: origin.file, line: origin.line, column: origin.column, code, severity, message });
      if (part !== null) {
        let parts = refused.get(name);
        if (!parts) refused.set(name, (parts = new Set()));
        parts.add(part);
      }
    };

    if (options.now !== undefined) endedWindows(batch, batchStatus?.status ?? 'Defined', entries, options.now, report);
    if (started === null || batchStatus === undefined) continue;
    if (pendingReset.has(name)) continue;

    if (batch.state === 'defined') {
      report(batch.meta.origin, 'batch-unstart', `batch "${name}" has started (${batchStatus.status}); state: defined cannot take it back: add a Resolution with action: reset for it (reset clears its queue), or set state: stopped to pause it`, null);
    }
    if (batch.include_expression.text !== started.include_expression) {
      report(batch.include_expression.origin, 'started-batch-include-expression', `the include expression of started batch "${name}" cannot change (it was: ${started.include_expression}); reset the batch first, or put the new instances in another batch`, 'include_expression');
    }
    const placement = batch.defaults.placement;
    if (placement.target !== started.placement.target || placement.target_project !== started.placement.target_project || placement.storage_pool !== started.placement.storage_pool) {
      const was = started.placement;
      report(batch.meta.at['spec.defaults.placement.target'] ?? batch.meta.origin, 'started-batch-placement', `the default placement of started batch "${name}" cannot change (it was target ${was.target}, project ${was.target_project}, storage pool ${was.storage_pool}); reset the batch first`, 'placement');
    } else if (JSON.stringify(startedSpecOf(batch).migration_network) !== JSON.stringify(started.migration_network)) {
      report(batch.meta.at['spec.defaults.migration_network.0.target'] ?? batch.meta.origin, 'started-batch-placement', `the migration networks of started batch "${name}" cannot change; reset the batch first`, 'placement');
    }
    const scriptlet = batch.config.placement_scriptlet?.text ?? null;
    if (scriptlet !== started.placement_scriptlet) {
      const unplaced = entries.filter((e) => e.status === 'blocked' || e.status === 'waiting' || e.status === 'creating');
      if (unplaced.length > 0) {
        report(batch.config.placement_scriptlet?.origin ?? batch.meta.origin, 'started-batch-scriptlet', `the placement scriptlet of started batch "${name}" cannot change while ${unplaced.length} of its entries are Blocked, Waiting or Creating (${sample(unplaced)}); change it once they are placed, or stop and reset the batch`, 'placement_scriptlet');
      }
    }
    lookup ??= overrideLookup(desired);
    checkConstraints(batch, started, entries, status, compiled, lookup, report);
    checkWindows(batch, started, entries, report);
  }
  return { problems, refused };
}

type Report = (origin: Origin, code: string, message: string, part: ProtectedPart | null, severity?: Problem['severity']) => void;

function groupEntries(status: StatusState): Map<string, QueueEntry[]> {
  const groups = new Map<string, QueueEntry[]>();
  for (const uuid in status.entries) {
    const entry = status.entries[uuid]!;
    const list = groups.get(entry.batch);
    if (list) list.push(entry);
    else groups.set(entry.batch, [entry]);
  }
  return groups;
}

function sample(entries: readonly QueueEntry[]): string {
  const names = entries.slice(0, 3).map((e) => e.name).join(', ');
  return entries.length > 3 ? `${names}, …` : names;
}

function endedWindows(batch: Batch, batchStatus: string, entries: readonly QueueEntry[], now: number, report: Report): void {
  if (batchStatus === 'Finished' || batch.migration_windows.length === 0) return;
  const ended = batch.migration_windows.filter((w) => w.end !== null && w.end < now);
  if (batchStatus === 'Defined') {
    for (const w of ended) {
      report(w.origin, 'window-ended', `window "${w.name}" of batch "${batch.meta.name}" ended at ${at(w.end!)}; no cutover can happen in it: move it or remove it`, null, 'warning');
    }
    return;
  }
  const waiting = entries.some((e) => e.status !== 'finished' && e.status !== 'canceled' && !isCommitted(e));
  if (ended.length === batch.migration_windows.length && waiting) {
    const last = ended.reduce((a, b) => (a.end! > b.end! ? a : b));
    report(last.origin, 'window-ended', `every migration window of batch "${batch.meta.name}" has ended (the last at ${at(last.end!)}); its remaining entries cannot be cut over until a window is added`, null, 'warning');
  }
}

function checkConstraints(
  batch: Batch,
  started: StartedSpec,
  entries: readonly QueueEntry[],
  status: StatusState,
  compiled: CompiledDesired | undefined,
  lookup: (instance: InstanceRecord) => InstanceOverride | undefined,
  report: Report,
): void {
  const committed = entries.filter(isCommitted);
  if (committed.length === 0) return;
  const count = Math.max(batch.constraints.length, started.constraints.length);
  let instances: Map<string, InstanceRecord> | null = null;
  for (let i = 0; i < count; i++) {
    const current = batch.constraints[i];
    const was = started.constraints[i];
    if (current !== undefined && was !== undefined && sameConstraint(current, was)) continue;
    instances ??= committedInstances(committed, status, lookup);
    const expressions: CompiledExpression[] = [];
    const limits = compiled?.batches.get(batch.meta.name)?.limits ?? DEFAULT_EVALUATION_LIMITS;
    const compiledNow = current === undefined ? undefined : compiled?.batches.get(batch.meta.name)?.constraints[i]?.expression ?? compileOrSkip(current.include_expression.text, limits);
    if (compiledNow) expressions.push(compiledNow);
    const compiledWas = was === undefined ? undefined : compileOrSkip(was.include_expression, limits);
    if (compiledWas) expressions.push(compiledWas);
    const origin = { what: `a constraint expression of started batch "${batch.meta.name}"`, source: null, fallback: current?.origin ?? batch.meta.origin };
    const concerned = committed.filter((entry) => {
      const instance = instances!.get(entry.uuid);
      if (instance === undefined) return false;
      const view = expressionView(instance);
      return expressions.some((expression) => matchesInstance(expression, view, instance.location, origin));
    });
    if (concerned.length === 0) continue;
    const what = current === undefined ? `removing constraint "${was!.name}"` : was === undefined ? `adding constraint "${current.name}"` : `changing constraint "${current.name}"`;
    report(current?.origin ?? batch.meta.origin, 'started-batch-constraint', `${what} of started batch "${batch.meta.name}" is refused: it concerns ${concerned.length} entr${concerned.length === 1 ? 'y' : 'ies'} already past the point of no return (${sample(concerned)}); change it once they have finished`, 'constraints');
  }
}

/** An expression the loader reports itself when it does not compile. */
function compileOrSkip(text: string, limits: EvaluationLimits): CompiledExpression | undefined {
  const compiled = compileExpression(text, { limits: limits.expression });
  return compiled.ok ? compiled.expression : undefined;
}

function sameConstraint(now: Constraint, was: StartedSpec['constraints'][number]): boolean {
  return now.name === was.name
    && now.include_expression.text === was.include_expression
    && now.max_concurrent_instances === was.max_concurrent_instances
    && now.min_instance_boot_time_ms === was.min_instance_boot_time_ms;
}

function committedInstances(committed: readonly QueueEntry[], status: StatusState, lookup: (instance: InstanceRecord) => InstanceOverride | undefined): Map<string, InstanceRecord> {
  const wanted = new Set(committed.map((e) => e.uuid));
  const found = new Map<string, InstanceRecord>();
  for (const source in status.inventory) {
    for (const instance of status.inventory[source]!.instances) {
      if (wanted.has(instance.uuid) && !found.has(instance.uuid)) found.set(instance.uuid, attachOverride(instance, lookup(instance)));
    }
  }
  return found;
}

function checkWindows(batch: Batch, started: StartedSpec, entries: readonly QueueEntry[], report: Report): void {
  const held = new Map<string, number>();
  for (const entry of entries) if (entry.window !== null) held.set(entry.window, (held.get(entry.window) ?? 0) + 1);
  for (const [name, holders] of [...held].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const was = started.windows.find((w) => w.name === name);
    if (was === undefined) continue;
    const now = batch.migration_windows.find((w) => w.name === name);
    const whose = `${holders} entr${holders === 1 ? 'y holds' : 'ies hold'} it`;
    if (now === undefined) {
      report(batch.meta.origin, 'assigned-window-removed', `window "${name}" of batch "${batch.meta.name}" cannot be removed or renamed: ${whose}`, 'windows');
      continue;
    }
    if (now.start !== was.start && (was.start === null || (now.start !== null && now.start > was.start))) {
      report(now.origin, 'assigned-window-start-later', `the start of window "${name}" cannot move later: ${whose} (it starts ${was.start === null ? 'at once' : at(was.start)})`, 'windows');
    }
    if (now.end !== null && (was.end === null || now.end < was.end)) {
      report(now.origin, 'assigned-window-end-earlier', `the end of window "${name}" cannot move earlier: ${whose} (it ends ${was.end === null ? 'never' : at(was.end)})`, 'windows');
    }
    if ((was.capacity === 0 && now.capacity !== 0) || (now.capacity !== 0 && now.capacity < was.capacity)) {
      report(now.origin, 'assigned-window-capacity', `the capacity of window "${name}" cannot be reduced from ${was.capacity === 0 ? 'unlimited' : was.capacity} to ${now.capacity}: ${whose}`, 'windows');
    }
  }
}
