// After an apply: a commit status per batch on the default branch, and a pull request per batch
// with conflicts that proposes a `resolve` Resolution for each conflicted entry. The pull request
// is updated in place as the batch's conflicts change and closed when they clear. Its branch is
// Ferry's only while every commit on it is Ferry's: once someone pushes a fix of their own to it,
// Ferry never rewrites the branch again and only keeps the description up to date.

import type { Logger } from 'pino';
import { ENTRY_STATUS_TEXT, pauseOf, type Pause, type QueueEntry, type StatusState } from '../engine/status.js';
import type { DesiredState } from '../model/desired.js';
import { resolutionSlug, resolutionYaml } from '../repo/resolution-file.js';
import { git, resolveRef, writeCommit } from '../store/git.js';
import type { GitHubApi, PullSummary } from './api.js';
import { describePlacement } from './pr-plan.js';
import { utc } from './render.js';
import { markdownCode, markdownText, pullRequestTitle, statusDescription } from '../text/markup.js';
import { releasing } from '../util/first-failure.js';

/** The trailer on every commit Ferry puts on a conflict branch. */
export const CONFLICT_TRAILER = 'Ferry-Conflicts';
export const CONFLICT_LABEL = 'ferry-conflict';
const FERRY = { name: 'Ferry', email: 'ferry@users.noreply.github.com' };

export interface ReportOptions {
  repoDir: string;
  /** The Git remote the repository's branches are pushed to. */
  remote: string;
  desired: DesiredState;
  status: StatusState;
  api: GitHubApi;
  /** The default branch and the commit the statuses go on. */
  defaultBranch: string;
  sha: string;
  runUrl: string | null;
  log?: Logger;
  out: (line: string) => void;
}

export interface ConflictPullOutcome {
  batch: string;
  conflicts: number;
  action: 'opened' | 'updated' | 'unchanged' | 'closed' | 'kept-human-branch';
  number: number;
}

export interface ReportResult {
  statuses: number;
  conflicts: number;
  pulls: ConflictPullOutcome[];
}

function entriesByBatch(status: StatusState): Map<string, QueueEntry[]> {
  const out = new Map<string, QueueEntry[]>();
  for (const entry of Object.values(status.entries)) {
    let list = out.get(entry.batch);
    if (!list) out.set(entry.batch, (list = []));
    list.push(entry);
  }
  for (const list of out.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/**
 * The commit status of a batch: failure with conflicts or errors, success when finished, pending
 * otherwise. A paused batch says who paused it and why first: that is what its reader needs.
 */
export function batchState(batchStatus: string, entries: QueueEntry[], pause: Pause | null = null): { state: 'success' | 'failure' | 'pending'; description: string } {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(ENTRY_STATUS_TEXT[e.status], (counts.get(ENTRY_STATUS_TEXT[e.status]) ?? 0) + 1);
  const parts = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, n]) => `${n} ${s.toLowerCase()}`);
  const paused = pause === null ? '' : `Paused by ${pause.by}: ${pause.reason} — `;
  const description = statusDescription(`${paused}${batchStatus}: ${parts.join(', ') || 'no entries'}`);
  const bad = (counts.get('Conflict') ?? 0) + (counts.get('Error') ?? 0);
  if (bad > 0 || batchStatus === 'Error') return { state: 'failure', description };
  if (batchStatus === 'Finished') return { state: 'success', description };
  return { state: 'pending', description };
}

/** What would fix a conflict, from its reason. */
export function suggestedFix(message: string): string {
  if (/network "([^"]+)"/.test(message)) {
    return 'Recreate the network on the target, or map the NIC to a network that exists: a NetworkOverride, the batch\'s placement defaults or its placement scriptlet.';
  }
  if (/storage pool/.test(message)) return 'Create the storage pool on the target, or place the disk in one that exists (the batch\'s defaults or its placement scriptlet).';
  if (/project "/.test(message)) return 'Create the project on the target, or place the instance in one that exists (the batch\'s defaults or its placement scriptlet).';
  if (/already exists/.test(message)) return 'Delete or rename the instance on the target, or give this one another name with an InstanceOverride (name).';
  if (/UUID|identity|no longer matches|moved|renamed/i.test(message)) return 'Check the source VM: if the change is expected, resolving accepts it; otherwise cancel the entry.';
  return 'Fix the cause in the repository or on the target; resolving re-runs the checks.';
}

function resolutionPath(batch: string, entry: QueueEntry): { path: string; name: string } {
  const name = `conflict-${resolutionSlug(batch)}-${resolutionSlug(entry.name)}`.slice(0, 63).replace(/-+$/, '');
  return { path: `resolutions/${name}.yaml`, name };
}

/** The conflict's occurrence: the time the entry last became Conflict (so a new one is a new resolution). */
function conflictSince(entry: QueueEntry): number {
  for (let i = entry.history.length - 1; i >= 0; i--) if (entry.history[i]!.to === 'conflict') return entry.history[i]!.at;
  return entry.updated_at;
}

