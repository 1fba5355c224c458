import { examineStatusBranch, healthOf, repairRefusal, type Diagnosis } from '../../store/index.js';
import type { Command } from '../command.js';
import { commitJson, commitLine, damageLines, skippedJson, WHOLE_LINES, wrapped } from '../damage-view.js';
import { plural, terminalWidth, truncate } from '../format.js';
import { printJson } from '../io.js';
import { paint } from '../paint.js';
import { openStatusBranch } from './status.js';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check that the status branch reads; when it does not, name the last commit that does and the damage after it',
  usage: 'ferry doctor [--wide] [--repo DIR] [--json]',
  description:
    'Reads the status branch (fetched from its remote unless local) from its tip back along its\n' +
    'first parents, decoding each commit as every reader does, until one reads (at most 1,000\n' +
    'commits). Prints "healthy" (exit 0), or the last readable commit and every commit after it\n' +
    'with the first problem found in it, and what "ferry repair" would do about it (exit 1). It never\n' +
    'walks past a commit of a newer status format: it names the Ferry to run instead. Writes nothing.',
  examples: ['ferry doctor', 'ferry doctor --json'],
  options: { ...WHOLE_LINES },
  async run(context) {
    const { store } = await openStatusBranch(context.repoDir, context.log);
    const diagnosis = await examineStatusBranch(store);
    const health = healthOf(diagnosis);
    const refusal = repairRefusal(diagnosis, diagnosis.damaged, { from: null, discardReconcilerCommits: false });
    const exit = health === 'healthy' || health === 'no-status' ? 0 : 1;
    if (context.json) {
      printJson(context.io, {
        branch: store.description,
        health,
        tip: diagnosis.tip,
        readable: diagnosis.readable && commitJson(diagnosis.readable),
        damaged: diagnosis.damaged.map(skippedJson),
        walk: { commits: diagnosis.damaged.length + (diagnosis.readable ? 1 : 0), limit: diagnosis.limit, stopped: diagnosis.stopped },
        repair: exit === 0 ? null : refusal === null ? { refused: false } : { refused: true, code: refusal.code, message: refusal.message, hint: refusal.hint },
      });
      return exit;
    }
    const color = paint(context.io, 'stdout');
    const width = terminalWidth(context);
    const lines: string[] = [];
    if (health === 'no-status') lines.push(...wrapped(`no status branch yet (${store.description}): nothing to check`, width));
    else if (health === 'healthy') {
      const [first, ...rest] = wrapped(`healthy: ${store.description} reads at its tip`, width);
      lines.push(color.green('healthy') + first!.slice('healthy'.length), ...rest, truncate(`  ${commitLine(diagnosis.readable!)}`, width));
    } else {
      const verdict = health === 'newer-format' ? 'newer format' : 'damaged';
      const [first, ...rest] = wrapped(`${verdict}: ${store.description} does not read at its tip ${diagnosis.tip!.slice(0, 12)}`, width);
      lines.push(color.red(verdict) + first!.slice(verdict.length), ...rest, '');
      lines.push(...readableLines(diagnosis, width));
      lines.push(`${plural(diagnosis.damaged.length, 'commit')} ${diagnosis.readable ? 'after it' : 'walked'} ${diagnosis.damaged.length === 1 ? 'does' : 'do'} not read (newest first):`);
      lines.push(...damageLines(diagnosis.damaged, width), '');
      lines.push(
        ...wrapped(
          refusal === null
            ? `next: "ferry repair" writes the status of ${diagnosis.readable!.id.slice(0, 12)} again as one new commit on top of the tip (nothing is rewritten; what the commits above changed is not carried over)`
            : `"ferry repair" refuses: ${refusal.code}: ${refusal.message}; ${refusal.hint}`,
          width,
        ),
      );
    }
    context.io.stdout.write(`${lines.join('\n')}\n`);
    return exit;
  },
};

function readableLines(diagnosis: Diagnosis, width: number): string[] {
  if (diagnosis.readable !== null) return ['last readable commit:', truncate(`  ${commitLine(diagnosis.readable)}`, width)];
  if (diagnosis.stopped === 'newer-format') return wrapped('the walk stops at the commit of a newer format: this Ferry does not judge what a newer one wrote', width);
  if (diagnosis.stopped === 'limit') return [`no readable commit: the walk stopped after ${diagnosis.limit} commits, none of which reads`];
  if (diagnosis.stopped === 'shallow') return wrapped('no readable commit back to where this shallow clone\'s history ends: run it in a full clone ("git fetch --unshallow")', width);
  return ['no readable commit: none reads, back to the branch\'s first commit'];
}
