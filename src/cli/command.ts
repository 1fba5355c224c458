import type { Logger } from 'pino';
import type { CliIo } from './io.js';

export type OptionSpec =
  | { type: 'boolean'; short?: string; description: string }
  | { type: 'string'; short?: string; description: string; value: string; multiple?: boolean };

export interface CommandContext {
  io: CliIo;
  log: Logger;
  positionals: string[];
  options: Record<string, string | boolean | string[] | undefined>;
  /** `--repo`, resolved against the working directory (default: the working directory). */
  repoDir: string;
  json: boolean;
}

/** One `ferry` subcommand: its help text and what it does. Returns the exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  examples: string[];
  options: Record<string, OptionSpec>;
  run(context: CommandContext): Promise<number>;
}

/** An operator's mistake on the command line: printed as one line, exit code 1, no stack. */
export class UsageError extends Error {}
