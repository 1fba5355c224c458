// A campaign's whole life, tick after tick (issue #18): a generated campaign ticked the way CI
// runs `ferry apply --once` (./campaign-ticks.ts: world and reconciler opened, one tick, closed)
// from its first tick through creation, background syncs, windows, imports and cutovers, and then
// a long tail of idle ticks after the last entry finished — where nothing changes, so nothing
// should grow. The status branch is pushed to a bare `origin` (remote mode), so what a Git server
// holds is measured too.
//
// The campaign (scripts/campaign.ts, 100 batches × 2 constraints, no scriptlet): each batch's
// first window is an hour long (21:00 to 01:50, staggered) and its second opens WINDOW_GAP later,
// so about a third of the entries wait in flight between the two, synced in the background.
//
// The clock follows a CI schedule: after every tick it moves at least SCHEDULE on; after a tick
// that made no progress, on to the next event (a transfer ending, a sync or window due) but at
// most STEP — so time passes in the idle tail too (inventory syncs come due, timestamps move).
//
// Printed per tick: the tick number and simulated clock, the entries' statuses, the tick's CPU
// (this process, user + system, from process.cpuUsage) and that of the git processes it waited
// for (/proc/self/stat), its wall time, the live world (snapshot + journal: what opening reads)
// and the world's history, and the status branch: commits, and the objects of the repository that
// holds it as pushed (`git count-objects -v`: loose + packed KiB, and how many). At the end, for
// every EVERY-th tick and the phases' edges, the branch's packed size: the on-disk size of every
// object reachable from the branch's commit of that tick, in a `git gc`'d copy of that repository.
//
// Checks: least-squares lines over comparable ticks, two phases, baselines from the same run.
//
//   in flight   the longest run of ticks in which entries wait between windows (some finished,
//               none being cut over), its first SETTLE ticks left out: a background sync round
//               every tick, nothing else
//   idle tail   from SETTLE ticks after the last entry finished to the end: nothing to do
//
//   tick CPU (Node + git)   grows at most CPU_GROWTH over the phase, against the mean of its
//                           first BASELINE_TICKS ticks
//   live world              in flight: at most FLIGHT_WORLD_PER_INSTANCE bytes a tick per
//                           instance (an entry keeps the records of its two newest ended
//                           operations, docs/simulator.md: the live world grows with entries,
//                           not with the ticks); idle: at most TAIL_WORLD_PER_TICK bytes a tick
//   status branch, packed   at most PACKED_PER_COMMIT bytes a commit (4 KiB + 10 bytes per
//                           instance: a commit, its trees, and the entries a sync round touches)
//
// A failed check is one line naming the quantity, its slope and its bound, and the exit code is 1.
// docs/performance.md ("A campaign's life") explains the bounds.
//
//   npm run bench -- long-run                                  (5,000 instances, about 10 minutes)
//   FERRY_BENCH_LOCAL=1 npm run bench -- long-run         (status branch in the repository only)
//
// FERRY_BENCH_INSTANCES, _TAIL_TICKS, _WINDOW_GAP_HOURS, _SCHEDULE_MINUTES, _STEP_MINUTES change the
// campaign; a small one (400 instances) cuts every entry over in its first windows, and the bench
// then fails for want of an in-flight phase.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatusState } from '../src/engine/status.js';
import { ciTick, generatedCampaign, git, historyBytes, liveWorldBytes, statusCounts } from './campaign-ticks.js';

const INSTANCES = Number(process.env.FERRY_BENCH_INSTANCES ?? 5_000);
const BATCHES = Number(process.env.FERRY_BENCH_BATCHES ?? 100);
/** Idle ticks after the last entry finished. */
const TAIL_TICKS = Number(process.env.FERRY_BENCH_TAIL_TICKS ?? 40);
/** The CI schedule: the clock moves at least this much after every tick. */
const SCHEDULE_MS = Number(process.env.FERRY_BENCH_SCHEDULE_MINUTES ?? 5) * 60_000;
/** The most the clock moves after a tick that made no progress (to the next event, if sooner). */
const STEP_MS = Number(process.env.FERRY_BENCH_STEP_MINUTES ?? 30) * 60_000;
/**
 * Each batch's first window is an hour long and its second opens WINDOW_GAP after the first: the
 * entries not cut over in the first wait for the second, in flight, synced in the background.
 */
