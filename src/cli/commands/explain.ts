import { compileDesired, ENTRY_HISTORY_LIMIT, EvaluationBudgetError, explainInstance, type InstanceExplanation } from '../../engine/index.js';
import { desiredErrors } from '../../reconcile/desired.js';
import { observe } from '../../reconcile/observe.js';
import { UsageError, type Command } from '../command.js';
import { isoTime } from '../format.js';
import { printJson } from '../io.js';
import { paint } from '../paint.js';
import { OFFLINE_OPTION, openForPlan, TRUSTED_REF_OPTION } from '../trust.js';
import { transitionLine } from './history.js';
import { loadDesired, reportInvalid } from './plan.js';

export const explainCommand: Command = {
  name: 'explain',
  summary: 'Say which batch holds an instance, where its migration is, why it waits, and what to change',
  usage: 'ferry explain INSTANCE [--ref REV] [--offline] [--trusted-ref REMOTE/BRANCH] [--repo DIR] [--json]',
  description:
    'INSTANCE is a UUID, an inventory location, or a name (when unique). Reads the desired state (the\n' +
    'work tree, or --ref), the status branch and a fresh read-only observation, and explains with the\n' +
    'same rules the reconciler decides by: the batches that match, the one that claimed it, the\n' +
    'entry\'s status and history, the reason it is there (blocking rule, constraint at its limit, no\n' +
    'window fits, conflict details) and what to change.',
  examples: ['ferry explain web-fe-03', 'ferry explain /DC1/vm/db/db-07 --json'],
  options: {
    ref: { type: 'string', value: 'REV', description: 'use the desired state of this Git revision' },
    ...OFFLINE_OPTION,
    ...TRUSTED_REF_OPTION,
  },
  async run(context) {
    if (context.positionals.length !== 1) throw new UsageError('name one instance: its UUID, location or name');
    const query = context.positionals[0]!;
    const desired = await loadDesired(context, typeof context.options.ref === 'string' ? context.options.ref : undefined);
    const errors = desiredErrors(desired);
    if (errors.length > 0) return reportInvalid(context, errors);
    const { opened, run } = await openForPlan(context, desired);
    try {
      const { status } = await opened.store.read();
      const now = opened.setup.providers.clock.now();
      const { observations } = await observe(desired.state, status, opened.setup.providers, { now, sync: 'due', recordedTargets: true });
      let result;
      try {
        result = explainInstance({ desired: run.desired.state, compiled: compileDesired(run.desired.state), status, observations, now }, query);
      } catch (error) {
        if (error instanceof EvaluationBudgetError) return reportInvalid(context, [error.problem]);
        throw error;
      }
      if (!result.ok) {
        const more = result.candidates.map((c) => `\n  ${c.name}  ${c.location}  ${c.uuid}`).join('');
        throw new UsageError(`${result.message}${more}`);
      }
      if (context.json) printJson(context.io, { now: new Date(now).toISOString(), explanation: result.explanation });
      else context.io.stdout.write(render(result.explanation, now, paint(context.io, 'stdout')));
      return 0;
    } finally {
      await opened.close();
    }
  },
};

function render(x: InstanceExplanation, now: number, color: ReturnType<typeof paint>): string {
  const lines: string[] = [];
  lines.push(`${color.bold(x.instance.name)}  ${x.instance.location}  (${x.instance.uuid}, source ${x.instance.source})`);
  if (!x.in_inventory) lines.push(color.yellow('  no longer in the source inventory'));
  lines.push(`  matching batches: ${x.matching_batches.length === 0 ? 'none' : x.matching_batches.map((b) => `${b.batch} (${b.state}, ${b.status})`).join(', ')}`);
  lines.push(`  claimed by: ${x.claimed_by ?? 'no batch yet'}`);
  const e = x.entry;
  if (e) {
    lines.push(`  status: ${color.bold(e.status_text)} — ${e.message}`);
    lines.push(`  stage ${e.import_stage}, ${e.mode} migration, window ${e.window ?? 'none assigned'}, attempt ${e.attempt_id}, retries ${e.retries}, background passes ${e.syncs}${e.last_background_sync !== null ? ` (last ${isoTime(e.last_background_sync)})` : ''}`);
    lines.push(`  placement: ${e.placement.target_name}/${e.placement.target_project}, pools ${Object.values(e.placement.storage_pools).join(', ') || 'none'}, ${e.placement.running ? 'started' : 'stopped'} after migration`);
    if (e.operation) lines.push(`  in flight: ${e.operation.kind}${e.operation.mode ? ` (${e.operation.mode})` : ''} ${e.operation.id}, decided ${isoTime(e.operation.decided_at)} by ${e.operation.claimed_by}`);
    if (e.source_powered_off && e.status !== 'finished') lines.push(color.yellow('  the source VM was powered off by Ferry for the cutover'));
    if (e.history.length > 0) {
      lines.push('  history:');
      for (const h of e.history) lines.push(`    ${transitionLine(h)}`);
      if (e.history.length >= ENTRY_HISTORY_LIMIT) lines.push(color.dim(`    (the last ${e.history.length}; "ferry history ${x.instance.uuid}" shows them all)`));
    }
  }
  if (x.transfer) lines.push(`  transfer: ${x.transfer.text}`);
  lines.push(`  why: ${x.reason}`);
  if (x.advice.length > 0) {
    lines.push('  what to change:');
    for (const a of x.advice) lines.push(`    - ${a}`);
  }
  lines.push(color.dim(`  (as of ${isoTime(now)})`));
  return lines.join('\n') + '\n';
}
