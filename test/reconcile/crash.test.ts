// The crash test (DESIGN §3, crash safety): a campaign of 60 VMs, reconciled by `ferry apply
// --until-idle` as a child process that is killed with SIGKILL at every side-effect point in turn
// and restarted. Afterwards every target disk equals its source, no entry has two target
// instances, no source VM is left off outside a window, every entry is Finished or says why —
// and each entry ends exactly as it does in the same campaign run without crashes.
//
// 1. An uncrashed run with FERRY_CRASH_TRACE lists the crash points reached (the loop's tick:*
//    and act:<kind>:*, the simulator's sim:<kind>:* and sim:advance:*), and how often.
// 2. Targets: every distinct point at its first occurrence, and frequent ones (≥ 5) also at the
//    middle one, ordered by where they fall in the run.
// 3. Chains: the rare points one per operation kind, the frequent ones dealt round-robin into
//    FREQUENT_CHAINS others. Each
//    chain is a fresh copy of the campaign killed at its targets one after the other (each
//    restart is killed at the next one — so crashes also land in recovery), then restarted
//    without a crash point until it finishes. Chains run two at a time (child processes).
// 4. A point that no chain reached (an earlier crash changed the campaign's course) gets a run
//    of its own, killed at its first occurrence.
// See docs/operations.md, "Crash safety".

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCli,
  chains,
  crashTargets,
  describeRun,
  EXPECTED_PATHS,
  freshCopy,
  inspect,
  pool,
  readTrace,
  runApply,
  runChain,
  stepCounts,
  templateRepo,
  type CrashTarget,
  type Outcome,
} from './crash-harness.js';

/** Chains for the frequent points; each costs about one campaign (~5 s on an idle 2-core machine) plus ~0.6–1 s a crash. */
const FREQUENT_CHAINS = 2;
/** Child processes at once. */
const PARALLEL = 2;
/** One child's limit (an uncrashed campaign takes ~5 s; a loaded machine, much more). */
const CHILD_TIMEOUT_MS = 120_000;

