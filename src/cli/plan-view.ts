// A plan for a terminal — `ferry plan` prints it as it computes it, `ferry show PLAN` prints it
// again from the file `ferry plan --out` wrote: the entry changes, the actions, the problems and
// the forecast (./forecast.ts), all from the saved plan's one document.

import type { Action } from '../engine/actions.js';
import { formatProblem } from '../model/problem.js';
import { renderForecast } from './forecast.js';
import { isoTime, plural } from './format.js';
import { paintStatus, type Palette } from './paint.js';
import type { SavedPlan } from './saved-plan.js';
import { pauseLinesOfJson } from './pause-view.js';

const CAP = 40;

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
    default:
      // A plan file from another Ferry may name an action this one does not know.
      return (action as { kind: string }).kind;
  }
}

export interface PlanView {
  color: Palette;
  width: number;
  /** Lines after the header (a pause of the campaign, say). */
  extra?: string[];
}

/** The plan, as `ferry plan` prints it. */
export function renderSavedPlan(plan: SavedPlan, view: PlanView): string {
  const { color } = view;
  const lines: string[] = [];
  const now = Date.parse(plan.now);
  lines.push(`${color.bold('plan')} of ${plan.desired_label} against ${plan.status_branch}${plan.status_revision ? ` @ ${plan.status_revision.slice(0, 12)}` : ' (no status yet)'}, at ${isoTime(now)}${plan.virtual_clock ? ' (simulated clock)' : ''}`);
  // A pause holds batches whatever the repository says: the first thing to know about a plan.
  if (plan.pauses !== undefined) for (const line of pauseLinesOfJson(plan.pauses)) lines.push(color.yellow(`PAUSED: ${line}`));
  lines.push(...(view.extra ?? []));
  for (const note of plan.notes) lines.push(color.yellow(`note: ${note}`));
  const byBatch = new Map<string, SavedPlan['changes']>();
  for (const change of plan.changes) {
    let list = byBatch.get(change.batch);
    if (!list) byBatch.set(change.batch, (list = []));
    list.push(change);
  }
  for (const [batch, changes] of [...byBatch].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push('', color.bold(`batch ${batch}`));
    for (const c of changes.slice(0, CAP)) {
      const what = c.from ? `${c.from} → ${paintStatus(color, c.to)}` : paintStatus(color, c.to);
      lines.push(`  ${c.instance ?? '(batch)'}: ${what}${c.message ? color.dim(` — ${c.message}`) : ''}`);
    }
    if (changes.length > CAP) lines.push(color.dim(`  … and ${changes.length - CAP} more`));
  }
  if (plan.actions.length > 0) {
    lines.push('', color.bold(`actions (${plan.actions.length})`));
    const counts = new Map<string, number>();
    for (const action of plan.actions) counts.set(action.kind, (counts.get(action.kind) ?? 0) + 1);
    for (const action of plan.actions.slice(0, CAP)) lines.push(`  ${describeAction(action)}`);
    if (plan.actions.length > CAP) lines.push(color.dim(`  … and ${plan.actions.length - CAP} more (${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')})`));
  }
  if (plan.problems.length > 0) {
    lines.push('', color.bold('problems'));
    for (const problem of plan.problems) lines.push(`  ${(problem.severity === 'error' ? color.red : color.yellow)(formatProblem(problem))}`);
  }
  if (plan.transfers !== undefined && plan.transfers.length > 0) {
    lines.push('', color.bold(`transfers (${plan.transfers.length})`));
    for (const t of plan.transfers.slice(0, CAP)) lines.push(`  ${t.batch} ${t.instance}: ${t.text}`);
    if (plan.transfers.length > CAP) lines.push(color.dim(`  … and ${plan.transfers.length - CAP} more (--json lists them all)`));
  }
  if (plan.forecast !== null) {
    // The forecast's notes that the plan already printed are not repeated.
    const forecast = { ...plan.forecast, notes: plan.forecast.notes.filter((n) => !plan.notes.includes(n)) };
    lines.push('', ...renderForecast(forecast, { color, width: view.width }));
  }
  const summary = plan.changes.length === 0 && plan.actions.length === 0
    ? 'no changes: the status matches the desired state'
    : `${plural(plan.changes.length, 'change')}, ${plural(plan.actions.length, 'action')}`;
  lines.push('', `${color.bold('plan:')} ${summary}${plan.wake_at !== null ? `; next time-driven change at ${isoTime(Date.parse(plan.wake_at))}` : ''}`);
  return lines.join('\n') + '\n';
}