export function conflictFiles(batch: string, conflicts: QueueEntry[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of conflicts) {
    const { path, name } = resolutionPath(batch, entry);
    const since = new Date(conflictSince(entry)).toISOString();
    files.set(path, resolutionYaml(name, { batch, instance: entry.uuid, action: 'resolve', comment: `Conflict of ${entry.name} since ${since}: ${entry.message}` }, [`Proposed by Ferry for ${entry.name} (${entry.location}).`]));
  }
  return files;
}

export function conflictBody(batch: string, conflicts: QueueEntry[], desired: DesiredState, runUrl: string | null): string {
  const lines = [
    `Ferry found ${conflicts.length === 1 ? 'a conflict' : `${conflicts.length} conflicts`} in batch **${markdownText(batch)}**. Merging this pull request adds a \`resolve\` Resolution for each entry below: the reconciler then re-runs the entry's checks on its next apply.`,
    '',
    'A resolution alone changes nothing about the cause: if the target or the repository still disagree, the entry goes back to Conflict. Push the fix (a scriptlet, an override, a batch default) to this branch before merging — Ferry keeps its hands off the branch from then on and only updates this description.',
    '',
  ];
  const batchDoc = desired.batches.find((b) => b.meta.name === batch);
  for (const entry of conflicts) {
    lines.push(`### ${markdownText(entry.name)}`, '');
    lines.push(`- **What changed:** ${markdownText(entry.message)}`);
    lines.push(`- **Since:** ${utc(conflictSince(entry))} UTC`);
    lines.push(`- **Placement:** ${markdownText(describePlacement(entry.placement) ?? '—')}`);
    const baseline = entry.baseline;
    if (baseline.name !== entry.name || baseline.location !== entry.location) lines.push(`- **Source identity:** was ${markdownText(baseline.name)} at ${markdownText(baseline.location)}`);
    lines.push(`- **What would fix it:** ${suggestedFix(entry.message)}`);
    lines.push(`- Instance ${markdownText(entry.location)}, UUID ${markdownCode(entry.uuid)}, attempt ${entry.attempt}`, '');
  }
  if (batchDoc) lines.push(`<sub>Batch file: ${markdownCode(batchDoc.meta.origin.file)}${runUrl ? ` · [the apply run](${runUrl})` : ''}</sub>`);
  return lines.join('\n');
}

/** Whether every commit on the branch since the default branch is Ferry's. */
async function ferryOwnsBranch(repoDir: string, branchCommit: string, base: string): Promise<boolean> {
  const { stdout } = await git(repoDir, ['log', '--format=%B%x00', `${base}..${branchCommit}`]);
  const messages = stdout.split('\0').map((m) => m.trim()).filter((m) => m !== '');
  return messages.every((m) => new RegExp(`^${CONFLICT_TRAILER}: `, 'm').test(m));
}

async function fetchBranch(repoDir: string, remote: string, branch: string): Promise<string | null> {
  const ref = `refs/ferry/conflicts/${branch}`;
  const { code } = await git(repoDir, ['fetch', '--quiet', '--no-tags', remote, `+refs/heads/${branch}:${ref}`], { allow: [1, 128] });
  return code === 0 ? resolveRef(repoDir, ref) : null;
}

async function pushBranch(repoDir: string, remote: string, branch: string, commit: string, expected: string | null): Promise<void> {
  await git(repoDir, ['push', '--quiet', `--force-with-lease=refs/heads/${branch}:${expected ?? ''}`, remote, `${commit}:refs/heads/${branch}`]);
}

/** A commit on `base` that adds the files (or null when the base already has them all, byte for byte). */
async function commitFiles(repoDir: string, base: string, files: Map<string, string>, batch: string): Promise<string> {
  const message = `Propose resolutions for the conflicts in batch ${batch}\n\n${[...files.keys()].map((p) => `- ${p}`).join('\n')}\n\n${CONFLICT_TRAILER}: ${batch}\n`;
  const time = Math.floor(Date.now() / 1000);
  // fast-import leaves the commit on a private ref; a stale one from an earlier commit would make
  // it refuse a commit that does not descend from it, so the ref lives only for this call.
  const ref = `refs/ferry/tmp/conflicts-${process.pid}`;
  await git(repoDir, ['update-ref', '-d', ref]);
  // Left behind after a failure (a full disk fails both), the ref is pruned once this process is gone (store/locks.ts).
  const drop = async () => void (await git(repoDir, ['update-ref', '-d', ref]));
  return releasing(() => writeCommit(repoDir, { ref, parent: base, author: FERRY, committer: FERRY, time, message, remove: [], write: files }), drop, () => {});
}

