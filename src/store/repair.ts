// `ferry repair`: the way back from a status branch that does not read. One new commit on top of the
// tip (history is never rewritten; compare-and-swap like every write) holding the status of the last
// readable commit, or of an older one named with --from. It refuses when the damage is not one it
// understands (docs/operations.md, "Repairing the status branch"): the rules are `repairRefusal`.

import { formatTimestamp } from '../model/timestamp.js';
import { oneLineText, type StatusCommit } from './commits.js';
import { isNewer, problemOf, type CommitProblem, type Diagnosis } from './doctor.js';
import type { Identity } from './git.js';
import type { StatusBranch } from './store.js';

/** A commit a repair goes over: one that does not read (with its problem), or one --from goes back past (null: not examined). */
export interface SkippedCommit {
  commit: StatusCommit;
  problem: CommitProblem | null;
}

export interface RepairPlan {
  branch: string;
  /** The tip the new commit goes on. */
  tip: string;
  /** The readable commit whose status is written again. */
  base: StatusCommit;
  /** The commits after it, newest first. */
  skipped: SkippedCommit[];
}

export interface RepairRequest {
  /** The readable commit to go back to (--from), when not the newest one. */
  from: string | null;
  /** Go over commits Ferry wrote (--discard-reconciler-commits). */
  discardReconcilerCommits: boolean;
}

export interface Refusal {
  code: 'status-healthy' | 'status-newer-format' | 'repair-no-readable-commit' | 'repair-merge-commit' | 'repair-reconciler-commits' | 'repair-bad-from' | 'repair-tip-moved';
  message: string;
  hint: string;
}

const RUNBOOK = 'docs/operations.md, "Repairing the status branch"';

function short(id: string): string {
  return id.slice(0, 12);
}

function described(commit: StatusCommit): string {
  return `${short(commit.id)} ("${commit.subject}", ${commit.author}, ${formatTimestamp(commit.date)})`;
}

/** Why a repair over `skipped` (the diagnosis's damaged commits, or more with --from) is refused, or null. Pure. */
export function repairRefusal(diagnosis: Diagnosis, skipped: readonly SkippedCommit[], request: RepairRequest): Refusal | null {
  return branchRefusal(diagnosis) ?? rangeRefusal(skipped, request);
}

/** The branch as a whole: no damage, a newer Ferry's, or nothing to go back to. */
function branchRefusal(diagnosis: Diagnosis): Refusal | null {
  if (diagnosis.tip === null) {
    return { code: 'status-healthy', message: `there is no status branch yet (${diagnosis.branch}): nothing to repair`, hint: 'the first "ferry apply" creates it' };
  }
  if (diagnosis.damaged.length === 0) {
    return {
      code: 'status-healthy',
      message: `${diagnosis.branch} reads at its tip ${short(diagnosis.tip)}: nothing to repair`,
      hint: 'a status that reads but is wrong is put right by the reconciler and Resolutions, not by a repair',
    };
  }
  const newer = diagnosis.damaged.find(isNewer);
  if (newer !== undefined) {
    const { commit, problem } = newer;
    const version = commit.writtenBy?.version ?? null;
    const what = problem.code === 'status-newer-format' ? problem.message : `it was written by Ferry ${version ?? '(version unreadable)'} (format ${commit.writtenBy!.format}), newer than this Ferry reads${version === null ? '' : `: run Ferry ${version} or later`}`;
    return {
      code: 'status-newer-format',
      message: `commit ${short(commit.id)} of ${diagnosis.branch} is a newer Ferry's: ${what}; a repair never rolls back what a newer Ferry recorded`,
      hint: 'run a Ferry that reads that format — the one the message names, when it names one, or a later one: its "ferry doctor" and "ferry repair" know it',
    };
  }
  if (diagnosis.readable === null) {
    const where =
      diagnosis.stopped === 'limit' ? `in the ${diagnosis.limit} commits walked from its tip` : diagnosis.stopped === 'shallow' ? "back to where this shallow clone's history ends" : 'back to its first commit';
    return {
      code: 'repair-no-readable-commit',
      message: `no commit of ${diagnosis.branch} reads ${where}: there is no status to go back to`,
      hint: diagnosis.stopped === 'shallow' ? 'run it in a full clone ("git fetch --unshallow")' : `see ${RUNBOOK}`,
    };
  }
  return null;
}

