// `ferry sim show`: the simulated world as its files hold it (docs/simulator.md, "Looking at the world").

import { relative } from 'node:path';
import { readWorld, UnknownInWorld, worldView, type WorldFilter, type WorldView } from '../../providers/sim/index.js';
import { simStateFile } from '../../reconcile/open.js';
import { didYouMean } from '../../text/suggest.js';
import { UsageError, type CommandContext } from '../command.js';
import { bytes, fitTable, isoTime, plural, terminalWidth } from '../format.js';
import { printJson } from '../io.js';
import { paint } from '../paint.js';
import { quoted } from '../../text/excerpt.js';

/** Where the repository's simulated world lives; a repository outside Git has none. */
export async function worldFileOf(context: CommandContext): Promise<string> {
  const path = await simStateFile(context.repoDir);
  if (path === null) throw new UsageError(`${context.repoDir} is not in a Git repository: the simulated world lives in its Git directory (.git/ferry/sim/world.json)`);
  return path;
}

/** The path as the operator would type it from where they are. */
export function shownPath(context: CommandContext, path: string): string {
  const near = relative(context.io.cwd, path);
  return near.startsWith('..') ? path : near;
}

export async function showWorld(context: CommandContext): Promise<number> {
  const filter = filterOf(context);
  const path = await worldFileOf(context);
  const world = readWorld(path);
  if (world === undefined) {
    if (context.json) printJson(context.io, { file: path, world: null });
    else context.io.stdout.write(`no simulated world yet (${shownPath(context, path)}): the first "ferry apply" creates it from the repository\n`);
    return 0;
  }
  let view: WorldView;
  try {
    view = worldView(world.state, world.nextEventAt, filter, world.history);
  } catch (error) {
    if (error instanceof UnknownInWorld) throw new UsageError(`${error.message}${didYouMean(error.ref, error.known)}`);
    throw error;
  }
  if (context.json) {
    printJson(context.io, { file: path, world: jsonView(view) });
    return 0;
  }
  printView(context, path, view, filter);
  return 0;
}

function filterOf(context: CommandContext): WorldFilter {
  const text = (name: string) => (typeof context.options[name] === 'string' ? (context.options[name] as string) : undefined);
  const last = text('last');
  if (last !== undefined && !/^\d+$/.test(last)) throw new UsageError(`--last takes a number of journal entries (0: all), not ${quoted(last)}`);
  const filter: WorldFilter = { last: last === undefined ? 20 : Number(last), active: context.options.active === true };
  for (const key of ['source', 'target', 'vm'] as const) {
    const value = text(key);
    if (value !== undefined) filter[key] = value;
  }
  return filter;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function jsonView(view: WorldView): Record<string, unknown> {
  return {
    start: iso(view.start),
    now: iso(view.now),
    next_event_at: iso(view.next_event_at),
    vms: view.vms,
    instances: view.instances.map((i) => ({ ...i, created_at: iso(i.created_at) })),
    operations: view.operations.map((o) => ({ ...o, started_at: iso(o.started_at), ended_at: iso(o.ended_at), ends_at: iso(o.ends_at) })),
    operations_total: view.operations_total,
    events: view.events.map((e) => ({ ...e, at: iso(e.at) })),
    journal: view.journal.map((j) => ({ ...j, at: iso(j.at) })),
    journal_total: view.journal_total,
  };
}

function printView(context: CommandContext, path: string, view: WorldView, filter: WorldFilter): void {
  const out = context.io.stdout;
  const color = paint(context.io, 'stdout');
  const width = terminalWidth(context);
  // `flex`: the columns that may be cut to fit (locations, messages, ids); names and states never are.
  const fit = (header: string[], rows: string[][], flex: number[]) => out.write(fitTable(header, rows, { width, flex }));
  const day = second(view.now).slice(0, 10);
  const when = (ms: number) => (second(ms).slice(0, 10) === day ? second(ms).slice(11) : second(ms));
  const section = (title: string, count: string) => out.write(`\n${color.bold(title)} ${color.dim(count)}\n`);

  out.write(`${color.bold('simulated world')} ${shownPath(context, path)}\n`);
  out.write(`clock ${isoTime(view.now)} (started ${isoTime(view.start)})\n`);
  out.write(`${view.next_event_at === null ? 'nothing scheduled' : `next event ${second(view.next_event_at)}`}\n`);

  section('VMs', `(${view.vms.length})`);
  if (view.vms.length === 0) out.write('none\n');
  else fit(['SOURCE', 'VM', 'POWER', 'DISKS', 'TRANSFER', 'LOCATION'], view.vms.map((v) => [v.source, v.name, v.running ? 'on' : 'off', `${v.disks} · ${bytes(v.capacity)}`, v.transfer === null ? '—' : `${v.transfer.mode} ${percent(v.transfer.done, v.transfer.total)}`, v.location]), [4, 5]);

  section('Target instances', `(${view.instances.length})`);
  if (view.instances.length === 0) out.write('none\n');
  else fit(['TARGET', 'PROJECT', 'INSTANCE', 'STATE', 'VM', 'ATTEMPT', 'BUSY'], view.instances.map((i) => [i.target, i.project, i.name, i.running ? 'running' : 'stopped', i.entry === null ? 'foreign' : (i.vm ?? '—'), i.attempt === null ? '—' : `#${i.attempt.slice(i.attempt.lastIndexOf('#') + 1)}`, i.busy ?? '—']), [6]);

  const running = view.operations.filter((o) => o.state === 'running' || o.state === 'stopping').length;
  const ended = view.operations.length - running;
  const endedTotal = view.operations_total - running;
  const listed = filter.active ? `${running} running`
    : ended < endedTotal ? `${running} running, the last ${ended} of ${endedTotal} ended; --last 0 for all`
    : `${view.operations.length}`;
  section('Operations', `(${listed})`);
  if (view.operations.length === 0) out.write('none\n');
  else {
    // Times of the clock's day without their date; an expected end (running) with a tilde.
    fit(['STARTED', 'ENDED', 'KIND', 'STATE', 'ON', 'DETAIL'], view.operations.map((o) => [
      when(o.started_at),
      o.ended_at !== null ? when(o.ended_at) : o.ends_at !== null ? `~${when(o.ends_at)}` : '—',
      o.kind,
      o.state,
      o.on.slice(o.on.lastIndexOf('/') + 1),
      o.progress !== null && o.state === 'running' ? `${percent(o.progress.done, o.progress.total)} of ${bytes(o.progress.total)}` : o.message,
    ]), [4, 5]);
  }

  section('Scripted events', `(${view.events.length})`);
  if (view.events.length === 0) out.write('none\n');
  else fit(['AT', 'EVENT', 'TYPE', 'STATE', 'OUTCOME'], view.events.map((e) => [second(e.at), e.name ?? e.id, e.type, e.applied ? 'happened' : 'pending', e.outcome]), [1, 4]);

  const shown = view.journal.length < view.journal_total ? `(the newest ${view.journal.length} of ${plural(view.journal_total, 'call')}; --last 0 for all)` : `(${plural(view.journal_total, 'call')})`;
  section('Journal', shown);
  if (view.journal.length === 0) out.write('none\n');
  else fit(['AT', 'OUTCOME', 'KIND', 'OPERATION'], view.journal.map((j) => [when(j.at), j.outcome, j.kind, j.op]), [3]);
}

/** A time to the second (the JSON has the milliseconds). */
function second(ms: number): string {
  return isoTime(Math.floor(ms / 1000) * 1000);
}

function percent(done: number, total: number): string {
  return `${total === 0 ? 100 : Math.floor((done / total) * 100)}%`;
}
