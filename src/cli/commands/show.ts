import { UsageError, type Command } from '../command.js';
import { terminalWidth, WIDE_OPTION } from '../format.js';
import { printJson } from '../io.js';
import { paint } from '../paint.js';
import { renderSavedPlan } from '../plan-view.js';
import { readSavedPlan } from '../saved-plan.js';

/** `ferry show PLAN`: a saved plan, shown again as `ferry plan` showed it (as `terraform show`). */
export const showCommand: Command = {
  name: 'show',
  summary: 'Show a plan saved with "ferry plan --out", as ferry plan printed it',
  usage: 'ferry show PLAN [--wide] [--json]',
  description:
    'Reads a plan file written by "ferry plan --out" and prints it as "ferry plan" did: the entry\n' +
    'changes, the actions, the problems and the forecast (entering, leaving, placement changes,\n' +
    'conflicts, predicted cutovers per window). Contacts nothing and reads no repository. --json\n' +
    'prints the file\'s document. A plan file of a newer Ferry, or a damaged one, is refused with a\n' +
    'coded error (plan-newer-format, plan-invalid).',
  examples: ['ferry plan --out plan.json && ferry show plan.json', 'ferry show plan.json --json'],
  options: { ...WIDE_OPTION },
  async run(context) {
    if (context.positionals.length !== 1) throw new UsageError('give one plan file, e.g. ferry show plan.json');
    const plan = await readSavedPlan(context, context.positionals[0]!);
    if (context.json) {
      const { format_version: _v, ...body } = plan;
      printJson(context.io, body);
      return 0;
    }
    context.io.stdout.write(renderSavedPlan(plan, { color: paint(context.io, 'stdout'), width: terminalWidth(context) }));
    return 0;
  },
};
