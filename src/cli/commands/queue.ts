import { ENTRY_STATUS_TEXT, type QueueEntry } from '../../engine/status.js';
import { type Command } from '../command.js';
import { parseBatch, parseStatuses, STATUS_FILTER_OPTION } from '../filters.js';
import { fitTable, plural, terminalWidth, WIDE_OPTION } from '../format.js';
import { printJson } from '../io.js';
import { paint, paintStatus } from '../paint.js';
import { entryJson, readStatusBranch } from './status.js';

/** `ferry queue`: the queue entries of every batch, as the status branch has them. */
export const queueCommand: Command = {
  name: 'queue',
  summary: 'List the queue entries across batches, with filters',
  usage: 'ferry queue [--batch BATCH] [--status STATUS[,STATUS…]] [--wide] [--repo DIR] [--json]',
  description:
    'Reads the status branch (like "ferry status", contacting nothing else) and lists its queue\n' +
    'entries, every batch\'s, by batch and name: status, import stage, window, target and message.\n' +
    '--status takes codes or texts (conflict, error, "Performing final import tasks"), several\n' +
    'separated by commas. The table fits the terminal (--wide prints every cell whole).',
  examples: ['ferry queue', 'ferry queue --status conflict,error', 'ferry queue --batch wave-1-web --status waiting --json'],
  options: {
    batch: { type: 'string', value: 'BATCH', description: 'only the entries of this batch' },
    ...STATUS_FILTER_OPTION,
    ...WIDE_OPTION,
  },
  async run(context) {
    const { state, store, revision, status } = await readStatusBranch(context.repoDir);
    const batch = parseBatch(context, new Set([...Object.keys(status.batches), ...(state?.batches.map((b) => b.meta.name) ?? [])]));
    const statuses = parseStatuses(context);
    const all = Object.values(status.entries);
    const listed = all
      .filter((e) => (batch === null || e.batch === batch) && (statuses === null || statuses.has(e.status)))
      .sort(byBatchAndName);
    if (context.json) {
      printJson(context.io, { branch: store.description, revision, total: all.length, matched: listed.length, entries: listed.map((e) => ({ batch: e.batch, ...entryJson(e) })) });
      return 0;
    }
    const out = context.io.stdout;
    if (revision === null) {
      out.write(`no status yet on ${store.description}: the queue is empty until "ferry apply" starts a batch\n`);
      return 0;
    }
    const color = paint(context.io, 'stdout');
    if (listed.length > 0) {
      out.write(fitTable(
        ['BATCH', 'INSTANCE', 'STATUS', 'STAGE', 'WINDOW', 'TARGET', 'MESSAGE'],
        listed.map((e) => [e.batch, e.name, ENTRY_STATUS_TEXT[e.status], e.import_stage, e.window ?? '—', `${e.placement.target_name}/${e.placement.target_project}`, e.message]),
        { width: terminalWidth(context), flex: [5, 6], style: (text, _row, column) => (column === 2 ? paintStatus(color, text) : text) },
      ));
    }
    out.write(`${listed.length} of ${plural(all.length, 'entry', 'entries')}${batch !== null || statuses !== null ? ' match' : ''}\n`);
    return 0;
  },
};

function byBatchAndName(a: QueueEntry, b: QueueEntry): number {
  if (a.batch !== b.batch) return a.batch < b.batch ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.uuid < b.uuid ? -1 : 1;
}
