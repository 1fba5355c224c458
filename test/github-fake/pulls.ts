// Pull requests: opened between two branches of the bare repository, their head and base SHAs
// following the branches while open, merged with a real merge commit on the base branch.
import {
  GitHubError, Unsupported, gitIdentity, notFound, paginate, validationFailed,
  type FakeContext, type FakeRequest, type Handler,
} from './context.js';
import { diffEntryJson, pullJson, pullSimpleJson, type PullFigures } from './representations.js';
import type { GitHubUser, PullRecord } from './state.js';

export interface OpenPullInput {
  head: string;
  base: string;
  title?: string;
  body?: string;
  draft?: boolean;
  maintainer_can_modify?: boolean;
  head_repo?: string;
  issue?: number;
}

export interface MergePullInput {
  merge_method?: 'merge' | 'squash' | 'rebase';
  sha?: string;
  commit_title?: string;
  commit_message?: string;
}

export interface MergeResult {
  sha: string;
  merged: true;
  message: string;
}

const GITHUB_COMMITTER = { name: 'GitHub', email: 'noreply@github.com' };

function findPull(context: FakeContext, number: unknown): PullRecord {
  const pull = context.store.pulls.get(Number(number));
  if (!pull) throw notFound();
  return pull;
}

/** `owner:branch` or `branch`; only branches of this repository (no forks in the fake). */
function headBranch(context: FakeContext, head: string): string | undefined {
  const colon = head.indexOf(':');
  if (colon < 0) return head;
  return head.slice(0, colon) === context.owner ? head.slice(colon + 1) : undefined;
}

