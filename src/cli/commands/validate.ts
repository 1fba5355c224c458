import { EvaluationBudgetError, modificationProblems } from '../../engine/index.js';
import { formatProblem, hasErrors, sortProblems, type Problem } from '../../model/problem.js';
import type { DesiredState } from '../../model/desired.js';
import { openRepositoryStore, StatusLocationError } from '../../reconcile/store.js';
import { UsageError, type Command } from '../command.js';
import { describeFailure, type Failure } from '../failure.js';
import { printJson } from '../io.js';
import { loadFromContext } from '../repository.js';
import type { NotRead } from '../../repo/load.js';
import { paint } from '../paint.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check the desired state: syntax, schemas, references, expressions and scriptlets',
  usage: 'ferry validate [--repo DIR] [--ref REV] [--no-status | --require-status] [--json]',
  description:
    'Reads every YAML document under the repository (or at a Git revision, without checking it out) and\n' +
    'reports every problem at file:line:column with a stable code. Exits 0 when the desired state is\n' +
    'valid (warnings allowed) and 1 otherwise. When the repository has a status branch, the batches that\n' +
    'have started are also checked against what they started with (the modification rules of started\n' +
    'batches); --no-status skips that. When the status branch cannot be read, that check is a warning\n' +
    '(status-unchecked), and an error in CI (CI set in the environment) or with --require-status.',
  examples: [
    'ferry validate --repo examples/repo',
    'ferry validate --ref origin/main --json',
  ],
  options: {
    ref: { type: 'string', value: 'REV', description: 'validate this Git revision instead of the work tree' },
    'no-status': { type: 'boolean', description: 'do not read the status branch (skip the rules of started batches)' },
    'require-status': { type: 'boolean', description: 'fail when the status branch cannot be read (the default in CI)' },
  },
  async run(context) {
    if (context.options['no-status'] === true && context.options['require-status'] === true) {
      throw new UsageError('--no-status and --require-status contradict each other: give one');
    }
    const ref = typeof context.options.ref === 'string' ? context.options.ref : undefined;
    const { files, result } = await loadFromContext(context, ref);
    // The rules of started batches are checked even when other documents have errors, on every
    // batch without errors of its own (a partly read batch would look changed); not when the
    // Project has errors, since it says where the status branch is.
    if (context.options['no-status'] !== true && ![...result.flawed].some((document) => document.startsWith('Project/'))) {
      const checked = { ...result.state, batches: result.state.batches.filter((batch) => !result.flawed.has(`Batch/${batch.meta.name}`)) };
      const strict = context.options['require-status'] === true ? '--require-status' : inCi(context.io.env) ? 'CI is set' : null;
      const unread = (failure: Failure) => result.problems.push(statusUnchecked(result.state, failure, strict));
      result.problems.push(...(await startedBatchProblems(context.repoDir, checked, context.log, unread)));
      sortProblems(result.problems);
    }
    const failed = hasErrors(result.problems);
    if (context.json) {
      printJson(context.io, {
        valid: !failed,
        source: files.describe,
        documents: result.documents.length,
        not_read: result.notRead,
        problems: result.problems.map(({ file, line, column, code, severity, message }) => ({ file, line, column, code, severity, message })),
      });
      return failed ? 1 : 0;
    }
    const color = paint(context.io, 'stdout');
    for (const problem of result.problems) {
      const text = formatProblem(problem);
      context.io.stdout.write(`${problem.severity === 'error' ? color.red(text) : color.yellow(text)}\n`);
    }
    for (const line of notReadLines(result.notRead)) context.io.stdout.write(`${line}\n`);
    const errors = result.problems.filter((p) => p.severity === 'error').length;
    const warnings = result.problems.length - errors;
    const counts = `${result.documents.length} document${result.documents.length === 1 ? '' : 's'}, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
    context.io.stdout.write(failed ? `${color.red('invalid')}: ${counts}\n` : `${color.green('valid')}: ${counts}\n`);
    return failed ? 1 : 0;
  },
};

/** Which YAML files were left out, and why: at most a few names per reason. */
export function notReadLines(notRead: readonly NotRead[]): string[] {
  const lines: string[] = [];
  const reasons: [NotRead['reason'], string][] = [
    ['not-ferry', 'not Ferry documents (no Ferry apiVersion)'],
    ['ferryignore', 'excluded by .ferryignore'],
  ];
  for (const [reason, why] of reasons) {
    const files = notRead.filter((entry) => entry.reason === reason).map((entry) => entry.file);
    if (files.length === 0) continue;
    const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? `, and ${files.length - 5} more` : '');
    lines.push(`not read: ${files.length} YAML file${files.length === 1 ? '' : 's'} ${why}: ${shown}`);
  }
  return lines;
}

/**
 * Whether the command runs in CI: `CI` set to anything but false (GitHub Actions, GitLab, CircleCI,
 * Buildkite and most others set CI=true). There a check that could not run fails the job.
 */
function inCi(env: Record<string, string | undefined>): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/**
 * The status branch could not be read, so the rules of started batches were not checked: a
 * warning at the Project (it says where the branch is), an error when `strict` says why it must be.
 */
function statusUnchecked(state: DesiredState, failure: Failure, strict: string | null): Problem {
  const at = state.project.meta?.origin ?? { file: 'ferry.yaml', line: 1, column: 1 };
  const place = failure.file === undefined ? '' : `${failure.file}${failure.line === undefined ? '' : `:${failure.line}`}: `;
  const what = `the status branch ${state.project.status.branch} could not be read (${failure.code}: ${place}${failure.message.replace(/\.$/, '')}): started batches were not checked against it`;
  const fix = `${failure.hint === undefined ? '' : `${failure.hint}; `}--no-status skips the check on purpose`;
  return {
    file: at.file,
    line: at.line,
    column: at.column,
    code: 'status-unchecked',
    severity: strict === null ? 'warning' : 'error',
    message: `${what}; ${fix}${strict === null ? '' : ` (an error because ${strict})`}`,
  };
}

/**
 * The modification rules of started batches, when the repository has a status branch to compare
 * with (none yet, or not a Git repository: nothing to check). A status branch that cannot be read
 * goes to `unread`.
 */
async function startedBatchProblems(repoDir: string, state: DesiredState, log: { debug(o: object, m: string): void }, unread: (failure: Failure) => void): Promise<Problem[]> {
  try {
    const store = await openRepositoryStore(repoDir, state);
    const { revision, status } = await store.read();
    if (revision === null) return [];
    try {
      return modificationProblems(state, status);
    } catch (error) {
      if (error instanceof EvaluationBudgetError) return [error.problem];
      throw error;
    }
  } catch (error) {
    // Outside Git there is no status branch, so nothing has started.
    if (error instanceof StatusLocationError && error.code === 'not-a-git-repository') return [];
    const failure = describeFailure(error);
    if (failure === null) throw error;
    log.debug({ error: error instanceof Error ? error.message : String(error) }, 'status branch not read');
    unread(failure);
    return [];
  }
}
