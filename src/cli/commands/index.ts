import type { Command } from '../command.js';
import { convertCommand } from './convert.js';
import { doctorCommand } from './doctor.js';
import { applyCommand } from './apply.js';
import { explainCommand } from './explain.js';
import { githubCommand } from './github.js';
import { historyCommand } from './history.js';
import { initCommand } from './init.js';
import { pauseCommand, resumeCommand } from './pause.js';
import { placementCommand } from './placement.js';
import { planCommand } from './plan.js';
import { queryCommand } from './query.js';
import { resolveCommand } from './resolve.js';
import { simCommand } from './sim.js';
import { showCommand } from './show.js';
import { queueCommand } from './queue.js';
import { repairCommand } from './repair.js';
import { instancesCommand } from './instances.js';
import { scheduleCommand } from './schedule.js';
import { sourcesCommand, targetsCommand } from './systems.js';
import { statusCommand } from './status.js';
import { validateCommand } from './validate.js';

/** Every `ferry` subcommand, in the order `ferry --help` lists them. */
export const commands: Command[] = [
  initCommand,
  validateCommand,
  planCommand,
  showCommand,
  applyCommand,
  pauseCommand,
  resumeCommand,
  statusCommand,
  queueCommand,
  scheduleCommand,
  instancesCommand,
  sourcesCommand,
  targetsCommand,
  explainCommand,
  historyCommand,
  doctorCommand,
  repairCommand,
  resolveCommand,
  queryCommand,
  placementCommand,
  simCommand,
  convertCommand,
  githubCommand,
];
