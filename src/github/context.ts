// What a GitHub Actions job (or any CI that sets the same variables) tells Ferry about where it
// runs: the repository, the event and its pull request, the API endpoint, the token, and the
// files where a step writes its summary and outputs.

import { readFileSync } from 'node:fs';

/**
 * What the job tells Ferry (its variables, its event, its checkout) does not let the command run
 * (docs/errors.md: `github-context`). One that passes on a refusal with a code of its own has it
 * as its cause.
 */
export class GitHubContextError extends Error {}

export interface PullRequestRef {
  number: number;
  /** The head commit that was checked out and planned. */
  headSha: string;
  headRef: string;
  baseRef: string;
  baseSha: string;
  /** Whether the head lives in another repository (a fork): its token is read-only. */
  fork: boolean;
}

export interface GitHubContext {
  owner: string;
  repo: string;
  apiUrl: string;
  serverUrl: string;
  token: string;
  eventName: string;
  /** The commit the workflow runs for (GITHUB_SHA). */
  sha: string;
  /** `refs/heads/main`, `refs/pull/7/merge`… */
  ref: string;
  pullRequest: PullRequestRef | null;
  /**
   * On a workflow_run event: the run's head commit and branch, the repository that branch lives in,
   * and the pull requests GitHub names (none for a fork's).
   */
  workflowRun: { headSha: string; headBranch: string; pullRequests: number[]; headRepository: string | null; headOwner: string | null } | null;
  /** The repository's default branch as the event payload names it, when it does. */
  defaultBranch: string | null;
  runUrl: string | null;
  stepSummaryFile: string | null;
  outputFile: string | null;
}

function required(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new GitHubContextError(`${name} is not set: ${why}`);
  return value;
}

interface EventPayload {
  pull_request?: {
    number?: number;
    head?: { sha?: string; ref?: string; repo?: { full_name?: string } | null };
    base?: { sha?: string; ref?: string; repo?: { full_name?: string } };
  };
  repository?: { default_branch?: string; full_name?: string };
  workflow_run?: { head_sha?: string; head_branch?: string; pull_requests?: { number?: number }[]; head_repository?: { full_name?: string; owner?: { login?: string } } | null };
}

function readEvent(path: string | undefined): EventPayload {
  if (path === undefined || path === '') return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EventPayload;
  } catch (error) {
    throw new GitHubContextError(`GITHUB_EVENT_PATH ${path} cannot be read as JSON (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * The context from the environment. `token` is taken from the argument (the Action's input) or
 * GITHUB_TOKEN / FERRY_GITHUB_TOKEN; it is never printed.
 */
export function githubContext(env: NodeJS.ProcessEnv, token?: string): GitHubContext {
  const repository = required(env, 'GITHUB_REPOSITORY', 'Ferry needs owner/name of the repository');
  const [owner, repo, extra] = repository.split('/');
  if (!owner || !repo || extra !== undefined) throw new GitHubContextError(`GITHUB_REPOSITORY must be owner/name, not "${repository}"`);
  const secret = token || env.FERRY_GITHUB_TOKEN || env.GITHUB_TOKEN || '';
  if (secret === '') throw new GitHubContextError('no GitHub token: pass the Action\'s token input, or set GITHUB_TOKEN (FERRY_GITHUB_TOKEN) in the environment');
  const event = readEvent(env.GITHUB_EVENT_PATH);
  const pr = event.pull_request;
  let pullRequest: PullRequestRef | null = null;
  if (pr?.number !== undefined && pr.head?.sha && pr.base?.ref) {
    const baseRepo = pr.base.repo?.full_name ?? repository;
    pullRequest = {
      number: pr.number,
      headSha: pr.head.sha,
      headRef: pr.head.ref ?? '',
      baseRef: pr.base.ref,
      baseSha: pr.base.sha ?? '',
      fork: pr.head.repo?.full_name !== undefined && pr.head.repo.full_name !== baseRepo,
    };
  }
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/$/, '');
  const runUrl = env.GITHUB_RUN_ID ? `${serverUrl}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` : null;
  return {
    owner,
    repo,
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/$/, ''),
    serverUrl,
    token: secret,
    eventName: env.GITHUB_EVENT_NAME ?? '',
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    pullRequest,
    workflowRun: event.workflow_run
      ? {
          headSha: event.workflow_run.head_sha ?? '',
          headBranch: event.workflow_run.head_branch ?? '',
          pullRequests: (event.workflow_run.pull_requests ?? []).map((p) => p.number).filter((n): n is number => typeof n === 'number'),
          headRepository: event.workflow_run.head_repository?.full_name ?? null,
          headOwner: event.workflow_run.head_repository?.owner?.login ?? event.workflow_run.head_repository?.full_name?.split('/')[0] ?? null,
        }
      : null,
    defaultBranch: event.repository?.default_branch ?? null,
    runUrl,
    stepSummaryFile: env.GITHUB_STEP_SUMMARY || null,
    outputFile: env.GITHUB_OUTPUT || null,
  };
}

/** Events on which Ferry may apply: never one a pull request can trigger. */
export const APPLY_EVENTS = new Set(['push', 'schedule', 'workflow_dispatch', 'repository_dispatch']);
