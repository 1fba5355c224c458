import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Action } from '../../engine/actions.js';
import { compileDesired, type Decision } from '../../engine/index.js';
import { formatProblem, type Problem } from '../../model/problem.js';
import { desiredAtCommit, desiredErrors, desiredInWorkTree, DesiredStateError, type DesiredAt } from '../../reconcile/desired.js';
import { planOnce, type PlanResult } from '../../reconcile/reconciler.js';
import type { ConnectionChange } from '../../trust/connections.js';
import { connectionChangeNote } from '../../trust/policy.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { isoTime, plural } from '../format.js';
import { JSON_FORMAT_VERSION, printJson } from '../io.js';
import { paint } from '../paint.js';
import { evaluationLimitsFor, OFFLINE_OPTION, openForPlan, TRUSTED_REF_OPTION } from '../trust.js';

export const PLAN_KIND = 'ferry-plan';

/** A saved plan: what it was computed from (to refuse it once stale) and what it would do. */
export interface SavedPlan {
  format_version: string;
  kind: typeof PLAN_KIND;
  desired_commit: string | null;
  status_branch: string;
  status_revision: string | null;
  now: string;
  changes: Decision['changes'];
  actions: Action[];
  problems: Problem[];
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what the reconciler would do now: entries that change, actions it would take',
  usage: 'ferry plan [--ref REV] [--out FILE] [--detailed-exitcode] [--offline] [--trusted-ref REMOTE/BRANCH] [--repo DIR] [--json]',
  description:
    'Loads the desired state (the work tree, or --ref REV), reads the status branch, observes the\n' +
    'sources and targets read-only, and decides — without changing anything anywhere. Only systems\n' +
    'the trusted branch (the remote\'s default) names with the same connection settings are contacted,\n' +
    'with the trusted settings; any other is planned from the status branch, and the plan says so.\n' +
    '--offline contacts none. Prints each\n' +
    'entry change, each action, and the problems (modification rules of started batches, windows\n' +
    'already over). --out saves the plan for "ferry apply FILE", which refuses it once the desired\n' +
    'commit or the status branch has moved. Exit codes with --detailed-exitcode: 0 no changes,\n' +
    '2 changes, 1 error.',
  examples: ['ferry plan', 'ferry plan --ref origin/main --json', 'ferry plan --out plan.json && ferry apply plan.json'],
  options: {
    ref: { type: 'string', value: 'REV', description: 'plan this Git revision instead of the work tree' },
    out: { type: 'string', value: 'FILE', description: 'save the plan (JSON) for ferry apply' },
    'detailed-exitcode': { type: 'boolean', description: 'exit 2 when the plan has changes' },
    ...OFFLINE_OPTION,
    ...TRUSTED_REF_OPTION,
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
      status_branch: result.branch,
      status_revision: result.plan.snapshot.revision,
      now: new Date(result.plan.now).toISOString(),
      changes: decision.changes,
      actions: decision.actions,
      problems: decision.problems,
    };
    const out = typeof context.options.out === 'string' ? resolve(context.io.cwd, context.options.out) : undefined;
    if (out !== undefined) {
      if (desired.commit === null) throw new UsageError('a plan of uncommitted changes cannot be saved for apply: commit them first (or plan --ref REV)');
      await writeFile(out, JSON.stringify(saved, null, 2) + '\n');
    }
    if (context.json) {
      const { format_version: _v, ...body } = saved;
      printJson(context.io, { ...body, notes: result.plan.notes, connection_changes: result.changes, virtual_clock: result.virtual });
    } else {
      context.io.stdout.write(renderPlan(context, desired, result.plan, result.branch, result.virtual));
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

/** Opens the reconciler read-only (at most the trusted revision's systems) and runs observe + decide. */
async function computePlan(context: CommandContext, desired: DesiredAt): Promise<{ plan: PlanResult; branch: string; virtual: boolean; changes: ConnectionChange[] }> {
  const { opened, run } = await openForPlan(context, desired);
  try {
    const plan = await planOnce(opened.setup, run.desired, compileDesired(run.desired.state), undefined, { recordedTargets: true });
    const change = connectionChangeNote(run.changes, run.trusted);
    plan.notes.unshift(...run.notes, ...(change === null ? [] : [change]));
    return { plan, branch: opened.store.description, virtual: opened.setup.providers.clock.virtual, changes: run.changes };
  } finally {
    await opened.close();
  }
}

export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'create_instance':
      return `create ${action.name} on ${action.target}/${action.project}`;
    case 'import_disks':
      return `${action.mode} import of ${action.name} from ${action.source} into ${action.target}/${action.project}`;
    case 'cancel_operation':
      return `stop operation ${action.cancel}`;
    case 'power_off_source':
      return `power off source VM ${action.vm} on ${action.source}`;
    case 'power_on_source':
      return `power on source VM ${action.vm} on ${action.source}`;
    case 'post_import':
      return `post-import steps in ${action.name} on ${action.target}/${action.project}`;
    case 'finalize_instance':
      return `finalize ${action.name} on ${action.target}/${action.project}${action.start ? ' and start it' : ''}`;
    case 'delete_instance':
      return `delete ${action.name} (attempt ${action.attempt}) on ${action.target}/${action.project}`;
  }
}

