import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { resolutionSlug, resolutionYaml } from '../../repo/resolution-file.js';
import { hasErrors } from '../../model/problem.js';
import { apiNameProblem } from '../../placement/index.js';
import { memoryFiles } from '../../repo/files.js';
import { loadRepository } from '../../repo/load.js';
import { didYouMean } from '../../text/suggest.js';
import { UsageError, type Command } from '../command.js';
import { compileHooks } from '../../reconcile/compile-hooks.js';
import { printJson } from '../io.js';
import { loadFromContext } from '../repository.js';
import { quoted } from '../../text/excerpt.js';

const ACTIONS = ['resolve', 'retry', 'cancel', 'reset'] as const;
type ResolutionAction = (typeof ACTIONS)[number];

export const resolveCommand: Command = {
  name: 'resolve',
  summary: 'Write a Resolution file: resolve a conflict, retry, cancel, or reset a batch',
  usage: 'ferry resolve BATCH INSTANCE --action resolve|retry|cancel [--cleanup] [--comment TEXT]\n       ferry resolve BATCH --action reset [--force] [--comment TEXT]',
  description:
    'Writes resolutions/<date>-<action>-<instance>.yaml in the repository and prints its path. Nothing\n' +
    'happens until the file is committed and merged: the reconciler applies each resolution once.\n' +
    'resolve: re-check a Conflict entry (after fixing its cause). retry: queue a Canceled entry again.\n' +
    'cancel: stop an entry (--cleanup also deletes its target instance). reset: clear a batch\'s queue\n' +
    '(--force also resets entries past the point of no return).',
  examples: [
    'ferry resolve wave-1-web web-fe-03 --action resolve --comment "network web-dmz recreated"',
    'ferry resolve wave-2-db db-07 --action cancel --cleanup',
    'ferry resolve wave-0-pilot --action reset --force',
  ],
  options: {
    action: { type: 'string', value: 'ACTION', description: 'resolve, retry, cancel or reset' },
    cleanup: { type: 'boolean', description: 'with cancel: delete the target instance too' },
    force: { type: 'boolean', description: 'with reset: also reset committed entries' },
    comment: { type: 'string', value: 'TEXT', description: 'why, recorded in the ledger' },
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'the date in the file name (default: today, UTC)' },
  },
  async run(context) {
    const action = context.options.action;
    if (typeof action !== 'string') throw new UsageError('--action is required: resolve, retry, cancel or reset');
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`--action must be one of ${ACTIONS.join(', ')}${didYouMean(action, [...ACTIONS])}`);
    const act = action as ResolutionAction;
    const [batch, instance, ...extra] = context.positionals;
    if (batch === undefined) throw new UsageError('name the batch; see "ferry resolve --help"');
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    if (act === 'reset' && instance !== undefined) throw new UsageError('reset applies to a whole batch: give only the batch name');
    if (act !== 'reset' && instance === undefined) throw new UsageError(`${act} applies to one entry: give the batch and the instance (name, location or UUID)`);
    if (context.options.cleanup === true && act !== 'cancel') throw new UsageError('--cleanup only goes with --action cancel');
    if (context.options.force === true && act !== 'reset') throw new UsageError('--force only goes with --action reset');
    const date = typeof context.options.date === 'string' ? context.options.date : new Date().toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new UsageError('--date must look like 2026-11-21');

    const { result } = await loadFromContext(context);
    if (hasErrors(result.problems)) throw new UsageError('the repository has errors; run "ferry validate" and fix them first');
    const batches = result.state.batches.map((b) => b.meta.name);
    if (!batches.includes(batch)) throw new UsageError(`the repository has no batch ${quoted(batch)}${didYouMean(batch, batches)}`);

    const slug = resolutionSlug(instance ?? batch);
    const name = `${date}-${act}-${slug}`.slice(0, 63).replace(/-+$/, '');
    if (apiNameProblem(name) !== undefined) throw new UsageError(`cannot build a document name from ${quoted(instance ?? batch)}`);
    const text = resolutionYaml(name, {
      batch,
      ...(instance !== undefined ? { instance } : {}),
      action: act,
      ...(context.options.cleanup === true ? { cleanup: true } : {}),
      ...(context.options.force === true ? { force: true } : {}),
      ...(typeof context.options.comment === 'string' ? { comment: context.options.comment } : {}),
    });

    // The new file must load cleanly with the rest of the repository before it is written.
    const relPath = `resolutions/${name}.yaml`;
    const path = join(context.repoDir, relPath);
    const existing = await stat(path).then(() => true, () => false);
    if (existing) throw new UsageError(`${relPath} already exists; edit it (editing makes a new resolution) or pass another --date`);
    const check = await loadRepository(memoryFiles({ [relPath]: text, ...(await documentNames(result.documents.map((d) => d.file), context.repoDir)) }), { hooks: compileHooks() });
    const own = check.problems.filter((p) => p.file === relPath && p.severity === 'error');
    if (own.length > 0) throw new UsageError(`the resolution would not be valid: ${own.map((p) => p.message).join('; ')}`);

    await mkdir(join(context.repoDir, 'resolutions'), { recursive: true });
    await writeFile(path, text, { flag: 'wx' });
    if (context.json) printJson(context.io, { path: relPath, name, batch, instance: instance ?? null, action: act });
    else {
      context.io.stdout.write(`wrote ${relative(context.io.cwd, path) || path}\n`);
      context.io.stdout.write('commit it and merge it; the reconciler applies it once (see "ferry status" for the outcome)\n');
    }
    return 0;
  },
};

/** The other documents' files, read into memory, so the new one is checked against them. */
async function documentNames(files: string[], root: string): Promise<Record<string, string>> {
  const unique = [...new Set(files)];
  const texts = await Promise.all(unique.map((file) => readFile(join(root, file), 'utf8')));
  return Object.fromEntries(unique.map((file, i) => [file, texts[i]!]));
}
