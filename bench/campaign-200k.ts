// A whole campaign at 200,000 instances through the real CLI, on the simulator, within Node's
// default heap (issue #18, item 4; docs/performance.md, "200,000 instances"). A generated campaign
// (scripts/campaign.ts: 500 batches, a placement scriptlet, every batch running, their first
// windows opening together and no constraints by default, so that the campaign takes the same 25
// ticks at any size) is committed, then, each in its own process, the way an operator and CI run
// Ferry:
//
//   plan        `ferry plan` on the fresh campaign
//   campaign    `ferry apply --until-idle`: every tick of the campaign in one process, until every
//               entry is finished (creates, imports, cutovers)
//   cold ticks  the campaign again up to its peak (the tick with the most entries in flight, found by
//               the run before) with `ferry apply --until`, then FERRY_BENCH_ONCE cold
//               `ferry apply --once` (what a scheduled CI job runs)
//
// Each process runs the CLI's own entry (runCli, as bin/ferry.js does) and reports, after every
// status commit, the simulated clock, the entries by status, the CPU (user + system) and wall time
// since the last commit, its RSS and peak RSS and the V8 heap; the parent adds the sizes of the
// simulated world (snapshot, journal, history) and of the status branch (its tip's files). Nothing
// raises the heap limit: a campaign that does not fit dies here like it would for an operator,
// and the script exits non-zero, as it does when any entry is left unfinished.
//
//   node --import tsx bench/campaign-200k.ts
//   FERRY_BENCH_INSTANCES=10000 node --import tsx bench/campaign-200k.ts
//   FERRY_BENCH_ONCE=0 FERRY_BENCH_INSTANCES=50000 node --import tsx bench/campaign-200k.ts
//
// FERRY_BENCH_CONSTRAINTS (per batch, default 0) and FERRY_BENCH_STAGGER (minutes between the
// batches' first windows, default 0) shape the campaign; FERRY_BENCH_KEEP=1 keeps its repository.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { runCli } from '../src/cli/main.js';
import { writeCampaignRepo } from '../scripts/campaign.js';

const INSTANCES = Number(process.env.FERRY_BENCH_INSTANCES ?? 200_000);
const ONCE = Number(process.env.FERRY_BENCH_ONCE ?? 3);
const KEEP = process.env.FERRY_BENCH_KEEP === '1';
const BATCHES = 500;
const CONSTRAINTS_PER_BATCH = Number(process.env.FERRY_BENCH_CONSTRAINTS ?? 0);
const STAGGER_MINUTES = Number(process.env.FERRY_BENCH_STAGGER ?? 0);
const BRANCH = 'ferry/status';
/** apply's line after each status commit: the simulated clock, the tick, what changed and the entries by status. */
const TICK_LINE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?Z)\s+tick (\d+)\s+(.*)$/;

/** What a CLI process reports after each status commit (a tick line on its stdout). */
interface TickSample {
  tick: number;
  clock: string;
  counts: Record<string, number>;
  cpuMs: number;
  /** CPU of the git processes Ferry ran (cat-file, fast-import, gc) in the same time. */
  gitCpuMs: number;
  wallMs: number;
  rssMiB: number;
  peakMiB: number;
  heapMiB: number;
}

interface Sized extends TickSample {
  worldMB: number;
  historyMB: number;
  statusMB: number;
}

/** How one CLI process ended. */
interface ProcessEnd {
  code: number | null;
  signal: string | null;
  cpuMs: number;
  gitCpuMs: number;
  wallMs: number;
  peakMiB: number;
  /** The last lines it printed (a plan prints one per action). */
  output: string[];
  ticks: Sized[];
}

function keep(output: string[], line: string): void {
  output.push(line);
  if (output.length > 200) output.splice(0, output.length - 100);
}

// ---------------------------------------------------------------------------------------------
// Children

const mib = (bytes: number): number => bytes / 1024 / 1024;

