// What each batch would hold and where its instances would go: the entries of a started batch as
// decide left them, and for a batch that has not started the instances its include expression
// would claim if it started now (in the order batches claim), each placed by the batch's defaults
// and scriptlet and checked against the observed targets. Pull-request plans compare this for
// the base and the head of the change (src/github/pr-plan.ts). Pure, like decide.

import { blockReason, effectiveName } from './blocking.js';
import { compileBatch } from './compiled.js';
import type { DecideInput, Decision } from './decision.js';
import { effectiveBatch, type EffectiveBatch } from './effective-batch.js';
import { checkPlacement, computePlacement } from './placing.js';
import { ENTRY_STATUS_TEXT, type QueueEntry } from './status.js';
import { TickContext } from './tick.js';
import { windowEnded } from './windows.js';
import type { Placement } from '../placement/index.js';

export interface PredictedMember {
  uuid: string;
  name: string;
  location: string;
  /** The entry's status ("Finished", "Conflict"…), or for a batch not started what it would start as. */
  status: string;
  message: string;
  /** false: a real entry of the status; true: predicted for a batch that has not started. */
  predicted: boolean;
  placement: Placement | null;
  /** The assigned window (entries in their cutover), or the window a prediction expects. */
  window: string | null;
}

export interface PredictedWindow {
  name: string;
  start: number | null;
  end: number | null;
  lockout: number | null;
  /** 0: unlimited. */
  capacity: number;
  ended: boolean;
}

export interface BatchPrediction {
  name: string;
  /** The batch's status ("Defined", "Running"…); "Removed" when its document is gone. */
  status: string;
  state: string | null;
  members: PredictedMember[];
  windows: PredictedWindow[];
}

const TERMINAL = new Set(['Finished', 'Canceled', 'Error', 'Conflict', 'Blocked']);

/** The batches of `input.desired` (and those only the status still has) after `decision`. */
export function predictBatches(input: DecideInput, decision: Decision): BatchPrediction[] {
  const ctx = new TickContext({ ...input, status: decision.status });
  const byBatch = new Map<string, QueueEntry[]>();
  for (const entry of Object.values(decision.status.entries)) {
    let list = byBatch.get(entry.batch);
    if (!list) byBatch.set(entry.batch, (list = []));
    list.push(entry);
  }
  const claimed = new Set(Object.keys(decision.status.entries));
  const names = [...new Set([...input.desired.batches.map((b) => b.meta.name), ...Object.keys(decision.status.batches)])].sort();
  const out: BatchPrediction[] = [];
  /** Checks a predicted placement against the observed target, as the entry's first checks would. */
  const judgeWith = (member: PredictedMember, placement: Placement, attempt: string, effective: EffectiveBatch) => {
    const target = placement.target_name;
    const check = checkPlacement({ uuid: member.uuid, name: member.name, attempt_id: attempt, placement }, effective, input.compiled.targets.has(target), ctx.target(target));
    if (check.kind === 'problem') {
      member.status = 'Conflict';
      member.message = check.message;
    } else if (check.kind === 'unobserved' || check.kind === 'unreachable') {
      member.message = check.kind === 'unreachable' ? `${check.message}: the placement could not be checked` : 'the target was not contacted: the placement could not be checked';
    } else {
      member.message = 'would wait for its migration window';
    }
  };
  for (const name of names) {
    const batch = input.desired.batches.find((b) => b.meta.name === name);
    const status = decision.status.batches[name]?.status ?? (batch ? 'Defined' : 'Removed');
    const windows: PredictedWindow[] = (batch?.migration_windows ?? []).map((w) => ({
      name: w.name,
      start: w.start,
      end: w.end,
      lockout: w.lockout,
      capacity: w.capacity,
      ended: windowEnded(w, input.now),
    }));
    const entries = byBatch.get(name) ?? [];
    let members: PredictedMember[];
    if (entries.length > 0 || status !== 'Defined' || !batch) {
      const effective = batch ? effectiveBatch(input.compiled.batches.get(name) ?? compileBatch(batch), decision.status.batches[name]?.started_spec ?? null, undefined) : null;
      members = entries.map((e) => {
        const member: PredictedMember = { uuid: e.uuid, name: e.name, location: e.location, status: ENTRY_STATUS_TEXT[e.status], message: e.message, predicted: false, placement: e.placement, window: e.window };
        // An entry this decision created (the batch starts now) is judged from the next tick on:
        // predict that judgement here, as for a batch that has not started.
        if (effective !== null && input.status.entries[e.uuid] === undefined && e.status === 'waiting') {
          member.predicted = true;
          judgeWith(member, e.placement, e.attempt_id, effective);
        }
        return member;
      });
    } else {
      const compiled = input.compiled.batches.get(name) ?? compileBatch(batch);
      const effective = effectiveBatch(compiled, null, undefined);
      members = [];
      for (const item of ctx.inventoryInstances()) {
        if (claimed.has(item.uuid)) continue;
        if (!ctx.matches(effective.include, item.uuid)) continue;
        claimed.add(item.uuid);
        const instance = ctx.instance(item.uuid)!;
        const member: PredictedMember = { uuid: item.uuid, name: effectiveName(instance), location: instance.location, status: 'Waiting', message: 'would wait for its migration window', predicted: true, placement: null, window: null };
        const blocked = blockReason(instance, batch);
        const placed = computePlacement(effective, instance, input.compiled.networkOverrides);
        if (placed.ok) member.placement = placed.placement;
        if (blocked !== null) {
          member.status = 'Blocked';
          member.message = blocked.message;
        } else if (!placed.ok) {
          member.status = 'Blocked';
          member.message = `Placement scriptlet failed: ${placed.error}`;
        } else {
          judgeWith(member, placed.placement, `${item.uuid}#1`, effective);
        }
        members.push(member);
      }
    }
    members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.uuid < b.uuid ? -1 : 1));
    assignWindows(members, windows);
    out.push({ name, status, state: batch?.state ?? null, members, windows });
  }
  return out;
}

/**
 * Predicted window assignments: members without a window take the open windows in order, each up
 * to its capacity (counting those already assigned). A prediction, not a promise: constraints,
 * boot times and failures move entries later.
 */
function assignWindows(members: PredictedMember[], windows: PredictedWindow[]): void {
  const open = windows.filter((w) => !w.ended);
  if (open.length === 0) return;
  const used = new Map<string, number>(open.map((w) => [w.name, 0]));
  for (const m of members) if (m.window !== null && used.has(m.window)) used.set(m.window, used.get(m.window)! + 1);
  for (const m of members) {
    if (m.window !== null || TERMINAL.has(m.status)) continue;
    const window = open.find((w) => w.capacity === 0 || used.get(w.name)! < w.capacity);
    if (!window) break;
    m.window = window.name;
    used.set(window.name, used.get(window.name)! + 1);
  }
}

/** The target projects the predicted placements use, by target: a plan observes them before predicting. */
export function predictedProjects(predictions: BatchPrediction[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const batch of predictions) {
    for (const m of batch.members) {
      if (!m.predicted || m.placement === null) continue;
      let set = out.get(m.placement.target_name);
      if (!set) out.set(m.placement.target_name, (set = new Set()));
      set.add(m.placement.target_project);
    }
  }
  return out;
}
