// The operator's emergency brake (`ferry pause` / `ferry resume`): a commit on the status branch
// that changes only its pauses, made through the same compare-and-swap as the reconciler's ticks.
// A tick that read the branch before the pause landed has its own write refused and decides again
// from the paused status, so a pause is honoured at the next tick before anything is acted on, and
// neither commit is lost. The commit's author is the operator: Git keeps who paused, when and why.

import type { Pause, Pauses } from '../engine/status.js';
import { git, type Identity } from '../store/git.js';
import type { StatusStore } from '../store/index.js';

export type PauseRequest =
  /** Pause the named batches, or the whole campaign when none is named. */
  | { kind: 'pause'; batches: readonly string[]; pause: Pause }
  /** Resume the named batches, or the campaign when none is named. */
  | { kind: 'resume'; batches: readonly string[]; reason: string | null };

/** What a request did to one scope: the campaign (batch null) or a batch. */
export interface PauseOutcome {
  batch: string | null;
  /** The pause before the request. */
  was: Pause | null;
  /** The pause after it. */
  now: Pause | null;
}

/** The pauses after a request, and what changed for each scope it names. Pure. */
export function changePauses(pauses: Pauses, request: PauseRequest): { pauses: Pauses; outcomes: PauseOutcome[] } {
  const next: Pauses = { campaign: pauses.campaign, batches: { ...pauses.batches } };
  const outcomes: PauseOutcome[] = [];
  const now = request.kind === 'pause' ? request.pause : null;
  if (request.batches.length === 0) {
    outcomes.push({ batch: null, was: pauses.campaign, now });
    next.campaign = now;
  }
  for (const batch of new Set(request.batches)) {
    outcomes.push({ batch, was: pauses.batches[batch] ?? null, now });
    if (now === null) delete next.batches[batch];
    else next.batches[batch] = now;
  }
  return { pauses: next, outcomes };
}

/** Whether an outcome changed anything (a pause made or its reason updated, or a pause lifted). */
export function changed(outcome: PauseOutcome): boolean {
  return outcome.was !== outcome.now;
}

export interface RecordedPauses {
  /** The status revision after the request: the new commit, or the one read when nothing changed. */
  revision: string | null;
  written: boolean;
  outcomes: PauseOutcome[];
  /** The pauses now in force. */
  pauses: Pauses;
  /** Writes refused because a reconciler (or another operator) moved the branch first. */
  retries: number;
}

/** How often a pause is re-read and written again when the branch moved under it. */
const ATTEMPTS = 10;

export class PauseWriteError extends Error {}

/** Records a request as one commit on the status branch (compare-and-swap, retried when the branch moved). */
export async function recordPauses(store: StatusStore, request: PauseRequest, author: Identity): Promise<RecordedPauses> {
  let retries = 0;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const snapshot = await store.read();
    const { pauses, outcomes } = changePauses(snapshot.status.pauses, request);
    if (!outcomes.some(changed)) return { revision: snapshot.revision, written: false, outcomes, pauses, retries };
    const written = await store.write(snapshot, { ...snapshot.status, pauses }, commitMessage(request, outcomes), { author });
    if (written.ok) return { revision: written.revision, written: true, outcomes, pauses, retries };
    retries++;
  }
  throw new PauseWriteError(`${store.description} moved ${ATTEMPTS} times in a row while the ${request.kind} was being written (reconcilers are committing); nothing was changed: run it again`);
}

function scopeName(batch: string | null): string {
  return batch === null ? 'the campaign' : `batch ${batch}`;
}

function commitMessage(request: PauseRequest, outcomes: PauseOutcome[]): string {
  const scopes = outcomes.filter(changed).map((o) => scopeName(o.batch));
  const head = `ferry ${request.kind}: ${scopes.join(', ')}`;
  const reason = request.kind === 'pause' ? request.pause.reason : request.reason;
  const trailers = outcomes.filter(changed).map((o) => `Ferry-${request.kind === 'pause' ? 'Paused' : 'Resumed'}: ${o.batch ?? '(campaign)'}`);
  return [head, ...(reason ? ['', reason] : []), '', ...trailers].join('\n');
}

export class UnknownIdentityError extends Error {}

/**
 * Who is pausing, as Git would author a commit here: GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL, else
 * user.name / user.email of the repository's Git configuration.
 */
export async function operatorIdentity(repoDir: string, env: NodeJS.ProcessEnv): Promise<Identity> {
  const name = env.GIT_AUTHOR_NAME?.trim();
  const email = env.GIT_AUTHOR_EMAIL?.trim();
  if (name && email) return { name, email };
  const { code, stdout } = await git(repoDir, ['var', 'GIT_AUTHOR_IDENT'], { allow: [128] });
  const ident = /^(.*?) <([^>]*)> \d+ [+-]\d{4}$/.exec(stdout.trim());
  if (code !== 0 || ident === null || ident[1]!.trim() === '' || ident[2]!.trim() === '') {
    throw new UnknownIdentityError('Git does not know who you are, and a pause records who paused: set git config user.name and user.email (or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL)');
  }
  return { name: ident[1]!, email: ident[2]! };
}

/** `Name <email>`, as a pause records it. */
export function identityText(identity: Identity): string {
  return `${identity.name} <${identity.email}>`;
}
