// The plan of a pull request: the base branch and the head are each planned against the same
// status snapshot, and what each batch would hold is compared — instances entering or leaving,
// placements that change, conflicts the change causes or resolves, problems. Both are read as
// data and planned offline (docs/security.md): no vCenter or Incus is contacted and no secret is
// read, whatever the pull request's Sources and Targets say; real systems are judged by what the
// status branch recorded, and connection settings the change makes are reported for review. Its
// hash identifies it in the sticky comment.

import { createHash } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { compileDesired, EvaluationBudgetError } from '../engine/index.js';
import { evaluationLimits } from '../engine/compiled.js';
import { DEFAULT_BUDGETS } from '../model/budgets.js';
import { predictBatches, predictedProjects, type BatchPrediction, type PredictedMember, type PredictedWindow } from '../engine/predict.js';
import type { DesiredState } from '../model/desired.js';
import type { Problem } from '../model/problem.js';
import type { Placement } from '../placement/index.js';
import { desiredAtCommit, desiredInWorkTree, type DesiredAt } from '../reconcile/desired.js';
import { openReconciler } from '../reconcile/open.js';
import { planOnce, type PlanResult } from '../reconcile/reconciler.js';
import type { Pauses } from '../engine/status.js';
import type { StatusSnapshot } from '../store/index.js';
import type { ConnectionChange } from '../trust/connections.js';
import { planTrust } from '../trust/policy.js';
import { isTrusted, type NoTrustedRevision, type TrustedRevision } from '../trust/revision.js';

export const PR_PLAN_KIND = 'ferry-pr-plan';
export const PR_PLAN_FORMAT = '2';

export interface MemberLine {
  name: string;
  uuid: string;
  status: string;
  message: string;
  placement: string | null;
}

export interface PlacementChange {
  name: string;
  uuid: string;
  before: string;
  after: string;
}

export interface ConflictLine {
  name: string;
  uuid: string;
  message: string;
}

export interface Assignment {
  name: string;
  status: string;
  window: string | null;
  predicted: boolean;
  /** Why an entry that still has to cut over has no window (null when it has one, or needs none). */
  reason: string | null;
}

export interface BatchDiff {
  name: string;
  /** Status and spec.state on the base and with the change merged (null: the batch does not exist there). */
  base: { status: string; state: string | null } | null;
  head: { status: string; state: string | null } | null;
  entering: MemberLine[];
  leaving: MemberLine[];
  placement_changes: PlacementChange[];
  conflicts_caused: ConflictLine[];
  conflicts_resolved: ConflictLine[];
  /** Conflicts the change leaves as they are. */
  conflicts_remaining: ConflictLine[];
  problems: Problem[];
  windows: PredictedWindow[];
  assignments: Assignment[];
  members: number;
  changed: boolean;
}

export interface PrPlanSummary {
  entering: number;
  leaving: number;
  placement_changes: number;
  conflicts_caused: number;
  conflicts_resolved: number;
  conflicts: number;
  errors: number;
  warnings: number;
  batches_changed: number;
}

export interface PrPlan {
  format_version: string;
  kind: typeof PR_PLAN_KIND;
  base: { ref: string; commit: string | null };
  head: { ref: string; commit: string | null };
  /** The revision whose status branch and connection settings the plan used; null when none is known. */
  trusted: { ref: string; commit: string } | null;
  /** Connection settings the change makes against the trusted revision: never used, shown for review. */
  connection_changes: ConnectionChange[];
  status_revision: string | null;
  /** Operators' pauses on that status branch (`ferry pause`): what holds the campaign or a batch whatever the change says. */
  pauses: Pauses;
  /** The time the plan was computed for (epoch ms; the simulator's clock when simulated). */
  now: number;
  virtual_clock: boolean;
  /** false: the head has errors; nothing was planned. */
  valid: boolean;
  problems: Problem[];
  batches: BatchDiff[];
  summary: PrPlanSummary;
  notes: string[];
  /** SHA-256 of everything above: the comment's marker carries it. */
  hash: string;
}

