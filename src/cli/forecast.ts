// The forecast of a plan for a terminal: the model the pull-request comment renders as Markdown
// (src/github/pr-plan.ts, rendered by src/github/render.ts) — instances entering or leaving each
// batch, placement changes, conflicts caused or resolved, the windows and who is predicted to cut
// over in which, and what finds no room and why. Text from the repository goes out through the
// CLI's terminal sink (src/cli/terminal.ts), which escapes control characters.

import type { BatchDiff, PrPlan } from '../github/pr-plan.js';
import { firstSentence } from '../github/render.js';
import { formatProblem } from '../model/problem.js';
import { fitTable, isoTime, plural } from './format.js';
import type { Palette } from './paint.js';

/** Rows per table before "… and N more". */
export const FORECAST_ROW_CAP = 40;

export interface ForecastRender {
  color: Palette;
  /** The widest line (src/cli/format.ts `terminalWidth`). */
  width: number;
  rowCap?: number;
}

/** One plain line: what the change does, in numbers. */
export function forecastSummary(plan: PrPlan): string {
  if (!plan.valid) return `the forecast failed: ${plural(plan.summary.errors, 'error')}; nothing was predicted`;
  const s = plan.summary;
  if (s.batches_changed === 0) return `no batch changes against ${plan.base.ref}`;
  return `${plural(s.batches_changed, 'batch', 'batches')} change against ${plan.base.ref} — ${s.entering} entering, ${s.leaving} leaving, ${plural(s.placement_changes, 'placement change')}; ${plural(s.conflicts_caused, 'conflict')} caused, ${s.conflicts_resolved} resolved`;
}

function indent(text: string, by = '    '): string[] {
  return text.trimEnd().split('\n').map((line) => `${by}${line}`);
}

function more(total: number, cap: number, color: Palette): string[] {
  return total > cap ? [color.dim(`    … and ${total - cap} more`)] : [];
}

function batchHeading(b: BatchDiff, color: Palette): string {
  const was = b.base ? b.base.status : 'new';
  const now = b.head ? b.head.status : 'removed';
  const moves = [`+${b.entering.length} −${b.leaving.length}`];
  if (b.placement_changes.length > 0) moves.push(plural(b.placement_changes.length, 'placement change'));
  if (b.conflicts_caused.length > 0) moves.push(color.red(`${plural(b.conflicts_caused.length, 'conflict')} caused`));
  if (b.conflicts_resolved.length > 0) moves.push(color.green(`${b.conflicts_resolved.length} resolved`));
  if (b.problems.length > 0) moves.push(color.yellow(plural(b.problems.length, 'problem')));
  return `${color.bold(`batch ${b.name}`)} — ${was === now ? now : `${was} → ${now}`} · ${plural(b.members, 'instance')} · ${moves.join(' · ')}`;
}

/** Who cuts over in which window, and when: one row per entry that still has to, in window order. */
function cutoverTable(b: BatchDiff, options: Required<ForecastRender>): string[] {
  const { color, width, rowCap } = options;
  if (b.windows.length === 0) return ['  no migration windows: entries cut over as soon as they are ready'];
  const out: string[] = [];
  const counts = new Map<string, number>();
  for (const a of b.assignments) if (a.window !== null) counts.set(a.window, (counts.get(a.window) ?? 0) + 1);
  out.push('  windows:');
  out.push(...indent(fitTable(
    ['WINDOW', 'START (UTC)', 'END (UTC)', 'CAPACITY', 'ASSIGNED'],
    b.windows.map((w) => [`${w.name}${w.ended ? ' (ended)' : ''}`, isoTime(w.start), isoTime(w.end), w.capacity === 0 ? 'unlimited' : String(w.capacity), String(counts.get(w.name) ?? 0)]),
    { width: width - 4 },
  )));
  const order = new Map(b.windows.map((w, i) => [w.name, i]));
  const start = new Map(b.windows.map((w) => [w.name, w.start]));
  const assigned = b.assignments.filter((a) => a.window !== null).sort((x, y) => order.get(x.window!)! - order.get(y.window!)! || (x.name < y.name ? -1 : 1));
  if (assigned.length > 0) {
    out.push(`  predicted cutovers (${assigned.length}):`);
    out.push(...indent(fitTable(
      ['INSTANCE', 'WINDOW', 'STARTS (UTC)', 'STATUS'],
      assigned.slice(0, rowCap).map((a) => [a.name, a.window!, isoTime(start.get(a.window!) ?? null), `${a.status}${a.predicted ? ' (predicted)' : ''}`]),
      { width: width - 4 },
    )), ...more(assigned.length, rowCap, color));
  }
  const homeless = b.assignments.filter((a) => a.reason !== null);
  if (homeless.length > 0) {
    out.push(color.yellow(`  no room (${homeless.length}):`));
    out.push(...indent(fitTable(
      ['INSTANCE', 'STATUS', 'WHY'],
      homeless.slice(0, rowCap).map((a) => [a.name, a.status, firstSentence(a.reason!)]),
      { width: width - 4 },
    )), ...more(homeless.length, rowCap, color));
  }
  return out;
}

