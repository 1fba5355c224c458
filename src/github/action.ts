// The GitHub Action (action.yml; bundled from ./action-entry.ts into action/index.js): reads the
// step's inputs as the runner passes them, refuses to apply from an event a pull request can
// trigger, runs the command, and hands the results back as step outputs. Whatever goes wrong ends
// as one `::error::` line and exit code 1; the stack goes to the debug log only.

import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createLogger, LOG_LEVELS } from '../cli/log.js';
import { applyRefusal } from './apply-events.js';
import { runGitHub, type GitHubCommand, type GitHubRunOptions, type GitHubRunResult } from './run.js';
import { appendOutputs, errorCommand, maskCommands } from './runner.js';
import { TERMINAL_UNSAFE, unicodeEscape } from '../text/control.js';
import { quoted } from '../text/excerpt.js';

export interface ActionIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type GitHubRunner = (options: GitHubRunOptions) => Promise<GitHubRunResult>;

const COMMANDS: readonly GitHubCommand[] = ['plan', 'comment', 'apply', 'report'];

/** An input as the runner sets it: `INPUT_` and the name upper-cased, spaces as `_`, trimmed. */
export function actionInput(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

interface ActionInputs {
  command: GitHubCommand;
  repoDir: string;
  statusBranch: string | undefined;
  planFile: string | undefined;
}

/** The inputs, checked; a string says which one is wrong. */
function readInputs(env: NodeJS.ProcessEnv, cwd: string): ActionInputs | string {
  const command = actionInput(env, 'command');
  if (!(COMMANDS as readonly string[]).includes(command)) {
    return command === ''
      ? `the command input is required: one of ${COMMANDS.join(', ')}`
      : `the command input must be one of ${COMMANDS.join(', ')}, not ${quoted(command)}`;
  }
  const planFile = actionInput(env, 'plan-file');
  if (planFile !== '' && command !== 'plan') return `the plan-file input is for the plan command, not ${command}`;
  const statusBranch = actionInput(env, 'status-branch');
  return {
    command: command as GitHubCommand,
    repoDir: resolve(cwd, actionInput(env, 'repository-path') || '.'),
    statusBranch: statusBranch === '' ? undefined : statusBranch,
    planFile: planFile === '' ? undefined : resolve(cwd, planFile),
  };
}

/** Runs the Action's step and returns the process exit code. Never throws. */
export async function runAction(io: ActionIo, run: GitHubRunner = runGitHub): Promise<number> {
  const token = actionInput(io.env, 'token');
  // Before anything else is printed, so the runner hides the token in every later line.
  for (const line of maskCommands(token)) io.stdout.write(line);
  const hide = (text: string): string => (token === '' ? text : text.split(token).join('***'));
  // What the command prints carries data (names, messages from the repository and vCenter): the
  // runner would obey a line of it that reads like a workflow command (`::error::`, `::add-mask::`,
  // `::stop-commands::`…). Commands stay off while it runs, under a token nobody else knows, and
  // control characters are shown as escapes.
  const resume = randomBytes(16).toString('hex');
  let stopped = false;
  const stop = () => {
    io.stdout.write(`::stop-commands::${resume}\n`);
    stopped = true;
  };
  const restart = () => {
    if (stopped) io.stdout.write(`::${resume}::\n`);
    stopped = false;
  };
  const fail = (message: string): number => {
    restart();
    io.stdout.write(errorCommand(hide(message)));
    return 1;
  };

  const level = actionInput(io.env, 'log-level') || (io.env.RUNNER_DEBUG === '1' ? 'debug' : 'warn');
  if (!(LOG_LEVELS as readonly string[]).includes(level)) return fail(`the log-level input must be one of ${LOG_LEVELS.join(', ')}, not ${quoted(level)}`);
  const log = createLogger(level, io.stderr);

  const inputs = readInputs(io.env, io.cwd);
  if (typeof inputs === 'string') return fail(inputs);
  if (inputs.command === 'apply') {
    const refusal = applyRefusal(io.env);
    if (refusal !== null) return fail(refusal);
  }

  let result: GitHubRunResult;
  stop();
  try {
    result = await run({
      command: inputs.command,
      repoDir: inputs.repoDir,
      ...(token === '' ? {} : { token }),
      ...(inputs.statusBranch === undefined ? {} : { statusBranch: inputs.statusBranch }),
      ...(inputs.planFile === undefined ? {} : { planFile: inputs.planFile }),
      env: io.env,
      log,
      out: (line) => void io.stdout.write(`${hide(line).replace(TERMINAL_UNSAFE, unicodeEscape)}\n`),
    });
  } catch (error) {
    log.debug({ err: error }, `ferry github ${inputs.command} failed`);
    return fail((error as Error)?.message ?? String(error));
  }

  const outputFile = io.env.GITHUB_OUTPUT;
  if (outputFile) {
    try {
      appendOutputs(outputFile, { 'has-changes': String(result.hasChanges), conflicts: String(result.conflicts) });
    } catch (error) {
      return fail(`the step outputs cannot be written to GITHUB_OUTPUT ${outputFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  } else {
    log.debug('GITHUB_OUTPUT is not set: no step outputs written');
  }
  if (result.failed) return fail(result.summary);
  restart();
  io.stdout.write(`${hide(result.summary).replace(TERMINAL_UNSAFE, unicodeEscape)}\n`);
  return 0;
}