export function describePlacement(p: Placement | null): string | null {
  if (p === null) return null;
  const pools = [...new Set(Object.values(p.storage_pools))].sort();
  const nets = Object.entries(p.networks)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([mac, n]) => `${mac}→${n.network}${n.nictype === 'managed' ? '' : ` (${n.nictype}${n.vlan_id ? ` vlan ${n.vlan_id}` : ''})`}`);
  return `${p.target_name}/${p.target_project}; pools ${pools.join(', ') || '—'}; nics ${nets.join(', ') || '—'}${p.running ? '' : '; stays off'}`;
}

function line(m: PredictedMember): MemberLine {
  return { name: m.name, uuid: m.uuid, status: m.status, message: m.message, placement: describePlacement(m.placement) };
}

function conflictLine(m: PredictedMember): ConflictLine {
  return { name: m.name, uuid: m.uuid, message: m.message };
}

/** Compares two predictions, batch by batch. Problems are attached to the batch whose file they are in. */
export function diffPredictions(base: BatchPrediction[], head: BatchPrediction[], problems: Problem[], batchFiles: Map<string, string>): BatchDiff[] {
  const names = [...new Set([...base.map((b) => b.name), ...head.map((b) => b.name)])].sort();
  const out: BatchDiff[] = [];
  for (const name of names) {
    const was = base.find((b) => b.name === name);
    const now = head.find((b) => b.name === name);
    const before = new Map((was?.members ?? []).map((m) => [m.uuid, m]));
    const after = new Map((now?.members ?? []).map((m) => [m.uuid, m]));
    const entering = [...after.values()].filter((m) => !before.has(m.uuid)).map(line);
    const leaving = [...before.values()].filter((m) => !after.has(m.uuid)).map(line);
    const placement_changes: PlacementChange[] = [];
    const conflicts_caused: ConflictLine[] = [];
    const conflicts_resolved: ConflictLine[] = [];
    const conflicts_remaining: ConflictLine[] = [];
    for (const [uuid, m] of after) {
      const old = before.get(uuid);
      const a = describePlacement(m.placement);
      const b = old ? describePlacement(old.placement) : null;
      if (old && a !== null && b !== null && a !== b) placement_changes.push({ name: m.name, uuid, before: b, after: a });
      const conflicted = m.status === 'Conflict';
      const wasConflicted = old?.status === 'Conflict';
      if (conflicted && !wasConflicted) conflicts_caused.push(conflictLine(m));
      else if (conflicted) conflicts_remaining.push(conflictLine(m));
      else if (wasConflicted) conflicts_resolved.push({ name: m.name, uuid, message: `was: ${old!.message}` });
    }
    for (const [uuid, m] of before) if (!after.has(uuid) && m.status === 'Conflict') conflicts_resolved.push({ name: m.name, uuid, message: `left the batch; was: ${m.message}` });
    const file = batchFiles.get(name);
    const own = file === undefined ? [] : problems.filter((p) => p.file === file);
    const windows = now?.windows ?? was?.windows ?? [];
    const assignments: Assignment[] = (now?.members ?? []).map((m) => ({ name: m.name, status: m.status, window: m.window, predicted: m.predicted, reason: noRoomReason(m, windows) }));
    const diff: BatchDiff = {
      name,
      base: was ? { status: was.status, state: was.state } : null,
      head: now ? { status: now.status, state: now.state } : null,
      entering,
      leaving,
      placement_changes,
      conflicts_caused,
      conflicts_resolved,
      conflicts_remaining,
      problems: own,
      windows,
      assignments,
      members: now?.members.length ?? 0,
      changed: false,
    };
    // A warning (migration-manager would read the expression otherwise) is shown, but is no change by itself.
    diff.changed = entering.length + leaving.length + placement_changes.length + conflicts_caused.length + conflicts_resolved.length > 0
      || own.some((p) => p.severity === 'error')
      || was?.status !== now?.status || was?.state !== now?.state
      || JSON.stringify(was?.windows ?? null) !== JSON.stringify(now?.windows ?? null);
    out.push(diff);
  }
  return out;
}

