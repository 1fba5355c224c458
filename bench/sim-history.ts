// The simulated world over a campaign's life: a generated campaign ticked the way CI runs
// `ferry apply --once`, the world opened before every tick and closed after it, printing the
// world's files (the live world — snapshot and journal — and its history) against the tick number,
// and every EVERY ticks the time to open the world, to read its files alone (no inventory, no
// merge) and to close it (a compaction), the best of REPEATS open-close cycles with nothing to do.
// Opening and closing should cost what the live campaign costs, not its past (docs/performance.md,
// "The simulator's world over a campaign"). With --expose-gc, garbage is collected before each
// timed step, so that earlier garbage is not charged to it.
//
//   node --expose-gc --import tsx bench/sim-history.ts
//   FERRY_BENCH_INSTANCES=10000 FERRY_BENCH_TICKS=160 FERRY_BENCH_EVERY=10 node --expose-gc --import tsx bench/sim-history.ts

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openSimWorld } from '../src/providers/sim/index.js';
import { loadWorldFile } from '../src/providers/sim/journal.js';
import { desiredAtCommit } from '../src/reconcile/desired.js';
import { openReconciler, simStateFile } from '../src/reconcile/open.js';
import { runUntilIdle } from '../src/reconcile/run.js';
import { contactAll } from '../src/trust/connections.js';
import { writeCampaignRepo } from '../scripts/campaign.js';

const INSTANCES = Number(process.env.FERRY_BENCH_INSTANCES ?? 10_000);
const TICKS = Number(process.env.FERRY_BENCH_TICKS ?? 160);
const EVERY = Number(process.env.FERRY_BENCH_EVERY ?? 10);
/** Open-close cycles per measured tick: the best one counts (the machine is shared). */
const REPEATS = Number(process.env.FERRY_BENCH_REPEATS ?? 3);
/** The generated campaign's reconcile interval (scripts/campaign.ts). */
const INTERVAL_MS = 60_000;

interface Row {
  tick: number;
  clock: string;
  /** Snapshot and journal: what opening reads. */
  liveBytes: number;
  /** The history's segments (none before the world had one). */
  historyBytes: number;
  statuses: string;
}

/** The world opened and closed again with nothing to do, best of REPEATS: open (inventory and merge included), its files read alone, close (a compaction). */
interface Timing {
  tick: number;
  openMs: number;
  readMs: number;
  closeMs: number;
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

function historyBytes(stateFile: string): number {
  const dir = `${stateFile}.history`;
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `ferry-bench-sim-history-${INSTANCES}-`));
  try {
    writeCampaignRepo(dir, { instances: INSTANCES, batches: 100, constraintsPerBatch: 2, scriptlets: false, allRunning: true });
    execFileSync('git', ['init', '-q', dir]);
    execFileSync('git', ['-C', dir, 'add', '-A']);
    execFileSync('git', ['-C', dir, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '-m', 'generated campaign']);
    const desired = await desiredAtCommit(dir, 'HEAD');
    const stateFile = (await simStateFile(dir))!;
    const log = pino({ level: 'silent' });
    console.log(`${INSTANCES.toLocaleString('en')} instances, 100 batches, ${TICKS} ticks of ${INTERVAL_MS / 1000} s; the world opened and closed around every tick`);
    const rows: Row[] = [];
    const timings: Timing[] = [];
    const openWorld = () => openSimWorld({ desired: desired.state, files: desired.files, stateFile });
    for (let tick = 1; tick <= TICKS; tick++) {
      // Opened here first, the reconciler's providers share it: the last close compacts it.
      const world = await openWorld();
      const opened = await openReconciler(dir, desired.state, desired.files, { connections: contactAll(desired.state), readOnly: false, log });
      const summary = await runUntilIdle(opened.setup, async () => desired, { maxTicks: 1, tickIntervalMs: INTERVAL_MS });
      await opened.close();
      await world.close();
      const counts: Record<string, number> = {};
      for (const entry of Object.values(summary.last?.status?.entries ?? {})) counts[entry.status] = (counts[entry.status] ?? 0) + 1;
      const row: Row = {
        tick,
        clock: new Date(world.now()).toISOString().slice(11, 16),
        liveBytes: sizeOf(stateFile) + sizeOf(`${stateFile}.journal`),
        historyBytes: historyBytes(stateFile),
        statuses: Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', '),
      };
      rows.push(row);
      if (tick !== 1 && tick % EVERY !== 0 && tick !== TICKS) continue;
      const timing: Timing = { tick, openMs: Infinity, readMs: Infinity, closeMs: Infinity };
      for (let repeat = 0; repeat < REPEATS; repeat++) {
        collect();
        let started = performance.now();
        const again = await openWorld();
        timing.openMs = Math.min(timing.openMs, performance.now() - started);
        collect();
        started = performance.now();
        await again.close();
        timing.closeMs = Math.min(timing.closeMs, performance.now() - started);
        collect();
        started = performance.now();
        loadWorldFile(stateFile);
        timing.readMs = Math.min(timing.readMs, performance.now() - started);
      }
      timings.push(timing);
      console.log(`tick ${String(tick).padStart(3)} ${row.clock}  live ${mb(row.liveBytes).padStart(9)}  history ${mb(row.historyBytes).padStart(9)}  open ${ms(timing.openMs).padStart(7)}  read ${ms(timing.readMs).padStart(7)}  close ${ms(timing.closeMs).padStart(7)}  ${row.statuses}`);
    }
    const last = rows.at(-1)!;
    const first = timings[0]!;
    const final = timings.at(-1)!;
    console.log(`live world: ${mb(rows[0]!.liveBytes)} after tick 1, ${mb(last.liveBytes)} after tick ${last.tick}; history ${mb(last.historyBytes)}`);
    console.log(`tick ${final.tick} against tick ${first.tick}: open ${(final.openMs / first.openMs).toFixed(1)}×, read ${(final.readMs / first.readMs).toFixed(1)}×, close ${(final.closeMs / first.closeMs).toFixed(1)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
