// The listings' filters: `--status` takes an entry status by its code (`conflict`, `final_import`)
// or its display text (`Conflict`, "Performing final import tasks"), several separated by commas;
// `--batch` a batch the repository or the status knows. A value that matches nothing is an
// operator's mistake, said with a suggestion.

import { ENTRY_STATUS_TEXT, type EntryStatusCode } from '../engine/status.js';
import { didYouMean } from '../text/suggest.js';
import { UsageError, type CommandContext, type OptionSpec } from './command.js';
import { quoted } from '../text/excerpt.js';

export const STATUS_FILTER_OPTION: Record<string, OptionSpec> = {
  status: { type: 'string', value: 'STATUS[,STATUS…]', description: 'only entries with this status (blocked, waiting, conflict, error, finished…; or the text: Conflict)' },
};

/** An entry status by its code or display text, any case; also `not-started` where a listing has instances without an entry. */
export function parseStatuses(context: Pick<CommandContext, 'options'>, extra: string[] = []): Set<string> | null {
  const value = context.options.status;
  if (typeof value !== 'string') return null;
  const codes = Object.keys(ENTRY_STATUS_TEXT) as EntryStatusCode[];
  const out = new Set<string>();
  for (const word of value.split(',').map((w) => w.trim()).filter((w) => w !== '')) {
    const lower = word.toLowerCase().replace(/[ -]/g, '_');
    const code = codes.find((c) => c === lower || ENTRY_STATUS_TEXT[c].toLowerCase() === word.toLowerCase()) ?? extra.find((e) => e.replace(/-/g, '_') === lower);
    if (code === undefined) throw new UsageError(`--status: no status ${quoted(word)}${didYouMean(lower, [...codes, ...extra])}; the statuses are ${[...codes, ...extra].join(', ')}`);
    out.add(code);
  }
  return out.size === 0 ? null : out;
}

/** `--batch`, checked against the batches that exist. */
export function parseBatch(context: Pick<CommandContext, 'options'>, known: Iterable<string>): string | null {
  const value = context.options.batch;
  if (typeof value !== 'string') return null;
  const names = [...known];
  if (!names.includes(value)) throw new UsageError(`no batch ${quoted(value)}${didYouMean(value, names)}`);
  return value;
}
