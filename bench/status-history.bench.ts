// The status branch over a campaign's life (issue #18): what a Git server holds and what serving
// it costs after 1, 100, 1,000 and 10,000 commits. One commit per tick, pushed into a local bare
// repository with Git's default server configuration (it unpacks small pushes into loose objects
// and runs `gc --auto` after each one, as a self-hosted server does).
//
// The campaign: 10,000 entries in 100 batches (one entries file each, about 130 KB) and the
// 10,000-VM inventory they came from (256 files). Each tick changes 5 entries in each of 3
// batches (a background sync pass: message, syncs, last sync, updated_at), so 3 entries files,
// status.yaml and, when a stuck entry changed, CONFLICTS.md; every 6th tick an inventory sync
// changes 5 VMs (up to 5 inventory files). 10,000 commits stand for a year of a campaign that
// commits about once an hour.
//
// Commits 1–100, and the 100 before each later mark, go through the store's real path as the
// reconciler runs it: read (a fetch), then write (render, fast-import, push without force, the
// tracking ref moved, housekeeping). The commits between are filler, thousands of them without a
// git process each: the files the store would write (its own planning and rendering, unchanged
// records skipped the same way), written as the loose objects a small push leaves on the server
// and a small fast-import in the clone (bench/loose-commits.ts), the refs moved and Git's
// `gc --auto` (server) and `maintenance run --auto` (clone) run every 10 commits. Each hand-over
// to the store checks that the filler's tree holds exactly what the store would have written.
//
// At each mark:
//   server      the bare repository's objects on disk (du) as pushed, its loose objects and packs
//   after gc    a copy of it after `git gc`, and the CPU that gc took
//   full clone  CPU of the server's git-upload-pack (with its pack-objects) for `git clone`,
//               as pushed and after gc
//   depth 1     the same for `git clone --depth=1 --branch ferry/status` — what a CI run does —
//               as pushed and after gc, and what it receives, next to the baseline measured in the
//               same run: the same tip served from a repository that holds only it, as loose
//               objects, so nothing can be reused and the server deltifies the whole tip
//   hook        a depth-1 clone as pushed, served through the uploadpack.packObjectsHook of
//               docs/operations.md that skips the delta search for shallow requests, and its size
//   clone       the reconciler's own clone (objects on disk, loose objects, packs)
//   write CPU   the store's write (render, fast-import, push, ref update, housekeeping): CPU of
//               Node and of the git processes it waited for, mean per tick through the store
//               since the last mark
//
// Git's housekeeping waits (gc.autoDetach false on both sides), so that a mark measures a settled
// repository and the write's CPU includes its share of the clone's repacks. Server CPU is the user
// + system time of upload-pack and its children, read with the shell's `times` in a wrapper given
// to `git clone -u`. Best of FERRY_BENCH_RUNS (default 3).
//
//   npm run bench -- status-history                                   (1,000 commits, ~4 min)
//   FERRY_BENCH_HISTORY_COMMITS=10000 npm run bench -- status-history  (a year, ~30 min)

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatusState } from '../src/engine/status.js';
import { planStatusFiles } from '../src/store/format.js';
import { blobId } from '../src/store/git.js';
import { openStatusStore, statusToFiles } from '../src/store/index.js';
import { generateStatus } from '../test/helpers/status.js';
import { LooseCommits } from './loose-commits.js';

const COMMITS = Number(process.env.FERRY_BENCH_HISTORY_COMMITS ?? 1000);
const MARKS = [...[1, 100, 1000, 10000].filter((mark) => mark < COMMITS), COMMITS];
const RUNS = Number(process.env.FERRY_BENCH_RUNS ?? 3);
const BRANCH = 'ferry/status';
const BATCHES = 100;
const ENTRIES_PER_BATCH = 100;
const TICK_MS = 3_600_000;
/** Ticks through the store's real write path at the start and before each mark past the first two. */
const STORE_TICKS = 100;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@localhost', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@localhost' } }).trim();
}

/**
 * CPU milliseconds of this process and of the child processes it has waited for (git), from
 * /proc/self/stat (clock ticks of 10 ms). Git's detached background gc is not among them.
 */
function cpuMs(): number {
  const own = process.cpuUsage();
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (own.user + own.system) / 1000 + (Number(fields[13]) + Number(fields[14])) * 10;
}

/** A deterministic sequence, so every run simulates the same year. */
function sequence(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % below;
  };
}

