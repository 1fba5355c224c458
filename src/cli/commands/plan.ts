import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { compileDesired } from '../../engine/index.js';
import { plannedTransfers, type PlannedTransfer } from '../../engine/planned-transfers.js';
import { formatProblem, type Problem } from '../../model/problem.js';
import { desiredAtCommit, desiredErrors, desiredInWorkTree, DesiredStateError, resolveCommit, type DesiredAt } from '../../reconcile/desired.js';
import { planOnce, type PlanResult } from '../../reconcile/reconciler.js';
import type { ConnectionChange } from '../../trust/connections.js';
import { connectionChangeNote } from '../../trust/policy.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { plural, terminalWidth, WIDE_OPTION } from '../format.js';
import { JSON_FORMAT_VERSION, printJson } from '../io.js';
import { paint } from '../paint.js';
import { pausesJson } from '../pause-view.js';
import { evaluationLimitsFor, OFFLINE_OPTION, openForPlan, TRUSTED_REF_OPTION, trustedRevision } from '../trust.js';
import { PLAN_KIND, type SavedPlan } from '../saved-plan.js';
import { renderSavedPlan } from '../plan-view.js';
import { computePrPlan, type PrPlan } from '../../github/pr-plan.js';
import { isTrusted } from '../../trust/revision.js';

export { PLAN_KIND, type SavedPlan } from '../saved-plan.js';

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what the reconciler would do now: entries that change, actions it would take',
  usage: 'ferry plan [--ref REV] [--out FILE] [--detailed-exitcode] [--offline] [--trusted-ref REMOTE/BRANCH] [--wide] [--repo DIR] [--json]',
  description:
    'Loads the desired state (the work tree, or --ref REV), reads the status branch, observes the\n' +
    'sources and targets read-only, and decides — without changing anything anywhere. Only systems\n' +
    'the trusted branch (the remote\'s default) names with the same connection settings are contacted,\n' +
    'with the trusted settings; any other is planned from the status branch, and the plan says so.\n' +
    '--offline contacts none. Prints each\n' +
    'entry change, each action, and the problems (modification rules of started batches, windows\n' +
    'already over), then the forecast a pull request\'s comment shows against the trusted branch:\n' +
    'instances entering or leaving each batch, placement changes, conflicts caused or resolved, the\n' +
    'predicted cutovers per window and what finds no room. --out saves the plan for "ferry apply\n' +
    'FILE" (and "ferry show FILE"), which refuses it once the desired\n' +
    'commit or the status branch has moved. Exit codes with --detailed-exitcode: 0 no changes,\n' +
    '2 changes, 1 error.',
  examples: ['ferry plan', 'ferry plan --ref origin/main --json', 'ferry plan --out plan.json && ferry apply plan.json'],
  options: {
    ref: { type: 'string', value: 'REV', description: 'plan this Git revision instead of the work tree' },
    out: { type: 'string', value: 'FILE', description: 'save the plan (JSON) for ferry apply' },
    'detailed-exitcode': { type: 'boolean', description: 'exit 2 when the plan has changes' },
    ...OFFLINE_OPTION,
    ...TRUSTED_REF_OPTION,
    ...WIDE_OPTION,
  },
  async run(context) {
    const ref = typeof context.options.ref === 'string' ? context.options.ref : undefined;
    const desired = await loadDesired(context, ref);
    const errors = desiredErrors(desired);
    if (errors.length > 0) return reportInvalid(context, errors);

    const result = await computePlan(context, desired);
    const { decision } = result.plan;
    const failed = decision.problems.some((p) => p.severity === 'error');
    const saved: SavedPlan = {
      format_version: JSON_FORMAT_VERSION,
      kind: PLAN_KIND,
      desired_commit: desired.commit,
      desired_label: desired.commit ? desired.commit.slice(0, 12) : `${desired.describe} (uncommitted)`,
      status_branch: result.branch,
      status_revision: result.plan.snapshot.revision,
      now: new Date(result.plan.now).toISOString(),
      virtual_clock: result.virtual,
      wake_at: decision.wakeAt === null ? null : new Date(decision.wakeAt).toISOString(),
      changes: decision.changes,
      actions: decision.actions,
      problems: decision.problems,
      notes: result.plan.notes,
      connection_changes: result.changes,
      forecast: await computeForecast(context, ref),
      pauses: pausesJson(result.plan.snapshot.status.pauses),
      transfers: result.transfers,
    };
    const out = typeof context.options.out === 'string' ? resolve(context.io.cwd, context.options.out) : undefined;
    if (out !== undefined) {
      if (desired.commit === null) throw new UsageError('a plan of uncommitted changes cannot be saved for apply: commit them first (or plan --ref REV)');
      await writeFile(out, JSON.stringify(saved, null, 2) + '\n');
    }
    if (context.json) {
      const { format_version: _v, ...body } = saved;
      printJson(context.io, body);
    } else {
      context.io.stdout.write(renderSavedPlan(saved, { color: paint(context.io, 'stdout'), width: terminalWidth(context) }));
      if (out !== undefined) context.io.stdout.write(`saved to ${context.options.out}; apply it with "ferry apply ${context.options.out}"\n`);
    }
    if (failed) return 1;
    const changed = decision.changes.length > 0 || decision.actions.length > 0;
    return context.options['detailed-exitcode'] === true && changed ? 2 : 0;
  },
};