describe('crash safety: killed at every side-effect point, restarted, the campaign still ends right', () => {
  let cli: string;
  let template: string;
  const scratch: string[] = [];
  let baseline: Outcome;
  let trace: string[];
  const outcomes = new Map<string, Outcome>();

  beforeAll(() => {
    cli = buildCli();
    template = templateRepo();
    scratch.push(join(cli, '..'), template);
  });

  afterAll(() => {
    if (process.env.FERRY_CRASH_KEEP) {
      console.info(`crash test: kept ${scratch.join(' ')}`);
      return;
    }
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    // Dozens of scratch repositories: removing them takes a while on a loaded machine.
  }, 120_000);

  it('the uncrashed campaign ends right and goes through the paths its events script', async () => {
    const repo = freshCopy(template, 'baseline');
    scratch.push(repo);
    const traceFile = join(repo, '.git', 'crash-trace');
    const run = await runApply(cli, repo, { FERRY_CRASH_TRACE: traceFile }, CHILD_TIMEOUT_MS);
    expect(run.code, describeRun(run)).toBe(0);
    trace = readTrace(traceFile);
    baseline = await inspect(repo);
    expect(baseline.violations).toEqual([]);
    expect(Object.keys(baseline.statuses)).toHaveLength(60);
    // The scripted failure of a final import ends in Error; every other entry is Finished.
    expect(Object.entries(baseline.statuses).filter(([, s]) => s !== 'finished')).toEqual([['vm-000013', 'error']]);
    for (const path of EXPECTED_PATHS) expect(path.check(baseline.ops[path.vm] ?? []), `${path.vm}: ${path.what}`).toBe(true);
    // Every kind of provider call is made, so every act:* and sim:* point exists.
    const counts = stepCounts(trace);
    for (const kind of ['create_instance', 'import_disks', 'cancel_operation', 'power_off_source', 'power_on_source', 'post_import', 'finalize_instance', 'delete_instance']) {
      for (const step of [`act:${kind}:before`, `act:${kind}:after`, `sim:${kind}:before`, `sim:${kind}:after`]) expect(counts.get(step), step).toBeGreaterThan(0);
    }
    console.info(`crash test: uncrashed run ${Math.round(run.ms)} ms, ${trace.length} crash points reached: ${[...counts].map(([s, n]) => `${s} ×${n}`).join(', ')}`);
  });

  it('killed at every side-effect point in turn and restarted, each chain converges', async () => {
    expect(trace, 'the uncrashed run comes first').toBeDefined();
    const planned = chains(crashTargets(trace), stepCounts(trace), FREQUENT_CHAINS);
    const started = performance.now();
    const results = await pool(
      planned.map((targets, i) => async () => {
        const repo = freshCopy(template, `chain-${i}`);
        scratch.push(repo);
        return runChain(cli, repo, targets, { timeoutMs: CHILD_TIMEOUT_MS });
      }),
      PARALLEL,
    );
    for (const result of results) outcomes.set(result.repo, await inspect(result.repo, result.crashes.map((c) => ({ virtualTime: c.virtualTime, step: c.target.step }))));

    // Every point reached in the uncrashed run was crashed at least once; one that every chain
    // missed (its course changed by an earlier crash) is crashed at its first occurrence alone.
    const crashed = new Set(results.flatMap((r) => r.crashes.map((c) => c.target.step)));
    const left = [...stepCounts(trace).keys()].filter((step) => !crashed.has(step)).map((step): CrashTarget => ({ step, occurrence: 1, position: trace.indexOf(step) }));
    const alone = await pool(
      left.map((target) => async () => {
        const repo = freshCopy(template, `alone-${target.step.replaceAll(':', '-')}`);
        scratch.push(repo);
        return runChain(cli, repo, [target], { timeoutMs: CHILD_TIMEOUT_MS });
      }),
      PARALLEL,
    );
    for (const result of alone) outcomes.set(result.repo, await inspect(result.repo, result.crashes.map((c) => ({ virtualTime: c.virtualTime, step: c.target.step }))));
    const all = [...results, ...alone];
    const crashes = all.flatMap((r) => r.crashes);
    const uncovered = [...stepCounts(trace).keys()].filter((step) => !crashes.some((c) => c.target.step === step));
    expect(uncovered, 'crash points never crashed at').toEqual([]);

    const perStep = new Map<string, number>();
    for (const c of crashes) perStep.set(c.target.step, (perStep.get(c.target.step) ?? 0) + 1);
    console.info(
      `crash test: ${crashes.length} crashes at ${perStep.size} points in ${all.length} runs of the campaign (${all.reduce((n, r) => n + r.runs, 0)} child processes), ` +
        `${Math.round((performance.now() - started) / 1000)} s; ${all.reduce((n, r) => n + r.missed.length, 0)} targets not reached; ` +
        `per point: ${[...perStep].map(([s, n]) => `${s} ×${n}`).join(', ')}`,
    );
  });

  it('after the crashes: the invariants hold, and every entry ends as it does without crashes', () => {
    expect(outcomes.size, 'the crashed runs come first').toBeGreaterThan(0);
    for (const [repo, outcome] of outcomes) {
      expect(outcome.violations, repo).toEqual([]);
      expect(outcome.statuses, repo).toEqual(baseline.statuses);
    }
    const offPast = new Map<string, number>();
    for (const outcome of [baseline, ...outcomes.values()]) {
      for (const [step, ms] of outcome.offPastWindow) offPast.set(step, Math.max(offPast.get(step) ?? 0, ms));
    }
    console.info(
      `crash test: longest time a source VM stayed off past its window, by the crash step in that spell: ` +
        [...offPast].sort(([, a], [, b]) => b - a).map(([step, ms]) => `${step} ${Math.round(ms / 1000)} s`).join(', '),
    );
    const repeats = [...outcomes.values()].reduce((n, o) => n + o.repeats, 0);
    console.info(`crash test: ${repeats} repeated provider calls after crashes (each answered as a repeat, none did its work twice)`);
  });
});
