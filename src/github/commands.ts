// `plan`, `comment`, `apply` and `report` against GitHub. The pieces: ./pr-plan.ts computes a
// pull request's plan, ./render.ts writes it as Markdown, ./api.ts makes the REST calls, and
// ./report.ts sets statuses and keeps the conflict pull requests after an apply.

import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { ENTRY_STATUS_TEXT } from '../engine/status.js';
import type { Problem } from '../model/problem.js';
import { desiredAtCommit, desiredErrors, gitLocation, resolveCommit } from '../reconcile/desired.js';
import { openReconciler } from '../reconcile/open.js';
import { tick } from '../reconcile/reconciler.js';
import { runUntilIdle } from '../reconcile/run.js';
import { GitHubApi, type Annotation } from './api.js';
import { APPLY_EVENTS, GitHubContextError, githubContext, type GitHubContext } from './context.js';
import { computePrPlan, withStatusBranch, type PrPlan } from './pr-plan.js';
import { COMMENT_LIMIT, parseMarker, renderPlanMarkdown, summaryLine, SUMMARY_LIMIT } from './render.js';
import { parsePlanFile, PLAN_FILE_KIND, type PlanFile } from './plan-file.js';
import { reportToGitHub } from './report.js';
import type { GitHubRunOptions, GitHubRunResult } from './run.js';

export const PLAN_CHECK_NAME = 'ferry plan';

export async function runGitHubCommand(options: GitHubRunOptions): Promise<GitHubRunResult> {
  const context = githubContext(options.env, options.token);
  switch (options.command) {
    case 'plan':
      return plan(context, options);
    case 'comment':
      return comment(context, options);
    case 'apply':
      return apply(context, options);
    case 'report':
      return report(context, options);
  }
}

async function plan(context: GitHubContext, options: GitHubRunOptions): Promise<GitHubRunResult> {
  const pr = context.pullRequest;
  if (pr === null) throw new GitHubContextError('ferry github plan plans a pull request, and this event names none (run it on pull_request events)');
  const baseRef = await baseRevision(options.repoDir, pr.baseRef, pr.baseSha);
  options.out(`planning pull request #${pr.number} (${pr.headSha.slice(0, 12)}) against ${baseRef}`);
  const planned = await computePrPlan({ repoDir: options.repoDir, baseRef, log: options.log, env: options.env, ...(options.statusBranch ? { statusBranch: options.statusBranch } : {}) });
  if (options.planFile !== undefined) {
    const file: PlanFile = { kind: PLAN_FILE_KIND, pr: pr.number, head_sha: pr.headSha, path_prefix: await repositoryPrefix(options.repoDir), plan: planned };
    await writeFile(resolve(options.repoDir, options.planFile), JSON.stringify(file) + '\n');
    options.out(`wrote the plan to ${options.planFile}; a trusted job publishes it (ferry github comment)`);
    await writeSummary(context, renderPlanMarkdown(planned, { limit: SUMMARY_LIMIT, rowCap: 5000 }));
    return result(planned);
  }
  if (pr.fork) options.out('note: this pull request comes from a fork; its token is read-only, so publishing may be refused (use the two-stage workflow: docs/github.md)');
  return publish(context, options, planned, pr.number, pr.headSha, await repositoryPrefix(options.repoDir));
}

async function comment(context: GitHubContext, options: GitHubRunOptions): Promise<GitHubRunResult> {
  if (options.planFile === undefined) throw new GitHubContextError('ferry github comment needs the plan file the pull request\'s job wrote (plan-file)');
  const file = parsePlanFile(await readFile(resolve(options.repoDir, options.planFile), 'utf8').catch(() => {
    throw new GitHubContextError(`the plan file ${options.planFile} cannot be read`);
  }));
  // The file is untrusted data. The commit comes from the event; the pull request from the event
  // when it names one (GitHub leaves workflow_run.pull_requests empty for forks), otherwise from
  // the file — and then GitHub must confirm it: open, with exactly that head commit and repository.
  const run = context.workflowRun;
  const sha = run?.headSha || context.pullRequest?.headSha;
  if (!sha) throw new GitHubContextError('ferry github comment runs on the workflow_run event of the pull request\'s plan workflow, which names no commit here');
  const number = run?.pullRequests[0] ?? context.pullRequest?.number ?? file.pr;
  if (file.pr !== number || file.head_sha !== sha) {
    throw new GitHubContextError(`the plan file is for pull request #${file.pr} at ${file.head_sha.slice(0, 12)}, not #${number} at ${sha.slice(0, 12)}: refusing to publish it`);
  }
  const pull = await new GitHubApi(context, options.log).pull(number);
  const repository = run?.headRepository ?? null;
  if (pull.state !== 'open' || pull.headSha !== sha || (repository !== null && pull.headRepo !== repository)) {
    throw new GitHubContextError(`pull request #${number} is not open at ${sha.slice(0, 12)}${repository ? ` from ${repository}` : ''}: refusing to publish a plan for it`);
  }
  return publish(context, options, file.plan, number, sha, file.path_prefix);
}

