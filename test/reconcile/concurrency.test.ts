// Two reconcilers on the same status branch for many ticks never execute the same action twice
// for one attempt (DESIGN §2–§3: "a scheduled Action and someone's laptop, safe to run at once").
//
// Two clones push to one bare origin (remote mode: fetch, push without force); both act on one
// simulated world through their own provider sets. A seeded schedule drives their ticks:
//   together   — both tick at once (a real race: whoever pushes first wins);
//   same-base  — both read the status, then wait for each other before deciding: they decide from
//                the same revision, one push is refused, the loser re-reads and decides again and
//                must not act on the decision that was refused;
//   held       — one commits its operations, its provider calls are held back, the other ticks a
//                whole tick: an operation claimed but not yet run must be left to its claimant;
//   in turn    — one after the other, in either order;
//   alone      — one ticks, the other does not.
// The virtual clock moves only when neither made progress (like runUntilIdle).
//
// Whether a provider would notice a second call is not the question: the simulator does an op id's
// work once however often it is called. So the test records every call each reconciler makes and
// asserts that each op id was called exactly once, by one reconciler, from a tick whose commit
// (on the branch) claimed it for that reconciler — and that the simulator logged no repeat at all.
// A second call of the same id is legitimate only when the first one never reached the provider
// (it threw: the claimant calls again) or the claimant stayed silent past CLAIM_TTL_MS between its
// commit and its call (the other takes over; the late call is a repeat the provider ignores).
// Neither happens in the schedule: no faults, and the clock moves only after both ticks finished
// acting. The second describe covers the first case (it found the claim-renewal bug fixed in
// src/engine/entry-work.ts).
//
// Runtime is dominated by Git (a fetch per read, a push per write, ~40–90 ms a tick): about 270
// ticks take 11–22 s on the project's shared 2-core machine; the timeout leaves room for a loaded one.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_TTL_MS } from '../../src/engine/status.js';
import { executedTwice, executionLog, targetInstances } from '../../src/providers/sim/index.js';
import { tick } from '../../src/reconcile/reconciler.js';
import { drive, git, twoReconcilers, type Outcome, type TwoReconcilers } from './two-reconcilers.js';

const INSTANCES = 20;
const BATCHES = 3;
const SEED = 20260301;