/** The status of commit `n` from that of commit `n - 1`, changed the way ticks change it (copies of the records). */
function nextStatus(status: StatusState, n: number, uuids: readonly string[], random: (below: number) => number): StatusState {
  const now = (status.updated_at ?? 0) + TICK_MS;
  const entries = { ...status.entries };
  for (let b = 0; b < 3; b++) {
    const batch = random(BATCHES);
    for (let k = 0; k < 5; k++) {
      const uuid = uuids[batch * ENTRIES_PER_BATCH + random(ENTRIES_PER_BATCH)]!;
      const entry = entries[uuid]!;
      entries[uuid] = { ...entry, message: `Background sync, pass ${entry.syncs + 1}`, syncs: entry.syncs + 1, last_background_sync: now, updated_at: now };
    }
  }
  let inventory = status.inventory;
  if (n % 6 === 0) {
    const source = inventory.dc1!;
    const instances = source.instances.slice();
    for (let k = 0; k < 5; k++) {
      const i = random(instances.length);
      instances[i] = { ...instances[i]!, running: !instances[i]!.running };
    }
    inventory = { ...inventory, dc1: { ...source, instances, synced_at: now } };
  }
  return { ...status, entries, inventory, updated_at: now };
}

/** Whether commit `n` goes through the store: the first ticks and the last before each later mark; the others are filler. */
function throughStore(n: number): boolean {
  const mark = MARKS.find((m) => m >= n)!;
  return n <= STORE_TICKS || n > mark - STORE_TICKS;
}

/** What a server does after each push (receive.autogc) and the reconciler after each tick, every 10 filler commits. */
function housekeepBoth(origin: string, client: string): void {
  git(origin, 'gc', '--auto', '--quiet');
  git(client, 'maintenance', 'run', '--auto', '--quiet');
}

/**
 * Filler commits: the files the store would write for each status (its own planning and
 * rendering, unchanged records skipped the same way), written as loose objects into the server
 * and the reconciler's clone — what a push of fewer than transfer.unpackLimit objects and a small
 * fast-import leave there — without the git processes of a tick.
 */
class Filler {
  private readonly loose: LooseCommits;
  /** Records of each file in the last commit, to skip the files whose records are the same objects. */
  private readonly records = new Map<string, readonly object[]>();
  private readonly texts = new Map<string, string>();

  constructor(
    private readonly origin: string,
    private readonly client: string,
    private tip: string,
    private status: StatusState,
  ) {
    this.loose = new LooseCommits(client, tip, [join(origin, 'objects'), join(client, '.git', 'objects')]);
    for (const file of planStatusFiles(status)) {
      if (file.records !== null) this.records.set(file.path, file.records);
      else this.texts.set(file.path, file.render());
    }
  }

  commit(status: StatusState, n: number): string {
    const changed: [string, string][] = [];
    for (const file of planStatusFiles(status)) {
      if (file.records !== null) {
        const before = this.records.get(file.path);
        if (before !== undefined && before.length === file.records.length && before.every((record, i) => record === file.records![i])) continue;
        this.records.set(file.path, file.records);
        changed.push([file.path, file.render()]);
      } else {
        const text = file.render();
        if (this.texts.get(file.path) === text) continue;
        this.texts.set(file.path, text);
        changed.push([file.path, text]);
      }
    }
    this.status = status;
    this.tip = this.loose.commit(this.tip, changed, Math.floor((status.updated_at ?? 0) / 1000), `ferry: tick ${n}`);
    return this.tip;
  }

  /** The server's branch and the clone's tracking ref at the last commit, as pushes leave them (else Git's gc would find the filler unreachable). */
  moveRefs(): void {
    git(this.origin, 'update-ref', `refs/heads/${BRANCH}`, this.tip);
    git(this.client, 'update-ref', `refs/remotes/origin/${BRANCH}`, this.tip);
  }

  /** Hands over to the store: the refs moved, after checking that the last commit holds what the store would have written. */
  publish(): void {
    const expected = new Map([...statusToFiles(this.status)].map(([path, text]) => [path, blobId('sha1', text)]));
    const tree = new Map(git(this.client, 'ls-tree', '-r', '--full-tree', this.tip).split('\n').map((line) => [line.split('\t')[1]!, line.split(/\s/)[2]!]));
    if (tree.size !== expected.size || [...expected].some(([path, id]) => tree.get(path) !== id)) throw new Error(`filler commit ${this.tip} does not hold the files the store writes`);
    this.moveRefs();
    housekeepBoth(this.origin, this.client);
  }
}

interface Objects {
  kib: number;
  loose: number;
  packs: number;
}

function objects(gitDir: string): Objects {
  const counts = Object.fromEntries(git(gitDir, 'count-objects', '-v').split('\n').map((line) => line.split(': ') as [string, string]));
  const kib = Number(execFileSync('du', ['-sk', join(gitDir, 'objects')], { encoding: 'utf8' }).split('\t')[0]);
  return { kib, loose: Number(counts.count), packs: Number(counts.packs) };
}