function alreadyExists(context: FakeContext, head: string, base: string, except?: number): GitHubError | undefined {
  const open = [...context.store.pulls.values()].find((pull) =>
    pull.state === 'open' && pull.head.ref === head && pull.base.ref === base && pull.number !== except);
  return open && validationFailed({ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${context.owner}:${head}.` });
}

function close(pull: PullRecord, now: string): void {
  pull.state = 'closed';
  pull.closed_at = now;
  pull.updated_at = now;
}

/**
 * Brings an open pull request up to date with its branches: the SHAs follow them, and deleting
 * the head branch closes it, as on GitHub.
 */
async function observePull(context: FakeContext, pull: PullRecord): Promise<PullRecord> {
  if (pull.state !== 'open') return pull;
  const [head, base] = await Promise.all([context.git.branchSha(pull.head.ref), context.git.branchSha(pull.base.ref)]);
  if (base) pull.base.sha = base;
  if (head) pull.head.sha = head;
  else close(pull, context.now());
  return pull;
}

/** Brings every open pull request up to date, before anything lists pull requests by SHA. */
export async function observeOpenPulls(context: FakeContext): Promise<void> {
  for (const pull of context.store.pulls.values()) await observePull(context, pull);
}

async function figures(context: FakeContext, pull: PullRecord): Promise<PullFigures> {
  const mergeBase = await context.git.mergeBase(pull.base.sha, pull.head.sha);
  const files = mergeBase ? await context.git.changedFiles(mergeBase, pull.head.sha) : [];
  const mergeable = pull.state === 'open' ? (await context.git.mergeTree(pull.base.sha, pull.head.sha)) !== undefined : null;
  return {
    mergeable,
    commits: mergeBase ? await context.git.countCommits(mergeBase, pull.head.sha) : 0,
    additions: files.reduce((sum, file) => sum + file.additions, 0),
    deletions: files.reduce((sum, file) => sum + file.deletions, 0),
    changed_files: files.length,
  };
}

export async function openPull(context: FakeContext, input: OpenPullInput, user: GitHubUser): Promise<PullRecord> {
  const head = headBranch(context, input.head);
  if (input.head_repo !== undefined && input.head_repo !== `${context.owner}/${context.repo}`) {
    throw validationFailed({ resource: 'PullRequest', field: 'head_repo', code: 'invalid' });
  }
  // The fake has no plain issues to turn into pull requests.
  if (input.issue !== undefined) throw validationFailed({ resource: 'PullRequest', field: 'issue', code: 'invalid' });
  if (input.title === undefined) throw validationFailed({ resource: 'PullRequest', field: 'title', code: 'missing_field' });
  const baseSha = await context.git.branchSha(input.base);
  if (!baseSha) throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
  const headSha = head === undefined ? undefined : await context.git.branchSha(head);
  if (head === undefined || !headSha) throw validationFailed({ resource: 'PullRequest', field: 'head', code: 'invalid' });
  const duplicate = alreadyExists(context, head, input.base);
  if (duplicate) throw duplicate;
  if ((await context.git.countCommits(baseSha, headSha)) === 0) {
    throw validationFailed({ resource: 'PullRequest', code: 'custom', message: `No commits between ${input.base} and ${head}` });
  }
  const now = context.now();
  const pull: PullRecord = {
    id: context.store.nextId(),
    number: context.store.nextIssueNumber(),
    title: input.title,
    body: input.body ?? null,
    state: 'open',
    draft: input.draft ?? false,
    maintainer_can_modify: input.maintainer_can_modify ?? false,
    head: { ref: head, sha: headSha },
    base: { ref: input.base, sha: baseSha },
    user,
    merged: false,
    merged_by: null,
    merge_commit_sha: null,
    created_at: now,
    updated_at: now,
    closed_at: null,
    merged_at: null,
  };
  context.store.pulls.set(pull.number, pull);
  return pull;
}

/** Merges with a merge commit (or a squash commit) made by Git on the base branch, as GitHub's merge button does. */
export async function mergePull(context: FakeContext, number: number, input: MergePullInput, user: GitHubUser): Promise<MergeResult> {
  const pull = await observePull(context, findPull(context, number));
  const method = input.merge_method ?? 'merge';
  if (method === 'rebase') throw new Unsupported('the fake merges with merge_method merge or squash, not rebase');
  if (pull.state !== 'open') throw new GitHubError(405, 'Pull Request is not mergeable');
  if (input.sha !== undefined && input.sha !== pull.head.sha) throw new GitHubError(409, 'Head branch was modified. Review and try the merge again.');
  const tree = await context.git.mergeTree(pull.base.sha, pull.head.sha);
  if (!tree) throw new GitHubError(405, 'Pull Request is not mergeable');
  const title = input.commit_title
    ?? (method === 'merge' ? `Merge pull request #${pull.number} from ${context.owner}/${pull.head.ref}` : `${pull.title} (#${pull.number})`);
  const body = input.commit_message ?? (method === 'merge' ? pull.title : pull.body ?? '');
  const sha = await context.git.commitTree({
    tree,
    parents: method === 'merge' ? [pull.base.sha, pull.head.sha] : [pull.base.sha],
    message: body ? `${title}\n\n${body}` : title,
    author: gitIdentity(user),
    committer: GITHUB_COMMITTER,
    date: context.clock(),
  });
  await context.git.updateRef(`refs/heads/${pull.base.ref}`, sha, pull.base.sha);
  const now = context.now();
  close(pull, now);
  pull.merged = true;
  pull.merged_at = now;
  pull.merged_by = user;
  pull.merge_commit_sha = sha;
  return { sha, merged: true, message: 'Pull Request successfully merged' };
}

async function respondWithPull(context: FakeContext, pull: PullRecord, status: number) {
  const defaultBranch = await context.git.defaultBranch();
  return { status, body: pullJson(pull, await figures(context, pull), context, defaultBranch) };
}

const create: Handler = async (request, context) => {
  const pull = await openPull(context, request.body as OpenPullInput, context.bot);
  return {
    ...(await respondWithPull(context, pull, 201)),
    headers: { location: `${context.apiUrl}/repos/${context.owner}/${context.repo}/pulls/${pull.number}` },
  };
};

const get: Handler = async (request, context) =>
  respondWithPull(context, await observePull(context, findPull(context, request.parameters.pull_number)), 200);

function sortPulls(pulls: PullRecord[], request: FakeRequest): PullRecord[] {
  const sort = request.parameters.sort as string;
  if (sort !== 'created' && sort !== 'updated') throw new Unsupported(`the fake sorts pull requests by created or updated, not ${sort}`);
  const direction = (request.parameters.direction as string | undefined) ?? 'desc';
  const key = (pull: PullRecord): string => (sort === 'created' ? pull.created_at : pull.updated_at);
  const sorted = [...pulls].sort((a, b) => key(a).localeCompare(key(b)) || a.number - b.number);
  return direction === 'desc' ? sorted.reverse() : sorted;
}

const list: Handler = async (request, context) => {
  const { state, head, base } = request.parameters as { state: string; head?: string; base?: string };
  await observeOpenPulls(context);
  // GitHub ignores a head filter without the owner ("branch" instead of "owner:branch").
  const headFilter = head?.includes(':') ? head : undefined;
  const selected = [...context.store.pulls.values()].filter((pull) =>
    (state === 'all' || pull.state === state)
    && (headFilter === undefined || `${context.owner}:${pull.head.ref}` === headFilter)
    && (base === undefined || pull.base.ref === base));
  const { page, headers } = paginate(sortPulls(selected, request), request);
  const defaultBranch = await context.git.defaultBranch();
  return { status: 200, body: page.map((pull) => pullSimpleJson(pull, context, defaultBranch)), headers };
};

const update: Handler = async (request, context) => {
  const pull = await observePull(context, findPull(context, request.parameters.pull_number));
  const input = request.body as { title?: string; body?: string; state?: 'open' | 'closed'; base?: string; maintainer_can_modify?: boolean };
  if (input.base !== undefined && input.base !== pull.base.ref) {
    if (pull.state !== 'open') throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid', message: 'Cannot change the base branch of a closed pull request.' });
    const baseSha = await context.git.branchSha(input.base);
    if (!baseSha) throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    const duplicate = alreadyExists(context, pull.head.ref, input.base, pull.number);
    if (duplicate) throw duplicate;
    pull.base = { ref: input.base, sha: baseSha };
  }
  if (input.state === 'closed' && pull.state === 'open') close(pull, context.now());
  if (input.state === 'open' && pull.state === 'closed') {
    const headSha = await context.git.branchSha(pull.head.ref);
    if (pull.merged || !headSha) {
      throw validationFailed({ resource: 'PullRequest', field: 'state', code: 'custom', message: 'state cannot be changed.' });
    }
    const duplicate = alreadyExists(context, pull.head.ref, pull.base.ref, pull.number);
    if (duplicate) throw duplicate;
    pull.state = 'open';
    pull.closed_at = null;
    await observePull(context, pull);
  }
  if (input.title !== undefined) pull.title = input.title;
  if (input.body !== undefined) pull.body = input.body;
  if (input.maintainer_can_modify !== undefined) pull.maintainer_can_modify = input.maintainer_can_modify;
  pull.updated_at = context.now();
  return respondWithPull(context, pull, 200);
};

const merge: Handler = async (request, context) => {
  const result = await mergePull(context, Number(request.parameters.pull_number), (request.body ?? {}) as MergePullInput, context.bot);
  return { status: 200, body: result };
};

const listFiles: Handler = async (request, context) => {
  const pull = await observePull(context, findPull(context, request.parameters.pull_number));
  const mergeBase = await context.git.mergeBase(pull.base.sha, pull.head.sha);
  const files = mergeBase ? await context.git.changedFiles(mergeBase, pull.head.sha) : [];
  const { page, headers } = paginate(files, request);
  return { status: 200, body: page.map((file) => diffEntryJson(file, pull.head.sha, context)), headers };
};

export const pullHandlers: Record<string, Handler> = {
  'pulls/create': create,
  'pulls/get': get,
  'pulls/list': list,
  'pulls/update': update,
  'pulls/merge': merge,
  'pulls/list-files': listFiles,
};