describe('two reconcilers on one status branch', () => {
  let t: TwoReconcilers;
  let outcome: Outcome;

  beforeAll(async () => {
    t = await twoReconcilers({ instances: INSTANCES, batches: BATCHES, seed: 7 });
    outcome = await drive(t, { seed: SEED });
    const retries = outcome.ticks.reduce((n, x) => n + x.report.casRetries, 0);
    console.info(
      `concurrency: ${outcome.rounds} rounds, ${outcome.ticks.length} ticks (${t.a.ticks} + ${t.b.ticks}), ${outcome.advances} clock moves, ` +
        `${retries} CAS retries, ${outcome.heldClaims} held claims seen, ${t.calls.length} provider calls (${t.calls.filter((c) => c.reconciler === t.a.name).length} by ${t.a.name}), ` +
        `rounds ${JSON.stringify(outcome.kinds)}, contested ${JSON.stringify(outcome.contested)}, ${Math.round(outcome.ms)} ms`,
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  it('raced for real: pushes were refused and both reconcilers acted', () => {
    const retries = outcome.ticks.reduce((n, x) => n + x.report.casRetries, 0);
    expect(retries).toBeGreaterThan(0);
    // Lined up on one revision, both wanted to commit: one of them lost. (Which round first sees
    // it depends on the machine's load: a busy one can let one reconciler finish round 0 alone.)
    expect(outcome.contested['same-base']).toBeGreaterThan(0);
    // A reconciler ticked while the other's committed operations were held back, and saw them claimed.
    expect(outcome.heldClaims).toBeGreaterThan(0);
    const refused = [t.a, t.b].flatMap((r) => r.store.writes.filter((w) => !w.ok));
    expect(refused.length).toBe(retries);
    expect(new Set(t.calls.map((c) => c.reconciler))).toEqual(new Set([t.a.name, t.b.name]));
    expect(outcome.ticks.length).toBeGreaterThanOrEqual(150);
    // No tick gave up after five refusals in a row.
    for (const { report } of outcome.ticks) expect(report.notes.filter((n) => n.includes('moved 5 times'))).toEqual([]);
  });

  it('called every operation once, by one reconciler', () => {
    const byOp = new Map<string, typeof t.calls>();
    for (const call of t.calls) byOp.set(call.op, [...(byOp.get(call.op) ?? []), call]);
    const repeated = [...byOp].filter(([, calls]) => calls.length > 1).map(([op, calls]) => `${op}: ${calls.map((c) => `${c.reconciler}@${c.tick}`).join(', ')}`);
    expect(repeated).toEqual([]);

    // The simulator's own view: every id ran once, none was even repeated.
    const log = executionLog(t.world);
    expect(executedTwice(t.world)).toEqual([]);
    expect(log.filter((e) => e.outcome !== 'executed')).toEqual([]);
    expect(log.map((e) => e.op).sort()).toEqual([...byOp.keys()].sort());
  });

  it('never ran the same step twice for one attempt (no second op id for the same work)', () => {
    const once = new Set(['create_instance', 'post_import', 'finalize_instance', 'power_off_source']);
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const entry of executionLog(t.world)) {
      if (!once.has(entry.kind) || entry.outcome !== 'executed') continue;
      const key = `${entry.op.slice(0, entry.op.indexOf('/'))} ${entry.kind}`;
      if (seen.has(key)) twice.push(`${key}: ${seen.get(key)} and ${entry.op}`);
      seen.set(key, entry.op);
    }
    expect(twice).toEqual([]);
    // Every VM went through one attempt: one creation each.
    expect([...seen.keys()].filter((k) => k.endsWith('create_instance'))).toHaveLength(INSTANCES);
  });

  it('acted only on what it had committed itself: the op was claimed by it in the revision its tick pushed', () => {
    const onBranch = new Set(git(t.origin, 'rev-list', 'refs/heads/ferry/status').split('\n'));
    const problems: string[] = [];
    for (const { reconciler, report, kind, round } of outcome.ticks) {
      if (report.acted.length === 0) continue;
      if (!report.committed || report.revision === null || report.status === null) {
        problems.push(`${reconciler} round ${round} (${kind}) acted without a commit`);
        continue;
      }
      // The revision is on the branch (a push without force only ever fast-forwards).
      if (!onBranch.has(report.revision)) problems.push(`${reconciler} round ${round} (${kind}) acted on ${report.revision}, which is not on the branch`);
      for (const act of report.acted) {
        const op = report.status.entries[act.entry]?.operation;
        if (op?.id !== act.op || op.claimed_by !== reconciler) {
          problems.push(`${reconciler} round ${round} (${kind}) ran ${act.op}, recorded as ${op ? `${op.id} claimed by ${op.claimed_by}` : 'nothing'}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // And each call belongs to an acting tick of the reconciler that made it.
    const acted = new Set(outcome.ticks.flatMap((x) => x.report.acted.map((a) => `${x.reconciler} ${a.op}`)));
    expect(t.calls.filter((c) => !acted.has(`${c.reconciler} ${c.op}`))).toEqual([]);
  });

  it('converged: every entry Finished, one target instance per VM, both clones read the same status', async () => {
    const [fromA, fromB] = await Promise.all([t.a.store.read(), t.b.store.read()]);
    expect(fromA.revision).toBe(git(t.origin, 'rev-parse', 'refs/heads/ferry/status'));
    expect(fromB.revision).toBe(fromA.revision);
    expect(fromB.status).toStrictEqual(fromA.status);

    const entries = Object.values(fromA.status.entries);
    expect(entries).toHaveLength(INSTANCES);
    expect(entries.filter((e) => e.status !== 'finished').map((e) => `${e.name}: ${e.status} (${e.message})`)).toEqual([]);
    expect(entries.every((e) => e.operation === null && e.attempt === 1)).toBe(true);
    expect(Object.values(fromA.status.batches).map((b) => b.status)).toEqual(Array(BATCHES).fill('Finished'));

    const instances = targetInstances(t.world).filter((i) => i.entry !== null);
    expect(instances).toHaveLength(INSTANCES);
    expect(new Set(instances.map((i) => i.entry)).size).toBe(INSTANCES);
    expect(new Set(instances.map((i) => `${i.project}/${i.name}`)).size).toBe(INSTANCES);
    for (const e of entries) {
      expect(instances.find((i) => i.entry === e.uuid)?.attempt).toBe(e.attempt_id);
    }
  });
});

describe('a claim the claimant has to dispatch again after CLAIM_TTL_MS', () => {
  // The claimant's call never reached the provider (a network error), and it ticks again only
  // after the claim's time-to-live (a laptop that slept): it dispatches the operation again. The
  // other reconciler, ticking right after that commit and before the call lands, must leave it
  // alone: the claimant's new dispatch is a fresh claim, not the expired one.
  it('is renewed by the new dispatch, so the other reconciler does not run it too', async () => {
    const t = await twoReconcilers({ instances: 2, batches: 1, seed: 3 });
    try {
      const { a, b } = t;
      a.faults.dropCalls = 1;
      let failed: { op: string; entry: string } | undefined;
      // A ticks alone until its first call is lost (the batch starts, the first creation is decided).
      for (let i = 0; i < 20 && failed === undefined; i++) {
        const report = await tick(a.setup, a.desired);
        failed = report.acted.find((x) => !x.ok);
        const next = [report.decision?.wakeAt ?? null, t.clock.nextEventAt()].filter((x): x is number => x !== null && x > t.clock.now());
        if (failed === undefined && !report.committed && next.length > 0) await t.clock.advanceTo(Math.min(...next));
      }
      expect(failed).toBeDefined();
      const op = failed!.op;
      // Within the claim's life the other reconciler leaves the operation to its claimant.
      await tick(b.setup, b.desired);
      expect(t.calls.filter((c) => c.op === op).map((c) => c.reconciler)).toEqual([a.name]);

      await t.clock.advanceTo(t.clock.now() + CLAIM_TTL_MS + 60_000);
      a.hold.close();
      const held = tick(a.setup, a.desired);
      await a.hold.reached;
      const other = await tick(b.setup, b.desired);
      a.hold.open();
      const again = await held;
      expect(again.acted.map((x) => x.op)).toContain(op);
      expect(again.status!.entries[failed!.entry]!.operation).toMatchObject({ id: op, claimed_by: a.name, claimed_at: t.clock.now() });
      expect(other.acted.map((x) => x.op)).not.toContain(op);
      expect(t.calls.filter((c) => c.op === op).map((c) => `${c.reconciler}${c.threw ? ' (lost)' : ''}`)).toEqual([`${a.name} (lost)`, a.name]);
      expect(executionLog(t.world).filter((e) => e.op === op).map((e) => e.outcome)).toEqual(['executed']);
    } finally {
      await t.close();
    }
  });
});
