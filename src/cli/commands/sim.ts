import { UsageError, type Command } from '../command.js';
import { WIDE_OPTION } from '../format.js';
import { resetWorld } from './sim-reset.js';
import { showWorld } from './sim-show.js';
import { quoted } from '../../text/excerpt.js';

const SUBCOMMANDS = ['show', 'reset'] as const;

export const simCommand: Command = {
  name: 'sim',
  summary: 'The built-in simulator\'s world: show it, or forget it to rehearse again',
  usage: 'ferry sim show [--source NAME] [--target NAME] [--vm VM] [--active] [--last N] [--wide] | ferry sim reset [--yes] [--repo DIR] [--json]',
  description:
    'The simulated world of a campaign with sim Sources and Targets lives in the repository\'s Git\n' +
    'directory, .git/ferry/sim/world.json (a snapshot, with world.json.journal and the history of what\n' +
    'ended, world.json.history/, beside it); it is never committed. The first "ferry apply" creates it\n' +
    'from the repository.\n' +
    '\n' +
    'show    the world as its files hold it: the simulated clock, the VMs of the simulated vCenter with\n' +
    '        their power, the target instances, the operations with their start and end times (and\n' +
    '        transfer progress), the scripted events, and the newest entries of the execution journal\n' +
    '        (every provider call: executed, repeat or refused). --source, --target and --vm narrow\n' +
    '        everything to what concerns them; --active keeps the operations still running; --last N\n' +
    '        the ended operations and the journal entries shown, the newest (default 20, 0 for all).\n' +
    '        Tables fit the terminal (--wide: whole).\n' +
    'reset   forgets the world, so the next apply builds it afresh from the repository, its clock at\n' +
    '        the Simulation\'s start. A local status branch (spec.status.local) of a wholly simulated\n' +
    '        campaign is deleted with it: it records migrations of the world being forgotten. Without\n' +
    '        --yes it only says what it would forget, and exits 1. Refused while an apply has the\n' +
    '        world open.',
  examples: ['ferry sim show', 'ferry sim show --vm web-01', 'ferry sim show --active --json', 'ferry sim reset', 'ferry sim reset --yes'],
  options: {
    source: { type: 'string', value: 'NAME', description: 'show: what concerns this sim source (its VMs, their instances and operations)' },
    target: { type: 'string', value: 'NAME', description: 'show: what concerns this sim target' },
    vm: { type: 'string', value: 'VM', description: 'show: what concerns this VM (name, location or UUID)' },
    active: { type: 'boolean', description: 'show: only the operations still running' },
    last: { type: 'string', value: 'N', description: 'show: the newest N ended operations and journal entries (default 20; 0: all)' },
    ...WIDE_OPTION,
    yes: { type: 'boolean', description: 'reset: forget the world (without it, reset only says what it would forget)' },
  },
  async run(context) {
    const [command, ...extra] = context.positionals;
    if (command === undefined) throw new UsageError(`say what to do: ferry sim ${SUBCOMMANDS.join('|')}`);
    if (!(SUBCOMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command ${quoted(command)}: ferry sim ${SUBCOMMANDS.join('|')}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument ${quoted(extra[0]!)}`);
    const only = (options: string[], sub: string) => {
      for (const option of options) if (context.options[option] !== undefined) throw new UsageError(`--${option} is for "ferry sim ${sub}"`);
    };
    if (command === 'show') {
      only(['yes'], 'reset');
      return showWorld(context);
    }
    only(['source', 'target', 'vm', 'active', 'last', 'wide'], 'show');
    return resetWorld(context);
  },
};