/** CPU time of this process's children that ended (Linux: /proc/self/stat cutime + cstime). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

/** `ferry ARGS` in this process, with a sample after every tick line it prints. */
async function cliChild(args: string[]): Promise<void> {
  const report = (kind: string, value: unknown) => process.stderr.write(`@@${kind} ${JSON.stringify(value)}\n`);
  const started = performance.now();
  let lastCpu = process.cpuUsage();
  let lastChildren = childrenCpuMs();
  let lastWall = started;
  const stdout = {
    isTTY: false,
    columns: 160,
    write(chunk: string | Uint8Array): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        report('out', line);
        const match = TICK_LINE.exec(line);
        if (match === null) continue;
        const cpu = process.cpuUsage(lastCpu);
        const now = performance.now();
        const memory = process.memoryUsage();
        const sample: TickSample = {
          tick: Number(match[2]),
          clock: match[1]!,
          counts: countsOf(match[3]!),
          cpuMs: (cpu.user + cpu.system) / 1000,
          gitCpuMs: childrenCpuMs() - lastChildren,
          wallMs: now - lastWall,
          rssMiB: mib(memory.rss),
          peakMiB: process.resourceUsage().maxRSS / 1024,
          heapMiB: mib(memory.heapUsed),
        };
        report('tick', sample);
        lastCpu = process.cpuUsage();
        lastChildren = childrenCpuMs();
        lastWall = performance.now();
      }
      return true;
    },
  };
  const code = await runCli(args, { stdout: stdout as unknown as NodeJS.WriteStream, stderr: process.stderr, env: process.env, cwd: process.cwd() });
  const cpu = process.cpuUsage();
  // Exits once the report has left: a pipe that is full takes the rest of a write later.
  process.stderr.write(`@@end ${JSON.stringify({ code, cpuMs: (cpu.user + cpu.system) / 1000, gitCpuMs: childrenCpuMs(), wallMs: performance.now() - started, peakMiB: process.resourceUsage().maxRSS / 1024 })}\n`, () => process.exit(code));
}

/** The entries by status from a tick line ("Finished 12 · Idle 3 …"). */
function countsOf(rest: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of rest.matchAll(/([A-Z][A-Za-z -]*?) (\d+)(?= ·|  |$)/g)) counts[match[1]!.trim()] = Number(match[2]);
  return counts;
}

function generateChild(dir: string, instances: number): void {
  writeCampaignRepo(dir, { instances, batches: BATCHES, constraintsPerBatch: CONSTRAINTS_PER_BATCH, windowStaggerMinutes: STAGGER_MINUTES, scriptlets: true, allRunning: true });
  execFileSync('git', ['init', '-q', dir]);
  execFileSync('git', ['-C', dir, 'add', '-A']);
  execFileSync('git', ['-C', dir, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '-m', 'generated campaign']);
}

// ---------------------------------------------------------------------------------------------
// Parent

const self = fileURLToPath(import.meta.url);

function bytesUnder(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name)), 0);
}

function statusBytes(dir: string): number {
  try {
    const listing = execFileSync('git', ['-C', dir, 'ls-tree', '-r', '-l', `refs/heads/${BRANCH}`], { encoding: 'utf8', maxBuffer: 1 << 30 });
    let sum = 0;
    for (const line of listing.split('\n')) {
      const size = Number(line.split(/\s+/)[3]);
      if (Number.isFinite(size)) sum += size;
    }
    return sum;
  } catch {
    return 0;
  }
}

function sizes(dir: string): { worldMB: number; historyMB: number; statusMB: number } {
  const world = join(dir, '.git', 'ferry', 'sim', 'world.json');
  return {
    worldMB: (bytesUnder(world) + bytesUnder(`${world}.journal`)) / 1e6,
    historyMB: bytesUnder(`${world}.history`) / 1e6,
    statusMB: statusBytes(dir) / 1e6,
  };
}

