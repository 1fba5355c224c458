import { identityText, operatorIdentity, UnknownIdentityError } from '../../reconcile/pauses.js';
import { examineStatusBranch, planRepair, writeRepair, type Refusal } from '../../store/index.js';
import type { Command } from '../command.js';
import { commitJson, commitLine, damageLines, skippedJson, WHOLE_LINES, wrapped } from '../damage-view.js';
import { OperatorError } from '../failure.js';
import { plural, terminalWidth, truncate } from '../format.js';
import { printJson } from '../io.js';
import { openStatusBranch } from './status.js';

export const repairCommand: Command = {
  name: 'repair',
  summary: 'Write the last readable status again on top of a damaged status branch: one new commit, nothing rewritten',
  usage: 'ferry repair [--from COMMIT] [--discard-reconciler-commits] [--wide] [--repo DIR] [--json]',
  description:
    'Finds the damage as "ferry doctor" does, says what it will do, and writes ONE new commit on top\n' +
    'of the tip (compare-and-swap; nothing is rewritten) holding the status of the last readable\n' +
    'commit, or of an older one named with --from, in the current format. The commit is authored by\n' +
    'you (git config user.name and user.email, or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL). The next\n' +
    'tick of a reconciler re-observes the sources and targets and carries on from that status. It\n' +
    'refuses, writing nothing, when the branch reads, when a newer Ferry wrote it (it names the\n' +
    'Ferry to run), when no commit reads, across a merge, and over commits Ferry itself wrote\n' +
    '(unless --discard-reconciler-commits): see docs/operations.md, "Repairing the status branch".',
  examples: ['ferry repair', 'ferry repair --from 7279879abcd1 --discard-reconciler-commits'],
  options: {
    from: { type: 'string', value: 'COMMIT', description: 'go back to this readable commit of the branch instead of the last readable one' },
    'discard-reconciler-commits': { type: 'boolean', description: 'go over commits Ferry wrote too, discarding what they recorded (the reconciler re-observes)' },
    ...WHOLE_LINES,
  },
  async run(context) {
    const { store } = await openStatusBranch(context.repoDir, context.log);
    const diagnosis = await examineStatusBranch(store);
    const request = {
      from: typeof context.options.from === 'string' ? context.options.from : null,
      discardReconcilerCommits: context.options['discard-reconciler-commits'] === true,
    };
    const plan = await planRepair(store, diagnosis, request);
    if ('code' in plan) throw refused(plan);
    let author;
    try {
      author = await operatorIdentity(context.repoDir, context.io.env);
    } catch (error) {
      if (!(error instanceof UnknownIdentityError)) throw error;
      throw new OperatorError('repair-no-identity', 'Git does not know who you are, and a repair commit records who made it', {
        hint: 'set git config user.name and user.email (or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL)',
      });
    }
    const width = terminalWidth(context);
    const out = context.io.stdout;
    if (!context.json) {
      out.write(
        [
          ...wrapped(`${store.description} does not read at its tip ${plan.tip.slice(0, 12)}`, width),
          truncate(`going back to ${commitLine(plan.base)}`, width),
          `over ${plural(plan.skipped.length, 'commit')} (newest first):`,
          ...damageLines(plan.skipped, width),
          ...wrapped(`writing the status of ${plan.base.id.slice(0, 12)} again as one new commit on top of ${plan.tip.slice(0, 12)}, authored by ${identityText(author)}`, width),
          '',
        ].join('\n'),
      );
    }
    const written = await writeRepair(store, plan, author);
    if ('code' in written) throw refused(written);
    if (context.json) {
      printJson(context.io, {
        branch: store.description,
        revision: written.revision,
        tip: plan.tip,
        repaired_from: commitJson(plan.base),
        skipped: plan.skipped.map(skippedJson),
        author: identityText(author),
      });
      return 0;
    }
    const done = [
      `repaired: ${store.description} @ ${written.revision.slice(0, 12)}`,
      'the next tick of a reconciler ("ferry apply", the scheduled Action) re-observes the sources and targets and carries on from this status; what the commits gone over changed is not in it',
    ];
    out.write(`${done.flatMap((line) => wrapped(line, width)).join('\n')}\n`);
    return 0;
  },
};

function refused(refusal: Refusal): OperatorError {
  return new OperatorError(refusal.code, refusal.message, { hint: refusal.hint });
}
