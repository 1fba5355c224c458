// The reconcile loop on generated campaigns (DESIGN §6): 1,000, 10,000 and 50,000 instances,
// 500 batches × 4 constraints = 2,000 constraints, a placement scriptlet in every batch, on the
// simulator, status branch in the repository. Measured like `ferry plan --ref HEAD` and
// `ferry apply --once`, phase by phase:
//
//   load     desired state read from the commit, parsed, validated (desiredAtCommit)
//   compile  compileDesired
//   open     the status store and the providers (the simulator reads its world file, or seeds it)
//   read     the status branch          ┐
//   observe  sources, targets, ops      ├ planOnce
//   decide   decide (twice when an entry was placed anew in a project not yet observed) ┘
//   write    the status commit (tick only)
//   act      the actions (tick only)
//   close    the providers (the simulator compacts its world file after a tick)
//
// in two situations: a fresh campaign (no status branch yet: the tick that starts 500 batches
// creates every entry) and a campaign in flight (after the first ticks — every instance created,
// disks importing or imported — the clock one reconcile interval on). Each (size, situation,
// plan|tick) runs in its own child process, several times; a child reports its phases, its peak
// RSS, and for a tick how many commits the status branch gained (must be exactly one).
//
// The baseline, measured in the same child: the irreducible cost of touching the same data —
// reading the inventory blob and every status blob through `git cat-file` and JSON.parse-ing them,
// a hand-written loop doing the same instance × batch include checks (first matching batch) and
// the instance × 4 constraint checks, and, for a tick, JSON.stringify of every entry of the new
// status. The ratio Ferry/baseline should not grow with size, and the 50k/10k ratio of Ferry's
// time must not exceed 5.5 (5× the instances, and a margin for the memory effects the baseline
// shows too: on a heap of a gigabyte or more, a byte costs a little more).
//
//   npm run bench -- reconcile
//   FERRY_BENCH_SIZES=1000,10000 FERRY_BENCH_RUNS=5 npm run bench -- reconcile
//   FERRY_BENCH_PROFILE=/tmp/prof npm run bench -- reconcile   (CPU profiles, a directory per child)

import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { compileDesired } from '../src/engine/index.js';
import type { StatusState } from '../src/engine/status.js';
import { desiredAtCommit } from '../src/reconcile/desired.js';
import { openReconciler } from '../src/reconcile/open.js';
import { planOnce, tick } from '../src/reconcile/reconciler.js';
import { runUntilIdle } from '../src/reconcile/run.js';
import type { VirtualClock } from '../src/providers/ports.js';
import { listTree, readBlobs } from '../src/store/git.js';
import { writeCampaignRepo } from '../scripts/campaign.js';
import { contactAll } from '../src/trust/connections.js';

const SIZES = (process.env.FERRY_BENCH_SIZES ?? '1000,10000,50000').split(',').map(Number);
const RUNS = Number(process.env.FERRY_BENCH_RUNS ?? 3);
const BATCHES = 500;
const CONSTRAINTS_PER_BATCH = 4;
export const BRANCH = 'ferry/status';
/** Ticks run to put a campaign in flight (creations and imports started, some finished). */
const FLIGHT_TICKS = 7;
/** The reconcile interval of the generated campaigns (ferry.yaml). */
export const INTERVAL_MS = 60_000;
const FLIGHT_REF = 'refs/ferry-bench/flight';
const LINEAR_LIMIT = 5.5;

const PHASES = ['load', 'compile', 'open', 'read', 'observe', 'decide', 'write', 'act', 'close'] as const;
type Phase = (typeof PHASES)[number];
export type Situation = 'fresh' | 'flight';
type Mode = 'plan' | 'tick';