/** Runs `ferry ARGS` (or another child command) in a child process, printing its tick rows as they come. */
function run(dir: string, label: string, args: string[], options: { quiet?: boolean } = {}): Promise<ProcessEnd> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(process.execPath, ['--import', 'tsx', self, '--child', ...args], { stdio: ['ignore', 'inherit', 'pipe'] });
    const end: ProcessEnd = { code: null, signal: null, cpuMs: 0, gitCpuMs: 0, wallMs: 0, peakMiB: 0, output: [], ticks: [] };
    const lines = createInterface({ input: proc.stderr });
    lines.on('line', (line) => {
      const match = /^@@(\w+) (.*)$/.exec(line);
      if (match === null) {
        keep(end.output, line);
        process.stdout.write(`  [${label}] ${line}\n`);
        return;
      }
      const value = JSON.parse(match[2]!);
      if (match[1] === 'out') {
        keep(end.output, value as string);
        if (!options.quiet && !TICK_LINE.test(value as string)) process.stdout.write(`  [${label}] ${(value as string).slice(0, 200)}\n`);
      } else if (match[1] === 'tick') {
        const sample = { ...(value as TickSample), ...sizes(dir) };
        end.ticks.push(sample);
        if (!options.quiet) process.stdout.write(`  [${label}] ${tickRow(sample)}\n`);
      } else if (match[1] === 'end') {
        Object.assign(end, value);
      }
    });
    proc.on('error', reject);
    // Done when the process has ended and its last line has been read.
    const exited = new Promise<void>((done) => proc.on('close', (code, signal) => {
      end.code = code;
      end.signal = signal;
      done();
    }));
    const read = new Promise<void>((done) => lines.on('close', done));
    void Promise.all([exited, read]).then(() => {
      if (end.wallMs === 0) end.wallMs = performance.now() - started;
      resolve(end);
    });
  });
}

