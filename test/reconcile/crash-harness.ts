// The crash test's machinery (crash.test.ts): the campaign, the ferry CLI it runs as a child
// process, runs killed at crash points, and the invariants read back from the repository.
//
// The campaign is generated (scripts/campaign.ts): 60 VMs in three running batches with short
// first windows (20 minutes) and a second window an hour later, a slow target (64 MiB/s) so that
// transfers span several ticks, and scripted events that drive the rarer paths: a VM started
// during its offline copy (shared session), a VM stopped during its background sync, a finalize
// that fails once, a final import that fails (Error, the source powered back on), a VM started
// during its final import, a final import cut by the end of its window, a window that ends during
// post-import (source powered on, target deleted, new attempt) whose re-creation fails once.

import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCampaignRepo, type CampaignOptions } from '../../scripts/campaign.js';
import type { QueueEntry, StatusState } from '../../src/engine/status.js';
import { diskCopies, executedTwice, executionLog, openSimWorld, operations, targetInstances, type SimWorld } from '../../src/providers/sim/index.js';
import { loadWorldFile } from '../../src/providers/sim/journal.js';
import { desiredAtCommit } from '../../src/reconcile/desired.js';
import { openRepositoryStore } from '../../src/reconcile/store.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

const GiB = 1024 ** 3;
const GIT_ENV = { GIT_AUTHOR_NAME: 'Crash Test', GIT_AUTHOR_EMAIL: 'crash@example.com', GIT_COMMITTER_NAME: 'Crash Test', GIT_COMMITTER_EMAIL: 'crash@example.com' };

/** Scripted events, by what they exercise (VM names are the generator's: vm-<index>). */
const EVENTS = [
  // Offline copies of one source started together share a session: only this copy is stopped,
  // reported running until the session ends; the live migration starts after it.
  '{name: start-during-offline-copy, at: +90s, type: power_on, vm: vm-000050}',
  // A live background pass is torn down before the offline copy starts.
  '{name: stop-during-background-sync, at: +150s, type: power_off, vm: vm-000007}',
  // finalize_instance fails once: retried (post_migration_retries).
  '{name: fail-one-start, at: +0s, type: fail, operation: start, vm: vm-000012}',
  // The next transfer (the final import at 70m) fails: Error, the source VM powered back on.
  '{name: fail-final-import, at: +65m, type: fail, operation: transfer, vm: vm-000013}',
  // A rewritten 24 GiB disk makes the final import last 6 minutes; the VM is started during it:
  // the transfer is stopped, the VM powered off again, the final sync restarts (a retry).
  "{name: rewrite-before-cutover, at: +69m, type: change_disk, vm: vm-000019, disk: '[ds1] vm-000019/vm-000019.vmdk'}",
  '{name: start-during-final-import, at: +73m, type: power_on, vm: vm-000019}',
  // 85 GiB rewritten: the final import outlasts the 20-minute window; it is stopped, the source
  // powered back on, and the cutover happens in the second window.
  "{name: rewrite-long-final, at: +79m, type: change_disk, vm: vm-000017, disk: '[ds2] vm-000017/vm-000017.vmdk'}",
  // 66 GiB rewritten: the final import ends just before the window does and post-import runs
  // across its end: the source is powered back on, the target deleted, a new attempt created —
  // whose creation fails once (the failed attempt is cleaned up, another one made).
  "{name: rewrite-late-final, at: +79m, type: change_disk, vm: vm-000020, disk: '[ds2] vm-000020/vm-000020.vmdk', bytes: 66GiB}",
  '{name: fail-one-recreate, at: +95m, type: fail, operation: create, vm: vm-000020}',
];

export const CRASH_CAMPAIGN: CampaignOptions = {
  instances: 60,
  batches: 3,
  firstWindowMinutes: 20,
  secondWindowAfterMinutes: 60,
  importRate: '64MiB/s',
  diskCapacities: { 17: [85 * GiB], 19: [24 * GiB], 20: [80 * GiB] },
  simulationExtra: `  events:\n${EVENTS.map((e) => `    - ${e}\n`).join('')}`,
};

