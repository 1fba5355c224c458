// A stand-in for the Incus agent on an agent drive (the 9p share `config`, which Incus gives a VM):
// the mover image's init copies the drive and runs its `incus-agent`, which here serves the jobs on
// /dev/incus/sock the way the guest API serves the instance's configuration key
// (GET /1.0/config/<key>). It serves the jobs one after another as the reconciler writes them, one
// per pass: the next once the mover's report (REPORT_PATH, which the reconciler reads through the
// file API) says the current op ended, and, for a job the test holds back, once the test's own
// stand-in for the reconciler on the host says so (the agent asks it at 10.0.2.2, QEMU's address for
// the host's loopback), so that the test can look at a disk between two jobs. The real agent cannot
// run here: it needs vsock.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JOB_KEY, REPORT_PATH, type AnyMoverJob } from '../../../src/mover/protocol.js';

/**
 * Writes the drive into `dir` (a new directory) and returns it, for QEMU's `shares` with tag `config`.
 * `heldUntil` maps a job's op to a URL the agent asks before serving that job: it does once the answer is 200.
 */
export function agentDrive(dir: string, jobs: AnyMoverJob[], heldUntil: Record<string, string> = {}): string {
  mkdirSync(dir);
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
  writeFileSync(join(dir, 'held.json'), JSON.stringify(heldUntil));
  writeFileSync(
    join(dir, 'agent.mjs'),
    `import http from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
const jobs = JSON.parse(readFileSync('jobs.json', 'utf8'));
const held = JSON.parse(readFileSync('held.json', 'utf8'));
let current = 0;
function ended(op) {
  if (!existsSync(${JSON.stringify(REPORT_PATH)})) return false;
  const report = JSON.parse(readFileSync(${JSON.stringify(REPORT_PATH)}, 'utf8'));
  return report.op === op && report.state !== 'running';
}
function released(op) {
  if (held[op] === undefined) return Promise.resolve(true);
  return new Promise((resolve) => {
    http
      .get(held[op], (answer) => {
        answer.resume();
        resolve(answer.statusCode === 200);
      })
      .on('error', () => resolve(false));
  });
}
mkdirSync('/dev/incus', { recursive: true });
http
  .createServer(async (request, response) => {
    if (current < jobs.length - 1 && ended(jobs[current].op) && (await released(jobs[current + 1].op))) current++;
    const found = request.url === ${JSON.stringify(`/1.0/config/${JOB_KEY}`)};
    response.writeHead(found ? 200 : 404, { 'Content-Type': 'text/plain' });
    response.end(found ? JSON.stringify(jobs[current]) : 'not found');
  })
  .listen('/dev/incus/sock');
`,
  );
  writeFileSync(join(dir, 'incus-agent'), '#!/bin/sh\nexec node ./agent.mjs\n', { mode: 0o755 });
  return dir;
}
