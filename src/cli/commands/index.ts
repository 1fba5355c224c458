import type { Command } from '../command.js';

/** Every `ferry` subcommand, in the order `ferry --help` lists them. */
export const commands: Command[] = [];
