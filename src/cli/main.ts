import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, OptionSpec } from './command.js';
import { commands } from './commands/index.js';
import { renderCommandHelp, renderMainHelp } from './help.js';
import type { CliIo } from './io.js';
import { createLogger, LOG_LEVELS } from './log.js';
import { terminalIo } from './terminal.js';
import { describeFailure, failureLine, oneLine, OperatorError, printFailureJson, type Failure } from './failure.js';
import { closest } from '../text/suggest.js';
import { FERRY_VERSION } from '../model/version.js';
import { excerpt, quoted } from '../text/excerpt.js';

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
    io.stdout.write(`ferry ${FERRY_VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const hint = closestCommand(name);
    const message = `${quoted(name)} is not a command${hint ? ` (did you mean "${hint}"?)` : ''}`;
    return fail(io, 'ferry', rest.includes('--json'), { code: 'unknown-command', message, hint: 'see "ferry --help"' });
  }
  return runCommand(command, rest, io);
}

/** Reports a failure — one line on stderr, or with --json one JSON line on stdout — and returns the exit code. */
function fail(io: CliIo, who: string, json: boolean, failure: Failure): number {
  if (json) printFailureJson(io, failure);
  else io.stderr.write(failureLine(who, failure));
  return 1;
}

/** A command-line parsing error, with "did you mean" for an unknown option. */
function parseFailure(command: Command, specs: Record<string, OptionSpec>, error: unknown): Failure {
  const { code, message } = error as { code?: string; message: string };
  const help = `see "ferry ${command.name} --help"`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'(-[^']*)'/.exec(message)?.[1] ?? message;
    const name = given.replace(/^-+/, '').replace(/=.*$/, '');
    const flags = Object.entries(specs).flatMap(([long, spec]) => [long, ...(spec.short ? [spec.short] : [])]);
    const hint = closest(name, flags);
    const suggestion = hint === undefined ? '' : ` (did you mean ${hint.length === 1 ? '-' : '--'}${hint}?)`;
    return { code: 'unknown-option', message: `unknown option ${excerpt(given)}${suggestion}`, hint: help };
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return { code: 'bad-option-value', message: oneLine(message), hint: help };
  return { code: 'usage', message: `${oneLine(message)}; ${help}` };
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
    return fail(io, `ferry ${command.name}`, argv.includes('--json'), parseFailure(command, specs, error));
  }
  const options = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const json = options.json === true;
  const who = `ferry ${command.name}`;
  if (options.help) {
    io.stdout.write(renderCommandHelp(command, GLOBAL_OPTIONS));
    return 0;
  }
  const level = typeof options['log-level'] === 'string' ? options['log-level'] : 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    const hint = closest(level, LOG_LEVELS);
    return fail(io, who, json, { code: 'bad-option-value', message: `--log-level must be one of ${LOG_LEVELS.join(', ')}${hint ? ` (did you mean ${hint}?)` : ''}` });
  }
  const log = createLogger(level, io.stderr);
  const repoDir = resolve(io.cwd, typeof options.repo === 'string' ? options.repo : '.');
  try {
    // init writes the directory it is given; every other command reads one that must exist.
    if (typeof options.repo === 'string' && command.name !== 'init' && !(await stat(repoDir).catch(() => undefined))?.isDirectory()) {
      throw new OperatorError('repo-not-found', `the repository directory ${repoDir} does not exist`, { hint: 'name the campaign repository with --repo DIR' });
    }
    return await command.run({ io, log, positionals: parsed.positionals, options, repoDir, json });
  } catch (error) {
    const failure = describeFailure(error);
    if (failure !== null) {
      log.debug({ err: error }, 'command failed');
      return fail(io, who, json, failure);
    }
    // A bug, not an operator mistake: one line that says so; the stack only in the debug log.
    log.debug({ err: error }, 'internal error');
    const message = oneLine(error instanceof Error ? error.message : String(error)) || String(error);
    return fail(io, who, json, { code: 'internal', message, hint: 'this is a bug in Ferry: run again with --log-level debug for the stack, and report it' });
  }
}

function closestCommand(name: string): string | undefined {
  return closest(name, commands.map((c) => c.name));
}
