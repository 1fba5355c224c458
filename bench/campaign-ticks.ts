// A generated campaign ticked the way CI runs `ferry apply --once`: every tick opens the
// simulated world and the reconciler (status store, providers), ticks once and closes them again,
// the last close compacting the world. Shared by bench/sim-history.ts and bench/long-run.bench.ts.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { StatusState } from '../src/engine/status.js';
import type { Clock, VirtualClock } from '../src/providers/ports.js';
import { openSimWorld } from '../src/providers/sim/index.js';
import { desiredAtCommit, type DesiredAt } from '../src/reconcile/desired.js';
import { openReconciler, simStateFile } from '../src/reconcile/open.js';
import { runUntilIdle, type RunSummary } from '../src/reconcile/run.js';
import { contactAll } from '../src/trust/connections.js';
import { writeCampaignRepo, type CampaignOptions } from '../scripts/campaign.js';

export interface GeneratedCampaign {
  /** The repository (its work tree). */
  dir: string;
  /** The bare repository the status branch is pushed to (remote mode), or null (local mode). */
  origin: string | null;
  desired: DesiredAt;
  /** The simulator's world file, inside the repository's Git directory. */
  stateFile: string;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@localhost', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@localhost' } }).trim();
}

/**
 * A campaign of scripts/campaign.ts committed in `root/campaign`. With `localStatus: false` its
 * status branch is pushed to `root/origin.git`, a bare repository holding the desired state's branch.
 */
export async function generatedCampaign(root: string, options: CampaignOptions): Promise<GeneratedCampaign> {
  const dir = join(root, 'campaign');
  writeCampaignRepo(dir, options);
  git(root, 'init', '-q', '-b', 'main', dir);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'generated campaign');
  let origin: string | null = null;
  if (options.localStatus === false) {
    origin = join(root, 'origin.git');
    git(root, 'init', '-q', '--bare', origin);
    git(dir, 'remote', 'add', 'origin', origin);
    git(dir, 'push', '-q', 'origin', 'main');
  }
  const desired = await desiredAtCommit(dir, 'HEAD');
  return { dir, origin, desired, stateFile: (await simStateFile(dir))! };
}

export interface CiTick {
  summary: RunSummary;
  /** The simulated clock after the tick (and after it moved, if it did). */
  now: number;
}

/**
 * One `ferry apply --once` of the campaign: world and reconciler opened, one tick, both closed.
 * After a tick without progress the simulated clock moves on as `runUntilIdle` moves it: to the
 * next event, at least `intervalMs` on, and never past `untilMs` when given. With `everyMs` it
 * moves at least that far after every tick, progress or not: a CI schedule.
 */
export async function ciTick(campaign: GeneratedCampaign, options: { intervalMs: number; untilMs?: number; everyMs?: number }): Promise<CiTick> {
  const { desired, dir, stateFile } = campaign;
  // Opened here first, the reconciler's providers share it: the last close compacts it.
  const world = await openSimWorld({ desired: desired.state, files: desired.files, stateFile });
  const log = pino({ level: 'silent' });
  const opened = await openReconciler(dir, desired.state, desired.files, { connections: contactAll(desired.state), readOnly: false, log });
  const started = world.now();
  const until = options.untilMs === undefined ? {} : { until: Math.max(started, options.untilMs) };
  const summary = await runUntilIdle(opened.setup, async () => desired, { maxTicks: 1, tickIntervalMs: options.intervalMs, ...until });
  const clock = opened.setup.providers.clock;
  if (options.everyMs !== undefined && isVirtual(clock) && clock.now() < started + options.everyMs) await clock.advanceTo(started + options.everyMs);
  await opened.close();
  await world.close();
  return { summary, now: world.now() };
}

function isVirtual(clock: Clock): clock is VirtualClock {
  return clock.virtual;
}

/** The entries' statuses, most common first: "4,990 finished, 10 error". */
export function statusCounts(status: StatusState | null | undefined): string {
  const counts = new Map<string, number>();
  for (const entry of Object.values(status?.entries ?? {})) counts.set(entry.status, (counts.get(entry.status) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${n} ${s}`).join(', ');
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Snapshot and journal: what opening the world reads. */
export function liveWorldBytes(stateFile: string): number {
  return sizeOf(stateFile) + sizeOf(`${stateFile}.journal`);
}

/** The world's history segments (none before the world had one). */
export function historyBytes(stateFile: string): number {
  const dir = `${stateFile}.history`;
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}
