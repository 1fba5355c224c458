// The pull-request plan as Markdown: the sticky comment (within GitHub's 65,536 characters, details
// dropped batch by batch with a pointer to the job summary when it would not fit) and the job
// summary (everything). Text from the repository and its sources (names, messages) goes through
// src/text/markup.ts, in the function for where it lands: a batch name cannot open an HTML tag,
// break a table, end the Mermaid block, link anything or mention anyone.

import type { Problem } from '../model/problem.js';
import { htmlText, markdownCode, markdownText, mermaidName } from '../text/markup.js';
import type { PredictedWindow } from '../engine/predict.js';
import type { Pause } from '../engine/status.js';
import type { BatchDiff, PrPlan } from './pr-plan.js';

/** GitHub refuses comment bodies longer than this (HTTP 422). */
export const COMMENT_LIMIT = 65_536;
/** A job summary may hold 1 MiB per step. */
export const SUMMARY_LIMIT = 1024 * 1024 - 1024;
/** Tasks in the gantt chart at most (Mermaid has a 50,000-character limit of its own). */
export const GANTT_TASK_CAP = 100;

export const MARKER_PREFIX = '<!-- ferry-plan:';

export interface CommentMarker {
  v: number;
  pr: number;
  sha: string;
  plan: string;
}

export function markerLine(marker: CommentMarker): string {
  return `${MARKER_PREFIX}${JSON.stringify(marker)} -->`;
}

/** The marker of a comment body Ferry wrote, or null. */
export function parseMarker(body: string | null | undefined): CommentMarker | null {
  if (!body?.startsWith(MARKER_PREFIX)) return null;
  const end = body.indexOf(' -->');
  if (end < 0) return null;
  try {
    const value = JSON.parse(body.slice(MARKER_PREFIX.length, end)) as Partial<CommentMarker>;
    if (typeof value.v !== 'number' || typeof value.pr !== 'number' || typeof value.sha !== 'string' || typeof value.plan !== 'string') return null;
    return value as CommentMarker;
  } catch {
    return null;
  }
}