class Server {
  private readonly timed: string;
  private readonly cpuFile: string;
  /** A global Git configuration that installs the hook of docs/operations.md ("Hosting the status branch"). */
  private readonly hookConfig: string;

  constructor(private readonly root: string) {
    this.timed = join(root, 'timed');
    this.cpuFile = join(root, 'cpu');
    writeFileSync(this.timed, '#!/bin/sh\n"$@"\nstatus=$?\ntimes > "$FERRY_BENCH_CPU_FILE"\nexit $status\n', { mode: 0o755 });
    const hook = join(root, 'shallow-no-delta');
    writeFileSync(hook, '#!/bin/sh\ncase " $* " in\n*" --shallow-file "*) exec "$@" --window=0 ;;\nesac\nexec "$@"\n', { mode: 0o755 });
    this.hookConfig = join(root, 'hook.gitconfig');
    writeFileSync(this.hookConfig, `[uploadpack]\n\tpackObjectsHook = ${hook}\n`);
  }

  /** User + system CPU seconds of a command and the processes it waited for. */
  cpu(command: string[]): number {
    execFileSync(this.timed, command, { env: { ...process.env, FERRY_BENCH_CPU_FILE: this.cpuFile }, stdio: ['ignore', 'ignore', 'inherit'] });
    return this.lastCpu();
  }

