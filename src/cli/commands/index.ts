import type { Command } from '../command.js';
import { validateCommand } from './validate.js';

/** Every `ferry` subcommand, in the order `ferry --help` lists them. */
export const commands: Command[] = [validateCommand];