const FIRST_WINDOW_MINUTES = 60;
const WINDOW_GAP_MINUTES = Number(process.env.FERRY_BENCH_WINDOW_GAP_HOURS ?? 8) * 60;
/** Safety net: a campaign that never finishes. */
const MAX_TICKS = Number(process.env.FERRY_BENCH_MAX_TICKS ?? 1_000);
const EVERY = Number(process.env.FERRY_BENCH_EVERY ?? 20);
const REMOTE = process.env.FERRY_BENCH_LOCAL !== '1';
const BRANCH = 'ferry/status';

/** Ticks left out at the start of a phase's fits: the first still commit the end of what came before. */
const SETTLE = 5;
/** Ticks at the start of a phase whose mean is its baseline. */
const BASELINE_TICKS = 10;
/** Bounds (see docs/performance.md, "A campaign's life"). */
const CPU_GROWTH = 0.25;
const TAIL_WORLD_PER_TICK = 1_000;
const FLIGHT_WORLD_PER_INSTANCE = 2;
const PACKED_PER_COMMIT = 4_096 + 10 * INSTANCES;

interface Row {
  tick: number;
  now: number;
  statuses: string;
  finished: boolean;
  /** Entries finished, and entries being cut over (final import, post-import, worker). */
  done: number;
  cutting: number;
  committed: boolean;
  cpuMs: number;
  gitMs: number;
  wallMs: number;
  liveBytes: number;
  historyBytes: number;
  commits: number;
  /** The branch's repository as pushed: loose + packed KiB, objects. */
  branchKib: number;
  objects: number;
  /** The branch's tip after this tick. */
  tip: string;
}

/** CPU milliseconds of the git processes this process has waited for (clock ticks of 10 ms). */
function childCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function countObjects(gitDir: string): { kib: number; objects: number } {
  const counts = Object.fromEntries(git(gitDir, 'count-objects', '-v').split('\n').map((line) => line.split(': ') as [string, string]));
  return { kib: Number(counts.size) + Number(counts['size-pack']), objects: Number(counts.count) + Number(counts['in-pack']) };
}

/** Every entry at rest: finished (or waiting for an operator), nothing in flight. */
function campaignFinished(status: StatusState | null | undefined): boolean {
  if (!status) return false;
  return Object.values(status.entries).every((e) => e.operation === null && (e.status === 'finished' || e.status === 'error' || e.status === 'canceled' || e.status === 'conflict'));
}

function progressOf(status: StatusState | null | undefined): { done: number; cutting: number } {
  let done = 0;
  let cutting = 0;
  for (const entry of Object.values(status?.entries ?? {})) {
    if (entry.status === 'finished') done++;
    else if (entry.status === 'final_import' || entry.status === 'post_import' || entry.status === 'worker_done') cutting++;
  }
  return { done, cutting };
}

/**
 * In flight between windows: the longest run of ticks after the first cutover in which entries
 * wait for their next window (some finished, none being cut over, not all done).
 */
function betweenWindows(rows: readonly Row[]): Row[] {
  let best: Row[] = [];
  let run: Row[] = [];
  for (const row of rows) {
    if (row.done > 0 && row.cutting === 0 && !row.finished) run.push(row);
    else run = [];
    if (run.length > best.length) best = run;
  }
  return best;
}

/**
 * Packed bytes of the branch's history up to each given commit: a `git gc`'d copy of the
 * repository, and the on-disk size of every object reachable from the commit.
 */