/** The commits gone over: a merge, or commits Ferry wrote. */
function rangeRefusal(skipped: readonly SkippedCommit[], request: RepairRequest): Refusal | null {
  const merge = skipped.find((s) => s.commit.parents.length > 1);
  if (merge !== undefined) {
    return {
      code: 'repair-merge-commit',
      message: `commit ${described(merge.commit)} is a merge: what its other parents brought is not on the history the repair goes back along`,
      hint: `look at what the merge brought ("git log ${short(merge.commit.id)}^2"); ${RUNBOOK}`,
    };
  }
  const ferryWritten = skipped.filter((s) => s.commit.writtenBy !== null);
  if (ferryWritten.length > 0 && !request.discardReconcilerCommits) {
    const first = ferryWritten[0]!;
    const version = first.commit.writtenBy!.version ?? '(version unreadable)';
    const what = first.problem === null ? 'which --from goes back past' : 'which does not read';
    return {
      code: 'repair-reconciler-commits',
      message:
        `commit ${described(first.commit)}, ${what}, was written by Ferry ${version}${ferryWritten.length > 1 ? ` (and ${ferryWritten.length - 1} more of the commits gone over)` : ''}: ` +
        'going back past it discards what Ferry recorded there (operations in flight, resolutions applied, pauses)',
      hint:
        (first.problem === null ? '' : 'a commit Ferry wrote that does not read is a bug in Ferry or damage to the repository: report it; ') +
        `--discard-reconciler-commits repairs anyway, and the reconciler re-observes the world (${RUNBOOK})`,
    };
  }
  return null;
}

/** The repair a request asks for: its plan, or why it is refused. Reads the branch; writes nothing. */
export async function planRepair(branch: StatusBranch, diagnosis: Diagnosis, request: RepairRequest): Promise<RepairPlan | Refusal> {
  const refused = branchRefusal(diagnosis);
  if (refused !== null) return refused;
  let skipped: SkippedCommit[] = diagnosis.damaged;
  let base = diagnosis.readable;
  if (request.from !== null) {
    const chosen = await chosenBase(branch, diagnosis, request.from);
    if ('code' in chosen) return chosen;
    ({ base, skipped } = chosen);
  }
  return rangeRefusal(skipped, request) ?? { branch: diagnosis.branch, tip: diagnosis.tip!, base: base!, skipped };
}

/** --from: a commit on the walk at or before the last readable one, that reads. */
async function chosenBase(branch: StatusBranch, diagnosis: Diagnosis, from: string): Promise<{ base: StatusCommit; skipped: SkippedCommit[] } | Refusal> {
  const bad = (message: string): Refusal => ({ code: 'repair-bad-from', message: `--from ${oneLineText(from, 80)} ${message}`, hint: 'name a readable commit of the status branch ("ferry doctor" shows the last one)' });
  const id = await branch.commitOf(from);
  if (id === null) return bad('is not a commit of this repository');
  const chain = await branch.firstParents(diagnosis.tip!, diagnosis.limit);
  const at = chain.findIndex((commit) => commit.id === id);
  if (at < 0) return bad(`(${short(id)}) is not on the first-parent history of ${diagnosis.branch} (the ${diagnosis.limit} commits from its tip)`);
  if (at < diagnosis.damaged.length) return bad(`(${short(id)}) is one of the commits that do not read: ${describeProblem(diagnosis.damaged[at]!.problem)}`);
  const problem = await problemOf(branch, id);
  if (problem !== null) return bad(`(${short(id)}) does not read: ${describeProblem(problem)}`);
  return { base: chain[at]!, skipped: [...diagnosis.damaged, ...chain.slice(diagnosis.damaged.length, at).map((commit) => ({ commit, problem: null }))] };
}

export function describeProblem(problem: CommitProblem): string {
  const place = problem.file === null ? '' : `${problem.file}${problem.line === null ? '' : `:${problem.line}`}: `;
  return `${place}${problem.code}: ${oneLineText(problem.message, 300)}`;
}

/** How many skipped commits the commit message lists one by one. */
const LISTED = 50;

/** The repair commit's message: what it goes back to, over what, and why; trailers for tools. */
export function repairMessage(plan: RepairPlan): string {
  const count = plan.skipped.length;
  const lines = plan.skipped.slice(0, LISTED).map(({ commit, problem }) =>
    `- ${short(commit.id)} ${formatTimestamp(commit.date)} ${commit.author} "${commit.subject}": ${problem === null ? 'gone over by --from' : describeProblem(problem)}`,
  );
  if (count > LISTED) lines.push(`- … and ${count - LISTED} more`);
  return [
    `ferry repair: the status of ${short(plan.base.id)} again, over ${count} commit${count === 1 ? '' : 's'}`,
    '',
    `The status branch did not read at ${short(plan.tip)}; this commit writes the status of ${short(plan.base.id)} again on top of it.`,
    `That commit: "${plan.base.subject}". Nothing is rewritten. The commits gone over, newest first:`,
    '',
    ...lines,
    '',
    `Ferry-Repaired-From: ${plan.base.id}`,
    `Ferry-Repaired-Tip: ${plan.tip}`,
  ].join('\n');
}

/** Writes the repair: one commit on the tip, authored by the operator; refused when the branch moved meanwhile. */
export async function writeRepair(branch: StatusBranch, plan: RepairPlan, author: Identity): Promise<{ revision: string } | Refusal> {
  const status = await branch.readAt(plan.base.id);
  const written = await branch.write({ revision: plan.tip, status }, status, repairMessage(plan), { author, replaceTree: true });
  if (written.ok) return { revision: written.revision };
  return { code: 'repair-tip-moved', message: `nothing was written: ${written.message}`, hint: 'run "ferry doctor" again: someone else wrote to the branch' };
}
