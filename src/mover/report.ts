// The mover's report (protocol.ts): kept in a file the reconciler reads (written whole and
// renamed into place, so a reader never sees half of one) and printed on the console as one
// `FERRY-MOVER <json>` line. Both at most once a second while a pass runs, and at once when
// the state changes; the last progress of a burst is not lost (a trailing write follows it).

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CONSOLE_PREFIX, type MoverDiskReport, type MoverReport, type PrepareReport, type ReadinessReport } from './protocol.js';

const INTERVAL_MS = 1000;

/** The report a file holds, or null (none yet, or not a report). */
export function readReport(path: string): MoverReport | null {
  try {
    const report = JSON.parse(readFileSync(path, 'utf8')) as MoverReport;
    return report?.version === 1 && typeof report.op === 'string' ? report : null;
  } catch {
    return null;
  }
}

export class ReportKeeper {
  private report: MoverReport;
  private lastEmit = 0;
  private trailing: NodeJS.Timeout | null = null;

  constructor(
    private readonly path: string,
    private readonly print: (line: string) => void,
    private readonly now: () => Date,
    op: string,
  ) {
    this.report = { version: 1, op, state: 'running', message: 'starting', progress: { done: 0, total: 0 }, disks: [], updated_at: now().toISOString() };
    this.emit();
  }

  get current(): MoverReport {
    return this.report;
  }

  progress(done: number, total: number, message: string): void {
    this.report = { ...this.report, message, progress: { done, total } };
    this.throttled();
  }

  disk(disk: MoverDiskReport): void {
    this.report = { ...this.report, disks: [...this.report.disks, disk] };
    this.throttled();
  }

  /** The pass's end, with what a prepare pass did or what a readiness check found. */
  finish(state: 'succeeded' | 'failed', message: string, records: { preparation?: PrepareReport; readiness?: ReadinessReport } = {}): MoverReport {
    this.report = { ...this.report, state, message, ...records };
    this.emit();
    return this.report;
  }

  private throttled(): void {
    const wait = this.lastEmit + INTERVAL_MS - Date.now();
    if (wait <= 0) return this.emit();
    this.trailing ??= setTimeout(() => this.emit(), wait);
  }

  private emit(): void {
    if (this.trailing !== null) clearTimeout(this.trailing);
    this.trailing = null;
    this.lastEmit = Date.now();
    this.report = { ...this.report, updated_at: this.now().toISOString() };
    const json = JSON.stringify(this.report);
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${json}\n`);
    renameSync(temporary, this.path);
    this.print(`${CONSOLE_PREFIX}${json}`);
  }
}