  /** What the wrapper wrote: the shell's own times and those of its children, summed. */
  private lastCpu(): number {
    return [...readFileSync(this.cpuFile, 'utf8').matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  }

  /** The server-side CPU of a clone from `repo`, best of RUNS, and what the clone holds (KiB on disk). */
  clone(repo: string, options: string[], withHook = false): { cpu: number; kib: number } {
    let cpu = Infinity;
    let kib = 0;
    const env = { ...process.env, FERRY_BENCH_CPU_FILE: this.cpuFile, ...(withHook ? { GIT_CONFIG_GLOBAL: this.hookConfig } : {}) };
    for (let run = 0; run < RUNS; run++) {
      const into = mkdtempSync(join(this.root, 'clone-'));
      execFileSync('git', ['clone', '-q', '--bare', '-u', `${this.timed} git upload-pack`, ...options, `file://${repo}`, into], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      cpu = Math.min(cpu, this.lastCpu());
      kib = objects(into).kib;
      rmSync(into, { recursive: true, force: true });
    }
    return { cpu, kib };
  }
}

interface Mark {
  commits: number;
  writeCpu: number;
  pushed: Objects;
  collected: Objects;
  gcCpu: number;
  fullPushed: number;
  fullCollected: number;
  shallowPushed: number;
  shallowCollected: number;
  shallowFloor: number;
  /** What a depth-1 clone receives (KiB on disk). */
  shallowKib: number;
  /** A depth-1 clone as pushed, served through the hook that skips the delta search for shallow requests. */
  shallowHook: { cpu: number; kib: number };
  clone: Objects;
}

function measure(root: string, server: Server, origin: string, client: string, commits: number, writeCpu: number): Mark {
  const pushed = objects(origin);
  const collectedDir = join(root, 'collected.git');
  execFileSync('cp', ['-a', origin, collectedDir]);
  const gcCpu = server.cpu(['git', '-C', collectedDir, 'gc', '-q']);
  const collected = objects(collectedDir);
  // The baseline: the tip alone, unpacked, in a repository of its own.
  const floorDir = join(root, 'floor.git');
  git(root, 'init', '-q', '--bare', floorDir);
  git(floorDir, '-c', 'transfer.unpackLimit=100000000', 'fetch', '-q', '--depth=1', `file://${origin}`, `+refs/heads/${BRANCH}:refs/heads/${BRANCH}`);
  const shallow = ['--depth=1', '--single-branch', '--branch', BRANCH];
  const shallowCollected = server.clone(collectedDir, shallow);
  const mark: Mark = {
    commits,
    writeCpu,
    pushed,
    collected,
    gcCpu,
    fullPushed: server.clone(origin, []).cpu,
    fullCollected: server.clone(collectedDir, []).cpu,
    shallowPushed: server.clone(origin, shallow).cpu,
    shallowCollected: shallowCollected.cpu,
    shallowFloor: server.clone(floorDir, shallow).cpu,
    shallowKib: shallowCollected.kib,
    shallowHook: server.clone(origin, shallow, true),
    clone: objects(join(client, '.git')),
  };
  rmSync(collectedDir, { recursive: true, force: true });
  rmSync(floorDir, { recursive: true, force: true });
  return mark;
}

const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
const seconds = (s: number): string => `${s.toFixed(2)} s`;

function row(mark: Mark): string[] {
  return [
    mark.commits.toLocaleString('en-US'),
    `${mark.writeCpu.toFixed(0)} ms`,
    `${mib(mark.pushed.kib)} (${mark.pushed.loose} loose, ${mark.pushed.packs} packs)`,
    `${mib(mark.collected.kib)} (gc ${seconds(mark.gcCpu)})`,
    `${seconds(mark.fullPushed)} / ${seconds(mark.fullCollected)}`,
    `${seconds(mark.shallowPushed)} / ${seconds(mark.shallowCollected)} (${mib(mark.shallowKib)})`,
    `${seconds(mark.shallowFloor)} (${(mark.shallowPushed / mark.shallowFloor).toFixed(2)}× / ${(mark.shallowCollected / mark.shallowFloor).toFixed(2)}×)`,
    `${seconds(mark.shallowHook.cpu)} (${mib(mark.shallowHook.kib)})`,
    `${mib(mark.clone.kib)} (${mark.clone.loose} loose, ${mark.clone.packs} packs)`,
  ];
}

export default async function bench(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-history-'));
  try {
    const seed = join(root, 'seed');
    git(root, 'init', '-q', '-b', 'main', seed);
    writeFileSync(join(seed, 'ferry.yaml'), 'kind: Project\n');
    git(seed, 'add', '-A');
    git(seed, 'commit', '-qm', 'campaign');
    const origin = join(root, 'origin.git');
    git(root, 'clone', '-q', '--bare', seed, origin);
    const client = join(root, 'client');
    git(root, 'clone', '-q', `file://${origin}`, client);
    git(origin, 'config', 'gc.autoDetach', 'false');
    git(client, 'config', 'gc.autoDetach', 'false');
    const server = new Server(root);

    const store = await openStatusStore({ repoDir: client, branch: BRANCH, remote: 'origin', onHousekeeping: (problem) => console.log(`  housekeeping: ${problem}`) });
    const first = generateStatus({ batches: BATCHES, entriesPerBatch: ENTRIES_PER_BATCH, instances: BATCHES * ENTRIES_PER_BATCH });
    const uuids = Object.keys(first.entries);
    const random = sequence(18);
    const marks: Mark[] = [];
    let writeCpu = 0;
    let since = 0;
    let filler: Filler | null = null;
    let tip = '';
    let status = first;
    const started = performance.now();
    for (let n = 1; n <= COMMITS; n++) {
      if (throughStore(n)) {
        if (filler !== null) {
          filler.publish();
          filler = null;
        }
        // A tick as the reconciler runs it: read the branch (a fetch), decide, write one commit.
        const snapshot = await store.read();
        if (snapshot.revision !== (n === 1 ? null : tip)) throw new Error(`commit ${n} would not be based on ${tip}`);
        status = n === 1 ? first : nextStatus(snapshot.status, n, uuids, random);
        const before = cpuMs();
        const written = await store.write(snapshot, status, `ferry: tick ${n}`);
        writeCpu += cpuMs() - before;
        since++;
        if (!written.ok) throw new Error(written.message);
        tip = written.revision;
      } else {
        filler ??= new Filler(origin, client, tip, status);
        status = nextStatus(status, n, uuids, random);
        tip = filler.commit(status, n);
        if (n % 10 === 0) {
          filler.moveRefs();
          housekeepBoth(origin, client);
        }
      }
      if (MARKS.includes(n)) {
        marks.push(measure(root, server, origin, client, n, writeCpu / since));
        console.log(`  ${n} commits after ${((performance.now() - started) / 1000).toFixed(0)} s`);
        writeCpu = 0;
        since = 0;
      }
    }
    const count = Number(git(origin, 'rev-list', '--count', BRANCH));
    if (count !== COMMITS) throw new Error(`the server's branch has ${count} commits, not ${COMMITS}`);

    const header = ['commits', 'write CPU (mean)', 'server as pushed', 'server after gc', 'full clone CPU (pushed / gc)', 'depth-1 CPU (pushed / gc; received)', 'depth-1 baseline (ratio)', 'depth-1 with the hook', 'reconciler clone'];
    const rows = marks.map(row);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    console.log(line(header));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const r of rows) console.log(line(r));
    console.log(`Server CPU: git-upload-pack and its pack-objects, best of ${RUNS}. Baseline: the same tip alone, unpacked (nothing to reuse).`);
  } finally {
    // Git's detached gc may still be writing in the reconciler's clone.
    rmSync(root, { recursive: true, force: true, maxRetries: 5 });
  }
}
