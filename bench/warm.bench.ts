// Warm ticks (docs/operations.md, "Warm ticks"): what a tick costs in a process that already
// ticked (apply --watch, --until-idle, --until) against the same tick done cold, as `apply --once`
// does it, on the generated campaigns of bench/reconcile.bench.ts (500 batches × 4 constraints, a
// placement scriptlet in every batch) with 10,000 and 50,000 instances in flight.
//
// Each size is put in flight once (reconcile.bench.ts's prepare); then two children run the same
// ticks from the same status branch and simulated world:
//
//   1. in flight   the first tick (the one reconcile.bench.ts measures "in flight")
//   2. interval    one reconcile interval later (operations moved on: a few hundred entries change)
//   3. interval    one more
//   4. quiet       again at the same instant: nothing changed, nothing to commit
//   5. moved       another reconciler (another store) changed one entry's message just before
//
// The warm child does them in one process with one store, the desired state loaded and compiled
// once; the cold child loads and compiles the desired state and opens a new status store for
// every tick, as `apply --once` does (its providers stay open in both: the simulator's world file,
// which a real provider does not have, is measured by reconcile.bench.ts). Both must take the
// same decisions (changes / actions per tick). Reported per tick, phase by phase, with the
// store's counters (blobs read, files rendered) and, for the warm child, the heap held between
// ticks.
//
// The baseline, measured in the same child after its ticks: `git cat-file` + `JSON.parse` of
// every blob of the status branch's tip and `JSON.stringify` of every entry: the least a cold
// tick does to know the status and write it again.
//
//   npm run bench -- warm
//   FERRY_BENCH_SIZES=10000 FERRY_BENCH_RUNS=1 npm run bench -- warm

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileDesired } from '../src/engine/index.js';
import type { VirtualClock } from '../src/providers/ports.js';
import { desiredAtCommit } from '../src/reconcile/desired.js';
import { openReconciler } from '../src/reconcile/open.js';
import { tick } from '../src/reconcile/reconciler.js';
import { openRepositoryStore } from '../src/reconcile/store.js';
import { listTree, readBlobs } from '../src/store/git.js';
import type { StatusBranch, StoreCounters } from '../src/store/index.js';
import { contactAll } from '../src/trust/connections.js';
import { BRANCH, git, INTERVAL_MS, ms, prepare, recordingLogger, restore, table, tickPhases } from './reconcile.bench.js';

const SIZES = (process.env.FERRY_BENCH_SIZES ?? '10000,50000').split(',').map(Number);
const RUNS = Number(process.env.FERRY_BENCH_RUNS ?? 2);

const PHASES = ['load', 'compile', 'open', 'read', 'observe', 'decide', 'write', 'act'] as const;
type Phase = (typeof PHASES)[number];
type Mode = 'warm' | 'cold';
const STEPS = [
  { label: 'in flight', advance: 0 },
  { label: 'interval', advance: INTERVAL_MS },
  { label: 'interval', advance: INTERVAL_MS },
  { label: 'quiet', advance: 0 },
  { label: 'moved', advance: 0 },
] as const;

interface TickMeasurement {
  phases: Record<Phase, number>;
  total: number;
  committed: boolean;
  changes: number;
  actions: number;
  work: StoreCounters;
}

interface ChildResult {
  ticks: TickMeasurement[];
  /** Heap after a full GC once the ticks are done, the store (and, warm, what it holds) still alive; MiB. */
  heldHeapMiB: number;
  peakMiB: number;
  baselineMs: number;
}

const rssMiB = (): number => process.resourceUsage().maxRSS / 1024;

function difference(after: StoreCounters, before: StoreCounters): StoreCounters {
  return Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - before[key as keyof StoreCounters]])) as unknown as StoreCounters;
}

async function measure(dir: string, mode: Mode): Promise<ChildResult> {
  restore(dir, 'flight');
  const { log, records } = recordingLogger();
  let desired = await desiredAtCommit(dir, 'HEAD');
  let compiled = compileDesired(desired.state);
  const opened = await openReconciler(dir, desired.state, desired.files, { connections: contactAll(desired.state), readOnly: false, log });
  const clock = opened.setup.providers.clock as VirtualClock;
  const ticks: TickMeasurement[] = [];
  let store = opened.store as StatusBranch;
  for (const step of STEPS) {
    if (step.advance > 0) await clock.advanceTo(clock.now() + step.advance);
    if (step.label === 'moved') await anotherWriter(dir);
    const phases = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
    records.clear();
    const started = performance.now();
    let at = started;
    const lap = (): number => {
      const now = performance.now();
      const ms = now - at;
      at = now;
      return ms;
    };
    let setup = opened.setup;
    if (mode === 'cold') {
      desired = await desiredAtCommit(dir, 'HEAD');
      phases.load = lap();
      compiled = compileDesired(desired.state);
      phases.compile = lap();
      store = await openRepositoryStore(dir, desired.state);
      phases.open = lap();
      setup = { ...opened.setup, store, syncedAt: new Map() };
    }
    const before = { ...store.counters };
    const report = await tick(setup, desired, compiled);
    const ticked = lap();
    tickPhases(records, ticked, phases);
    ticks.push({
      phases,
      total: performance.now() - started,
      committed: report.committed,
      changes: report.decision?.changes.length ?? 0,
      actions: report.acted.length,
      work: difference(store.counters, before),
    });
  }
  globalThis.gc?.();
  const heldHeapMiB = process.memoryUsage().heapUsed / 1024 / 1024;
  const peakMiB = rssMiB();
  await opened.close();

  // Baseline: the status at the tip, read and parsed by hand, and every entry serialized; best of three.
  let baselineMs = Infinity;
  const tip = git(dir, 'rev-parse', `refs/heads/${BRANCH}`);
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    const tree = await listTree(dir, tip);
    const texts = await readBlobs(dir, [...tree.values()]);
    const entries: unknown[] = [];
    for (const [path, id] of tree) {
      const text = texts.get(id)!;
      if (path.endsWith('.json')) JSON.parse(text);
      else if (path.endsWith('.jsonl')) {
        for (const line of text.split('\n')) {
          if (line === '') continue;
          const record = JSON.parse(line) as unknown;
          if (path.startsWith('entries/')) entries.push(record);
        }
      }
    }
    for (const entry of entries) JSON.stringify(entry);
    baselineMs = Math.min(baselineMs, performance.now() - t0);
  }
  return { ticks, heldHeapMiB, peakMiB, baselineMs };
}