const seconds = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`);
const inFlight = (counts: Record<string, number>): number => Object.entries(counts).reduce((n, [status, count]) => n + (status === 'Finished' || status === 'Waiting' || status === 'Blocked' ? 0 : count), 0);

function tickRow(t: Sized): string {
  const statuses = Object.entries(t.counts).map(([s, n]) => `${s} ${n}`).join(' · ');
  return `tick ${String(t.tick).padStart(4)} ${t.clock}  cpu ${seconds(t.cpuMs).padStart(6)} + git ${seconds(t.gitCpuMs).padStart(5)}  wall ${seconds(t.wallMs).padStart(6)}  rss ${t.rssMiB.toFixed(0).padStart(5)} MiB  peak ${t.peakMiB.toFixed(0).padStart(5)} MiB  heap ${t.heapMiB.toFixed(0).padStart(5)} MiB  world ${t.worldMB.toFixed(0)}+${t.historyMB.toFixed(0)} MB  status ${t.statusMB.toFixed(0)} MB  ${statuses}`;
}

function failed(end: ProcessEnd): string | null {
  if (end.signal !== null) return `killed by ${end.signal}`;
  const heap = end.output.find((line) => /heap out of memory|Invalid string length|Allocation failed/i.test(line));
  if (heap !== undefined) return `heap failure: ${heap}`;
  return end.code === 0 ? null : `exited with ${end.code}`;
}

async function main(): Promise<void> {
  const heapLimit = getHeapStatistics().heap_size_limit / 2 ** 20;
  console.log(`${INSTANCES.toLocaleString('en')} instances, ${BATCHES} batches × ${CONSTRAINTS_PER_BATCH} constraints, a placement scriptlet; ${cpus().length} cores, Node ${process.version}, default heap limit ${heapLimit.toFixed(0)} MiB`);
  const dir = mkdtempSync(join(tmpdir(), `ferry-bench-campaign-${INSTANCES}-`));
  const problems: string[] = [];
  try {
    let started = performance.now();
    const generated = await run(dir, 'generate', ['generate', dir, String(INSTANCES)]);
    if (failed(generated)) throw new Error(`generating the campaign failed: ${failed(generated)}`);
    console.log(`generated and committed in ${seconds(performance.now() - started)} (inventory ${(statSync(join(dir, 'inventory', 'dc.json')).size / 1e6).toFixed(0)} MB)`);

    const plan = await run(dir, 'plan', ['cli', 'plan', '--repo', dir], { quiet: true });
    if (failed(plan)) problems.push(`plan: ${failed(plan)}`);
    console.log(`plan: ${seconds(plan.wallMs)} wall, ${seconds(plan.cpuMs)} CPU + ${seconds(plan.gitCpuMs)} in git, peak RSS ${plan.peakMiB.toFixed(0)} MiB; ${plan.output.find((line) => /^plan:/.test(line)) ?? plan.output.at(-1) ?? ''}`);

    started = performance.now();
    const campaign = await run(dir, 'until-idle', ['cli', 'apply', '--until-idle', '--repo', dir]);
    const campaignFailure = failed(campaign);
    if (campaignFailure) problems.push(`apply --until-idle: ${campaignFailure}`);
    const last = campaign.ticks.at(-1);
    const finished = last?.counts.Finished ?? 0;
    if (finished !== INSTANCES || (last !== undefined && Object.keys(last.counts).length !== 1)) problems.push(`apply --until-idle ended with ${finished.toLocaleString('en')} of ${INSTANCES.toLocaleString('en')} entries finished (${JSON.stringify(last?.counts ?? {})})`);
    const ticks = campaign.ticks;
    const perTick = (pick: (t: Sized) => number) => ({ max: Math.max(0, ...ticks.map(pick)), mean: ticks.reduce((n, t) => n + pick(t), 0) / Math.max(1, ticks.length) });
    const cpu = perTick((t) => t.cpuMs);
    const wall = perTick((t) => t.wallMs);
    console.log(`apply --until-idle: ${ticks.length} status commits in ${seconds(campaign.wallMs)} wall, ${seconds(campaign.cpuMs)} CPU + ${seconds(campaign.gitCpuMs)} in git; per tick CPU mean ${seconds(cpu.mean)}, max ${seconds(cpu.max)}; wall mean ${seconds(wall.mean)}, max ${seconds(wall.max)}; peak RSS ${campaign.peakMiB.toFixed(0)} MiB; ${campaign.output.find((line) => /^apply:/.test(line)) ?? ''}`);

    // The cold ticks start the campaign again: not after a campaign that failed, whose repository is kept as it is.
    if (ONCE > 0 && ticks.length > 0 && problems.length === 0) {
      // The peak: the most entries in flight (created and not finished), the latest such tick.
      const peak = ticks.reduce((best, t) => (inFlight(t.counts) >= inFlight(best.counts) ? t : best));
      console.log(`peak of the campaign: tick ${peak.tick} at ${peak.clock}, ${inFlight(peak.counts).toLocaleString('en')} entries in flight`);
      execFileSync('git', ['-C', dir, 'update-ref', '-d', `refs/heads/${BRANCH}`]);
      rmSync(join(dir, '.git', 'ferry', 'sim'), { recursive: true, force: true });
      const toPeak = await run(dir, 'until', ['cli', 'apply', '--until', peak.clock, '--repo', dir], { quiet: true });
      if (failed(toPeak)) problems.push(`apply --until ${peak.clock}: ${failed(toPeak)}`);
      console.log(`apply --until ${peak.clock}: ${toPeak.ticks.length} status commits in ${seconds(toPeak.wallMs)}, peak RSS ${toPeak.peakMiB.toFixed(0)} MiB`);
      for (let i = 1; i <= ONCE; i++) {
        const once = await run(dir, `once ${i}`, ['cli', 'apply', '--once', '--repo', dir]);
        if (failed(once)) problems.push(`apply --once (${i}): ${failed(once)}`);
        console.log(`apply --once ${i}: ${seconds(once.wallMs)} wall, ${seconds(once.cpuMs)} CPU + ${seconds(once.gitCpuMs)} in git, peak RSS ${once.peakMiB.toFixed(0)} MiB`);
      }
    }
  } finally {
    if (KEEP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    for (const problem of problems) console.log(`FAILED: ${problem}`);
    process.exitCode = 1;
  } else {
    console.log(`every entry finished; nothing exceeded the default heap (${heapLimit.toFixed(0)} MiB)`);
  }
}

if (process.argv[1] === self && process.argv[2] === '--child') {
  const [command, ...rest] = process.argv.slice(3);
  if (command === 'generate') generateChild(rest[0]!, Number(rest[1]));
  else if (command === 'cli') await cliChild(rest);
  else throw new Error(`unknown child command ${command}`);
} else if (process.argv[1] === self) {
  await main();
}
