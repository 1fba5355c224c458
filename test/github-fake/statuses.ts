// Commit statuses: created for a SHA, listed for a ref, combined into one state per ref.
import { paginate, validationFailed, type FakeContext, type Handler } from './context.js';
import { combinedStatusJson, statusJson } from './representations.js';
import type { GitHubUser, StatusRecord } from './state.js';

export interface StatusInput {
  state: StatusRecord['state'];
  context?: string;
  description?: string | null;
  target_url?: string | null;
}

function noCommit(ref: string) {
  return validationFailed({ resource: 'Status', field: 'sha', code: 'invalid', message: `No commit found for SHA: ${ref}` });
}

async function commitOf(context: FakeContext, ref: string): Promise<string> {
  const sha = await context.git.resolveCommit(ref);
  if (!sha) throw noCommit(ref);
  return sha;
}

export async function setStatus(context: FakeContext, sha: string, input: StatusInput, user: GitHubUser): Promise<StatusRecord> {
  // Unlike the listing operations, this one takes a full SHA only, not a branch or tag name.
  if (!/^[0-9a-f]{40}$/.test(sha) || !(await context.git.resolveCommit(sha))) throw noCommit(sha);
  const now = context.now();
  const status: StatusRecord = {
    id: context.store.nextId(),
    sha,
    state: input.state,
    context: input.context ?? 'default',
    description: input.description ?? null,
    target_url: input.target_url ?? null,
    creator: user,
    created_at: now,
    updated_at: now,
  };
  context.store.statuses.push(status);
  return status;
}

/** Newest first, as GitHub lists them. */
export function statusesFor(context: FakeContext, sha: string): StatusRecord[] {
  return context.store.statuses.filter((status) => status.sha === sha).sort((a, b) => b.id - a.id);
}

/** GitHub's combined state: failure if any context failed or errored, pending if any is pending (or none exist), else success. */
function combinedState(latest: StatusRecord[]): string {
  if (latest.some((status) => status.state === 'failure' || status.state === 'error')) return 'failure';
  if (latest.length === 0 || latest.some((status) => status.state === 'pending')) return 'pending';
  return 'success';
}

const create: Handler = async (request, context) => {
  const status = await setStatus(context, request.parameters.sha as string, request.body as StatusInput, context.bot);
  return { status: 201, body: statusJson(status, context), headers: { location: statusJson(status, context).url as string } };
};

const listForRef: Handler = async (request, context) => {
  const sha = await commitOf(context, request.parameters.ref as string);
  const { page, headers } = paginate(statusesFor(context, sha), request);
  return { status: 200, body: page.map((status) => statusJson(status, context)), headers };
};

const combined: Handler = async (request, context) => {
  const sha = await commitOf(context, request.parameters.ref as string);
  const latest = statusesFor(context, sha).filter((status, index, all) => all.findIndex((other) => other.context === status.context) === index);
  const { page, headers } = paginate(latest, request);
  const body = combinedStatusJson(sha, page, combinedState(latest), latest.length, context, await context.git.defaultBranch());
  return { status: 200, body, headers };
};

export const statusHandlers: Record<string, Handler> = {
  'repos/create-commit-status': create,
  'repos/list-commit-statuses-for-ref': listForRef,
  'repos/get-combined-status-for-ref': combined,
};