/** Another reconciler's commit: one entry's message changed, by a store of its own. */
async function anotherWriter(dir: string): Promise<void> {
  const desired = await desiredAtCommit(dir, 'HEAD');
  const other = await openRepositoryStore(dir, desired.state);
  const seen = await other.read();
  const [uuid, entry] = Object.entries(seen.status.entries)[0]!;
  const entries = { ...seen.status.entries, [uuid]: { ...entry, message: `${entry.message} (seen by another reconciler)` } };
  const written = await other.write(seen, { ...seen.status, entries }, 'another reconciler');
  if (!written.ok) throw new Error(written.message);
}

// ---------------------------------------------------------------------------------------------
// Parent

const self = fileURLToPath(import.meta.url);

function child(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n').pop()!) : reject(new Error(`child ${args.join(' ')} exited with ${code}`))));
  });
}

export default async function bench(): Promise<void> {
  console.log(`${cpus().length} cores, Node ${process.version}; 500 batches × 4 constraints, a placement scriptlet in every batch; best of ${RUNS} per tick, each mode in its own process`);
  const rows: string[][] = [];
  const memory: string[] = [];
  let disagree = false;
  for (const size of SIZES) {
    const dir = mkdtempSync(join(tmpdir(), `ferry-bench-warm-${size}-`));
    try {
      await child(['prepare', dir, String(size)]);
      const runs: Record<Mode, ChildResult[]> = { warm: [], cold: [] };
      for (let run = 0; run < RUNS; run++) {
        for (const mode of ['cold', 'warm'] as const) runs[mode].push(JSON.parse(await child(['measure', dir, mode])) as ChildResult);
      }
      const baseline = Math.min(...[...runs.warm, ...runs.cold].map((r) => r.baselineMs));
      const bestOf = (mode: Mode, i: number): TickMeasurement => runs[mode].map((r) => r.ticks[i]!).reduce((a, b) => (b.total < a.total ? b : a));
      STEPS.forEach((step, i) => {
        const cold = bestOf('cold', i);
        const warm = bestOf('warm', i);
        // The same ticks from the same branch and world: the decisions must agree, run by run and mode by mode.
        const decisions = new Set([...runs.warm, ...runs.cold].map((r) => `${r.ticks[i]!.changes}/${r.ticks[i]!.actions}/${r.ticks[i]!.committed}`));
        if (decisions.size > 1) disagree = true;
        for (const [mode, m] of [['cold', cold], ['warm', warm]] as const) {
          rows.push([
            `${size.toLocaleString('en')} ${i + 1}. ${step.label} ${mode}`,
            ...PHASES.map((p) => (mode === 'warm' && (p === 'load' || p === 'compile' || p === 'open') ? '' : ms(m.phases[p]))),
            ms(m.total),
            `${(m.total / baseline).toFixed(2)}×`,
            `${m.work.blobsRead} / ${m.work.filesRendered}`,
            `${m.changes.toLocaleString('en')} / ${m.actions.toLocaleString('en')}${m.committed ? '' : ' (no commit)'}${decisions.size > 1 ? ' ≠' : ''}`,
          ]);
        }
        if (i > 0) rows.push([`${size.toLocaleString('en')} ${i + 1}. warm / cold`, ...PHASES.map(() => ''), `${(warm.total / cold.total).toFixed(2)}`, '', '', '']);
      });
      const heap = (mode: Mode) => Math.round(Math.min(...runs[mode].map((r) => r.heldHeapMiB)));
      const peak = (mode: Mode) => Math.round(Math.max(...runs[mode].map((r) => r.peakMiB)));
      memory.push(`${size.toLocaleString('en')}: heap after the ticks ${heap('warm')} MiB warm, ${heap('cold')} MiB cold; peak RSS ${peak('warm')} MiB warm, ${peak('cold')} MiB cold; baseline ${ms(baseline)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  table(['tick', ...PHASES, 'total', '/ baseline', 'blobs read / files rendered', 'changes / actions'], rows);
  for (const line of memory) console.log(line);
  console.log('Baseline: cat-file + JSON.parse of every blob of the status tip, JSON.stringify of every entry.');
  if (disagree) {
    console.log('DECISIONS DIFFER between runs or modes (marked ≠)');
    process.exitCode = 1;
  }
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
