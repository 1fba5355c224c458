// What a command may do with the revision it was given (docs/security.md, "The trust model"):
// plans contact at most the trusted revision's systems and read the trusted revision's status
// branch; apply acts only on a merged commit.

import type { DesiredAt } from '../reconcile/desired.js';
import { describeConnectionChange, planConnections, type ConnectionChange, type ConnectionPlan } from './connections.js';
import { isMerged, isTrusted, type NoTrustedRevision, type TrustedRevision } from './revision.js';

export class TrustRefusal extends Error {
  constructor(
    readonly code: 'unmerged-commit' | 'no-trusted-revision' | 'allow-unmerged-needs-local-status',
    message: string,
  ) {
    super(message);
    this.name = 'TrustRefusal';
  }
}

export interface TrustedRun {
  /** The desired state to run, with the trusted revision's status location when it is not that revision. */
  desired: DesiredAt;
  connections: ConnectionPlan;
  /** Connection settings the revision changes against the trusted one (reported, never used). */
  changes: ConnectionChange[];
  /** What an operator should know: what was not contacted and why. */
  notes: string[];
  trusted: TrustedRevision | null;
}

/**
 * A plan of `planned`: real systems are contacted only where the trusted revision names them with
 * the same settings (and never when `offline`); the status branch and the budgets are the trusted
 * revision's.
 */
export function planTrust(planned: DesiredAt, found: TrustedRevision | NoTrustedRevision, options: { offline: boolean }): TrustedRun {
  const trusted = isTrusted(found) ? found : null;
  const connections = planConnections(planned.state, trusted?.desired.state ?? null, !options.offline);
  const notes: string[] = [];
  if (trusted === null) notes.push(`no trusted revision: ${(found as NoTrustedRevision).missing}; no vCenter or Incus was contacted, and this plan comes from the status branch`);
  const untouched = [...connections.offline.sources].map((n) => `source ${n}`).concat([...connections.offline.targets].map((n) => `target ${n}`));
  if (trusted !== null && untouched.length > 0) {
    notes.push(
      options.offline
        ? `planned offline from the status branch: ${untouched.join(', ')} not contacted`
        : `${untouched.join(', ')} not contacted: only the connection settings of the trusted revision ${trusted.ref} are used`,
    );
  }
  let desired = planned;
  if (trusted !== null && planned.commit !== trusted.commit) {
    const own = planned.state.project;
    const theirs = trusted.desired.state.project;
    if (own.status.branch !== theirs.status.branch || own.status.remote !== theirs.status.remote || own.status.local !== theirs.status.local) {
      notes.push(`this revision changes where the status branch is (spec.status): planned with the one ${trusted.ref} names`);
    }
    // Where the status is, which branch is trusted and what evaluations may cost: never the revision's to say.
    desired = { ...planned, state: { ...planned.state, project: { ...own, status: theirs.status, trust: theirs.trust, budgets: theirs.budgets } } };
  }
  return { desired, connections, changes: connections.changes, notes, trusted };
}

/** The sentence a plan shows when the revision changes connection settings. */
export function connectionChangeNote(changes: readonly ConnectionChange[], trusted: TrustedRevision | null): string | null {
  if (changes.length === 0) return null;
  return `this revision ${changes.map(describeConnectionChange).join('; ')}: planned with the connections of ${trusted?.ref ?? 'no trusted revision'} (none of these settings was used); review these changes`;
}

/**
 * An apply of `planned`: its commit must be the trusted revision or merged into it. With
 * `allowUnmerged`, a repository whose status branch is local only may apply any commit (the
 * operator's explicit choice; nothing shared is written).
 */
export async function applyTrust(repoDir: string, planned: DesiredAt, found: TrustedRevision | NoTrustedRevision, options: { allowUnmerged: boolean }): Promise<TrustedRun> {
  const commit = planned.commit;
  if (commit === null) throw new TrustRefusal('unmerged-commit', 'apply acts only on committed desired state: commit and merge the change first');
  if (options.allowUnmerged) {
    if (!planned.state.project.status.local) {
      throw new TrustRefusal('allow-unmerged-needs-local-status', '--allow-unmerged is only for a repository whose status branch is local (spec.status.local: true); a shared status branch is applied only from the trusted branch');
    }
    const connections = planConnections(planned.state, planned.state, true);
    return { desired: planned, connections, changes: [], notes: [], trusted: isTrusted(found) ? found : null };
  }
  if (!isTrusted(found)) throw new TrustRefusal('no-trusted-revision', `cannot tell whether ${commit.slice(0, 12)} was merged: ${found.missing}`);
  if (!(await isMerged(repoDir, commit, found))) {
    throw new TrustRefusal(
      'unmerged-commit',
      `${commit.slice(0, 12)} is not on the trusted branch ${found.ref} (${found.how}): apply acts only on merged desired state; merge it (and push it) first`,
    );
  }
  const run = planTrust(planned, found, { offline: false });
  return run;
}
