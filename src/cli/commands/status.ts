import type { Logger } from 'pino';
import { ENTRY_STATUS_TEXT, type EntryStatusCode, type QueueEntry, type StatusState } from '../../engine/status.js';
import { DEFAULT_PROJECT, type DesiredState } from '../../model/desired.js';
import { desiredInWorkTree } from '../../reconcile/desired.js';
import { openRepositoryStore, StatusLocationError } from '../../reconcile/store.js';
import { didYouMean } from '../../text/suggest.js';
import { UsageError, type Command } from '../command.js';
import { describeFailure, operatorError } from '../failure.js';
import { needsAttention, type Attention } from '../attention.js';
import { fitTable, isoTime, terminalWidth, WIDE_OPTION } from '../format.js';
import { printJson } from '../io.js';
import { paint, paintStatus, type Palette } from '../paint.js';
import { pauseLines, pausesJson } from '../pause-view.js';
import type { StatusBranch, StatusStore } from '../../store/index.js';
import { quoted } from '../../text/excerpt.js';

/** Status columns of the batch table, in the order a migration moves through them. */
const GROUPS: { title: string; codes: EntryStatusCode[] }[] = [
  { title: 'FINISHED', codes: ['finished'] },
  { title: 'IN FLIGHT', codes: ['creating', 'background_import', 'idle', 'final_import', 'post_import', 'worker_done'] },
  { title: 'WAITING', codes: ['waiting'] },
  { title: 'BLOCKED', codes: ['blocked'] },
  { title: 'CONFLICT', codes: ['conflict'] },
  { title: 'ERROR', codes: ['error'] },
  { title: 'CANCELED', codes: ['canceled'] },
];

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show what the reconciler last observed and decided: batches and queue entries',
  usage: 'ferry status [--batch BATCH] [--wide] [--repo DIR] [--json]',
  description:
    'Reads the status branch (ferry.yaml spec.status; fetched from its remote unless local) and prints\n' +
    'each batch with its entries per status, or with --batch the entries of one batch, then what needs\n' +
    'attention (Conflict, Error, Blocked: how many, and the commands to run next). Conflicts and\n' +
    'errors are explained in the branch\'s CONFLICTS.md and by "ferry explain INSTANCE".',
  examples: ['ferry status', 'ferry status --batch wave-1-web', 'ferry status --json'],
  options: {
    batch: { type: 'string', value: 'BATCH', description: 'list the entries of this batch' },
    ...WIDE_OPTION,
  },
  async run(context) {
    const { state, store, revision, status } = await readStatusBranch(context.repoDir, context.log);
    const batchName = typeof context.options.batch === 'string' ? context.options.batch : undefined;
    const entries = Object.values(status.entries);
    if (batchName !== undefined && status.batches[batchName] === undefined) {
      const known = [...new Set([...Object.keys(status.batches), ...(state?.batches.map((b) => b.meta.name) ?? [])])];
      if (!known.includes(batchName)) throw new UsageError(`no batch ${quoted(batchName)}${didYouMean(batchName, known)}`);
    }
    const rows = batchRows(status, state);
    const listed = batchName === undefined ? [] : entries.filter((e) => e.batch === batchName).sort(byName);

    if (context.json) {
      printJson(context.io, {
        branch: store.description,
        revision,
        desired_commit: status.desired_commit,
        updated_at: status.updated_at === null ? null : new Date(status.updated_at).toISOString(),
        pauses: pausesJson(status.pauses),
        batches: rows.map((r) => ({ name: r.name, status: r.status, message: r.message, start_date: r.start ? new Date(r.start).toISOString() : null, entries: r.total, by_status: r.counts })),
        ...(batchName !== undefined ? { entries: listed.map(entryJson) } : {}),
        attention: needsAttention(batchName === undefined ? entries : listed),
      });
      return 0;
    }
    const color = paint(context.io, 'stdout');
    const out = context.io.stdout;
    if (revision === null) {
      out.write(`no status yet on ${store.description}: nothing has been applied (run "ferry plan", then "ferry apply")\n`);
      return 0;
    }
    out.write(`${color.bold('status')} ${store.description} @ ${revision.slice(0, 12)}, updated ${isoTime(status.updated_at)}, desired ${status.desired_commit?.slice(0, 12) ?? 'working tree'}\n\n`);
    const paused = pauseLines(status.pauses);
    for (const line of paused) out.write(`${color.yellow(`PAUSED: ${line}`)}\n`);
    if (paused.length > 0) out.write('\n');
    if (batchName === undefined) {
      const header = ['BATCH', 'STATUS', 'ENTRIES', ...GROUPS.map((g) => g.title), 'MESSAGE'];
      out.write(fitTable(
        header,
        rows.map((r) => [r.name, r.status, String(r.total), ...GROUPS.map((g) => String(g.codes.reduce((n, c) => n + (r.counts[c] ?? 0), 0))), r.message]),
        { width: terminalWidth(context), style: (text, _row, column) => (column === 1 ? paintStatus(color, text) : GROUP_COLOR[header[column]!]?.(color, text) ?? text) },
      ));
      out.write(renderAttention(needsAttention(entries), color));
      return 0;
    }
    if (listed.length === 0) {
      out.write(`batch ${batchName} has no queue entries${status.batches[batchName] ? '' : ' (it has not started)'}\n`);
      return 0;
    }
    out.write(fitTable(
      ['INSTANCE', 'STATUS', 'STAGE', 'WINDOW', 'TARGET', 'MESSAGE'],
      listed.map((e) => [e.name, ENTRY_STATUS_TEXT[e.status], e.import_stage, e.window ?? '—', `${e.placement.target_name}/${e.placement.target_project}`, e.message]),
      { width: terminalWidth(context), style: (text, _row, column) => (column === 1 ? paintStatus(color, text) : text) },
    ));
    out.write(renderAttention(needsAttention(listed), color));
    return 0;
  },
};