/** What the scripted events must have made happen in an uncrashed run (the campaign still exercises its paths). */
export const EXPECTED_PATHS: { what: string; vm: string; check: (ops: OpSummary[]) => boolean }[] = [
  { what: 'an offline copy canceled because the VM was started', vm: 'vm-000050', check: (ops) => ops.some((o) => o.kind === 'import_disks' && o.mode === 'offline' && o.state === 'canceled') },
  { what: 'a background pass canceled because the VM was stopped, then an offline copy', vm: 'vm-000007', check: (ops) => ops.some((o) => o.mode === 'background' && o.state === 'canceled') && ops.some((o) => o.mode === 'offline' && o.state === 'succeeded') },
  { what: 'a finalize that failed, then one that succeeded', vm: 'vm-000012', check: (ops) => ops.some((o) => o.kind === 'finalize_instance' && o.state === 'failed') && ops.some((o) => o.kind === 'finalize_instance' && o.state === 'succeeded') },
  { what: 'a failed final import and the source powered back on', vm: 'vm-000013', check: (ops) => ops.some((o) => o.mode === 'final' && o.state === 'failed') && ops.some((o) => o.kind === 'power_on_source') },
  { what: 'a final import stopped because the VM was started, the VM powered off again', vm: 'vm-000019', check: (ops) => ops.some((o) => o.mode === 'final' && o.state === 'canceled') && ops.filter((o) => o.kind === 'power_off_source').length >= 2 },
  { what: 'a final import stopped by the end of its window, the source powered back on', vm: 'vm-000017', check: (ops) => ops.some((o) => o.mode === 'final' && o.state === 'canceled') && ops.some((o) => o.kind === 'power_on_source') },
  { what: 'a window ending after the final import: power-on, delete, a re-creation that failed once', vm: 'vm-000020', check: (ops) => ops.some((o) => o.kind === 'delete_instance') && ops.some((o) => o.kind === 'create_instance' && o.state === 'failed') && ops.some((o) => o.kind === 'power_on_source') },
];

export interface OpSummary {
  id: string;
  kind: string;
  mode: string | null;
  state: string;
  started_at: number;
}

// ---------------------------------------------------------------------------------------------
// The CLI as a child process

/**
 * Compiles src/ (type-stripping only: `tsc --noCheck`, a few seconds) into a scratch directory
 * with links to the project's schemas and node_modules, and returns the entry script. Starting
 * it takes ~0.4 s against ~1.1 s through tsx, which matters over a hundred restarts.
 */
export function buildCli(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-crash-cli-'));
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(PROJECT_ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist'), '--noCheck', '--sourceMap', 'false'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  symlinkSync(join(PROJECT_ROOT, 'schemas'), join(dir, 'schemas'));
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
  const entry = join(dir, 'ferry.js');
  // bin/ferry.js, pointing at this build.
  writeFileSync(entry, readFileSync(join(PROJECT_ROOT, 'bin/ferry.js'), 'utf8').replace(/^#!.*\n/, '').replace("'../dist/", "'./dist/"));
  if (!existsSync(join(dir, 'dist/cli/main.js'))) throw new Error(`tsc wrote no ${join(dir, 'dist/cli/main.js')}`);
  return entry;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } }).trim();
}

/** The campaign in a committed Git repository, to be copied for each run. */
export function templateRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-crash-template-'));
  writeCampaignRepo(dir, CRASH_CAMPAIGN);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'crash campaign');
  return dir;
}

