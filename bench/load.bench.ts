// Loading and validating desired state, against the floor: plain YAML parsing of the same files.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compileHooks } from '../src/reconcile/compile-hooks.js';
import { directoryFiles } from '../src/repo/files.js';
import { loadRepository } from '../src/repo/load.js';
import { writeCampaign } from './fleet.js';

async function best<T>(runs: number, work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  let ms = Infinity;
  let result: T | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = await work();
    ms = Math.min(ms, performance.now() - started);
  }
  return { ms, result: result! };
}

export default async function bench(): Promise<void> {
  const rows: string[][] = [];
  const perDocument: number[] = [];
  for (const size of [100, 1_000, 10_000]) {
    const dir = join(tmpdir(), `ferry-bench-load-${size}-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    const documents = writeCampaign(dir, size);
    const files = directoryFiles(dir);
    const runs = size >= 10_000 ? 3 : 7;
    // Floor: list and read the same files, and parse every document with the yaml package.
    const floor = await best(runs, async () => {
      const listing = await files.list();
      let count = 0;
      for (const { path } of listing) {
        if (!path.endsWith('.yaml')) continue;
        for (const document of parseAllDocuments(readFileSync(join(dir, path), 'utf8'))) {
          document.toJS();
          count++;
        }
      }
      return count;
    });
    const load = await best(runs, () => loadRepository(files, { hooks: compileHooks() }));
    if (load.result.problems.some((p) => p.severity === 'error')) throw new Error(`generated repository is invalid: ${JSON.stringify(load.result.problems[0])}`);
    if (floor.result !== documents) throw new Error(`floor parsed ${floor.result} documents, expected ${documents}`);
    perDocument.push(load.ms / documents);
    rows.push([
      String(documents),
      `${(floor.ms / documents * 1000).toFixed(0)} µs`,
      `${(load.ms / documents * 1000).toFixed(0)} µs`,
      `${(load.ms / floor.ms).toFixed(2)}×`,
      `${load.ms.toFixed(0)} ms`,
    ]);
    rmSync(dir, { recursive: true, force: true });
  }
  const header = ['documents', 'yaml parse (floor) / doc', 'ferry load+validate / doc', 'ratio to floor', 'total'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log(`growth: per-document time at 10,000 is ${(perDocument[2]! / perDocument[0]!).toFixed(2)}× that at 100 (1.00 = linear). Target: ratio to floor ≤ 3×.`);
}
