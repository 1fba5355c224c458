// One tick (DESIGN §3): load the status → observe → decide → record → act. The new status —
// every operation about to run included — is committed (compare-and-swap) BEFORE any action
// runs: that is the write-ahead intent that makes a crash at any point safe, and it is why a
// reconciler whose push was rejected re-reads and re-decides instead of acting. Actions carry
// their operation ids, so a provider never does the work of one id twice.

import type { Logger } from 'pino';
import type { Action } from '../engine/actions.js';
import { compileDesired, decide, recordTargets, sameRecord, type CompiledDesired, type Decision } from '../engine/index.js';
import type { Observations } from '../engine/observations.js';
import { goneClaimants } from './identity.js';
import { CLAIM_TTL_MS, type QueueEntry, type SourceInventory, type StatusState } from '../engine/status.js';
import type { Problem } from '../model/problem.js';
import type { CrashStep } from '../model/crash-steps.js';
import { dispatch, type ProviderSet } from '../providers/ports.js';
import type { StatusSnapshot, StatusStore } from '../store/index.js';
import { desiredErrors, type DesiredAt } from './desired.js';
import { mapLimit } from '../util/map-limit.js';
import { errorText, observe } from './observe.js';

/** How often a tick re-reads and re-decides after its status push was rejected. */
const CAS_ATTEMPTS = 5;
/** Actions run at once within a tick. */
const ACT_CONCURRENCY = 8;

export interface ReconcilerSetup {
  store: StatusStore;
  providers: ProviderSet;
  /** This process's identity, recorded on the operations it claims. */
  reconciler: string;
  log: Logger;
  /** Inventory reads not committed because nothing had changed: when each source was last read. */
  syncedAt?: Map<string, number>;
  /** Called at each side-effect point with its name (the crash test and scripted crashes use it). */
  crashPoint?: (step: CrashStep) => void;
}

export interface ActResult {
  op: string;
  kind: Action['kind'];
  entry: string;
  ok: boolean;
  error?: string;
}

export interface TickReport {
  now: number;
  desiredCommit: string | null;
  /** Desired-state errors (nothing was done) or the decision's problems (modification rules, …). */
  problems: Problem[];
  decision: Decision | null;
  observations: Observations | null;
  /** The status revision after the tick (unchanged when nothing was committed). */
  revision: string | null;
  status: StatusState | null;
  committed: boolean;
  acted: ActResult[];
  synced: string[];
  notes: string[];
  /** Pushes that were rejected because another reconciler moved the branch first. */
  casRetries: number;
}

export interface PlanResult {
  snapshot: StatusSnapshot;
  decision: Decision;
  observations: Observations;
  now: number;
  synced: string[];
  notes: string[];
}

export interface PlanOptions {
  /** Judge the targets that are not contacted by the layouts the status branch recorded (plans only; a tick never acts on them). */
  recordedTargets?: boolean;
}

/** observe + decide, without writing anything: `ferry plan`, and the first half of a tick. */
export async function planOnce(setup: Pick<ReconcilerSetup, 'store' | 'providers' | 'reconciler' | 'syncedAt'> & { log?: Logger }, desired: DesiredAt, compiled: CompiledDesired, snapshot?: StatusSnapshot, options: PlanOptions = {}): Promise<PlanResult> {
  const t0 = performance.now();
  const current = snapshot ?? (await setup.store.read());
  const now = setup.providers.clock.now();
  const t1 = performance.now();
  const observed = await observe(desired.state, current.status, setup.providers, {
    now,
    sync: 'due',
    ...(setup.syncedAt ? { syncedAt: setup.syncedAt } : {}),
    ...(options.recordedTargets ? { recordedTargets: true } : {}),
  });
  const gone = goneClaimants(claimantsOf(current.status), setup.reconciler);
  const input = {
    desired: desired.state,
    compiled,
    status: current.status,
    observations: observed.observations,
    now,
    reconciler: setup.reconciler,
    ...(gone.size > 0 ? { goneClaimants: gone } : {}),
    desiredCommit: desired.commit,
  };
  if (gone.size > 0) setup.log?.debug({ claimants: [...gone].sort() }, 'operations claimed by reconcilers of this host that no longer run are taken over now');
  const t2 = performance.now();
  let decision = decide(input);
  let decides = 1;
  // Entries placed this tick (batch start, scriptlet re-runs) may name target projects nobody
  // asked about yet: observe them and decide again, so a placement is never judged unseen.
  // Entries this decision created are not judged this tick (decide advances only the entries the
  // status had; a batch start leaves its new entries Waiting for the next tick's checks): their
  // projects are observed, but only an entry that existed before (a retry, a re-run scriptlet, a
  // blocked entry placed again) is worth deciding again for — at a batch start of 50,000
  // instances that second decide was half the plan.
  const missing = unobservedProjects(decision.status, observed.observations, current.status, setup.providers.offline?.targets);
  if (missing.projects.size > 0) {
    for (const [target, projects] of missing.projects) {
      try {
        const more = await setup.providers.target(target).observe([...projects].sort());
        const known = observed.observations.targets[target];
        observed.observations.targets[target] = known
          ? { ...known, projects: { ...known.projects, ...more.projects } }
          : more;
      } catch (error) {
        observed.notes.push(`target ${target}: ${errorText(error)}`);
      }
    }
    if (missing.judged) {
      decision = decide(input);
      decides++;
    } else {
      // What was learnt of the targets is recorded all the same.
      const targets = recordTargets(desired.state, current.status.targets, observed.observations.targets, decision.status.entries, now);
      decision = { ...decision, status: { ...decision.status, targets } };
    }
  }
  setup.log?.trace({ read_ms: Math.round(t1 - t0), observe_ms: Math.round(t2 - t1), decide_ms: Math.round(performance.now() - t2), decides }, 'plan');
  return { snapshot: current, decision, observations: observed.observations, now, synced: observed.synced, notes: observed.notes };
}