export function freshCopy(template: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ferry-crash-${name}-`));
  cpSync(template, dir, { recursive: true });
  return dir;
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `ferry apply --until-idle --repo REPO` as a child process, with extra environment. */
export function runApply(cli: string, repo: string, env: Record<string, string>, timeoutMs: number): Promise<ChildRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'apply', '--until-idle', '--repo', repo], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...GIT_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function describeRun(run: ChildRun): string {
  return `exit code ${run.code}, signal ${run.signal}, ${Math.round(run.ms)} ms\n--- stdout (end)\n${tail(run.stdout)}\n--- stderr (end)\n${tail(run.stderr)}`;
}

// ---------------------------------------------------------------------------------------------
// Crash plans

/** A crash point and which of its occurrences in the uncrashed run to aim at (1-based). */
export interface CrashTarget {
  step: string;
  occurrence: number;
  /** Its position in the uncrashed run's trace. */
  position: number;
}

export function readTrace(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') : [];
}

/** How often each step was reached, in order of first appearance. */
export function stepCounts(trace: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const step of trace) counts.set(step, (counts.get(step) ?? 0) + 1);
  return counts;
}

/** A step reached at least this often in the uncrashed run is frequent; the others are rare. */
export const FREQUENT = 5;

/**
 * Every distinct step at its first occurrence and, when it is frequent, at the middle one too;
 * ordered by where they fall in the uncrashed run.
 */
export function crashTargets(trace: readonly string[]): CrashTarget[] {
  const counts = stepCounts(trace);
  const wanted = new Map<string, Set<number>>();
  for (const [step, count] of counts) wanted.set(step, new Set(count >= FREQUENT ? [1, Math.ceil(count / 2)] : [1]));
  const seen = new Map<string, number>();
  const targets: CrashTarget[] = [];
  trace.forEach((step, position) => {
    const occurrence = (seen.get(step) ?? 0) + 1;
    seen.set(step, occurrence);
    if (wanted.get(step)!.has(occurrence)) targets.push({ step, occurrence, position });
  });
  return targets;
}

/**
 * Splits the targets into chains. The rare steps (the cancels, power-ons and deletes the scripted
 * events cause) get a chain per operation kind: a crash can change the course of the campaign (a
 * successor may find the world in another state than its predecessor left it), and behind many
 * crashes those few occasions might not come again. The frequent ones are dealt round-robin into
 * `count` chains, so that each spans the whole campaign.
 */
export function chains(targets: readonly CrashTarget[], counts: ReadonlyMap<string, number>, count: number): CrashTarget[][] {
  const rare = new Map<string, CrashTarget[]>();
  const frequent: CrashTarget[][] = Array.from({ length: count }, () => []);
  let dealt = 0;
  for (const target of targets) {
    if (counts.get(target.step)! >= FREQUENT) {
      frequent[dealt++ % count]!.push(target);
      continue;
    }
    // A call made only once can be killed after the simulator recorded it or after it returned,
    // not both: the successor sees it done and does not call again. The second gets its own chain.
    const [side, kind, when] = target.step.split(':');
    const key = side === 'act' && when === 'after' && counts.get(target.step) === 1 ? target.step : kind!;
    rare.set(key, [...(rare.get(key) ?? []), target]);
  }
  return [...rare.values(), ...frequent].filter((chain) => chain.length > 0);
}

export interface Crash {
  /** FERRY_CRASH_AT as given to the child. */
  at: string;
  target: CrashTarget;
  /** The simulated clock when the child was killed. */
  virtualTime: number;
  ms: number;
}

export interface ChainResult {
  repo: string;
  crashes: Crash[];
  /** Targets not reached: the campaign was over first (or an earlier crash changed its course). */
  missed: CrashTarget[];
  /** Children started, the final uncrashed one included. */
  runs: number;
  ms: number;
}

/**
 * One repository, killed at each target in turn: each child gets FERRY_CRASH_AT for the next
 * target (the n-th time it reaches the step in its own life, n chosen so that the kill lands near
 * the target's place in the uncrashed run) and must die by SIGKILL at exactly that step. Then a
 * child without a crash point must run the campaign to its end.
 */
export async function runChain(cli: string, repo: string, targets: readonly CrashTarget[], options: { timeoutMs: number }): Promise<ChainResult> {
  const traceFile = join(repo, '.git', 'crash-trace');
  const started = performance.now();
  const result: ChainResult = { repo, crashes: [], missed: [], runs: 0, ms: 0 };
  const reached = new Map<string, number>();
  let read = 0;
  let over = false;
  for (const target of targets) {
    if (over) {
      result.missed.push(target);
      continue;
    }
    const nth = Math.max(1, target.occurrence - (reached.get(target.step) ?? 0));
    const at = `${target.step}#${nth}`;
    const run = await runApply(cli, repo, { FERRY_CRASH_AT: at, FERRY_CRASH_TRACE: traceFile }, options.timeoutMs);
    result.runs++;
    const trace = readTrace(traceFile);
    const mine = trace.slice(read);
    read = trace.length;
    for (const step of mine) reached.set(step, (reached.get(step) ?? 0) + 1);
    if (run.signal === 'SIGKILL') {
      const last = mine[mine.length - 1];
      const times = mine.filter((step) => step === target.step).length;
      if (last !== target.step || times !== nth) {
        throw new Error(`${repo}: killed with FERRY_CRASH_AT=${at}, but its last step was ${last ?? '(none)'} (reached ${target.step} ${times} times)\n${describeRun(run)}`);
      }
      result.crashes.push({ at, target, virtualTime: worldTime(repo), ms: run.ms });
    } else if (run.code === 0 && run.signal === null) {
      // It ran the campaign to its end without reaching the step that often.
      result.missed.push(target);
      over = true;
    } else {
      throw new Error(`${repo}: the child with FERRY_CRASH_AT=${at} neither crashed there nor finished\n${describeRun(run)}`);
    }
  }
  if (!over) {
    const run = await runApply(cli, repo, { FERRY_CRASH_TRACE: traceFile }, options.timeoutMs);
    result.runs++;
    if (run.code !== 0 || run.signal !== null) throw new Error(`${repo}: the restart after the last crash did not finish\n${describeRun(run)}`);
  }
  result.ms = performance.now() - started;
  return result;
}