async function sameTree(repoDir: string, a: string, b: string): Promise<boolean> {
  const { stdout } = await git(repoDir, ['rev-parse', `${a}^{tree}`, `${b}^{tree}`]);
  const [x, y] = stdout.trim().split('\n');
  return x !== undefined && x === y;
}

export async function reportToGitHub(options: ReportOptions): Promise<ReportResult> {
  const { api, desired, status } = options;
  const project = desired.project;
  const byBatch = entriesByBatch(status);
  const result: ReportResult = { statuses: 0, conflicts: 0, pulls: [] };

  for (const [name, batchStatus] of Object.entries(status.batches).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (batchStatus.status === 'Defined' && (byBatch.get(name)?.length ?? 0) === 0) continue;
    const state = batchState(batchStatus.status, byBatch.get(name) ?? [], pauseOf(status.pauses, name));
    await api.commitStatus(options.sha, { context: `${project.github.status_context}/${name}`, state: state.state, description: state.description, targetUrl: options.runUrl });
    result.statuses++;
  }

  const prefix = project.github.conflict_branch_prefix;
  const conflicted = new Map<string, QueueEntry[]>();
  for (const [batch, entries] of byBatch) {
    const list = entries.filter((e) => e.status === 'conflict');
    if (list.length > 0) conflicted.set(batch, list);
  }
  // One listing of the open conflict pull requests, not a request per batch.
  const openByBranch = new Map((await api.openPullsFrom(prefix)).map((p) => [p.headRef, p]));
  const batches = new Set([...conflicted.keys(), ...[...openByBranch.keys()].map((b) => b.slice(prefix.length))]);
  for (const batch of [...batches].sort()) {
    const branch = `${prefix}${batch}`;
    const conflicts = conflicted.get(batch) ?? [];
    result.conflicts += conflicts.length;
    const open = openByBranch.get(branch) ?? null;
    if (conflicts.length === 0) {
      if (open) result.pulls.push(await closeCleared(options, open, branch, batch));
      continue;
    }
    result.pulls.push(await upsertConflictPull(options, open, branch, batch, conflicts));
  }
  return result;
}

async function closeCleared(options: ReportOptions, open: PullSummary, branch: string, batch: string): Promise<ConflictPullOutcome> {
  const { api, repoDir, remote } = options;
  await api.createComment(open.number, `The conflicts in batch **${markdownText(batch)}** have cleared${options.runUrl ? ` ([apply run](${options.runUrl}))` : ''}: closing this pull request.`);
  await api.updatePull(open.number, { state: 'closed' });
  const head = await fetchBranch(repoDir, remote, branch);
  if (head !== null && (await ferryOwnsBranch(repoDir, head, options.sha))) await api.deleteBranch(branch);
  options.out(`batch ${batch}: conflicts cleared, closed #${open.number}`);
  return { batch, conflicts: 0, action: 'closed', number: open.number };
}

async function upsertConflictPull(options: ReportOptions, open: PullSummary | null, branch: string, batch: string, conflicts: QueueEntry[]): Promise<ConflictPullOutcome> {
  const { api, repoDir, remote } = options;
  const files = conflictFiles(batch, conflicts);
  const title = pullRequestTitle(`Ferry: resolve ${conflicts.length === 1 ? '1 conflict' : `${conflicts.length} conflicts`} in ${batch}`);
  const body = conflictBody(batch, conflicts, options.desired, options.runUrl);
  const current = await fetchBranch(repoDir, remote, branch);
  const ours = current === null || (await ferryOwnsBranch(repoDir, current, options.sha));
  let pushed = false;
  if (ours) {
    const commit = await commitFiles(repoDir, options.sha, files, batch);
    if (current === null || !(await sameTree(repoDir, commit, current))) {
      await pushBranch(repoDir, remote, branch, commit, current);
      pushed = true;
    }
  }
  if (open === null) {
    const pull = await api.createPull({ title, head: branch, base: options.defaultBranch, body });
    // A label is a convenience: a token that may not create it does not stop the pull request.
    await api.addLabels(pull.number, [CONFLICT_LABEL]).catch((error: unknown) => options.out(`note: #${pull.number} was not labelled ${CONFLICT_LABEL}: ${error instanceof Error ? error.message : String(error)}`));
    options.out(`batch ${batch}: ${conflicts.length} in conflict, opened #${pull.number}`);
    return { batch, conflicts: conflicts.length, action: 'opened', number: pull.number };
  }
  const changed = open.title !== title || (open.body ?? '') !== body;
  if (changed) await api.updatePull(open.number, { title, body });
  const action = !ours ? 'kept-human-branch' : pushed || changed ? 'updated' : 'unchanged';
  options.out(`batch ${batch}: ${conflicts.length} in conflict, #${open.number} ${action === 'kept-human-branch' ? 'has fixes pushed by people: description updated, branch left alone' : action}`);
  return { batch, conflicts: conflicts.length, action, number: open.number };
}