const DONE = new Set(['Finished', 'Canceled', 'Error']);

/** Why a member finds no room in the batch's windows: what blocks it, or that there is no window left. */
function noRoomReason(m: PredictedMember, windows: PredictedWindow[]): string | null {
  if (m.window !== null || DONE.has(m.status)) return null;
  if (m.status === 'Blocked' || m.status === 'Conflict') return m.message;
  if (windows.length === 0) return null;
  if (windows.every((w) => w.ended)) return 'every migration window of the batch has ended';
  return 'the open migration windows are full (capacity)';
}

export function summarize(batches: BatchDiff[], problems: Problem[]): PrPlanSummary {
  const sum = (f: (b: BatchDiff) => number) => batches.reduce((n, b) => n + f(b), 0);
  return {
    entering: sum((b) => b.entering.length),
    leaving: sum((b) => b.leaving.length),
    placement_changes: sum((b) => b.placement_changes.length),
    conflicts_caused: sum((b) => b.conflicts_caused.length),
    conflicts_resolved: sum((b) => b.conflicts_resolved.length),
    conflicts: sum((b) => b.conflicts_caused.length + b.conflicts_remaining.length),
    errors: problems.filter((p) => p.severity === 'error').length,
    warnings: problems.filter((p) => p.severity !== 'error').length,
    batches_changed: batches.filter((b) => b.changed).length,
  };
}

export function planHash(plan: Omit<PrPlan, 'hash'>): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

export interface PrPlanOptions {
  repoDir: string;
  /** The base revision (e.g. origin/main); null: nothing to compare with (every batch is new). */
  baseRef: string | null;
  /** The head revision; absent: the work tree. */
  headRef?: string;
  log?: Logger;
  /** The trusted revision: its status branch is read and its connection settings are the reference. */
  trusted: TrustedRevision | NoTrustedRevision;
  /** The status branch instead of the trusted Project's (the Action's input). */
  statusBranch?: string;
}

interface Planned {
  plan: PlanResult;
  predictions: BatchPrediction[];
  virtual: boolean;
}