/** The simulated clock of the repository's world as persisted (snapshot plus journal). */
function worldTime(repo: string): number {
  const loaded = loadWorldFile(join(repo, '.git/ferry/sim/world.json'));
  if (!loaded) return Number.NaN;
  let now = loaded.state.now;
  for (const command of loaded.commands) if (command.c === 'advance') now = Math.max(now, command.to);
  return now;
}

/** Runs tasks with at most `limit` at once; results in task order. */
export async function pool<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  });
  await Promise.all(workers);
  return results;
}

// ---------------------------------------------------------------------------------------------
// What a finished campaign looks like

export interface Outcome {
  status: StatusState;
  /** Per entry: status code, by VM name. */
  statuses: Record<string, string>;
  /** Per VM name: the operations the simulator ran for its entry, in order. */
  ops: Record<string, OpSummary[]>;
  /** Calls the simulator saw again for an operation it already had ('repeat' in its log). */
  repeats: number;
  calls: number;
  violations: string[];
  /**
   * How long past its batch's window a source VM Ferry had turned off stayed off, at most, by the
   * crash step that fell in that spell ('none' for spells without a crash), in ms.
   */
  offPastWindow: Map<string, number>;
}

/**
 * Reads the repository's status branch and simulated world (read-only) and checks the invariants;
 * `crashTimes`: when (simulated clock) the reconciler was killed.
 */
export async function inspect(repo: string, crashes: readonly { virtualTime: number; step: string }[] = []): Promise<Outcome> {
  const desired = await desiredAtCommit(repo, 'HEAD');
  const store = await openRepositoryStore(repo, desired.state);
  const { status } = await store.read();
  const world = await openSimWorld({ desired: desired.state, files: desired.files, stateFile: join(repo, '.git/ferry/sim/world.json'), readOnly: true });
  try {
    const statuses: Record<string, string> = {};
    for (const entry of Object.values(status.entries)) statuses[entry.name] = entry.status;
    const log = executionLog(world);
    const offPastWindow = new Map<string, number>();
    return {
      status,
      statuses,
      ops: opsByVm(world, status),
      repeats: log.filter((l) => l.outcome === 'repeat').length,
      calls: log.length,
      violations: violations(world, status, {
        intervalMs: desired.state.project.reconcile.interval_ms,
        crashes,
        offPastWindow,
        inventoryPower: inventoryPower(repo),
        windows: new Map(desired.state.batches.map((b) => [b.meta.name, b.migration_windows.map((w) => ({ start: w.start ?? -Infinity, end: w.end }))])),
      }),
      offPastWindow,
    };
  } finally {
    await world.close();
  }
}