async function publish(context: GitHubContext, options: GitHubRunOptions, planned: PrPlan, number: number, sha: string, prefix: string): Promise<GitHubRunResult> {
  const api = new GitHubApi(context, options.log);
  const body = renderPlanMarkdown(planned, { marker: { v: 1, pr: number, sha, plan: planned.hash }, headSha: sha, summaryUrl: context.runUrl, limit: COMMENT_LIMIT, rowCap: 50 });
  await writeSummary(context, renderPlanMarkdown(planned, { headSha: sha, limit: SUMMARY_LIMIT, rowCap: 5000 }));
  const annotations = planned.problems.map((p) => annotation(p, prefix));
  const errors = planned.summary.errors;
  await api.checkRun({
    name: PLAN_CHECK_NAME,
    headSha: sha,
    conclusion: errors > 0 ? 'failure' : planned.summary.warnings > 0 ? 'neutral' : 'success',
    title: plainSummary(planned),
    summary: body.slice(body.indexOf('\n') + 1),
    annotations,
    detailsUrl: context.runUrl,
  });
  options.out(`check run "${PLAN_CHECK_NAME}": ${errors > 0 ? 'failure' : 'success'}, ${annotations.length} annotation${annotations.length === 1 ? '' : 's'}`);

  const ours = (await api.comments(number)).filter((c) => parseMarker(c.body)?.pr === number);
  const [keep, ...extra] = ours.sort((a, b) => b.id - a.id);
  if (keep === undefined) {
    await api.createComment(number, body);
    options.out(`commented the plan on #${number}`);
  } else {
    const marker = parseMarker(keep.body)!;
    if (marker.plan === planned.hash && marker.sha === sha && keep.body === body) options.out(`the plan comment on #${number} is up to date`);
    else {
      await api.updateComment(keep.id, body);
      options.out(`updated the plan comment on #${number}`);
    }
  }
  for (const old of extra) await api.deleteComment(old.id);
  return result(planned);
}

async function apply(context: GitHubContext, options: GitHubRunOptions): Promise<GitHubRunResult> {
  if (context.eventName !== '' && !APPLY_EVENTS.has(context.eventName)) {
    throw new GitHubContextError(`ferry github apply never runs on a ${context.eventName} event: apply runs on pushes to the default branch, on a schedule or by hand`);
  }
  const load = async () => {
    const desired = await desiredAtCommit(options.repoDir, 'HEAD');
    return options.statusBranch ? { ...desired, state: withStatusBranch(desired.state, options.statusBranch) } : desired;
  };
  const desired = await load();
  const errors = desiredErrors(desired);
  if (errors.length > 0) {
    for (const p of errors) options.out(`${p.file}:${p.line}:${p.column}: ${p.code}: ${p.message}`);
    return { hasChanges: false, conflicts: 0, failed: true, summary: `the default branch has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was applied` };
  }
  const opened = await openReconciler(options.repoDir, desired.state, desired.files, { readOnly: false, log: options.log, env: options.env });
  let ticks = 0;
  let actions = 0;
  let commits = 0;
  let failed = false;
  try {
    if (opened.setup.providers.clock.virtual) {
      const summary = await runUntilIdle(opened.setup, load, { tickIntervalMs: desired.state.project.reconcile.interval_ms });
      ticks = summary.ticks;
      actions = summary.actions;
      commits = summary.commits;
      failed = summary.reason === 'invalid';
    } else {
      const report = await tick(opened.setup, desired);
      ticks = 1;
      actions = report.acted.length;
      commits = report.committed ? 1 : 0;
      failed = report.acted.some((a) => !a.ok) && report.acted.every((a) => !a.ok);
      for (const note of report.notes) options.out(`note: ${note}`);
    }
  } finally {
    await opened.close();
  }
  options.out(`applied: ${ticks} tick${ticks === 1 ? '' : 's'}, ${commits} status commit${commits === 1 ? '' : 's'}, ${actions} action${actions === 1 ? '' : 's'}`);
  const reported = await report(context, options);
  return { ...reported, hasChanges: commits > 0 || actions > 0, failed: failed || reported.failed };
}