interface Measurement {
  phases: Record<Phase, number>;
  /** Everything from loading to closing the providers. */
  total: number;
  /** Decides run (2: the scriptlet placed entries in a project observed only then). */
  decides: number;
  entries: number;
  changes: number;
  actions: number;
  committed: boolean;
  /** Commits the status branch gained during the tick (plan: 0). */
  commitsAdded: number;
  /** Peak RSS of the child after Ferry's work (before the baseline), and after start-up, in MiB. */
  peakMiB: number;
  startMiB: number;
  baseline: { ms: number; inventoryMB: number; statusMB: number; checks: number };
}

// ---------------------------------------------------------------------------------------------
// Children

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function commitCount(dir: string): number {
  try {
    return Number(git(dir, 'rev-list', '--count', `refs/heads/${BRANCH}`));
  } catch {
    return 0;
  }
}

const rssMiB = (): number => process.resourceUsage().maxRSS / 1024;

/** A logger that keeps the timings planOnce (trace 'plan') and tick (debug 'tick') log. */
export function recordingLogger(): { log: Logger; records: Map<string, Record<string, number>> } {
  const records = new Map<string, Record<string, number>>();
  const keep = (fields: unknown, message?: string) => {
    if (typeof message === 'string' && typeof fields === 'object' && fields !== null) records.set(message, fields as Record<string, number>);
  };
  const log = { trace: keep, debug: keep, info: keep, warn: keep, error: keep, fatal: keep, child: () => log, level: 'trace' };
  return { log: log as unknown as Logger, records };
}

/** Generates the repository, commits it, and ticks it into flight; the flight status and world are kept aside. */
/**
 * Splits a tick's time into its phases from what the reconciler logged ('plan': read and observe;
 * 'tick': write and act); decide is the rest. Returns the plan's trace.
 */
export function tickPhases(records: Map<string, Record<string, number>>, tickedMs: number, phases: Record<string, number>): Record<string, number> {
  const trace = records.get('plan')!;
  const timing = records.get('tick');
  phases.read = trace.read_ms!;
  phases.observe = trace.observe_ms!;
  phases.write = timing?.write_ms ?? 0;
  phases.act = timing?.act_ms ?? 0;
  phases.decide = tickedMs - phases.read - phases.observe - phases.write - phases.act;
  return trace;
}

export async function prepare(dir: string, instances: number): Promise<void> {
  writeCampaignRepo(dir, { instances, batches: BATCHES, constraintsPerBatch: CONSTRAINTS_PER_BATCH, scriptlets: true, allRunning: true });
  execFileSync('git', ['init', '-q', dir]);
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '-m', 'generated campaign');
  const desired = await desiredAtCommit(dir, 'HEAD');
  const errors = desired.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(`the generated campaign is invalid: ${JSON.stringify(errors.slice(0, 3))}`);
  const { log } = recordingLogger();
  const opened = await openReconciler(dir, desired.state, desired.files, { connections: contactAll(desired.state), readOnly: false, log });
  try {
    const summary = await runUntilIdle(opened.setup, async () => desired, { maxTicks: FLIGHT_TICKS, tickIntervalMs: INTERVAL_MS });
    const clock = opened.setup.providers.clock as VirtualClock;
    // One reconcile interval later: operations have moved on, the next tick has work.
    await clock.advanceTo(clock.now() + INTERVAL_MS);
    const status = summary.last?.status;
    const counts: Record<string, number> = {};
    for (const uuid in status?.entries ?? {}) counts[status!.entries[uuid]!.status] = (counts[status!.entries[uuid]!.status] ?? 0) + 1;
    process.stdout.write(JSON.stringify({ ticks: summary.ticks, commits: summary.commits, actions: summary.actions, statuses: counts }) + '\n');
  } finally {
    await opened.close();
  }
  git(dir, 'update-ref', FLIGHT_REF, `refs/heads/${BRANCH}`);
  cpSync(join(dir, '.git', 'ferry', 'sim'), join(dir, '.git', 'ferry-bench', 'flight-sim'), { recursive: true });
}