function opsByVm(world: SimWorld, status: StatusState): Record<string, OpSummary[]> {
  const out: Record<string, OpSummary[]> = {};
  const ops = [...operations(world)].sort((a, b) => a.seq - b.seq);
  for (const op of ops) {
    const name = status.entries[op.entry]?.name ?? op.entry;
    (out[name] ??= []).push({ id: op.id, kind: op.kind, mode: op.transfer?.mode ?? null, state: op.state, started_at: op.started_at });
  }
  return out;
}

/**
 * DESIGN §3's crash-safety promises, checked on a campaign that ran to its end:
 *  - every entry is Finished, or in another state with a message saying why, nothing in flight
 *    and nothing owed (no operation, no power-on, no clean-up);
 *  - a Finished entry has exactly one target instance, of its current attempt, whose disks equal
 *    the source's disks now; no entry has more than one instance; no instance is left from an
 *    attempt that is not its entry's current one;
 *  - a source VM is off only when its entry is Finished (the cutover) or someone else (a
 *    scripted event, the inventory) turned it off; and whenever Ferry powered one off, it was
 *    back on by the end of its batch's window plus what noticing it takes: two tick intervals
 *    (notice the end; stop a transfer, then power on; a guest-side step in flight is dropped, not
 *    waited for), plus one interval for each crash during that spell (a restarted reconciler
 *    takes over the claims of its dead predecessor at once, without waiting for CLAIM_TTL_MS);
 *  - no operation id did its work twice (the simulator logs a repeated call as a 'repeat').
 */
export function violations(world: SimWorld, status: StatusState, context: CheckContext): string[] {
  const out: string[] = [];
  const entries = Object.values(status.entries);
  const instances = targetInstances(world);
  const byEntry = new Map<string, typeof instances>();
  for (const instance of instances) {
    if (instance.entry === null) {
      out.push(`target instance ${instance.project}/${instance.name} carries no Ferry markers`);
      continue;
    }
    const list = byEntry.get(instance.entry) ?? [];
    list.push(instance);
    byEntry.set(instance.entry, list);
  }

  for (const entry of entries) {
    const label = `${entry.batch}/${entry.name}`;
    const mine = byEntry.get(entry.uuid) ?? [];
    byEntry.delete(entry.uuid);
    if (mine.length > 1) out.push(`${label}: ${mine.length} target instances (${mine.map((i) => `${i.project}/${i.name}@${i.attempt}`).join(', ')})`);
    for (const instance of mine) {
      if (instance.attempt !== entry.attempt_id) out.push(`${label}: target instance ${instance.project}/${instance.name} is left from attempt ${instance.attempt} (current: ${entry.attempt_id})`);
    }
    if (entry.status === 'finished') {
      const copies = diskCopies(world, entry.uuid);
      if (copies.length !== 1 || !copies[0]!.equal) {
        out.push(`${label}: Finished, but its target copies are ${JSON.stringify(copies.map((c) => ({ name: c.name, attempt: c.attempt, disks: c.disks })))}`);
      }
      if (mine.length === 1 && !mine[0]!.running && entry.placement.running) out.push(`${label}: Finished, but its target instance is not running`);
    } else {
      if (entry.message.trim() === '') out.push(`${label}: ${entry.status} without a message`);
      if (entry.operation !== null) out.push(`${label}: ${entry.status} with operation ${entry.operation.id} (${entry.operation.kind}) still in flight`);
      if (entry.source_powered_off) out.push(`${label}: ${entry.status}, and Ferry still owes its source VM a power-on`);
      if (entry.cleanup) out.push(`${label}: ${entry.status}, still owing a clean-up (${JSON.stringify(entry.cleanup)})`);
    }
  }
  for (const [entry, list] of byEntry) out.push(`target instances of an unknown entry ${entry}: ${list.map((i) => i.name).join(', ')}`);

  out.push(...powerViolations(world, entries, context));

  const twice = executedTwice(world);
  if (twice.length > 0) out.push(`operations that did their work twice: ${twice.join(', ')}`);
  return out;
}

export interface CheckContext {
  intervalMs: number;
  /** When (simulated clock) the reconciler was killed, and at which step. */
  crashes: readonly { virtualTime: number; step: string }[];
  /** Filled: the longest time off past a window, by crash step (see Outcome). */
  offPastWindow?: Map<string, number>;
  /** Each VM's power in the inventory file, by UUID. */
  inventoryPower: Map<string, boolean>;
  /** Each batch's windows. */
  windows: Map<string, { start: number; end: number | null }[]>;
}

