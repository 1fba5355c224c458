// The GitHub integration's entry point, shared by the Action (src/github/action.ts) and the CLI
// (`ferry github …`): one command run against one repository checkout.

import type { Logger } from 'pino';

/**
 * plan: plan the pull request and publish it (comment, check run, job summary); with planFile,
 * only write the plan there (a fork's untrusted job). comment: publish a plan file written by such
 * a job (the trusted workflow_run job). apply: reconcile, then report. report: statuses and
 * conflict pull requests from the status branch as it is.
 */
export type GitHubCommand = 'plan' | 'comment' | 'apply' | 'report';

export interface GitHubRunOptions {
  command: GitHubCommand;
  /** The repository checkout (the pull request's head for plan; the default branch for apply/report). */
  repoDir: string;
  /** The token (the Action's input); GITHUB_TOKEN / FERRY_GITHUB_TOKEN from `env` when absent. Never printed. */
  token?: string;
  /** The status branch to use instead of the Project's. */
  statusBranch?: string;
  /** plan: write the plan here instead of publishing it; comment: the plan to publish. */
  planFile?: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Human-readable progress lines (the job log). */
  out: (line: string) => void;
}

export interface GitHubRunResult {
  /** plan: the pull request changes what Ferry would do; apply: something was done. */
  hasChanges: boolean;
  /** Entries in Conflict after the run (plan: predicted with the pull request merged). */
  conflicts: number;
  /** The run found errors (invalid documents, a failed apply): the step should fail. */
  failed: boolean;
  /** One line for the job log and the step's failure message. */
  summary: string;
}

export async function runGitHub(options: GitHubRunOptions): Promise<GitHubRunResult> {
  const { runGitHubCommand } = await import('./commands.js');
  return runGitHubCommand(options);
}