export async function loadDesired(context: CommandContext, ref: string | undefined): Promise<DesiredAt> {
  try {
    const limits = await evaluationLimitsFor(context);
    return ref === undefined ? await desiredInWorkTree(context.repoDir, { limits }) : await desiredAtCommit(context.repoDir, ref, { limits });
  } catch (error) {
    if (error instanceof DesiredStateError) throw new UsageError(error.message);
    throw error;
  }
}

export function reportInvalid(context: CommandContext, errors: Problem[]): number {
  if (context.json) {
    printJson(context.io, { valid: false, problems: errors });
    return 1;
  }
  for (const problem of errors) context.io.stderr.write(`${formatProblem(problem)}\n`);
  context.io.stderr.write(`the desired state has ${plural(errors.length, 'error')}; nothing was planned (see "ferry validate")\n`);
  return 1;
}

/**
 * The forecast the pull-request comment would show for this revision: planned, like the comment's,
 * from the status branch and against the trusted branch (or HEAD when no branch is trusted), with
 * the same model (src/github/pr-plan.ts).
 */
async function computeForecast(context: CommandContext, ref: string | undefined): Promise<PrPlan> {
  const trusted = await trustedRevision(context);
  const baseRef = isTrusted(trusted) ? trusted.ref : await resolveCommit(context.repoDir, 'HEAD').then(() => 'HEAD', () => null);
  return computePrPlan({ repoDir: context.repoDir, baseRef, ...(ref === undefined ? {} : { headRef: ref }), trusted, log: context.log });
}

/** Opens the reconciler read-only (at most the trusted revision's systems) and runs observe + decide. */
async function computePlan(context: CommandContext, desired: DesiredAt): Promise<{ plan: PlanResult; branch: string; virtual: boolean; changes: ConnectionChange[]; transfers: PlannedTransfer[] }> {
  const { opened, run } = await openForPlan(context, desired);
  try {
    const compiled = compileDesired(run.desired.state);
    const plan = await planOnce(opened.setup, run.desired, compiled, undefined, { recordedTargets: true });
    const change = connectionChangeNote(run.changes, run.trusted);
    plan.notes.unshift(...run.notes, ...(change === null ? [] : [change]));
    const input = { desired: run.desired.state, compiled, status: plan.snapshot.status, observations: plan.observations, now: plan.now, reconciler: opened.setup.reconciler, desiredCommit: run.desired.commit };
    const transfers = plannedTransfers(input, plan.decision);
    return { plan, branch: opened.store.description, virtual: opened.setup.providers.clock.virtual, changes: run.changes, transfers };
  } finally {
    await opened.close();
  }
}