export function utc(ms: number | null): string {
  if (ms === null) return '—';
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** The first sentence of an entry message (they go on to say what to do, which the comment says once). */
export function firstSentence(text: string): string {
  const end = text.search(/\.\s/);
  return end < 0 ? text : text.slice(0, end + 1);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function summaryLine(plan: PrPlan): string {
  if (!plan.valid) return `**Plan failed:** the change has ${plural(plan.summary.errors, 'error')}; nothing was planned.`;
  const s = plan.summary;
  if (s.batches_changed === 0 && s.warnings === 0) return '**No changes.** The reconciler would do the same with or without this pull request.';
  return `**Plan:** ${plural(s.batches_changed, 'batch', 'batches')} change — ${s.entering} entering, ${s.leaving} leaving, ${plural(s.placement_changes, 'placement change')}; ${s.conflicts_caused} ${s.conflicts_caused === 1 ? 'conflict' : 'conflicts'} caused, ${s.conflicts_resolved} resolved; ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}.`;
}

function problemLine(p: Problem): string {
  return `- ${p.severity === 'error' ? '❌' : '⚠️'} ${markdownCode(`${p.file}:${p.line}:${p.column}`)} **${markdownText(p.code)}**: ${markdownText(p.message)}`;
}

function capped<T>(rows: T[], cap: number, render: (row: T) => string, columns: number): string[] {
  const out = rows.slice(0, cap).map(render);
  if (rows.length > cap) out.push(`| … and ${rows.length - cap} more |${' |'.repeat(columns - 1)}`);
  return out;
}

function batchTitle(b: BatchDiff): string {
  const was = b.base ? b.base.status : 'new';
  const now = b.head ? b.head.status : 'removed';
  const moves = [`+${b.entering.length} −${b.leaving.length}`];
  if (b.placement_changes.length > 0) moves.push(plural(b.placement_changes.length, 'placement change'));
  if (b.conflicts_caused.length > 0) moves.push(`⚠️ ${plural(b.conflicts_caused.length, 'conflict')} caused`);
  if (b.conflicts_resolved.length > 0) moves.push(`✅ ${b.conflicts_resolved.length} resolved`);
  if (b.problems.length > 0) moves.push(plural(b.problems.length, 'problem'));
  return `<b>${htmlText(b.name)}</b> — ${was === now ? htmlText(now) : `${htmlText(was)} → ${htmlText(now)}`} · ${plural(b.members, 'instance')} · ${moves.join(' · ')}`;
}

function windowTable(b: BatchDiff): string[] {
  if (b.windows.length === 0) return ['No migration windows: entries cut over as soon as they are ready.'];
  const counts = new Map<string, number>();
  for (const a of b.assignments) if (a.window !== null) counts.set(a.window, (counts.get(a.window) ?? 0) + 1);
  const unassigned = b.assignments.filter((a) => a.window === null && (a.status === 'Waiting' || a.status.startsWith('Perform') || a.status === 'Idle' || a.status === 'Creating new VM')).length;
  const lines = ['| Window | Start (UTC) | End (UTC) | Lockout (UTC) | Capacity | Assigned |', '|---|---|---|---|---:|---:|'];
  for (const w of b.windows) {
    lines.push(`| ${markdownText(w.name)}${w.ended ? ' (ended)' : ''} | ${utc(w.start)} | ${utc(w.end)} | ${utc(w.lockout)} | ${w.capacity === 0 ? 'unlimited' : w.capacity} | ${counts.get(w.name) ?? 0} |`);
  }
  const reasons = [...new Set(b.assignments.filter((a) => a.reason !== null && a.status !== 'Blocked' && a.status !== 'Conflict').map((a) => a.reason))];
  if (unassigned > 0) lines.push('', `${plural(unassigned, 'instance')} would find no room in these windows${reasons.length > 0 ? `: ${reasons.map((r) => markdownText(r!)).join('; ')}` : ''}.`);
  return lines;
}

function batchDetails(b: BatchDiff, rowCap: number): string[] {
  const out: string[] = [];
  if (b.entering.length > 0) {
    out.push(`**Entering (${b.entering.length})**`, '', '| Instance | Would be | Placement |', '|---|---|---|');
    out.push(...capped(b.entering, rowCap, (m) => `| ${markdownText(m.name)} | ${markdownText(m.status)}${m.status === 'Waiting' ? '' : `: ${markdownText(m.message)}`} | ${markdownText(m.placement ?? '—')} |`, 3), '');
  }
  if (b.leaving.length > 0) {
    out.push(`**Leaving (${b.leaving.length})**`, '', '| Instance | Was |', '|---|---|');
    out.push(...capped(b.leaving, rowCap, (m) => `| ${markdownText(m.name)} | ${markdownText(m.status)} |`, 2), '');
  }
  if (b.placement_changes.length > 0) {
    out.push(`**Placement changes (${b.placement_changes.length})**`, '', '| Instance | Before | After |', '|---|---|---|');
    out.push(...capped(b.placement_changes, rowCap, (c) => `| ${markdownText(c.name)} | ${markdownText(c.before)} | ${markdownText(c.after)} |`, 3), '');
  }
  if (b.conflicts_caused.length > 0) {
    out.push(`**Conflicts this change causes (${b.conflicts_caused.length})**`, '');
    out.push(...b.conflicts_caused.slice(0, rowCap).map((c) => `- ⚠️ ${markdownText(c.name)}: ${markdownText(firstSentence(c.message))}`));
    if (b.conflicts_caused.length > rowCap) out.push(`- … and ${b.conflicts_caused.length - rowCap} more`);
    out.push('');
  }
  if (b.conflicts_resolved.length > 0) {
    out.push(`**Conflicts this change resolves (${b.conflicts_resolved.length})**`, '');
    out.push(...b.conflicts_resolved.slice(0, rowCap).map((c) => `- ✅ ${markdownText(c.name)} (${markdownText(firstSentence(c.message))})`));
    if (b.conflicts_resolved.length > rowCap) out.push(`- … and ${b.conflicts_resolved.length - rowCap} more`);
    out.push('');
  }
  if (b.conflicts_remaining.length > 0) {
    out.push(`**Conflicts that remain (${b.conflicts_remaining.length})**`, '');
    out.push(...b.conflicts_remaining.slice(0, rowCap).map((c) => `- ${markdownText(c.name)}: ${markdownText(firstSentence(c.message))}`));
    if (b.conflicts_remaining.length > rowCap) out.push(`- … and ${b.conflicts_remaining.length - rowCap} more`);
    out.push('');
  }
  if (b.problems.length > 0) out.push('**Problems**', '', ...b.problems.map(problemLine), '');
  out.push('**Windows**', '', ...windowTable(b));
  return out;
}

function ganttTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** One gantt for the campaign: a section per batch, a task per window with its predicted assignments. */
export function gantt(batches: BatchDiff[], cap = GANTT_TASK_CAP): string[] {
  const tasks: string[] = [];
  let shown = 0;
  let total = 0;
  let open = 0;
  for (const b of batches) {
    const windows = b.windows.filter((w): w is PredictedWindow & { start: number; end: number } => w.start !== null && w.end !== null);
    total += windows.length;
    if (windows.length === 0 || shown >= cap) continue;
    tasks.push(`    section ${mermaidName(b.name, 'batch')}`);
    for (const w of windows) {
      if (shown >= cap) break;
      const assigned = b.assignments.filter((a) => a.window === w.name).length;
      const tags = [w.ended ? 'done' : null, b.changed ? 'crit' : null].filter((t) => t !== null);
      tasks.push(`    ${mermaidName(w.name, 'window')} (${assigned}${w.capacity ? `/${w.capacity}` : ''}) :${tags.length > 0 ? `${tags.join(', ')}, ` : ''}w${shown}, ${ganttTime(w.start)}, ${ganttTime(w.end)}`);
      shown++;
      open++;
    }
  }
  if (open === 0) return [];
  const out = ['```mermaid', 'gantt', '    dateFormat YYYY-MM-DDTHH:mm', '    axisFormat %m-%d %H:%M', '    todayMarker off', '    title Migration windows (UTC) and predicted assignments', ...tasks, '```'];
  if (total > shown) out.push('', `The chart shows ${shown} of ${total} windows; the tables list them all.`);
  return out;
}

export interface RenderOptions {
  marker?: CommentMarker;
  /** The pull request's head commit, for the title (the planned checkout may be its merge commit). */
  headSha?: string;
  /** Where the full plan is (the job summary); linked when details are left out. */
  summaryUrl?: string | null;
  limit: number;
  /** Rows per table. */
  rowCap: number;
}

/**
 * Connection settings the pull request changes: never used by the plan, and the first thing a
 * reviewer must see — once merged, Ferry contacts those systems with those settings and secrets.
 */
function connectionWarning(plan: PrPlan): string[] {
  if (plan.connection_changes.length === 0) return [];
  const where = plan.trusted ? `the connections of ${markdownCode(plan.trusted.ref)}` : 'no connection at all (no trusted revision is known)';
  const lines = ['> [!WARNING]', `> **This pull request changes connection settings.** None of them was used: this plan was made from the status branch, with ${where}. Review these changes: once merged, Ferry contacts these systems with these settings and secrets.`, '>'];
  for (const change of plan.connection_changes) {
    const what = change.change === 'changed' ? `changes ${change.fields.map(markdownCode).join(', ')}` : change.change === 'added' ? 'is added' : 'is removed';
    lines.push(`> - ${change.kind} ${markdownCode(change.name)} ${what}`);
  }
  return [...lines, ''];
}

/**
 * Operators' pauses on the status branch: whatever the pull request changes, the paused batches do
 * not move until someone runs `ferry resume`. Who, when and why, the reason escaped as data.
 */
function pauseWarning(plan: PrPlan): string[] {
  const { campaign, batches } = plan.pauses;
  const names = Object.keys(batches).sort();
  if (campaign === null && names.length === 0) return [];
  const why = (p: Pause) => `by ${markdownText(p.by)} at ${utc(p.at)} UTC: ${markdownText(p.reason)}`;
  const lines = ['> [!CAUTION]'];
  if (campaign !== null) lines.push(`> **The campaign is paused** ${why(campaign)}. Nothing new starts in any batch until ${markdownCode('ferry resume')}; this plan shows what the reconciler does while paused.`);
  if (names.length > 0) {
    if (campaign !== null) lines.push('>');
    lines.push(`> **${names.length === 1 ? 'A batch is' : `${names.length} batches are`} paused** until ${markdownCode('ferry resume BATCH')}:`);
    for (const name of names) lines.push(`> - ${markdownCode(name)} ${why(batches[name]!)}`);
  }
  return [...lines, ''];
}

/** The plan as Markdown, within `limit` characters. */
export function renderPlanMarkdown(plan: PrPlan, options: RenderOptions): string {
  const head: string[] = [];
  if (options.marker) head.push(markerLine(options.marker));
  const head0 = options.headSha ?? plan.head.commit;
  const shortHead = head0 ? markdownCode(head0.slice(0, 12)) : markdownCode(plan.head.ref);
  head.push(`### Ferry plan for ${shortHead} against ${markdownCode(plan.base.ref)}`, '', summaryLine(plan), '');
  head.push(...connectionWarning(plan));
  head.push(...pauseWarning(plan));
  if (plan.valid) {
    head.push(`<sub>Status branch at ${plan.status_revision ? markdownCode(plan.status_revision.slice(0, 12)) : 'no status yet'} · planned for ${utc(plan.now)} UTC${plan.virtual_clock ? ' (simulated clock)' : ''} · plan ${markdownCode(plan.hash.slice(0, 12))}</sub>`, '');
  }
  for (const note of plan.notes) head.push(`> ${markdownText(note)}`, '');
  const general = plan.problems.filter((p) => !plan.batches.some((b) => b.problems.includes(p)));
  if (general.length > 0) head.push('**Problems**', '', ...general.slice(0, options.rowCap).map(problemLine), ...(general.length > options.rowCap ? [`- … and ${general.length - options.rowCap} more`] : []), '');
  if (!plan.valid) return finish(head, [], options);

  const changed = plan.batches.filter((b) => b.changed);
  const unchanged = plan.batches.filter((b) => !b.changed);
  const chart = gantt(plan.batches);
  const sections: string[][] = changed.map((b) => ['<details>', `<summary>${batchTitle(b)}</summary>`, '', ...batchDetails(b, options.rowCap), '', '</details>', '']);
  const tail: string[] = [];
  if (chart.length > 0) tail.push('<details>', '<summary>Windows and predicted assignments</summary>', '', ...chart, '', '</details>', '');
  if (unchanged.length > 0) tail.push(`<sub>Unchanged: ${unchanged.map((b) => htmlText(b.name)).join(', ')}</sub>`, '');
  return finish(head, sections, options, tail);
}

function finish(head: string[], sections: string[][], options: RenderOptions, tail: string[] = []): string {
  const pointer = options.summaryUrl ? `[the job summary](${options.summaryUrl})` : 'the job summary of this run';
  const join = (parts: string[]) => parts.join('\n');
  let body = join([...head, ...sections.flat(), ...tail]);
  if (body.length <= options.limit) return body;
  // Too long: keep whole batch sections while they fit, then one line per batch left out.
  const kept: string[] = [...head];
  let omitted = 0;
  const reserve = 400 + sections.length * 120;
  for (const section of sections) {
    const next = join([...kept, ...section]);
    if (omitted === 0 && next.length + join(tail).length + reserve <= options.limit) kept.push(...section);
    else {
      omitted++;
      const title = section[1]!.replace(/^<summary>|<\/summary>$/g, '');
      kept.push(`- ${title}`);
    }
  }
  if (omitted > 0) kept.push('', `> The details of ${plural(omitted, 'batch', 'batches')} do not fit in a comment: see ${pointer}.`, '');
  body = join([...kept, ...tail]);
  if (body.length <= options.limit) return body;
  body = join([...kept]);
  if (body.length <= options.limit) return body;
  const cut = `\n\n> Cut short: see ${pointer}.`;
  return cutAt(body, options.limit - cut.length) + cut;
}

/**
 * At most `length` characters of `text`, in whole lines: a line cut anywhere could leave a code
 * span, an emphasis or a character reference (`&#3` of `&#36;`) open, and the untrusted text after
 * its opening would then be read as Markdown or HTML.
 */
function cutAt(text: string, length: number): string {
  if (text.length <= length) return text;
  const end = text.lastIndexOf('\n', length);
  return end <= 0 ? '' : text.slice(0, end);
}