function renderPlan(context: CommandContext, desired: DesiredAt, plan: PlanResult, branch: string, virtual: boolean): string {
  const color = paint(context.io, 'stdout');
  const { decision } = plan;
  const lines: string[] = [];
  lines.push(`${color.bold('plan')} of ${desired.commit ? desired.commit.slice(0, 12) : `${desired.describe} (uncommitted)`} against ${branch}${plan.snapshot.revision ? ` @ ${plan.snapshot.revision.slice(0, 12)}` : ' (no status yet)'}, at ${isoTime(plan.now)}${virtual ? ' (simulated clock)' : ''}`);
  for (const note of plan.notes) lines.push(color.yellow(`note: ${note}`));
  const byBatch = new Map<string, Decision['changes']>();
  for (const change of decision.changes) {
    let list = byBatch.get(change.batch);
    if (!list) byBatch.set(change.batch, (list = []));
    list.push(change);
  }
  for (const [batch, changes] of [...byBatch].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push('', color.bold(`batch ${batch}`));
    const shown = changes.slice(0, 40);
    for (const c of shown) {
      const what = c.from ? `${c.from} → ${c.to}` : `${c.to}`;
      lines.push(`  ${c.instance ?? '(batch)'}: ${what}${c.message ? color.dim(` — ${c.message}`) : ''}`);
    }
    if (changes.length > shown.length) lines.push(color.dim(`  … and ${changes.length - shown.length} more`));
  }
  if (decision.actions.length > 0) {
    lines.push('', color.bold(`actions (${decision.actions.length})`));
    const counts = new Map<string, number>();
    for (const action of decision.actions) counts.set(action.kind, (counts.get(action.kind) ?? 0) + 1);
    for (const action of decision.actions.slice(0, 40)) lines.push(`  ${describeAction(action)}`);
    if (decision.actions.length > 40) lines.push(color.dim(`  … and ${decision.actions.length - 40} more (${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')})`));
  }
  if (decision.problems.length > 0) {
    lines.push('', color.bold('problems'));
    for (const problem of decision.problems) lines.push(`  ${(problem.severity === 'error' ? color.red : color.yellow)(formatProblem(problem))}`);
  }
  const summary = decision.changes.length === 0 && decision.actions.length === 0
    ? 'no changes: the status matches the desired state'
    : `${plural(decision.changes.length, 'change')}, ${plural(decision.actions.length, 'action')}`;
  lines.push('', `${color.bold('plan:')} ${summary}${decision.wakeAt !== null ? `; next time-driven change at ${isoTime(decision.wakeAt)}` : ''}`);
  return lines.join('\n') + '\n';
}