/** The target projects the decided entries name that were not observed; `judged`: some of them belong to entries the status already had. */
function unobservedProjects(status: StatusState, observations: Observations, previous: StatusState, offline: ReadonlySet<string> = new Set()): { projects: Map<string, Set<string>>; judged: boolean } {
  const projects = new Map<string, Set<string>>();
  let judged = false;
  for (const uuid in status.entries) {
    const { target_name: target, target_project: project } = status.entries[uuid]!.placement;
    const observed = observations.targets[target];
    if (observed === undefined || !observed.reachable || offline.has(target) || project in observed.projects) continue;
    let set = projects.get(target);
    if (!set) projects.set(target, (set = new Set()));
    set.add(project);
    if (previous.entries[uuid] !== undefined) judged = true;
  }
  return { projects, judged };
}

/**
 * Whether a decision is worth a commit: something will run, an entry or batch moved, a resolution
 * was recorded, or a synced inventory differs from the snapshot. A tick that only refreshed
 * progress messages (or re-read an unchanged inventory) is committed at most once per interval:
 * its news rides along with the next real change.
 */
function worthCommitting(decision: Decision, previous: StatusState, now: number, intervalMs: number): boolean {
  if (decision.actions.length > 0) return true;
  const next = decision.status;
  if (Object.keys(next.ledger).length !== Object.keys(previous.ledger).length) return true;
  for (const name in next.batches) {
    const was = previous.batches[name];
    const is = next.batches[name]!;
    if (was === undefined || was.status !== is.status || was.message !== is.message) return true;
  }
  for (const name in previous.batches) if (next.batches[name] === undefined) return true;
  for (const uuid in next.entries) {
    const is = next.entries[uuid]!;
    const was = previous.entries[uuid];
    if (is === was) continue;
    if (was === undefined || !sameButProgress(was, is)) return true;
  }
  for (const uuid in previous.entries) if (next.entries[uuid] === undefined) return true;
  for (const source in next.inventory) {
    if (next.inventory[source] !== previous.inventory[source] && !sameInventory(previous.inventory[source], next.inventory[source]!)) return true;
  }
  // A target's recorded layout is the same object while it does not change (recordTargets).
  for (const target in next.targets) if (next.targets[target] !== previous.targets[target]) return true;
  for (const target in previous.targets) if (next.targets[target] === undefined) return true;
  return decision.changes.length > 0 && (previous.updated_at === null || now - previous.updated_at >= intervalMs);
}

