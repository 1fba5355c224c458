// `plan`, `apply` and `report` against GitHub. The pieces: ./pr-plan.ts computes a pull request's
// plan, ./render.ts writes it as Markdown, ./api.ts makes the REST calls, ./pull-refs.ts fetches a
// fork's commits as data, and ./report.ts sets statuses and keeps the conflict pull requests after
// an apply. What each may do with what it reads is docs/security.md.

import { appendFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { ENTRY_STATUS_TEXT } from '../engine/status.js';
import type { Problem } from '../model/problem.js';
import { desiredAtCommit, desiredErrors, gitLocation, resolveCommit, type DesiredAt } from '../reconcile/desired.js';
import { openReconciler } from '../reconcile/open.js';
import { tick } from '../reconcile/reconciler.js';
import { runUntilIdle } from '../reconcile/run.js';
import { openRepositoryStore } from '../reconcile/store.js';
import { annotationMessage, annotationTitle } from '../text/markup.js';
import { applyTrust, TrustRefusal } from '../trust/policy.js';
import { findTrustedRevision, isTrusted, type NoTrustedRevision, type TrustLocation, type TrustedRevision } from '../trust/revision.js';
import { DEFAULT_BUDGETS } from '../model/budgets.js';
import { evaluationLimits } from '../engine/compiled.js';
import { GitHubApi, sameAuthor, type Annotation } from './api.js';
import { APPLY_EVENTS, GitHubContextError, githubContext, type GitHubContext } from './context.js';
import { withStatusBranch, type PrPlan } from './pr-plan.js';
import { computePrPlanContained } from './plan-worker.js';
import { COMMENT_LIMIT, parseMarker, renderPlanMarkdown, summaryLine, SUMMARY_LIMIT } from './render.js';
import { PLAN_FILE_KIND, type PlanFile } from './plan-file.js';
import { fetchPull } from './pull-refs.js';
import { reportToGitHub } from './report.js';
import type { GitHubRunOptions, GitHubRunResult } from './run.js';
import { releasing } from '../util/first-failure.js';

export const PLAN_CHECK_NAME = 'ferry plan';

export async function runGitHubCommand(options: GitHubRunOptions): Promise<GitHubRunResult> {
  const context = githubContext(options.env, options.token);
  switch (options.command) {
    case 'plan':
      return plan(context, options);
    case 'comment':
      return comment();
    case 'apply':
      return apply(context, options);
    case 'report':
      return report(context, options);
  }
}

/**
 * The trusted revision: the default branch as the checkout's remote has it. GitHub's event names
 * the default branch; without it (another CI) the remote is asked.
 */
function trustLocation(context: GitHubContext): TrustLocation {
  return context.defaultBranch !== null ? { defaultBranch: context.defaultBranch } : {};
}

async function trustedRevision(context: GitHubContext, repoDir: string): Promise<TrustedRevision | NoTrustedRevision> {
  return findTrustedRevision(repoDir, trustLocation(context));
}

/**
 * Plans a pull request in a worker of its own, within the trusted revision's plan budget (its
 * expressions and scriptlets are the pull request's). The worker finds the trusted revision again.
 */
async function containedPlan(context: GitHubContext, options: GitHubRunOptions, refs: { baseRef: string; headRef?: string }): Promise<PrPlan> {
  const trusted = await trustedRevision(context, options.repoDir);
  const budget = isTrusted(trusted) ? trusted.desired.state.project.budgets.pull_request_plan : DEFAULT_BUDGETS.pull_request_plan;
  return computePrPlanContained(
    {
      repoDir: options.repoDir,
      ...refs,
      trust: trustLocation(context),
      ...(options.statusBranch ? { statusBranch: options.statusBranch } : {}),
    },
    { timeMs: budget.time_ms, memoryBytes: budget.memory_bytes, setBy: `spec.budgets.pull_request_plan of ${isTrusted(trusted) ? trusted.ref : 'the defaults'}` },
  );
}

async function plan(context: GitHubContext, options: GitHubRunOptions): Promise<GitHubRunResult> {
  if (context.workflowRun !== null && context.pullRequest === null) return planForkRun(context, options);
  const pr = context.pullRequest;
  if (pr === null) throw new GitHubContextError('ferry github plan plans a pull request, and this event names none (run it on pull_request events, or on the workflow_run event that follows a fork\'s)');
  const baseRef = await baseRevision(options.repoDir, pr.baseRef, pr.baseSha);
  options.out(`planning pull request #${pr.number} (${pr.headSha.slice(0, 12)}) against ${baseRef}`);
  const planned = await containedPlan(context, options, { baseRef });
  if (options.planFile !== undefined) {
    const file: PlanFile = { kind: PLAN_FILE_KIND, pr: pr.number, head_sha: pr.headSha, path_prefix: await repositoryPrefix(options.repoDir), plan: planned };
    await writeFile(resolve(options.repoDir, options.planFile), JSON.stringify(file) + '\n');
    options.out(`wrote the plan to ${options.planFile}; nothing was published`);
    await writeSummary(context, renderPlanMarkdown(planned, { limit: SUMMARY_LIMIT, rowCap: 5000 }));
    return result(planned);
  }
  if (pr.fork) {
    // A fork's token cannot write, and a fork's job is not where Ferry publishes: the trusted
    // workflow_run job plans the fork's commit itself (docs/github.md).
    options.out('this pull request comes from a fork: the trusted workflow_run job plans and publishes it; this plan is in the job summary only');
    await writeSummary(context, renderPlanMarkdown(planned, { headSha: pr.headSha, limit: SUMMARY_LIMIT, rowCap: 5000 }));
    return result(planned);
  }
  return publish(context, options, planned, pr.number, pr.headSha, await repositoryPrefix(options.repoDir));
}

/**
 * The trusted stage of a fork's pull request, on the workflow_run event of the fork's plan
 * workflow: the checkout is the default branch; the pull request is found through GitHub (open,
 * with exactly the run's head commit and repository), its commits are fetched as Git objects and
 * planned here, offline. Nothing the fork's own workflow produced is read.
 */
async function planForkRun(context: GitHubContext, options: GitHubRunOptions): Promise<GitHubRunResult> {
  const run = context.workflowRun!;
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(run.headSha)) throw new GitHubContextError('the workflow_run event names no head commit: ferry github plan runs on the workflow_run event of the pull request\'s plan workflow');
  const api = new GitHubApi(context, options.log);
  const candidates = new Set<number>(run.pullRequests);
  if (run.headOwner !== null && run.headBranch !== '') for (const pull of await api.openPullsByHead(run.headOwner, run.headBranch)) candidates.add(pull.number);
  let found = null;
  for (const number of [...candidates].sort((a, b) => a - b)) {
    const pull = await api.pull(number);
    if (pull.state === 'open' && pull.headSha === run.headSha && (run.headRepository === null || pull.headRepo === run.headRepository)) {
      found = pull;
      break;
    }
  }
  if (found === null) {
    options.out(`no open pull request has the head ${run.headSha.slice(0, 12)}${run.headRepository ? ` from ${run.headRepository}` : ''}: nothing to plan (it was closed, or pushed again and a newer run plans it)`);
    return { hasChanges: false, conflicts: 0, failed: false, summary: 'no open pull request for this run: nothing was planned' };
  }
  const trusted = await trustedRevision(context, options.repoDir);
  const fetched = await fetchPull(options.repoDir, trustRemoteOf(trusted), found.number, run.headSha);
  const baseRef = fetched.mergeBase ?? (await baseRevision(options.repoDir, found.baseRef, ''));
  const headRef = fetched.merge ?? fetched.head;
  options.out(`planning pull request #${found.number} (${run.headSha.slice(0, 12)}${run.headRepository ? ` from ${run.headRepository}` : ''}) against ${found.baseRef}, read as data${fetched.merge ? ' (GitHub\'s merge with its base)' : ' (its head alone: it does not merge cleanly)'}`);
  const planned = await containedPlan(context, options, { baseRef, headRef });
  return publish(context, options, planned, found.number, run.headSha, await repositoryPrefix(options.repoDir));
}

