import { computePrPlan, NO_BASE_NOTE, type Assignment } from '../../github/pr-plan.js';
import { firstSentence } from '../../github/render.js';
import { formatDuration, parseDuration } from '../../model/duration.js';
import { formatProblem } from '../../model/problem.js';
import { didYouMean } from '../../text/suggest.js';
import { UsageError, type Command } from '../command.js';
import { fitTable, isoTime, plural, terminalWidth, WIDE_OPTION } from '../format.js';
import { printJson } from '../io.js';
import { paint, paintStatus } from '../paint.js';
import { trustedRevision } from '../trust.js';
import { desiredErrors } from '../../reconcile/desired.js';
import { loadDesired, reportInvalid } from './plan.js';
import { quoted } from '../../text/excerpt.js';

interface ScheduledWindow {
  batch: string;
  window: string;
  start: number | null;
  end: number | null;
  lockout: number | null;
  capacity: number;
  entries: Assignment[];
}

/** How long until a window opens, to the minute (rounded up) and in days past two. */
function untilText(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const rest = formatDuration((minutes % 1440) * 60_000);
  return days >= 2 ? `${days}d${rest === '0s' ? '' : rest}` : formatDuration(minutes * 60_000);
}

/** `ferry schedule`: the coming migration windows and who is predicted to cut over in each. */
export const scheduleCommand: Command = {
  name: 'schedule',
  summary: 'Show the coming migration windows and the entries predicted to cut over in each',
  usage: 'ferry schedule [--within DURATION] [--batch BATCH] [--ref REV] [--wide] [--repo DIR] [--json]',
  description:
    'Predicts, as "ferry plan" does (the same forecast as a pull-request comment: from the status\n' +
    'branch, contacting no vCenter or Incus), which entries cut over in which window: entries\n' +
    'already assigned a window, then the others window by window up to each capacity. Lists the\n' +
    'windows that have not ended, soonest first, and what finds no room and why. A prediction, not a\n' +
    'promise: constraints, boot times and failures move entries later. --within 12h keeps the\n' +
    'windows that open within 12 hours ("what cuts over tonight").',
  examples: ['ferry schedule', 'ferry schedule --within 24h', 'ferry schedule --batch wave-1-web --json'],
  options: {
    within: { type: 'string', value: 'DURATION', description: 'only windows that open within this long (12h, 90m)' },
    batch: { type: 'string', value: 'BATCH', description: 'only the windows of this batch' },
    ref: { type: 'string', value: 'REV', description: 'the desired state of this Git revision instead of the work tree' },
    ...WIDE_OPTION,
  },
  async run(context) {
    const withinText = typeof context.options.within === 'string' ? context.options.within : null;
    const within = withinText === null ? null : parseDuration(withinText);
    if (within === undefined) throw new UsageError(`--within: ${quoted(withinText!)} is not a duration: write it like 12h, 90m or 1h30m`);
    const ref = typeof context.options.ref === 'string' ? context.options.ref : undefined;
    const desired = await loadDesired(context, ref);
    const errors = desiredErrors(desired);
    if (errors.length > 0) return reportInvalid(context, errors);
    const batchName = typeof context.options.batch === 'string' ? context.options.batch : null;

    const forecast = await computePrPlan({ repoDir: context.repoDir, baseRef: null, ...(ref === undefined ? {} : { headRef: ref }), trusted: await trustedRevision(context), log: context.log });
    if (batchName !== null && !forecast.batches.some((b) => b.name === batchName)) {
      throw new UsageError(`no batch ${quoted(batchName)}${didYouMean(batchName, forecast.batches.map((b) => b.name))}`);
    }
    const batches = forecast.batches.filter((b) => batchName === null || b.name === batchName);
    const now = forecast.now;
    const windows: ScheduledWindow[] = [];
    for (const b of batches) {
      for (const w of b.windows) {
        if (w.ended) continue;
        if (within !== null && w.start !== null && w.start > now + within) continue;
        windows.push({ batch: b.name, window: w.name, start: w.start, end: w.end, lockout: w.lockout, capacity: w.capacity, entries: b.assignments.filter((a) => a.window === w.name) });
      }
    }
    windows.sort((a, b) => (a.start ?? -Infinity) - (b.start ?? -Infinity) || (a.batch < b.batch ? -1 : a.batch > b.batch ? 1 : 0));
    const noRoom = batches.flatMap((b) => b.assignments.filter((a) => a.reason !== null).map((a) => ({ batch: b.name, ...a })));
    const notes = forecast.notes.filter((n) => n !== NO_BASE_NOTE);
    const failed = !forecast.valid || forecast.problems.some((p) => p.severity === 'error');

    if (context.json) {
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      printJson(context.io, {
        now: iso(now),
        virtual_clock: forecast.virtual_clock,
        status_revision: forecast.status_revision,
        trusted: forecast.trusted,
        windows: windows.map((w) => ({ ...w, start: iso(w.start), end: iso(w.end), lockout: iso(w.lockout), entries: w.entries.map(({ name, status, predicted }) => ({ name, status, predicted })) })),
        no_room: noRoom.map(({ batch, name, status, reason }) => ({ batch, name, status, reason })),
        problems: forecast.problems,
        notes,
      });
      return failed ? 1 : 0;
    }
    const color = paint(context.io, 'stdout');
    const width = terminalWidth(context);
    const out: string[] = [`${color.bold('schedule')} at ${isoTime(now)}${forecast.virtual_clock ? ' (simulated clock)' : ''}, status ${forecast.status_revision ? forecast.status_revision.slice(0, 12) : '(no status yet)'}${withinText !== null ? `, windows opening within ${withinText}` : ''}`];
    for (const note of notes) out.push(color.yellow(`note: ${note}`));
    for (const problem of forecast.problems) out.push((problem.severity === 'error' ? color.red : color.yellow)(formatProblem(problem)));
    if (windows.length === 0) out.push('', within === null ? 'no migration window ahead' : `no migration window opens within ${withinText}`);
    for (const w of windows) {
      const when = w.start === null ? 'open now' : w.start <= now ? `open now, until ${isoTime(w.end)}` : `${isoTime(w.start)} → ${isoTime(w.end)}, in ${untilText(w.start - now)}`;
      out.push('', `${color.bold(w.window)} (${w.batch}): ${when} · ${w.entries.length}${w.capacity === 0 ? '' : ` of ${w.capacity}`} ${w.entries.length === 1 ? 'entry' : 'entries'}`);
      if (w.entries.length > 0) {
        out.push(...fitTable(['INSTANCE', 'STATUS'], w.entries.map((a) => [a.name, `${a.status}${a.predicted ? ' (predicted)' : ''}`]), { width: width - 4, style: (text, _r, c) => (c === 1 ? paintStatus(color, text) : text) })
          .trimEnd().split('\n').map((l) => `    ${l}`));
      }
    }
    const windowless = batches.filter((b) => b.windows.length === 0 && b.assignments.some((a) => a.reason === null && a.window === null && !['Finished', 'Canceled', 'Error'].includes(a.status)));
    for (const b of windowless) out.push('', `${color.bold(b.name)}: no migration windows — its ${plural(b.assignments.filter((a) => a.window === null && a.reason === null && !['Finished', 'Canceled', 'Error'].includes(a.status)).length, 'entry', 'entries')} cut over as soon as they are ready`);
    if (noRoom.length > 0) {
      out.push('', color.yellow(`no room (${noRoom.length}):`));
      out.push(...fitTable(['BATCH', 'INSTANCE', 'STATUS', 'WHY'], noRoom.map((a) => [a.batch, a.name, a.status, firstSentence(a.reason!)]), { width: width - 4 })
        .trimEnd().split('\n').map((l) => `    ${l}`));
    }
    context.io.stdout.write(out.join('\n') + '\n');
    return failed ? 1 : 0;
  },
};
