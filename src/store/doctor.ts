// `ferry doctor`: where the status branch stopped being readable, and what came after. It walks the
// first-parent history from the tip and decodes each commit exactly as every reader does
// (StatusBranch.readAt), until one reads: that is the status a repair can go back to
// (./repair.ts). It never walks past a commit of a newer format: what a newer Ferry recorded is
// for that Ferry to judge.

import { STATUS_FORMAT } from '../engine/status.js';
import type { StatusCommit } from './commits.js';
import { StatusStoreError, type StatusErrorCode } from './errors.js';
import { formatNumber } from './format.js';
import type { StatusBranch } from './store.js';

/** How many commits the walk decodes at most. */
export const WALK_LIMIT = 1000;

export interface CommitProblem {
  code: StatusErrorCode;
  /** The sentence, without the file and line. */
  message: string;
  file: string | null;
  line: number | null;
}

export interface DamagedCommit {
  commit: StatusCommit;
  /** The first problem the decoder met in it. */
  problem: CommitProblem;
}

export interface Diagnosis {
  /** Where the branch lives, for sentences. */
  branch: string;
  /** The branch's tip; null when there is no status branch. */
  tip: string | null;
  /** The newest commit of the walk that reads; null when none did. */
  readable: StatusCommit | null;
  /** The commits walked before it (all of them when none read), newest first. */
  damaged: DamagedCommit[];
  /**
   * Why the walk ended without a readable commit: at a commit of a newer format (never walked
   * past), at the branch's first commit, at the bound, or where a shallow clone's history ends.
   */
  stopped: 'newer-format' | 'first-commit' | 'limit' | 'shallow' | null;
  limit: number;
}

export type BranchHealth = 'no-status' | 'healthy' | 'damaged' | 'newer-format';

export function healthOf(diagnosis: Diagnosis): BranchHealth {
  if (diagnosis.tip === null) return 'no-status';
  if (diagnosis.damaged.length === 0) return 'healthy';
  return diagnosis.damaged.some(isNewer) ? 'newer-format' : 'damaged';
}

/** Whether a commit holds a newer format: it says so when read, or its trailers do (a newer Ferry's commit edited by hand). */
export function isNewer({ commit, problem }: DamagedCommit): boolean {
  return problem.code === 'status-newer-format' || newerTrailer(commit);
}

function newerTrailer(commit: StatusCommit): boolean {
  const written = commit.writtenBy?.format;
  return written != null && formatNumber(written)! > formatNumber(STATUS_FORMAT)!;
}

export async function examineStatusBranch(branch: StatusBranch, limit = WALK_LIMIT): Promise<Diagnosis> {
  const diagnosis: Diagnosis = { branch: branch.description, tip: await branch.tip(), readable: null, damaged: [], stopped: null, limit };
  if (diagnosis.tip === null) return diagnosis;
  const commits = await branch.firstParents(diagnosis.tip, limit);
  for (const commit of commits) {
    const problem = await problemOf(branch, commit.id);
    if (problem === null) return { ...diagnosis, readable: commit };
    const damaged = { commit, problem };
    diagnosis.damaged.push(damaged);
    if (isNewer(damaged)) return { ...diagnosis, stopped: 'newer-format' };
  }
  const last = commits.at(-1)!;
  return { ...diagnosis, stopped: last.parents.length === 0 ? 'first-commit' : commits.length === limit ? 'limit' : 'shallow' };
}

/** What reading the status at a commit fails on, or null when it reads. */
export async function problemOf(branch: StatusBranch, revision: string): Promise<CommitProblem | null> {
  try {
    await branch.readAt(revision);
    return null;
  } catch (error) {
    if (!(error instanceof StatusStoreError)) throw error;
    const prefix = error.file === undefined ? '' : `${error.file}${error.line === undefined ? '' : `:${error.line}`}: `;
    return {
      code: error.code,
      message: error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message,
      file: error.file ?? null,
      line: error.line ?? null,
    };
  }
}
