// The mover's report lines on the serial console (`FERRY-MOVER <json>`, src/mover/report.ts).

import { CONSOLE_PREFIX, type MoverReport } from '../../../src/mover/protocol.js';

/** The report a console line carries, or null for any other line. */
export function consoleReport(line: string): MoverReport | null {
  const at = line.indexOf(CONSOLE_PREFIX);
  return at < 0 ? null : (JSON.parse(line.slice(at + CONSOLE_PREFIX.length)) as MoverReport);
}

/** Matches the line of `op`'s final report (succeeded or failed). */
export const finalReportOf = (op: string) => (line: string) => {
  const report = consoleReport(line);
  return report !== null && report.op === op && report.state !== 'running';
};
