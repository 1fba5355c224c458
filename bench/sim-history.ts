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

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSimWorld } from '../src/providers/sim/index.js';
import { loadWorldFile } from '../src/providers/sim/journal.js';
import { ciTick, generatedCampaign, historyBytes, liveWorldBytes, statusCounts } from './campaign-ticks.js';

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

const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), `ferry-bench-sim-history-${INSTANCES}-`));
  try {
    const campaign = await generatedCampaign(root, { instances: INSTANCES, batches: 100, constraintsPerBatch: 2, scriptlets: false, allRunning: true });
    const { desired, stateFile } = campaign;
    console.log(`${INSTANCES.toLocaleString('en')} instances, 100 batches, ${TICKS} ticks of ${INTERVAL_MS / 1000} s; the world opened and closed around every tick`);
    const rows: Row[] = [];
    const timings: Timing[] = [];
    const openWorld = () => openSimWorld({ desired: desired.state, files: desired.files, stateFile });
    for (let tick = 1; tick <= TICKS; tick++) {
      const { summary, now } = await ciTick(campaign, { intervalMs: INTERVAL_MS });
      const row: Row = {
        tick,
        clock: new Date(now).toISOString().slice(11, 16),
        liveBytes: liveWorldBytes(stateFile),
        historyBytes: historyBytes(stateFile),
        statuses: statusCounts(summary.last?.status),
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
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