/** Two versions of an entry that differ only in their message and timestamps (a progress update). */
function sameButProgress(a: QueueEntry, b: QueueEntry): boolean {
  if (a.status !== b.status || a.import_stage !== b.import_stage || a.window !== b.window || a.attempt_id !== b.attempt_id) return false;
  const strip = ({ message: _m, updated_at: _u, ...rest }: QueueEntry) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/**
 * Whether a fresh inventory says nothing new: the same instances and networks, ignoring when it was
 * read (`synced_at`, and each instance's `last_update_from_source`, which a source stamps on every read).
 */
function sameInventory(a: SourceInventory | undefined, b: SourceInventory): boolean {
  if (a === undefined || a.instances.length !== b.instances.length || a.networks.length !== b.networks.length) return false;
  // The status branch returns records in its own (shard) order: compare by UUID.
  const before = new Map(a.instances.map((instance) => [instance.uuid, instance]));
  for (const instance of b.instances) if (!sameRecord(before.get(instance.uuid), instance)) return false;
  const networks = new Map(a.networks.map((network) => [network.uuid, network]));
  return b.networks.every((network) => sameRecord(networks.get(network.uuid), network));
}

const compiledCache = new WeakMap<DesiredAt, CompiledDesired>();

/** The desired state compiled once per load (ticks on an unchanged commit reuse it). */
export function compiledFor(desired: DesiredAt): CompiledDesired {
  let compiled = compiledCache.get(desired);
  if (!compiled) compiledCache.set(desired, (compiled = compileDesired(desired.state)));
  return compiled;
}

export async function tick(setup: ReconcilerSetup, desired: DesiredAt, compiled?: CompiledDesired): Promise<TickReport> {
  const crash = setup.crashPoint ?? (() => {});
  const errors = desiredErrors(desired);
  const report: TickReport = {
    now: setup.providers.clock.now(),
    desiredCommit: desired.commit,
    problems: errors,
    decision: null,
    observations: null,
    revision: null,
    status: null,
    committed: false,
    acted: [],
    synced: [],
    notes: [],
    casRetries: 0,
  };
  if (errors.length > 0) return report;
  const program = compiled ?? compiledFor(desired);

  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    crash('tick:observe');
    const started = performance.now();
    const plan = await planOnce(setup, desired, program);
    const planned = performance.now();
    Object.assign(report, {
      now: plan.now,
      problems: plan.decision.problems,
      decision: plan.decision,
      observations: plan.observations,
      revision: plan.snapshot.revision,
      status: plan.snapshot.status,
      synced: plan.synced,
      notes: plan.notes,
    });
    if (!worthCommitting(plan.decision, plan.snapshot.status, plan.now, desired.state.project.reconcile.interval_ms)) {
      // Remember the unchanged syncs, so the next ticks do not read the inventory again before it is due.
      for (const source of plan.synced) setup.syncedAt?.set(source, plan.now);
      return report;
    }

    crash('tick:commit:before');
    const written = await setup.store.write(plan.snapshot, plan.decision.status, commitMessage(plan, desired.commit));
    if (!written.ok) {
      report.casRetries++;
      setup.log.info({ attempt, reason: written.message }, 'status branch moved; re-reading and deciding again');
      continue;
    }
    crash('tick:commit:after');
    report.committed = true;
    report.revision = written.revision;
    report.status = plan.decision.status;
    const written_ = performance.now();
    report.acted = await act(setup, plan.decision.actions, plan.now, crash);
    setup.log.debug({ plan_ms: Math.round(planned - started), write_ms: Math.round(written_ - planned), act_ms: Math.round(performance.now() - written_), actions: report.acted.length }, 'tick');
    return report;
  }
  report.notes.push(`the status branch moved ${CAS_ATTEMPTS} times in a row while deciding (another reconciler is active); nothing was done this tick`);
  report.decision = null;
  return report;
}

/** The reconcilers named on the operations in flight. */
function* claimantsOf(status: StatusState): Iterable<string> {
  for (const entry of Object.values(status.entries)) if (entry.operation !== null) yield entry.operation.claimed_by;
}

async function act(setup: ReconcilerSetup, actions: readonly Action[], decidedAt: number, crash: (step: CrashStep) => void): Promise<ActResult[]> {
  return mapLimit(actions, ACT_CONCURRENCY, async (action) => {
    crash(`act:${action.kind}:before`);
    const result: ActResult = { op: action.op, kind: action.kind, entry: action.entry, ok: true };
    // A claim this old may have been taken over (this process was suspended between its commit
    // and its calls): leave the operation to whoever holds it now; if nobody does, it is
    // re-dispatched by a later tick.
    if (setup.providers.clock.now() - decidedAt >= CLAIM_TTL_MS) {
      result.ok = false;
      result.error = 'not called: its claim expired before the call (the process was paused); a later tick decides again';
      setup.log.warn({ op: action.op, kind: action.kind }, 'claim expired before the call; skipped');
      return result;
    }
    try {
      await dispatch(setup.providers, action);
    } catch (error) {
      // The operation stays recorded; the next tick sees whether the provider knows it and
      // dispatches it again if not.
      result.ok = false;
      result.error = errorText(error);
      setup.log.warn({ op: action.op, kind: action.kind, error: result.error }, 'action failed');
    }
    crash(`act:${action.kind}:after`);
    return result;
  });
}

function commitMessage(plan: PlanResult, commit: string | null): string {
  const { changes, actions } = plan.decision;
  const head = `ferry: ${changes.length} change${changes.length === 1 ? '' : 's'}, ${actions.length} action${actions.length === 1 ? '' : 's'} at ${new Date(plan.now).toISOString()}`;
  const lines = changes.slice(0, 50).map((c) => `- ${c.batch}${c.instance ? ` ${c.instance}` : ''}: ${c.from ? `${c.from} → ` : ''}${c.to}${c.message ? ` (${c.message})` : ''}`);
  if (changes.length > 50) lines.push(`- … and ${changes.length - 50} more`);
  const trailer = [`Ferry-Desired-Commit: ${commit ?? 'working tree'}`];
  if (plan.synced.length > 0) trailer.push(`Ferry-Synced: ${plan.synced.join(', ')}`);
  return [head, '', ...lines, ...(lines.length ? [''] : []), ...trailer].join('\n');
}
