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

/** Console text that must never appear: crypt(3) hashes (a guest's /etc/shadow), private keys, vSphere sessions. */
export const SECRET_LOOKING = [/\$(?:1|2[abxy]|5|6|7|y|gy)\$[./0-9A-Za-z]{2,}\$/, /PRIVATE KEY/, /vmware_soap_session/i];
