// `plan`, `apply` and `report` against GitHub: the pieces live in ./pr-plan.ts (pull requests)
// and ./report.ts (statuses and conflict pull requests after an apply).

import { GitHubContextError } from './context.js';
import type { GitHubRunOptions, GitHubRunResult } from './run.js';

export async function runGitHubCommand(options: GitHubRunOptions): Promise<GitHubRunResult> {
  throw new GitHubContextError(`ferry github ${options.command} is not available in this build yet`);
}
