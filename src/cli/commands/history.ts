import { entryLife, ENTRY_STATUS_TEXT, type LifeTransition } from '../../engine/index.js';
import { UsageError, type Command } from '../command.js';
import { isoTime } from '../format.js';
import { printJson } from '../io.js';
import { paint } from '../paint.js';
import { readStatusBranch } from './status.js';

export const historyCommand: Command = {
  name: 'history',
  summary: 'Show the whole life of an instance\'s migration: every transition, across batches, attempts and resets',
  usage: 'ferry history INSTANCE [--repo DIR] [--json]',
  description:
    'INSTANCE is a UUID, an inventory location, or a name (when unique). Reads the status branch only\n' +
    '(no provider is contacted) and prints every transition the reconciler made for the instance\'s\n' +
    'queue entries, oldest first, grouped by batch and attempt: those the entry still holds and those\n' +
    'the status archived (older ones, and those of entries a reset removed). Nothing is ever cut; a\n' +
    'back-and-forth that repeats (background passes) is shown once with how often and until when.',
  examples: ['ferry history web-fe-03', 'ferry history 4210a0c3-0000-4000-8000-000000000003 --json'],
  options: {},
  async run(context) {
    if (context.positionals.length !== 1) throw new UsageError('name one instance: its UUID, location or name');
    const { store, revision, status } = await readStatusBranch(context.repoDir, context.log);
    const result = entryLife(status, context.positionals[0]!);
    if (!result.ok) {
      const more = result.candidates.map((c) => `\n  ${c.name}  ${c.location}  ${c.uuid}`).join('');
      throw new UsageError(`${result.message}${more}`);
    }
    const life = result.life;
    if (context.json) {
      printJson(context.io, {
        branch: store.description,
        revision,
        instance: { uuid: life.uuid, name: life.name, location: life.location, source: life.source },
        entry: life.entry && { ...life.entry, status_text: ENTRY_STATUS_TEXT[life.entry.status] },
        transitions: life.transitions.map((t) => ({
          at: new Date(t.at).toISOString(),
          batch: t.batch,
          attempt: t.attempt,
          from: t.from,
          to: t.to,
          to_text: ENTRY_STATUS_TEXT[t.to],
          message: t.message,
          repeats: t.repeats ? { times: t.repeats.times, last_at: new Date(t.repeats.last_at).toISOString() } : null,
        })),
      });
      return 0;
    }
    const color = paint(context.io, 'stdout');
    const lines: string[] = [];
    lines.push(`${color.bold(life.name ?? life.uuid)}  ${life.location ?? '(no longer in the synced inventory)'}  (${life.uuid}${life.source ? `, source ${life.source}` : ''})`);
    lines.push(life.entry
      ? `  now: ${color.bold(ENTRY_STATUS_TEXT[life.entry.status])} in batch ${life.entry.batch}, attempt ${life.entry.attempt}`
      : '  now: no queue entry');
    if (life.transitions.length === 0) lines.push('  no transitions recorded');
    let group = '';
    for (const t of life.transitions) {
      const heading = `batch ${t.batch}, attempt ${t.attempt}`;
      if (heading !== group) {
        lines.push(`  ${heading}:`);
        group = heading;
      }
      lines.push(`    ${transitionLine(t)}`);
    }
    lines.push(color.dim(`  (status ${store.description}${revision ? ` @ ${revision.slice(0, 12)}` : ', nothing applied yet'})`));
    context.io.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};

/** One transition as `ferry history` and `ferry explain` print it. */
export function transitionLine(t: Omit<LifeTransition, 'batch'>): string {
  const again = t.repeats ? ` (${t.repeats.times} more time${t.repeats.times === 1 ? '' : 's'}, the last at ${isoTime(t.repeats.last_at)})` : '';
  return `${isoTime(t.at)}  ${t.from ? `${ENTRY_STATUS_TEXT[t.from]} → ` : ''}${ENTRY_STATUS_TEXT[t.to]}${t.message ? ` — ${t.message}` : ''}${again}`;
}