/** Puts the repository back into a situation: its status branch and its simulated world. */
export function restore(dir: string, situation: Situation): void {
  rmSync(join(dir, '.git', 'ferry', 'sim'), { recursive: true, force: true });
  if (situation === 'fresh') {
    if (commitCount(dir) > 0) git(dir, 'update-ref', '-d', `refs/heads/${BRANCH}`);
    return;
  }
  git(dir, 'update-ref', `refs/heads/${BRANCH}`, FLIGHT_REF);
  cpSync(join(dir, '.git', 'ferry-bench', 'flight-sim'), join(dir, '.git', 'ferry', 'sim'), { recursive: true });
}

async function measure(dir: string, mode: Mode): Promise<Measurement> {
  const startMiB = rssMiB();
  const phases = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  const { log, records } = recordingLogger();
  const commitsBefore = commitCount(dir);
  const statusRevision = commitsBefore > 0 ? git(dir, 'rev-parse', `refs/heads/${BRANCH}`) : null;

  const started = performance.now();
  let at = started;
  const lap = (): number => {
    const now = performance.now();
    const ms = now - at;
    at = now;
    return ms;
  };
  const desired = await desiredAtCommit(dir, 'HEAD');
  phases.load = lap();
  const compiled = compileDesired(desired.state);
  phases.compile = lap();
  const opened = await openReconciler(dir, desired.state, desired.files, { connections: contactAll(desired.state), readOnly: mode === 'plan', log });
  phases.open = lap();
  const setup = opened.setup;

  let status: StatusState;
  let changes = 0;
  let actions = 0;
  let committed = false;
  let decides = 1;
  if (mode === 'plan') {
    const plan = await planOnce(setup, desired, compiled);
    const planned = lap();
    const trace = records.get('plan')!;
    phases.read = trace.read_ms!;
    phases.observe = trace.observe_ms!;
    phases.decide = planned - phases.read - phases.observe;
    decides = trace.decides!;
    status = plan.decision.status;
    changes = plan.decision.changes.length;
    actions = plan.decision.actions.length;
  } else {
    const report = await tick(setup, desired, compiled);
    const ticked = lap();
    const trace = tickPhases(records, ticked, phases);
    decides = trace.decides!;
    status = report.decision!.status;
    changes = report.decision!.changes.length;
    actions = report.acted.length;
    committed = report.committed;
  }
  await opened.close();
  phases.close = lap();
  const total = performance.now() - started;
  const peakMiB = rssMiB();
  const commitsAdded = commitCount(dir) - commitsBefore;
  const entries = Object.keys(status.entries).length;
  const inventoryPath = desired.state.sources[0]!.inventory_file!;

  // Baseline: the same data touched by hand, best of three.
  let baseline = { ms: Infinity, inventoryMB: 0, statusMB: 0, checks: 0 };
  const batchPatterns = desired.state.batches.map((b) => new RegExp(/'(.*)'/.exec(b.include_expression.text)![1]!));
  const GiB = 1024 ** 3;
  const constraints: ((vm: Record<string, unknown>) => boolean)[] = [
    (vm) => vm.os_type === 'windows',
    (vm) => (vm.memory as number) > 16 * GiB,
    (vm) => (vm.cpus as number) >= 6,
    (vm) => (vm.config as Record<string, string>)['vmware.resource_pool'] === 'prod',
  ];
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    const head = await listTree(dir, 'HEAD');
    const [inventoryText] = (await readBlobs(dir, [head.get(inventoryPath)!])).values();
    const vms = JSON.parse(inventoryText!) as Record<string, unknown>[];
    let statusBytes = 0;
    if (statusRevision !== null) {
      const tree = await listTree(dir, statusRevision);
      const texts = await readBlobs(dir, [...tree.values()]);
      for (const [path, id] of tree) {
        const text = texts.get(id)!;
        statusBytes += text.length;
        if (path.endsWith('.json')) JSON.parse(text);
        else if (path.endsWith('.jsonl')) for (const line of text.split('\n')) if (line !== '') JSON.parse(line);
      }
    }
    let checks = 0;
    let claimed = 0;
    for (const vm of vms) {
      for (const pattern of batchPatterns) {
        checks++;
        if (pattern.test(vm.location as string)) {
          claimed++;
          for (const constraint of constraints) if (constraint(vm)) checks++;
          break;
        }
      }
    }
    if (claimed !== vms.length) throw new Error(`the baseline claimed ${claimed} of ${vms.length} instances`);
    if (mode === 'tick') for (const uuid in status.entries) JSON.stringify(status.entries[uuid]);
    const ms = performance.now() - t0;
    if (ms < baseline.ms) baseline = { ms, inventoryMB: inventoryText!.length / 1e6, statusMB: statusBytes / 1e6, checks };
  }
  return { phases, total, decides, entries, changes, actions, committed, commitsAdded, peakMiB, startMiB, baseline };
}