/** A count column that is not zero, in its status's colour. */
const GROUP_COLOR: Record<string, (color: Palette, text: string) => string> = {
  CONFLICT: (color, text) => (text.trim() === '0' ? text : color.red(text)),
  ERROR: (color, text) => (text.trim() === '0' ? text : color.red(text)),
  BLOCKED: (color, text) => (text.trim() === '0' ? text : color.yellow(text)),
};

/** The entries that need an operator: how many of each, the first few, and what to run next. */
export function renderAttention(attention: Attention[], color: Palette): string {
  if (attention.length === 0) return '';
  const lines = ['', color.bold('needs attention:')];
  for (const a of attention) {
    const paintIt = a.status === 'Blocked' ? color.yellow : color.red;
    const names = a.instances.map((i) => i.name).join(', ') + (a.count > a.instances.length ? ', …' : '');
    lines.push(`  ${paintIt(`${a.count} ${a.status}`)}: ${names}`);
    for (const command of a.next) lines.push(`    next: ${command}`);
  }
  lines.push('  (the branch\'s CONFLICTS.md explains each conflict; "ferry queue --status STATUS" lists them all)');
  return lines.join('\n') + '\n';
}

/**
 * The status branch as the work tree's ferry.yaml locates it (the default location when the work
 * tree has none or an invalid one), read without contacting any provider.
 */
export async function readStatusBranch(repoDir: string, log?: Pick<Logger, 'warn'>): Promise<{ state: DesiredState | null; store: StatusStore; revision: string | null; status: StatusState }> {
  const { state, store } = await openStatusBranch(repoDir, log);
  const { revision, status } = await store.read();
  return { state, store, revision, status };
}

/** The status branch as the work tree's ferry.yaml locates it, not read yet. */
export async function openStatusBranch(repoDir: string, log?: Pick<Logger, 'warn'>): Promise<{ state: DesiredState | null; store: StatusBranch }> {
  const desired = await desiredInWorkTree(repoDir).catch(() => null);
  const state: DesiredState | null = desired?.state ?? null;
  try {
    return { state, store: await openRepositoryStore(repoDir, state ?? ({ project: DEFAULT_PROJECT } as DesiredState), (code, notice) => log?.warn({ code }, notice)) };
  } catch (error) {
    if (error instanceof StatusLocationError) throw operatorError(describeFailure(error)!);
    throw error;
  }
}

interface BatchRow {
  name: string;
  status: string;
  message: string;
  start: number | null;
  total: number;
  counts: Partial<Record<EntryStatusCode, number>>;
}

function batchRows(status: StatusState, desired: DesiredState | null): BatchRow[] {
  const rows = new Map<string, BatchRow>();
  for (const batch of desired?.batches ?? []) {
    rows.set(batch.meta.name, { name: batch.meta.name, status: 'Defined', message: 'not started', start: null, total: 0, counts: {} });
  }
  for (const [name, batch] of Object.entries(status.batches)) {
    rows.set(name, { name, status: batch.status, message: batch.message, start: batch.start_date, total: 0, counts: {} });
  }
  for (const uuid in status.entries) {
    const entry = status.entries[uuid]!;
    let row = rows.get(entry.batch);
    if (!row) rows.set(entry.batch, (row = { name: entry.batch, status: '—', message: '', start: null, total: 0, counts: {} }));
    row.total++;
    row.counts[entry.status] = (row.counts[entry.status] ?? 0) + 1;
  }
  return [...rows.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function byName(a: QueueEntry, b: QueueEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.uuid < b.uuid ? -1 : 1;
}

export function entryJson(e: QueueEntry): Record<string, unknown> {
  return {
    instance: e.name,
    location: e.location,
    uuid: e.uuid,
    status: e.status,
    status_text: ENTRY_STATUS_TEXT[e.status],
    message: e.message,
    import_stage: e.import_stage,
    mode: e.mode,
    window: e.window,
    placement: e.placement,
    attempt: e.attempt_id,
    retries: e.retries,
    last_background_sync: e.last_background_sync === null ? null : new Date(e.last_background_sync).toISOString(),
    updated_at: new Date(e.updated_at).toISOString(),
  };
}
