import { ENTRY_STATUS_TEXT, type QueueEntry } from '../../engine/status.js';
import { compileExpression } from '../../expr/compile.js';
import { formatExprError } from '../../expr/format.js';
import { expressionView } from '../../expr/view.js';
import { withInstanceOverrides } from '../../model/migration-manager-json.js';
import type { InstanceRecord } from '../../model/instance.js';
import { didYouMean } from '../../text/suggest.js';
import { UsageError, type Command } from '../command.js';
import { parseBatch, parseStatuses, STATUS_FILTER_OPTION } from '../filters.js';
import { bytes, fitTable, plural, terminalWidth, WIDE_OPTION } from '../format.js';
import { repositoryInventoryProvider } from '../inventory.js';
import { printJson } from '../io.js';
import { paint, paintStatus } from '../paint.js';
import { evaluationLimitsFor } from '../trust.js';
import { readStatusBranch } from './status.js';
import { quoted } from '../../text/excerpt.js';

/** An instance without a queue entry: no batch has claimed it (yet). */
const NOT_QUEUED = 'not_queued';

/** `ferry instances`: the inventory with each instance's fields and where it is in the campaign. */
export const instancesCommand: Command = {
  name: 'instances',
  summary: 'List the source instances: CPUs, memory, OS, power, batch and status, with filters',
  usage: 'ferry instances [--where EXPR] [--source SOURCE] [--batch BATCH] [--status STATUS[,STATUS…]] [--wide] [--repo DIR] [--json]',
  description:
    'Lists the instances of the repository\'s sources — the last inventory the status branch holds for\n' +
    'each source, or else the simulated source\'s inventory file — after the instance overrides, with\n' +
    'the batch whose queue entry holds each one and that entry\'s status (not_queued: none yet).\n' +
    '--where EXPR filters with an include expression (docs/expressions.md), within the trusted\n' +
    'revision\'s expression budget, like "ferry query". Contacts no vCenter or Incus.',
  examples: ['ferry instances', `ferry instances --where "cpus >= 4 and os matches 'Windows'"`, 'ferry instances --status not_queued --json'],
  options: {
    where: { type: 'string', value: 'EXPR', description: 'only the instances this include expression selects' },
    source: { type: 'string', value: 'SOURCE', description: 'only the instances of this source' },
    batch: { type: 'string', value: 'BATCH', description: 'only the instances whose entry is in this batch' },
    ...STATUS_FILTER_OPTION,
    ...WIDE_OPTION,
  },
  async run(context) {
    const where = typeof context.options.where === 'string' ? context.options.where : null;
    const compiled = where === null ? null : compileExpression(where, { limits: (await evaluationLimitsFor(context, { askRemote: false })).expression });
    if (compiled !== null && !compiled.ok) throw new UsageError(`--where: the expression is not valid:\n${compiled.errors.map((error) => formatExprError(where!, error, '  ')).join('\n')}`);
    const { state, revision, status } = await readStatusBranch(context.repoDir);
    const lookup = await repositoryInventoryProvider.instances(context.repoDir);
    if (!lookup.found) throw new UsageError(lookup.reason);
    // The status branch's last sync of a source is newer than its inventory file (power changes).
    const synced = Object.entries(status.inventory);
    const fromStatus = state === null ? [] : withInstanceOverrides(synced.flatMap(([source, inventory]) => inventory.instances.map((i) => ({ ...i, source }))), state);
    const instances = [...lookup.instances.filter((i) => status.inventory[i.source] === undefined), ...fromStatus];

    const sources = [...new Set([...(state?.sources.map((s) => s.meta.name) ?? []), ...instances.map((i) => i.source)])];
    const source = typeof context.options.source === 'string' ? context.options.source : null;
    if (source !== null && !sources.includes(source)) throw new UsageError(`no source ${quoted(source)}${didYouMean(source, sources)}`);
    const batch = parseBatch(context, new Set([...Object.keys(status.batches), ...(state?.batches.map((b) => b.meta.name) ?? [])]));
    const statuses = parseStatuses(context, [NOT_QUEUED]);

    const listed: { instance: InstanceRecord; entry: QueueEntry | null }[] = [];
    for (const instance of instances) {
      const entry = status.entries[instance.uuid] ?? null;
      if (source !== null && instance.source !== source) continue;
      if (batch !== null && entry?.batch !== batch) continue;
      if (statuses !== null && !statuses.has(entry?.status ?? NOT_QUEUED)) continue;
      if (compiled !== null) {
        const result = compiled.expression.matches(expressionView(instance));
        if (!result.ok) {
          // Out of budget: the expression, not the instance, is at fault.
          throw new UsageError(`--where: the expression ${result.error.code === 'expr-budget' ? 'ran out of budget' : 'failed'} on instance ${instance.location}:\n${formatExprError(where!, result.error, '  ')}`);
        }
        if (!result.value) continue;
      }
      listed.push({ instance, entry });
    }
    listed.sort((a, b) => (a.instance.name < b.instance.name ? -1 : a.instance.name > b.instance.name ? 1 : a.instance.uuid < b.instance.uuid ? -1 : 1));

    if (context.json) {
      printJson(context.io, {
        revision,
        total: instances.length,
        matched: listed.length,
        instances: listed.map(({ instance: i, entry }) => ({
          name: expressionView(i).name,
          location: i.location,
          uuid: i.uuid,
          source: i.source,
          cpus: i.cpus,
          memory: i.memory,
          os: i.os,
          running: i.running,
          batch: entry?.batch ?? null,
          status: entry?.status ?? NOT_QUEUED,
        })),
      });
      return 0;
    }
    const color = paint(context.io, 'stdout');
    if (listed.length > 0) {
      context.io.stdout.write(fitTable(
        ['NAME', 'SOURCE', 'CPUS', 'MEMORY', 'OS', 'POWER', 'BATCH', 'STATUS', 'LOCATION'],
        listed.map(({ instance: i, entry }) => [
          expressionView(i).name,
          i.source,
          String(i.cpus),
          bytes(i.memory),
          i.os || '—',
          i.running ? 'on' : 'off',
          entry?.batch ?? '—',
          entry ? ENTRY_STATUS_TEXT[entry.status] : 'not queued',
          i.location,
        ]),
        { width: terminalWidth(context), flex: [4, 8], style: (text, _row, column) => (column === 7 ? paintStatus(color, text) : text) },
      ));
    }
    context.io.stdout.write(`${listed.length} of ${plural(instances.length, 'instance')}${listed.length < instances.length ? ' match' : ''}\n`);
    return 0;
  },
};