function packedSizes(gitDir: string, root: string, tips: readonly string[]): Map<string, number> {
  const copy = join(root, 'packed.git');
  rmSync(copy, { recursive: true, force: true });
  execFileSync('cp', ['-a', gitDir, copy]);
  git(copy, 'gc', '-q');
  const sizes = new Map<string, number>();
  for (const tip of tips) {
    if (sizes.has(tip)) continue;
    const ids = git(copy, 'rev-list', '--objects', '--no-object-names', tip);
    const disk = execFileSync('git', ['-C', copy, 'cat-file', '--batch-check=%(objectsize:disk)'], { input: ids + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
    sizes.set(tip, disk.split('\n').filter(Boolean).reduce((sum, n) => sum + Number(n), 0));
  }
  rmSync(copy, { recursive: true, force: true });
  return sizes;
}

/** The least-squares slope of y over x. */
function slopeOf(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

interface Check {
  what: string;
  value: string;
  bound: string;
  ok: boolean;
}

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const kb = (bytes: number) => `${(bytes / 1e3).toFixed(1)} KB`;
const clock = (ms: number) => new Date(ms).toISOString().slice(5, 16).replace('T', ' ');

/** Tick CPU over a phase: its growth from the phase's first ticks to its end, as the fitted line has it. */
function cpuGrowth(name: string, rows: readonly Row[]): Check {
  const slope = slopeOf(rows.map((r) => [r.tick, r.cpuMs + r.gitMs]));
  const baseline = mean(rows.slice(0, BASELINE_TICKS).map((r) => r.cpuMs + r.gitMs));
  const growth = (slope * (rows.at(-1)!.tick - rows[0]!.tick)) / baseline;
  return {
    what: `${name}: tick CPU`,
    value: `${slope >= 0 ? '+' : ''}${slope.toFixed(2)} ms a tick over ${rows.length} ticks, ${(growth * 100).toFixed(1)} % of the first ${BASELINE_TICKS} ticks' ${baseline.toFixed(0)} ms`,
    bound: `at most +${(CPU_GROWTH * 100).toFixed(0)} %`,
    ok: growth <= CPU_GROWTH,
  };
}

function worldGrowth(name: string, rows: readonly Row[], bound: number): Check {
  const slope = slopeOf(rows.map((r) => [r.tick, r.liveBytes]));
  return {
    what: `${name}: live world`,
    value: `${slope >= 0 ? '+' : ''}${slope.toFixed(0)} bytes a tick (${mb(rows[0]!.liveBytes)} → ${mb(rows.at(-1)!.liveBytes)})`,
    bound: `at most ${kb(bound)} a tick`,
    ok: slope <= bound,
  };
}

function branchGrowth(name: string, rows: readonly Row[], packed: Map<string, number>): Check {
  const marks = rows.filter((r) => packed.has(r.tip));
  const slope = slopeOf(marks.map((r) => [r.commits, packed.get(r.tip)!]));
  const commits = marks.at(-1)!.commits - marks[0]!.commits;
  return {
    what: `${name}: status branch, packed`,
    value: commits === 0 ? `no commit over ${rows.length} ticks` : `${kb(slope)} a commit over ${commits} commits`,
    bound: `at most ${kb(PACKED_PER_COMMIT)} a commit`,
    ok: commits === 0 || slope <= PACKED_PER_COMMIT,
  };
}

export default async function bench(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), `ferry-bench-long-run-${INSTANCES}-`));
  try {
    const campaign = await generatedCampaign(root, { instances: INSTANCES, batches: BATCHES, constraintsPerBatch: 2, scriptlets: false, allRunning: true, firstWindowMinutes: FIRST_WINDOW_MINUTES, secondWindowAfterMinutes: WINDOW_GAP_MINUTES, localStatus: !REMOTE });
    const branchRepo = campaign.origin ?? join(campaign.dir, '.git');
    if (campaign.origin !== null) git(campaign.origin, 'config', 'gc.autoDetach', 'false');
    console.log(`${INSTANCES.toLocaleString('en')} instances in ${BATCHES} batches; status branch ${REMOTE ? 'pushed to a bare origin' : 'in the repository'}; after a tick without progress the clock moves at most ${STEP_MS / 60_000} min; ${TAIL_TICKS} idle ticks after the last entry finished`);
    const rows: Row[] = [];
    let finishedAt: number | null = null;
    const started = performance.now();
    for (let tick = 1; tick <= MAX_TICKS; tick++) {
      const before = { cpu: process.cpuUsage(), git: childCpuMs(), wall: performance.now() };
      const previous = rows.at(-1)?.now;
      const { summary, now } = await ciTick(campaign, { intervalMs: SCHEDULE_MS, everyMs: SCHEDULE_MS, ...(previous === undefined ? {} : { untilMs: previous + STEP_MS }) });
      const cpu = process.cpuUsage(before.cpu);
      const row: Row = {
        tick,
        now,
        statuses: statusCounts(summary.last?.status),
        finished: campaignFinished(summary.last?.status),
        ...progressOf(summary.last?.status),
        committed: summary.commits > 0,
        cpuMs: (cpu.user + cpu.system) / 1000,
        gitMs: childCpuMs() - before.git,
        wallMs: performance.now() - before.wall,
        liveBytes: liveWorldBytes(campaign.stateFile),
        historyBytes: historyBytes(campaign.stateFile),
        commits: Number(git(branchRepo, 'rev-list', '--count', BRANCH)),
        ...(({ kib, objects }) => ({ branchKib: kib, objects }))(countObjects(branchRepo)),
        tip: git(branchRepo, 'rev-parse', BRANCH),
      };
      rows.push(row);
      console.log(
        `tick ${String(tick).padStart(4)} ${clock(row.now)}  cpu ${row.cpuMs.toFixed(0).padStart(5)} ms + git ${row.gitMs.toFixed(0).padStart(4)} ms  wall ${row.wallMs.toFixed(0).padStart(5)} ms  ` +
          `world ${mb(row.liveBytes).padStart(8)} history ${mb(row.historyBytes).padStart(8)}  branch ${String(row.commits).padStart(4)} commits ${(row.branchKib / 1024).toFixed(1).padStart(6)} MiB ${String(row.objects).padStart(6)} objects${row.committed ? '' : ' (no commit)'}  ${row.statuses}`,
      );
      if (finishedAt === null && row.finished) finishedAt = tick;
      if (finishedAt !== null && tick >= finishedAt + TAIL_TICKS) break;
    }
    console.log(`${rows.length} ticks in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    if (finishedAt === null) {
      console.log(`FAIL: the campaign did not finish in ${MAX_TICKS} ticks`);
      process.exitCode = 1;
      return;
    }

    const tail = rows.filter((r) => r.tick >= finishedAt! + SETTLE);
    const flight = betweenWindows(rows).slice(SETTLE);
    const edges = new Set([1, finishedAt, rows.length, tail[0]?.tick, flight[0]?.tick, flight.at(-1)?.tick]);
    const marks = rows.filter((r) => r.tick % EVERY === 0 || edges.has(r.tick));
    const packed = packedSizes(branchRepo, root, marks.map((r) => r.tip));
    console.log('\n| tick | clock | statuses | tick CPU (git) | live world | history | commits | branch as pushed (objects) | branch packed |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of marks) {
      console.log(`| ${r.tick} | ${clock(r.now)} | ${r.statuses} | ${(r.cpuMs + r.gitMs).toFixed(0)} ms (${r.gitMs.toFixed(0)}) | ${mb(r.liveBytes)} | ${mb(r.historyBytes)} | ${r.commits} | ${(r.branchKib / 1024).toFixed(1)} MiB (${r.objects}) | ${mb(packed.get(r.tip)!)} |`);
    }

    const checks: Check[] = [];
    console.log('');
    const phases = [
      { name: 'in flight', what: 'entries waiting between windows', rows: flight, worldBound: FLIGHT_WORLD_PER_INSTANCE * INSTANCES },
      { name: 'idle tail', what: 'every entry finished', rows: tail, worldBound: TAIL_WORLD_PER_TICK },
    ];
    for (const phase of phases) {
      if (phase.rows.length < BASELINE_TICKS) {
        checks.push({ what: phase.name, value: `${phase.rows.length} ticks with ${phase.what}`, bound: `at least ${BASELINE_TICKS}, after the first ${SETTLE}`, ok: false });
        continue;
      }
      const [first, last] = [phase.rows[0]!, phase.rows.at(-1)!];
      console.log(`${phase.name} (${phase.what}): ticks ${first.tick}–${last.tick} (${clock(first.now)} – ${clock(last.now)})`);
      checks.push(cpuGrowth(phase.name, phase.rows), worldGrowth(phase.name, phase.rows, phase.worldBound), branchGrowth(phase.name, phase.rows, packed));
    }
    console.log('');
    for (const check of checks) console.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.what}: ${check.value} (${check.bound})`);
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
  } finally {
    rmSync(root, { recursive: true, force: true, maxRetries: 5 });
  }
}
