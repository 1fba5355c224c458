// The status store on a campaign-sized status (DESIGN §6: 50,000 instances, 500 batches), against
// the floor of each operation measured in the same run: for a full write, git fast-import of the
// already rendered files; for a cold read, git cat-file of every blob and JSON.parse of every line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatusState } from '../src/engine/status.js';
import { openStatusStore, statusToFiles, type StatusSnapshot, type StatusStore } from '../src/store/index.js';
import { listTree, readBlobs, writeCommit } from '../src/store/git.js';
import { generateStatus } from '../test/helpers/status.js';

const RUNS = 3;

async function best(work: () => Promise<unknown>): Promise<number> {
  let ms = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await work();
    ms = Math.min(ms, performance.now() - started);
  }
  return ms;
}

function freshRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-store-'));
  execFileSync('git', ['init', '-q', dir]);
  return dir;
}

const local = (repoDir: string): Promise<StatusStore> => openStatusStore({ repoDir, branch: 'ferry/status', remote: null });

/** The next tick: `count` entries of one batch changed, as the engine changes them (copies). */
function tick(snapshot: StatusSnapshot, count: number, round: number): StatusState {
  const entries = { ...snapshot.status.entries };
  const uuids = Object.keys(entries).slice(round * count, (round + 1) * count);
  for (const uuid of uuids) entries[uuid] = { ...entries[uuid]!, message: `tick ${round}`, updated_at: entries[uuid]!.updated_at + 1 };
  return { ...snapshot.status, entries, updated_at: (snapshot.status.updated_at ?? 0) + 60_000 };
}

async function measure(label: string, status: StatusState): Promise<string[]> {
  const files = statusToFiles(status);
  const megabytes = [...files.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1e6;
  const repos: string[] = [];

  // Full write: a fresh repository and store each run (the first write of a campaign, or an upgrade).
  const fullWrite = await best(async () => {
    const repo = freshRepository();
    repos.push(repo);
    const store = await local(repo);
    await store.write(await store.read(), status, 'full');
  });
  const gitWrite = await best(async () => {
    const repo = freshRepository();
    repos.push(repo);
    await writeCommit(repo, { ref: 'refs/heads/floor', parent: null, author: { name: 'b', email: 'b@b' }, committer: { name: 'b', email: 'b@b' }, time: 0, message: 'floor', remove: [], write: files });
  });

  const repo = repos[0]!;
  const objects = execFileSync('du', ['-sk', join(repo, '.git', 'objects')], { encoding: 'utf8' }).split('\t')[0];
  // Cold read: a new store (a new process) each run.
  const coldRead = await best(async () => (await local(repo)).read());
  const parseFloor = await best(async () => {
    const commit = execFileSync('git', ['-C', repo, 'rev-parse', 'ferry/status'], { encoding: 'utf8' }).trim();
    const tree = await listTree(repo, commit);
    const texts = await readBlobs(repo, [...tree.values()]);
    for (const [path, id] of tree) {
      const text = texts.get(id)!;
      if (path.endsWith('.json')) JSON.parse(text);
      else if (path.endsWith('.jsonl')) for (const line of text.split('\n')) if (line !== '') JSON.parse(line);
    }
  });

  // Ticks: read, change 10 entries, write; the store remembers what it read.
  const store = await local(repo);
  let snapshot = await store.read();
  let round = 0;
  const tickWrite = await best(async () => {
    const next = tick(snapshot, 10, round++);
    const written = await store.write(snapshot, next, 'tick');
    if (!written.ok) throw new Error(written.message);
    snapshot = { revision: written.revision, status: next };
  });
  const tickRead = await best(async () => {
    snapshot = await store.read();
  });
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
  return [
    label,
    `${files.size} files, ${megabytes.toFixed(0)} MB (${(Number(objects) / 1024).toFixed(0)} MB in Git)`,
    `${fullWrite.toFixed(0)} ms (${(fullWrite / gitWrite).toFixed(2)}× git fast-import)`,
    `${coldRead.toFixed(0)} ms (${(coldRead / parseFloor).toFixed(2)}× cat-file + JSON.parse)`,
    `${tickWrite.toFixed(0)} ms`,
    `${tickRead.toFixed(0)} ms`,
  ];
}

export default async function bench(): Promise<void> {
  const rows = [
    await measure('50,000 entries, 500 batches', generateStatus({ batches: 500, entriesPerBatch: 100, instances: 0 })),
    await measure('… and a 50,000-VM inventory', generateStatus({ batches: 500, entriesPerBatch: 100 })),
  ];
  const header = ['status', 'size', 'full write (vs floor)', 'cold read (vs floor)', 'tick write (10 entries)', 'tick read'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log(`Best of ${RUNS}. Targets: full write and cold read about 1–2 s; a tick's write well under 1 s.`);
}
