import type { Command } from '../command.js';
import { convertCommand } from './convert.js';
import { initCommand } from './init.js';
import { placementCommand } from './placement.js';
import { queryCommand } from './query.js';
import { validateCommand } from './validate.js';

/** Every `ferry` subcommand, in the order `ferry --help` lists them. */
export const commands: Command[] = [initCommand, validateCommand, queryCommand, placementCommand, convertCommand];