async function report(context: GitHubContext, options: GitHubRunOptions): Promise<GitHubRunResult> {
  const desired0 = await desiredAtCommit(options.repoDir, 'HEAD');
  const desired = options.statusBranch ? { ...desired0, state: withStatusBranch(desired0.state, options.statusBranch) } : desired0;
  const opened = await openReconciler(options.repoDir, desired.state, desired.files, { readOnly: true, log: options.log, env: options.env });
  let status;
  try {
    status = (await opened.store.read()).status;
  } finally {
    await opened.close();
  }
  const api = new GitHubApi(context, options.log);
  const sha = context.sha || desired.commit!;
  const defaultBranch = context.defaultBranch ?? (await api.defaultBranch());
  const outcome = await reportToGitHub({
    repoDir: options.repoDir,
    remote: desired.state.project.status.remote,
    desired: desired.state,
    status,
    api,
    defaultBranch,
    sha,
    runUrl: context.runUrl,
    log: options.log,
    out: options.out,
  });
  const counts = new Map<string, number>();
  for (const e of Object.values(status.entries)) counts.set(ENTRY_STATUS_TEXT[e.status], (counts.get(ENTRY_STATUS_TEXT[e.status]) ?? 0) + 1);
  const lines = ['### Ferry status', '', '| Batch | Status |', '|---|---|', ...Object.entries(status.batches).map(([name, b]) => `| ${name} | ${b.status} |`), '', [...counts].map(([s, n]) => `${n} ${s}`).join(' · ')];
  if (outcome.pulls.length > 0) lines.push('', ...outcome.pulls.map((p) => `- ${p.batch}: #${p.number} ${p.action} (${p.conflicts} in conflict)`));
  await writeSummary(context, lines.join('\n'));
  return {
    hasChanges: outcome.pulls.some((p) => p.action !== 'unchanged'),
    conflicts: outcome.conflicts,
    failed: false,
    summary: `${outcome.statuses} batch status${outcome.statuses === 1 ? '' : 'es'} set; ${outcome.conflicts} entr${outcome.conflicts === 1 ? 'y' : 'ies'} in conflict`,
  };
}

function result(planned: PrPlan): GitHubRunResult {
  return {
    hasChanges: planned.summary.batches_changed > 0,
    conflicts: planned.summary.conflicts,
    failed: !planned.valid || planned.summary.errors > 0,
    summary: plainSummary(planned),
  };
}

function plainSummary(planned: PrPlan): string {
  return summaryLine(planned).replace(/\*\*/g, '');
}

/** The base branch as the checkout has it (fetched with the pull request), else the event's commit. */
async function baseRevision(repoDir: string, baseRef: string, baseSha: string): Promise<string> {
  for (const candidate of [`origin/${baseRef}`, baseSha, baseRef]) {
    if (candidate === '' || candidate === 'origin/') continue;
    try {
      await resolveCommit(repoDir, candidate);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new GitHubContextError(`the base branch ${baseRef} is not in this checkout: check out with fetch-depth: 0 (actions/checkout) so Ferry can read it`);
}

/** Where the repository directory sits in the Git repository, for annotation paths. */
async function repositoryPrefix(repoDir: string): Promise<string> {
  const location = await gitLocation(repoDir);
  if (location === null) return '';
  const rel = relative(location.top, resolve(repoDir));
  return rel === '' ? '' : `${rel.split('\\').join('/')}/`;
}

export function annotation(problem: Problem, prefix: string): Annotation {
  const line = Math.max(1, problem.line);
  return {
    path: `${prefix}${problem.file}`,
    start_line: line,
    end_line: line,
    ...(problem.column > 0 ? { start_column: problem.column, end_column: problem.column } : {}),
    annotation_level: problem.severity === 'error' ? 'failure' : 'warning',
    title: problem.code,
    message: problem.message,
  };
}

async function writeSummary(context: GitHubContext, markdown: string): Promise<void> {
  if (context.stepSummaryFile === null) return;
  await appendFile(context.stepSummaryFile, `${markdown}\n`);
}
