import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type Command, type OptionSpec } from './command.js';
import { commands } from './commands/index.js';
import { renderCommandHelp, renderMainHelp } from './help.js';
import type { CliIo } from './io.js';
import { createLogger, LOG_LEVELS } from './log.js';
import { terminalIo } from './terminal.js';
import { closest } from '../text/suggest.js';

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  repo: { type: 'string', value: 'DIR', description: 'the desired-state repository (default: the working directory)' },
  json: { type: 'boolean', description: 'print machine-readable JSON with a format_version' },
  'log-level': { type: 'string', value: 'LEVEL', description: `structured log level on stderr: ${LOG_LEVELS.join(', ')} (default: warn)` },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

/**
 * Runs `ferry ARGV` and returns the process exit code. Never throws for operator mistakes.
 * Everything the command writes goes through the terminal sink (./terminal.ts).
 */
export async function runCli(argv: string[], streams: CliIo): Promise<number> {
  const io = terminalIo(streams);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : commands.find((c) => c.name === topic);
    io.stdout.write(command ? renderCommandHelp(command, GLOBAL_OPTIONS) : renderMainHelp(commands, GLOBAL_OPTIONS));
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === 'version') {
    io.stdout.write(`ferry ${await ferryVersion()}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const hint = closestCommand(name);
    io.stderr.write(`ferry: unknown command "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; see "ferry --help"\n`);
    return 1;
  }
  return runCommand(command, rest, io);
}

async function runCommand(command: Command, argv: string[], io: CliIo): Promise<number> {
  const specs = { ...GLOBAL_OPTIONS, ...command.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(specs).map(([key, spec]) => [
          key,
          { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.type === 'string' && spec.multiple ? { multiple: true } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.stderr.write(`ferry ${command.name}: ${(error as Error).message}; see "ferry ${command.name} --help"\n`);
    return 1;
  }
  const options = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (options.help) {
    io.stdout.write(renderCommandHelp(command, GLOBAL_OPTIONS));
    return 0;
  }
  const level = typeof options['log-level'] === 'string' ? options['log-level'] : 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    io.stderr.write(`ferry ${command.name}: --log-level must be one of ${LOG_LEVELS.join(', ')}\n`);
    return 1;
  }
  const log = createLogger(level, io.stderr);
  const repoDir = resolve(io.cwd, typeof options.repo === 'string' ? options.repo : '.');
  try {
    return await command.run({ io, log, positionals: parsed.positionals, options, repoDir, json: options.json === true });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`ferry ${command.name}: ${error.message}\n`);
      return 1;
    }
    // A bug, not an operator mistake: say so plainly, keep the details in the structured log.
    log.error({ err: error }, 'internal error');
    io.stderr.write(`ferry ${command.name}: internal error: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}

function closestCommand(name: string): string | undefined {
  return closest(name, commands.map((c) => c.name));
}

async function ferryVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const url = new URL('../../package.json', import.meta.url);
  const pkg = JSON.parse(await readFile(url, 'utf8')) as { version: string };
  return pkg.version;
}