/** The VMs' power as the campaign's inventory file gives it (the world keeps only the current state). */
function inventoryPower(repo: string): Map<string, boolean> {
  const vms = JSON.parse(readFileSync(join(repo, 'inventory/dc.json'), 'utf8')) as { uuid: string; running: boolean }[];
  return new Map(vms.map((vm) => [vm.uuid, vm.running]));
}

function powerViolations(world: SimWorld, entries: readonly QueueEntry[], context: CheckContext): string[] {
  const out: string[] = [];
  const crashesIn = (from: number, to: number) => context.crashes.filter((c) => c.virtualTime >= from && c.virtualTime <= to);
  const slack = (from: number, to: number) => 2 * context.intervalMs + crashesIn(from, to).length * context.intervalMs;
  const byUuid = new Map(entries.map((e) => [e.uuid, e]));
  const powerOps = [...operations(world)].filter((op) => op.state === 'succeeded' && (op.kind === 'power_off_source' || op.kind === 'power_on_source'));
  for (const source of Object.values(world.state.sources)) {
    for (const vm of Object.values(source.vms)) {
      const entry = byUuid.get(vm.key);
      if (!entry) continue;
      const label = `${entry.batch}/${entry.name}`;
      // The VM's power over time: Ferry's calls and the scripted events, in the order they happened
      // (at one instant events come first: they apply while the clock moves, calls in the tick after).
      const changes: { at: number; on: boolean; by: 'ferry' | 'event'; order: number }[] = [];
      for (const op of powerOps) {
        if (op.entry !== vm.key) continue;
        changes.push({ at: op.started_at, on: op.kind === 'power_on_source', by: 'ferry', order: 1_000_000 + op.seq });
      }
      world.state.events.forEach((event, i) => {
        if (!event.applied || event.vm?.key !== vm.key || (event.event.type !== 'power_on' && event.event.type !== 'power_off')) return;
        changes.push({ at: event.event.at, on: event.event.type === 'power_on', by: 'event', order: i });
      });
      changes.sort((a, b) => a.at - b.at || a.order - b.order);

      // Without Ferry: the inventory's power, then the scripted events.
      const initial = context.inventoryPower.get(vm.key) ?? true;
      let natural = initial;
      for (const change of changes) if (change.by === 'event') natural = change.on;
      const running = vm.record.running;
      if (entry.status === 'finished') {
        if (running) out.push(`${label}: Finished, but its source VM runs`);
      } else if (running !== natural) {
        out.push(`${label}: ${entry.status}, and its source VM is ${running ? 'on' : 'off'} (it would be ${natural ? 'on' : 'off'} without Ferry)`);
      }

      // Each spell Ferry turned the VM off must lie in a window of its batch (or be the cutover).
      const windows = context.windows.get(entry.batch) ?? [];
      let offSince: number | null = null;
      let powered = initial;
      const close = (until: number | null) => {
        if (offSince === null) return;
        if (until === null && entry.status === 'finished') return;
        const end = until ?? world.now();
        const containing = windows.filter((w) => offSince! >= w.start);
        const inside = containing.some((w) => end <= (w.end ?? Infinity) + slack(offSince!, end));
        const past = Math.min(...containing.map((w) => Math.max(0, end - (w.end ?? Infinity))));
        if (context.offPastWindow && Number.isFinite(past)) {
          const steps = crashesIn(offSince!, end).map((c) => c.step);
          for (const step of steps.length > 0 ? steps : ['none']) context.offPastWindow.set(step, Math.max(context.offPastWindow.get(step) ?? 0, past));
        }
        if (!inside) out.push(`${label}: Ferry powered its source VM off at ${iso(offSince)} and it stayed off until ${until === null ? 'the end' : iso(until)}, outside its batch's windows`);
      };
      for (const change of changes) {
        if (change.on === powered) continue;
        powered = change.on;
        if (!change.on && change.by === 'ferry') offSince = change.at;
        else if (change.on) {
          close(change.at);
          offSince = null;
        }
      }
      close(null);
    }
  }
  return out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