function batchDetails(b: BatchDiff, options: Required<ForecastRender>): string[] {
  const { color, width, rowCap } = options;
  const out: string[] = ['', batchHeading(b, color)];
  if (b.entering.length > 0) {
    out.push(`  entering (${b.entering.length}):`);
    out.push(...indent(fitTable(
      ['INSTANCE', 'WOULD BE', 'PLACEMENT'],
      b.entering.slice(0, rowCap).map((m) => [m.name, m.status === 'Waiting' ? m.status : `${m.status}: ${firstSentence(m.message)}`, m.placement ?? '—']),
      { width: width - 4 },
    )), ...more(b.entering.length, rowCap, color));
  }
  if (b.leaving.length > 0) {
    out.push(`  leaving (${b.leaving.length}):`);
    out.push(...indent(fitTable(['INSTANCE', 'WAS'], b.leaving.slice(0, rowCap).map((m) => [m.name, m.status]), { width: width - 4 })), ...more(b.leaving.length, rowCap, color));
  }
  if (b.placement_changes.length > 0) {
    out.push(`  placement changes (${b.placement_changes.length}):`);
    out.push(...indent(fitTable(['INSTANCE', 'BEFORE', 'AFTER'], b.placement_changes.slice(0, rowCap).map((c) => [c.name, c.before, c.after]), { width: width - 4 })), ...more(b.placement_changes.length, rowCap, color));
  }
  const conflicts: [string, BatchDiff['conflicts_caused'], (t: string) => string][] = [
    ['conflicts this change causes', b.conflicts_caused, color.red],
    ['conflicts this change resolves', b.conflicts_resolved, color.green],
    ['conflicts that remain', b.conflicts_remaining, color.yellow],
  ];
  for (const [title, list, paint] of conflicts) {
    if (list.length === 0) continue;
    out.push(paint(`  ${title} (${list.length}):`));
    out.push(...list.slice(0, rowCap).map((c) => `    ${c.name}: ${firstSentence(c.message)}`), ...more(list.length, rowCap, color));
  }
  if (b.problems.length > 0) {
    out.push('  problems:');
    for (const p of b.problems) out.push(`    ${(p.severity === 'error' ? color.red : color.yellow)(formatProblem(p))}`);
  }
  out.push(...cutoverTable(b, options));
  return out;
}

/**
 * The forecast as terminal lines: a summary line, connection changes, each changed batch in
 * detail, and the names of the unchanged ones. `extra` lines (a pause, say) follow the summary.
 */
export function renderForecast(plan: PrPlan, options: ForecastRender, extra: string[] = []): string[] {
  const opts: Required<ForecastRender> = { rowCap: FORECAST_ROW_CAP, ...options };
  const { color } = opts;
  const out: string[] = [`${color.bold('forecast:')} ${forecastSummary(plan)}`, ...extra];
  for (const change of plan.connection_changes) {
    const what = change.change === 'changed' ? `changes ${change.fields.join(', ')}` : change.change === 'added' ? 'is added' : 'is removed';
    out.push(color.yellow(`  warning: ${change.kind} ${change.name} ${what} (not used by this plan; review it before merging)`));
  }
  for (const note of plan.notes) out.push(color.dim(`  note: ${note}`));
  if (!plan.valid) return out;
  const changed = plan.batches.filter((b) => b.changed);
  for (const b of changed) out.push(...batchDetails(b, opts));
  const unchanged = plan.batches.filter((b) => !b.changed);
  if (unchanged.length > 0) out.push('', color.dim(`unchanged: ${unchanged.map((b) => b.name).join(', ')}`));
  return out;
}
