import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatProblem } from '../../model/problem.js';
import { convertFile } from '../../repo/convert.js';
import { isFerryFile, readIgnoreFile } from '../../repo/load.js';
import { CURRENT_API_VERSION } from '../../repo/versions/index.js';
import { UsageError, type Command } from '../command.js';
import { printJson } from '../io.js';
import { repositoryFiles } from '../repository.js';

export const convertCommand: Command = {
  name: 'convert',
  summary: `Rewrite documents of older formats (migration-manager batches included) as ${CURRENT_API_VERSION}`,
  usage: 'ferry convert [FILE…] [--repo DIR] [--check] [--json]',
  description:
    'Finds documents in an older format — a batch exported from migration-manager (batch show -f yaml),\n' +
    'or an older Ferry apiVersion — and rewrites them in place, keeping comments and key order.\n' +
    'Nothing is written when any file has a YAML error. --check only reports (exit 1 if a file would change).',
  examples: ['ferry convert --repo .', 'ferry convert batches/imported.yaml', 'ferry convert --check'],
  options: {
    check: { type: 'boolean', description: 'report what would change and exit 1 if anything would; write nothing' },
  },
  async run(context) {
    const files = await repositoryFiles(context);
    const listing = await files.list();
    const named = context.positionals.length > 0;
    // Without names: the files validate reads — not those .ferryignore excludes, nor YAML that is not Ferry's.
    const ignore = named ? undefined : await readIgnoreFile(files, []);
    let wanted = named ? context.positionals.map((p) => p.replace(/^\.\//, '')) : listing.map((f) => f.path).filter((p) => /\.ya?ml$/.test(p) && !ignore!.ignores(p));
    const known = new Set(listing.map((f) => f.path));
    for (const path of wanted) if (!known.has(path)) throw new UsageError(`${path} is not a file of the repository ${context.repoDir}`);
    const texts = await files.readAll(wanted);
    if (!named) wanted = wanted.filter((path) => isFerryFile(path, texts.get(path) ?? ''));
    const results = wanted.map((path) => ({ path, ...convertFile(path, texts.get(path) ?? '') }));
    const problems = results.flatMap((r) => r.problems);
    const changed = results.filter((r) => r.changed);
    const notes = results.flatMap((r) => r.notes);
    const check = context.options.check === true;
    if (problems.length === 0 && !check) {
      // Write every file to a temporary name first, then rename: no half-converted repository.
      for (const result of changed) await writeFile(join(context.repoDir, `${result.path}.ferry-convert`), result.text);
      for (const result of changed) await rename(join(context.repoDir, `${result.path}.ferry-convert`), join(context.repoDir, result.path));
    }
    if (context.json) {
      printJson(context.io, {
        converted: problems.length === 0 && !check ? changed.map((r) => r.path) : [],
        would_convert: check ? changed.map((r) => r.path) : [],
        notes,
        problems,
      });
    } else {
      for (const problem of problems) context.io.stdout.write(`${formatProblem(problem)}\n`);
      for (const result of changed) context.io.stdout.write(`${check ? 'would convert' : problems.length ? 'not converted' : 'converted'} ${result.path}\n`);
      for (const note of notes) context.io.stdout.write(`  note: ${note}\n`);
      if (changed.length === 0 && problems.length === 0) context.io.stdout.write(`every document is already ${CURRENT_API_VERSION}\n`);
    }
    if (problems.length > 0) return 1;
    return check && changed.length > 0 ? 1 : 0;
  },
};