async function planAt(repoDir: string, planned: DesiredAt, trusted: TrustedRevision | NoTrustedRevision, statusBranch: string | undefined, log: Logger, snapshot?: StatusSnapshot): Promise<Planned> {
  const run = planTrust(planned, trusted, { offline: true });
  const desired = statusBranch === undefined ? run.desired : { ...run.desired, state: withStatusBranch(run.desired.state, statusBranch) };
  const opened = await openReconciler(repoDir, desired.state, desired.files, { readOnly: true, log, connections: run.connections });
  try {
    const compiled = compileDesired(desired.state);
    const plan = await planOnce(opened.setup, desired, compiled, snapshot, { recordedTargets: true });
    plan.notes.unshift(...run.notes);
    const input = { desired: desired.state, compiled, status: plan.snapshot.status, observations: plan.observations, now: plan.now, reconciler: opened.setup.reconciler, desiredCommit: desired.commit };
    // What batches would hold evaluates their expressions and scriptlets once more: one that runs
    // out of budget is a problem of the plan, and nothing is predicted.
    const predict = (): BatchPrediction[] => {
      try {
        return predictBatches(input, plan.decision);
      } catch (error) {
        if (!(error instanceof EvaluationBudgetError)) throw error;
        if (!plan.decision.problems.some((p) => p.message === error.problem.message)) plan.decision.problems.push(error.problem);
        return [];
      }
    };
    let predictions = predict();
    // Placements of batches that have not started name projects no entry uses yet: observe those
    // projects too (an unobserved project would read as missing), then predict again.
    let more = false;
    for (const [target, projects] of predictedProjects(predictions)) {
      const known = plan.observations.targets[target];
      if (known === undefined || !known.reachable || known.recorded_at !== undefined || !desired.state.targets.some((t) => t.meta.name === target)) continue;
      const missing = [...projects].filter((p) => !(p in known.projects)).sort();
      if (missing.length === 0) continue;
      try {
        const seen = await opened.setup.providers.target(target).observe(missing);
        known.projects = { ...known.projects, ...seen.projects };
        more = true;
      } catch (error) {
        plan.notes.push(`target ${target}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (more) predictions = predict();
    return { plan, predictions, virtual: opened.setup.providers.clock.virtual };
  } finally {
    await opened.close();
  }
}

export const NO_BASE_NOTE = 'no base revision to compare with: every batch is compared against nothing';

/** Plans a pull request: its head (or the work tree) against its base, on the same status snapshot. */
export async function computePrPlan(options: PrPlanOptions): Promise<PrPlan> {
  const log = options.log ?? pino({ level: 'silent' });
  // Both are evaluated within the trusted revision's budgets, whatever their own ferry.yaml says.
  const limits = evaluationLimits(isTrusted(options.trusted) ? options.trusted.desired.state.project.budgets : DEFAULT_BUDGETS);
  const head = options.headRef === undefined ? await desiredInWorkTree(options.repoDir, { limits }) : await desiredAtCommit(options.repoDir, options.headRef, { limits });
  const base = options.baseRef === null ? null : await desiredAtCommit(options.repoDir, options.baseRef, { limits });
  const headRef = options.headRef ?? 'HEAD';
  const problems = [...head.problems];
  const notes: string[] = [];
  const trusted = isTrusted(options.trusted) ? { ref: options.trusted.ref, commit: options.trusted.commit } : null;
  // Reported even when the change does not validate: a reviewer should see it either way.
  const changes = planTrust(head, options.trusted, { offline: true }).changes;
  const finish = (rest: Pick<PrPlan, 'status_revision' | 'pauses' | 'now' | 'virtual_clock' | 'valid'>, batches: BatchDiff[], all: Problem[]): PrPlan => {
    const body: Omit<PrPlan, 'hash'> = {
      format_version: PR_PLAN_FORMAT,
      kind: PR_PLAN_KIND,
      base: { ref: options.baseRef ?? '(none)', commit: base?.commit ?? null },
      head: { ref: headRef, commit: head.commit },
      trusted,
      connection_changes: changes,
      ...rest,
      problems: all,
      batches,
      summary: summarize(batches, all),
      notes,
    };
    return { ...body, hash: planHash(body) };
  };
  if (problems.some((p) => p.severity === 'error')) {
    return finish({ status_revision: null, pauses: { campaign: null, batches: {} }, now: 0, virtual_clock: false, valid: false }, [], problems);
  }
  const planned = await planAt(options.repoDir, head, options.trusted, options.statusBranch, log);
  notes.push(...planned.plan.notes);
  let basePredictions: BatchPrediction[] = [];
  if (base === null) {
    notes.push(NO_BASE_NOTE);
  } else if (base.problems.some((p) => p.severity === 'error')) {
    notes.push(`the base ${options.baseRef} has errors of its own: every batch is compared against nothing`);
  } else {
    basePredictions = (await planAt(options.repoDir, base, options.trusted, options.statusBranch, log, planned.plan.snapshot)).predictions;
  }
  const all = [...problems, ...planned.plan.decision.problems];
  const batchFiles = new Map(head.state.batches.map((b) => [b.meta.name, b.meta.origin.file]));
  const batches = diffPredictions(basePredictions, planned.predictions, all, batchFiles);
  // An expression or scriptlet that ran out of budget leaves nothing planned.
  const valid = !all.some((p) => p.code === 'expr-budget' || p.code === 'scriptlet-budget');
  return finish({ status_revision: planned.plan.snapshot.revision, pauses: planned.plan.snapshot.status.pauses, now: planned.plan.now, virtual_clock: planned.virtual, valid }, valid ? batches : [], all);
}

/** The desired state with another status branch (never changing a shared default). */
export function withStatusBranch(state: DesiredState, branch: string): DesiredState {
  return { ...state, project: { ...state.project, status: { ...state.project.status, branch } } };
}