// ---------------------------------------------------------------------------------------------
// Parent

const self = fileURLToPath(import.meta.url);

function child(args: string[], profileName?: string): Promise<string> {
  const profile = process.env.FERRY_BENCH_PROFILE;
  // One directory per child: the tsx loader thread writes a profile too (the main thread's is the *.0.* one).
  const flags = profile && profileName ? ['--cpu-prof', `--cpu-prof-dir=${join(profile, profileName)}`] : [];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...flags, '--import', 'tsx', self, '--child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n').pop()!) : reject(new Error(`child ${args.join(' ')} exited with ${code}`))));
  });
}

export const ms = (value: number): string => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);

export function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

export default async function bench(): Promise<void> {
  const best = new Map<string, { best: Measurement; all: Measurement[] }>();
  const key = (size: number, situation: Situation, mode: Mode) => `${size}/${situation}/${mode}`;
  console.log(`${cpus().length} cores, Node ${process.version}; ${BATCHES} batches × ${CONSTRAINTS_PER_BATCH} constraints, a placement scriptlet in every batch; best of ${RUNS}, each in its own process`);
  for (const size of SIZES) {
    const dir = mkdtempSync(join(tmpdir(), `ferry-bench-reconcile-${size}-`));
    try {
      const started = performance.now();
      const prepared = JSON.parse(await child(['prepare', dir, String(size)])) as { ticks: number; commits: number; actions: number; statuses: Record<string, number> };
      console.log(`${size.toLocaleString('en')} instances: in flight after ${prepared.ticks} ticks (${prepared.commits} commits, ${prepared.actions.toLocaleString('en')} actions) in ${ms(performance.now() - started)}: ${Object.entries(prepared.statuses).map(([s, n]) => `${n} ${s}`).join(', ')}`);
      for (let run = 0; run < RUNS; run++) {
        for (const situation of ['fresh', 'flight'] as const) {
          for (const mode of ['plan', 'tick'] as const) {
            restore(dir, situation);
            const result = JSON.parse(await child(['measure', dir, mode], `${size}-${situation}-${mode}-${run}`)) as Measurement;
            const slot = best.get(key(size, situation, mode)) ?? { best: result, all: [] };
            slot.all.push(result);
            if (result.total < slot.best.total) slot.best = result;
            best.set(key(size, situation, mode), slot);
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const rows: string[][] = [];
  const oneCommit: string[] = [];
  for (const situation of ['fresh', 'flight'] as const) {
    for (const mode of ['plan', 'tick'] as const) {
      for (const size of SIZES) {
        const slot = best.get(key(size, situation, mode))!;
        const m = slot.best;
        const totals = slot.all.map((r) => r.total);
        const baselines = slot.all.map((r) => r.baseline.ms);
        rows.push([
          `${size.toLocaleString('en')} ${situation === 'fresh' ? 'fresh' : 'in flight'} ${mode}`,
          ...PHASES.map((p) => (mode === 'plan' && (p === 'write' || p === 'act') ? '' : ms(m.phases[p]))),
          `${ms(m.total)} (${ms(Math.min(...totals))}–${ms(Math.max(...totals))})`,
          `${ms(Math.min(...baselines))}`,
          `${(m.total / Math.min(...baselines)).toFixed(1)}×`,
          `${Math.round(Math.max(...slot.all.map((r) => r.peakMiB)))} MiB`,
          // Every run starts from the same repository, status branch and world: the decisions must agree.
          [...new Set(slot.all.map((r) => `${r.changes.toLocaleString('en')} / ${r.actions.toLocaleString('en')}${r.decides > 1 ? ` (decide ×${r.decides})` : ''}`))].join(' ≠ '),
        ]);
        if (mode === 'tick') {
          const added = slot.all.map((r) => r.commitsAdded);
          const ok = slot.all.every((r) => r.committed && r.commitsAdded === 1);
          oneCommit.push(`${size.toLocaleString('en')} ${situation}: ${added.join(', ')} commit(s)${ok ? '' : '  ← NOT ONE COMMIT'}`);
        }
      }
    }
  }
  table(['campaign', ...PHASES, 'total (spread)', 'baseline', 'ratio', 'peak RSS', 'changes / actions'], rows);
  const startMiB = Math.round(Math.min(...[...best.values()].map((s) => s.best.startMiB)));
  console.log(`Peak RSS is the child's high-water mark (${startMiB} MiB after start-up with tsx). Baseline: cat-file + JSON.parse of the inventory and the status, the include and constraint checks by hand, JSON.stringify of the new entries (tick).`);
  console.log(`Status commits per tick: ${oneCommit.join('; ')}`);
  // A tick that wrote more or less than one commit is a bug, not a slow figure.
  if (oneCommit.some((line) => line.includes('NOT ONE COMMIT'))) process.exitCode = 1;

  if (SIZES.includes(10_000) && SIZES.includes(50_000)) {
    const ratioRows: string[][] = [];
    const over: string[] = [];
    for (const situation of ['fresh', 'flight'] as const) {
      for (const mode of ['plan', 'tick'] as const) {
        const small = best.get(key(10_000, situation, mode))!.best;
        const large = best.get(key(50_000, situation, mode))!.best;
        const ratio = large.total / small.total;
        const label = `${situation === 'fresh' ? 'fresh' : 'in flight'} ${mode}`;
        if (ratio > LINEAR_LIMIT) over.push(label);
        // Phases under 50 ms at 10k are noise.
        const phase = (p: Phase) => (small.phases[p] < 50 ? '' : `${(large.phases[p] / small.phases[p]).toFixed(1)}${large.phases[p] / small.phases[p] > LINEAR_LIMIT ? ' !' : ''}`);
        ratioRows.push([label, ...PHASES.map(phase), `${ratio.toFixed(2)}${ratio > LINEAR_LIMIT ? '  ← OVER' : ''}`, (large.baseline.ms / small.baseline.ms).toFixed(2), `${(large.peakMiB / small.peakMiB).toFixed(2)}`]);
      }
    }
    console.log(`\n50k/10k (target ≤ ${LINEAR_LIMIT}; "!" marks a phase over it):`);
    table(['50k/10k', ...PHASES, 'total', 'baseline', 'peak RSS'], ratioRows);
    console.log(over.length === 0 ? `Every total grows by at most ${LINEAR_LIMIT}× from 10k to 50k.` : `OVER ${LINEAR_LIMIT}: ${over.join(', ')}`);
  }
  console.log('Target (DESIGN §6): 50,000 instances, 500 batches, 2,000 constraints plan in a few seconds on two cores; one tick, one status commit; linear growth.');
}

if (process.argv[1] === self && process.argv[2] === '--child') {
  const [command, dir, arg] = process.argv.slice(3);
  if (command === 'prepare') await prepare(dir!, Number(arg));
  else if (command === 'measure') process.stdout.write(JSON.stringify(await measure(dir!, arg as Mode)) + '\n');
  else throw new Error(`unknown child command ${command}`);
  process.exit(0);
} else if (process.argv[1] === self) {
  await bench();
}
