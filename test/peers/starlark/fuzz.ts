// The differential fuzzer: programs from the seeded generator, run by the reference CLI (in
// batches, one process per batch) and by Ferry, compared byte for byte: stdout, the whole
// backtrace or static error, and the exit status. A difference is either one of the documented
// deliberate deviations or a disagreement, which is kept on disk for reproduction.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deviationOf } from './deviations.js';
import { generateProgram } from './program-generator.js';
import { runFerry, runReferenceBatch, type Outcome } from './run-both.js';

export interface FuzzOptions {
  cli: string;
  /** Directory for the programs of a batch and for disagreements. */
  workDir: string;
  /** The first seed; programs use seed, seed + 1, ... */
  seed: number;
  /** Stop starting batches once this many milliseconds have passed. */
  budgetMs: number;
  /** Stop after this many programs (whichever comes first). */
  maxPrograms?: number;
  batchSize?: number;
  /** The clock the budget is measured on. */
  now: () => number;
}

export interface Disagreement {
  seed: number;
  file: string;
  reference: Outcome;
  ferry: Outcome;
}

export interface FuzzReport {
  programs: number;
  /** Programs whose outcomes were identical. */
  agreed: number;
  /** Programs that failed under the reference (to check the generator covers errors too). */
  referenceFailures: number;
  /** Differences explained by a deliberate deviation, by its id. */
  deviations: Map<string, number>;
  disagreements: Disagreement[];
  lastSeed: number;
}

/**
 * Ferry runs each program with a generous work budget: the generator makes terminating
 * programs, and a runaway one must fail the comparison rather than hang the suite.
 */
const FERRY_LIMITS = { maxSteps: 50_000_000 };

export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { cli, workDir, budgetMs, now } = options;
  const batchSize = options.batchSize ?? 250;
  const maxPrograms = options.maxPrograms ?? Infinity;
  const batchDir = join(workDir, 'batch');
  const failureDir = join(workDir, 'disagreements');
  rmSync(failureDir, { recursive: true, force: true });
  const report: FuzzReport = { programs: 0, agreed: 0, referenceFailures: 0, deviations: new Map(), disagreements: [], lastSeed: options.seed - 1 };
  const started = now();
  let seed = options.seed;
  while (now() - started < budgetMs && report.programs < maxPrograms) {
    rmSync(batchDir, { recursive: true, force: true });
    mkdirSync(batchDir, { recursive: true });
    const count = Math.min(batchSize, maxPrograms - report.programs);
    const programs = Array.from({ length: count }, (_, i) => {
      const program = generateProgram(seed + i);
      const file = join(batchDir, `program-${program.seed}.star`);
      writeFileSync(file, program.source);
      return { ...program, file };
    });
    const references = runReferenceBatch(cli, programs);
    programs.forEach((program, i) => {
      const reference = references[i];
      const ferry = runFerry(program.source, program.file, program.flags, FERRY_LIMITS);
      report.programs++;
      if (reference.status !== 0) report.referenceFailures++;
      if (reference.status === ferry.status && reference.stdout === ferry.stdout && reference.stderr === ferry.stderr) {
        report.agreed++;
        return;
      }
      const deviation = deviationOf(reference, ferry);
      if (deviation !== undefined) {
        report.deviations.set(deviation.id, (report.deviations.get(deviation.id) ?? 0) + 1);
        return;
      }
      mkdirSync(failureDir, { recursive: true });
      const kept = join(failureDir, `program-${program.seed}.star`);
      writeFileSync(kept, program.source);
      writeFileSync(
        `${kept}.txt`,
        `flags: ${JSON.stringify(program.flags)}\n--- reference (${reference.status})\n${reference.stdout}${reference.stderr}--- ferry (${ferry.status})\n${ferry.stdout}${ferry.stderr}`,
        'latin1',
      );
      report.disagreements.push({ seed: program.seed, file: kept, reference, ferry });
    });
    seed += count;
    report.lastSeed = seed - 1;
    // Between batches, let the test runner's worker talk to its parent (a worker blocked for
    // a minute times out its progress reports).
    await new Promise((resolve) => setImmediate(resolve));
  }
  rmSync(batchDir, { recursive: true, force: true });
  return report;
}

/** One line per figure, for the test log and the docs. */
export function summary(report: FuzzReport): string {
  const pct = (n: number): string => `${((100 * n) / Math.max(report.programs, 1)).toFixed(2)} %`;
  const deviations = [...report.deviations].map(([id, n]) => `${id} ${n}`).join(', ') || 'none';
  return [
    `programs: ${report.programs} (seeds up to ${report.lastSeed}; ${report.referenceFailures} fail under the reference)`,
    `identical outcomes: ${report.agreed} (${pct(report.agreed)})`,
    `deliberate deviations: ${deviations}`,
    `disagreements: ${report.disagreements.length} (${pct(report.disagreements.length)})`,
  ].join('\n');
}
