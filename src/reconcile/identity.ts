import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { alive } from '../util/process.js';

/** This machine's short name, as reconciler identities carry it. */
function host(): string {
  return hostname().split('.')[0] || 'host';
}

/** This process's name on the operations it claims: host, process and a random part (never reused). */
export function reconcilerIdentity(): string {
  return `${host()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

const IDENTITY = /^([^/]+)\/(\d+)\/[0-9a-f]+$/;

/**
 * The claimants among these that are known to be gone: reconcilers of this host whose process no
 * longer runs (a predecessor that crashed or was killed). Their claims need not wait out
 * CLAIM_TTL_MS: nobody is dispatching them, and the provider reports by operation id whether they
 * ran. A claimant of another host, of this process, or of a process that runs (perhaps a reused
 * ID) is not judged here: the time-to-live decides.
 */
export function goneClaimants(claimants: Iterable<string>, self: string): Set<string> {
  const gone = new Set<string>();
  const here = host();
  const judged = new Map<number, boolean>();
  for (const claimant of claimants) {
    if (claimant === self || gone.has(claimant)) continue;
    const match = IDENTITY.exec(claimant);
    if (match === null || match[1] !== here) continue;
    const pid = Number(match[2]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) continue;
    let running = judged.get(pid);
    if (running === undefined) judged.set(pid, (running = alive(pid)));
    if (!running) gone.add(claimant);
  }
  return gone;
}