/** The remote the trusted branch is read from (`origin/main` → `origin`); origin when none is known. */
function trustRemoteOf(found: TrustedRevision | NoTrustedRevision): string {
  return isTrusted(found) && found.ref.includes('/') ? found.ref.slice(0, found.ref.indexOf('/')) : 'origin';
}

async function comment(): Promise<GitHubRunResult> {
  throw new GitHubContextError(
    'ferry github comment no longer publishes a plan file another job wrote (a fork could forge it): run "ferry github plan" in the trusted workflow_run job instead; it plans the fork\'s commit itself (docs/github.md)',
  );
}

async function publish(context: GitHubContext, options: GitHubRunOptions, planned: PrPlan, number: number, sha: string, prefix: string): Promise<GitHubRunResult> {
  const api = new GitHubApi(context, options.log);
  const body = renderPlanMarkdown(planned, { marker: { v: 1, pr: number, sha, plan: planned.hash }, headSha: sha, summaryUrl: context.runUrl, limit: COMMENT_LIMIT, rowCap: 50 });
  await writeSummary(context, renderPlanMarkdown(planned, { headSha: sha, limit: SUMMARY_LIMIT, rowCap: 5000 }));
  const annotations = planned.problems.map((p) => annotation(p, prefix));
  const errors = planned.summary.errors;
  const check = await api.checkRun({
    name: PLAN_CHECK_NAME,
    headSha: sha,
    conclusion: errors > 0 ? 'failure' : planned.summary.warnings > 0 ? 'neutral' : 'success',
    title: plainSummary(planned),
    summary: body.slice(body.indexOf('\n') + 1),
    annotations,
    detailsUrl: context.runUrl,
  });
  options.out(`check run "${PLAN_CHECK_NAME}": ${errors > 0 ? 'failure' : 'success'}, ${annotations.length} annotation${annotations.length === 1 ? '' : 's'}`);

  // The sticky comment is Ferry's own: only comments this token's identity wrote, with the marker
  // for this pull request, are adopted, edited or deleted. Anyone else's is left alone.
  const me = await api.identity(check.app);
  const ours = (await api.comments(number)).filter((c) => sameAuthor(c.author, me) && parseMarker(c.body)?.pr === number);
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
  // Only what was merged: the checkout's commit must be on the default branch as the remote has it
  // (a workflow_dispatch can name any branch).
  const trusted = await trustedRevision(context, options.repoDir);
  const head = await desiredAtCommit(options.repoDir, 'HEAD', { limits: evaluationLimits(isTrusted(trusted) ? trusted.desired.state.project.budgets : DEFAULT_BUDGETS) });
  let run;
  try {
    run = await applyTrust(options.repoDir, head, trusted, { allowUnmerged: false });
  } catch (error) {
    if (error instanceof TrustRefusal) throw passOn(error);
    throw error;
  }
  for (const note of run.notes) options.out(`note: ${note}`);
  const desired: DesiredAt = options.statusBranch ? { ...run.desired, state: withStatusBranch(run.desired.state, options.statusBranch) } : run.desired;
  const load = async () => desired;
  const errors = desiredErrors(desired);
  if (errors.length > 0) {
    for (const p of errors) options.out(`${p.file}:${p.line}:${p.column}: ${p.code}: ${p.message}`);
    return { hasChanges: false, conflicts: 0, failed: true, summary: `the default branch has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was applied` };
  }
  // Secrets by reference are read from the job's environment, for the trusted revision's systems only.
  const opened = await openReconciler(options.repoDir, desired.state, desired.files, { readOnly: false, log: options.log, env: options.env, connections: run.connections });
  let ticks = 0;
  let actions = 0;
  let commits = 0;
  let failed = false;
  await releasing(async () => {
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
  }, () => opened.close(), (error) => options.log.debug({ error: error instanceof Error ? error.message : String(error) }, 'closing failed too, after the failure reported'));
  options.out(`applied: ${ticks} tick${ticks === 1 ? '' : 's'}, ${commits} status commit${commits === 1 ? '' : 's'}, ${actions} action${actions === 1 ? '' : 's'}`);
  const reported = await report(context, options);
  return { ...reported, hasChanges: commits > 0 || actions > 0, failed: failed || reported.failed };
}

/** A refusal of the trust boundary, as the Action prints it (`CODE: …`); the CLI reads its code from the cause. */
function passOn(refusal: TrustRefusal): GitHubContextError {
  return new GitHubContextError(`${refusal.code}: ${refusal.message}`, { cause: refusal });
}

async function report(context: GitHubContext, options: GitHubRunOptions): Promise<GitHubRunResult> {
  // Where the status is, which batches exist and how to name conflict branches: the trusted
  // revision's settings, whatever the checkout holds. Nothing is contacted but Git and GitHub.
  const trusted = await trustedRevision(context, options.repoDir);
  if (!isTrusted(trusted)) throw passOn(new TrustRefusal('no-trusted-revision', trusted.missing));
  const desired = options.statusBranch ? { ...trusted.desired, state: withStatusBranch(trusted.desired.state, options.statusBranch) } : trusted.desired;
  const status = (await (await openRepositoryStore(options.repoDir, desired.state)).read()).status;
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
    title: annotationTitle(problem.code),
    message: annotationMessage(problem.message),
  };
}

async function writeSummary(context: GitHubContext, markdown: string): Promise<void> {
  if (context.stepSummaryFile === null) return;
  await appendFile(context.stepSummaryFile, `${markdown}\n`);
}
