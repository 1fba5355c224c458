import { resolve } from 'node:path';
import { applyRefusal } from '../../github/apply-events.js';
import { runGitHub, type GitHubCommand, type GitHubRunResult } from '../../github/run.js';
import { UsageError, type Command } from '../command.js';
import { describeFailure, OperatorError, operatorError } from '../failure.js';
import { closest } from '../../text/suggest.js';
import { printJson } from '../io.js';
import { quoted } from '../../text/excerpt.js';

const SUBCOMMANDS: readonly GitHubCommand[] = ['plan', 'comment', 'apply', 'report'];

export const githubCommand: Command = {
  name: 'github',
  summary: 'What the GitHub Action does, from any CI: plan a pull request, apply, report to GitHub',
  usage: 'ferry github plan|comment|apply|report [--status-branch BRANCH] [--plan-file FILE] [--repo DIR] [--json]',
  description:
    'plan      plans the pull request the event names against its base branch and publishes it:\n' +
    '          one sticky comment, a check run with annotations, the job summary. With --plan-file\n' +
    '          it only writes the plan to FILE (a fork\'s job, whose token cannot publish).\n' +
    'comment   publishes the plan FILE that such a job wrote (a trusted job: workflow_run).\n' +
    'apply     reconciles the checked-out default branch, then reports. Only on a push, schedule,\n' +
    '          workflow_dispatch or repository_dispatch event, never on one a pull request triggers.\n' +
    'report    sets a commit status per batch and keeps a conflict pull request per batch, from the\n' +
    '          status branch as it is.\n' +
    '\n' +
    'The job is described by GitHub\'s variables, which any CI can set: GITHUB_REPOSITORY (owner/name),\n' +
    'GITHUB_EVENT_NAME, GITHUB_EVENT_PATH (the event payload; plan reads its pull_request), GITHUB_SHA,\n' +
    'GITHUB_API_URL and GITHUB_SERVER_URL (GitHub Enterprise Server), GITHUB_STEP_SUMMARY, GITHUB_RUN_ID.\n' +
    'The token comes from FERRY_GITHUB_TOKEN or GITHUB_TOKEN and is never printed. Exits 0 when done\n' +
    'and 1 on invalid documents, a failed apply, or a refusal.',
  examples: [
    'GITHUB_TOKEN=… ferry github plan',
    'ferry github apply --repo campaign',
    'ferry github plan --plan-file /tmp/plan.json       # a fork\'s pull request: no API calls',
    'ferry github comment --plan-file artifact/plan.json # the trusted job publishes it',
    'ferry github report --status-branch ferry/status --json',
  ],
  options: {
    'status-branch': { type: 'string', value: 'BRANCH', description: 'the status branch to use instead of the one ferry.yaml names' },
    'plan-file': { type: 'string', value: 'FILE', description: 'plan: write the plan here instead of publishing it; comment: the plan to publish' },
  },
  async run(context) {
    const [command, ...extra] = context.positionals;
    if (command === undefined) throw new UsageError(`say what to do: ferry github ${SUBCOMMANDS.join('|')}`);
    if (!(SUBCOMMANDS as readonly string[]).includes(command)) {
      const meant = closest(command, SUBCOMMANDS);
      throw new OperatorError('unknown-command', `${quoted(command)} is not a command of ferry github${meant === undefined ? '' : ` (did you mean ${quoted(meant)}?)`}`, { hint: `ferry github ${SUBCOMMANDS.join('|')}` });
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument ${quoted(extra[0]!)}`);
    const statusBranch = context.options['status-branch'];
    const planFile = context.options['plan-file'];
    if (typeof planFile === 'string' && command !== 'plan' && command !== 'comment') throw new UsageError(`--plan-file is for plan and comment, not ${command}`);
    if (command === 'apply') {
      const refusal = applyRefusal(context.io.env);
      if (refusal !== null) throw new OperatorError('untrusted-event', refusal);
    }

    // This CLI cannot ask a runner to mask the token, so it keeps it out of what it prints itself.
    const token = context.io.env.FERRY_GITHUB_TOKEN || context.io.env.GITHUB_TOKEN || '';
    const hide = (text: string): string => (token === '' ? text : text.split(token).join('***'));
    const progress = context.json ? context.io.stderr : context.io.stdout;
    let result: GitHubRunResult;
    try {
      result = await runGitHub({
        command: command as GitHubCommand,
        repoDir: context.repoDir,
        ...(typeof statusBranch === 'string' ? { statusBranch } : {}),
        ...(typeof planFile === 'string' ? { planFile: resolve(context.io.cwd, planFile) } : {}),
        env: context.io.env,
        log: context.log,
        out: (line) => void progress.write(`${hide(line)}\n`),
      });
    } catch (error) {
      context.log.debug({ err: error }, `ferry github ${command} failed`);
      // Classified as every command's failures are; what no rule knows is a bug, said as one (without the token either way).
      const failure = describeFailure(error);
      if (failure === null) throw new Error(hide((error as Error)?.message ?? String(error)));
      throw operatorError({ ...failure, message: hide(failure.message), ...(failure.hint === undefined ? {} : { hint: hide(failure.hint) }) });
    }

    if (context.json) {
      printJson(context.io, { command, has_changes: result.hasChanges, conflicts: result.conflicts, failed: result.failed, summary: hide(result.summary) });
    } else {
      context.io.stdout.write(`${hide(result.summary)}\n`);
    }
    return result.failed ? 1 : 0;
  },
};
