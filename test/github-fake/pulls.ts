// Pull requests: opened between two branches of the bare repository (or from a fork's branch,
// through a test helper), their head and base SHAs following the branches while open, merged with
// a real merge commit on the base branch. As on GitHub, each has refs/pull/<number>/head and,
// while open and mergeable, a test merge commit at refs/pull/<number>/merge.
import {
  GitHubError, Unsupported, gitIdentity, notFound, paginate, validationFailed,
  type FakeContext, type FakeRequest, type Handler,
} from './context.js';
import { diffEntryJson, pullJson, pullSimpleJson, type PullFigures } from './representations.js';
import type { ForkRecord, GitHubUser, PullRecord } from './state.js';

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

/** A pull request from a fork, which only a test helper opens: Ferry never opens one. */
export interface ForkPullInput {
  /** The fork's full name, `someone/fork`. */
  fork: string;
  /** The fork's branch the pull request comes from. */
  branch: string;
  /** A local Git repository (the fork's clone) holding the commit. */
  from: string;
  sha: string;
  base: string;
  title: string;
  body?: string;
}

/** A push to a fork's branch: the new tip, from a local Git repository holding it. */
export interface ForkPush {
  from: string;
  sha: string;
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

/**
 * `owner:branch` or `branch`; only branches of this repository, as the API opens pull requests
 * only from those here (a fork's pull request is opened by a test helper, as its owner would).
 */
function headBranch(context: FakeContext, head: string): string | undefined {
  const colon = head.indexOf(':');
  if (colon < 0) return head;
  return head.slice(0, colon) === context.owner ? head.slice(colon + 1) : undefined;
}

function alreadyExists(context: FakeContext, headLabel: string, base: string, except?: number): GitHubError | undefined {
  const open = [...context.store.pulls.values()].find((pull) =>
    pull.state === 'open' && pull.head.label === headLabel && pull.base.ref === base && pull.number !== except);
  return open && validationFailed({ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${headLabel}.` });
}

async function requireCommits(context: FakeContext, base: string, baseSha: string, head: string, headSha: string): Promise<void> {
  if ((await context.git.countCommits(baseSha, headSha)) === 0) {
    throw validationFailed({ resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` });
  }
}

function close(pull: PullRecord, now: string): void {
  pull.state = 'closed';
  pull.closed_at = now;
  pull.updated_at = now;
}

function forkOf(context: FakeContext, pull: PullRecord): ForkRecord | undefined {
  return pull.head.repo.fork ? context.store.forks.get(pull.head.repo.full_name) : undefined;
}

/** Where the head branch points now: in the bare repository, or in the fork as last pushed. */
function headTip(context: FakeContext, pull: PullRecord, refs: Map<string, string>): string | undefined {
  const fork = forkOf(context, pull);
  return fork ? fork.branches.get(pull.head.ref) : refs.get(`refs/heads/${pull.head.ref}`);
}

/**
 * The test merge GitHub makes for an open pull request: the head merged into the base tip, made
 * again only when either moves; undefined when they conflict.
 */
async function testMerge(context: FakeContext, pull: PullRecord): Promise<string | undefined> {
  const known = context.store.testMerges.get(pull.number);
  if (known?.base === pull.base.sha && known.head === pull.head.sha) return known.sha ?? undefined;
  const tree = await context.git.mergeTree(pull.base.sha, pull.head.sha);
  const sha = tree && await context.git.commitTree({
    tree,
    parents: [pull.base.sha, pull.head.sha],
    message: `Merge ${pull.head.sha} into ${pull.base.sha}`,
    author: gitIdentity(pull.user),
    committer: GITHUB_COMMITTER,
    date: context.clock(),
  });
  context.store.testMerges.set(pull.number, { base: pull.base.sha, head: pull.head.sha, sha: sha ?? null });
  return sha;
}

/**
 * Points refs/pull/<number>/head at the head (kept once closed) and refs/pull/<number>/merge at
 * the test merge, which exists only while the pull request is open and merges cleanly.
 */
async function writePullRefs(context: FakeContext, pull: PullRecord, refs: Map<string, string>): Promise<void> {
  const head = `refs/pull/${pull.number}/head`;
  const merge = `refs/pull/${pull.number}/merge`;
  if (refs.get(head) !== pull.head.sha) await context.git.setRef(head, pull.head.sha);
  const mergeSha = pull.state === 'open' ? await testMerge(context, pull) : undefined;
  if (pull.state === 'open') pull.merge_commit_sha = mergeSha ?? null;
  const current = refs.get(merge);
  if (mergeSha && current !== mergeSha) await context.git.setRef(merge, mergeSha);
  if (!mergeSha && current) await context.git.deleteRef(merge, current);
}

/**
 * Brings a pull request up to date with its branches, as GitHub does on every push: while open,
 * the SHAs follow them and deleting the head branch closes it; then its refs follow.
 */
async function observePull(context: FakeContext, pull: PullRecord, refs?: Map<string, string>): Promise<PullRecord> {
  const known = refs ?? await context.git.pullAndBranchRefs();
  if (pull.state === 'open') {
    const base = known.get(`refs/heads/${pull.base.ref}`);
    const head = headTip(context, pull, known);
    if (base) pull.base.sha = base;
    if (head) pull.head.sha = head;
    else close(pull, context.now());
  }
  await writePullRefs(context, pull, known);
  return pull;
}

/** Brings every pull request up to date with the bare repository. */
export async function observePulls(context: FakeContext): Promise<void> {
  const refs = await context.git.pullAndBranchRefs();
  for (const pull of context.store.pulls.values()) await observePull(context, pull, refs);
}

/**
 * Runs a request or a test helper with the pull requests caught up with the bare repository
 * before it (a test may have pushed since) and after it (it may have moved a branch), so that
 * what GitHub keeps current on every push is current whenever the fake is asked.
 */
export async function withPullsObserved<T>(context: FakeContext, work: () => Promise<T>, after = true): Promise<T> {
  await observePulls(context);
  const result = await work();
  if (after) await observePulls(context);
  return result;
}

async function figures(context: FakeContext, pull: PullRecord): Promise<PullFigures> {
  const mergeBase = await context.git.mergeBase(pull.base.sha, pull.head.sha);
  const files = mergeBase ? await context.git.changedFiles(mergeBase, pull.head.sha) : [];
  return {
    // GitHub's mergeable is whether its test merge succeeded.
    mergeable: pull.state === 'open' ? pull.merge_commit_sha !== null : null,
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
  const label = `${context.owner}:${head}`;
  const duplicate = alreadyExists(context, label, input.base);
  if (duplicate) throw duplicate;
  await requireCommits(context, input.base, baseSha, head, headSha);
  return addPull(context, {
    title: input.title,
    body: input.body ?? null,
    draft: input.draft ?? false,
    maintainer_can_modify: input.maintainer_can_modify ?? false,
    head: { label, ref: head, sha: headSha, repo: { full_name: `${context.owner}/${context.repo}`, fork: false } },
    base: { ref: input.base, sha: baseSha },
    user,
  });
}

async function addPull(
  context: FakeContext,
  opened: Pick<PullRecord, 'title' | 'body' | 'draft' | 'maintainer_can_modify' | 'head' | 'base' | 'user'>,
): Promise<PullRecord> {
  const now = context.now();
  const pull: PullRecord = {
    id: context.store.nextId(),
    number: context.store.nextIssueNumber(),
    ...opened,
    state: 'open',
    merged: false,
    merged_by: null,
    merge_commit_sha: null,
    created_at: now,
    updated_at: now,
    closed_at: null,
    merged_at: null,
  };
  context.store.pulls.set(pull.number, pull);
  return observePull(context, pull);
}

/** Copies a commit pushed to a fork into the bare repository, reachable from no ref yet. */
async function receiveForkPush(context: FakeContext, fork: string, push: ForkPush): Promise<void> {
  if (!(await context.git.fetchCommit(push.from, push.sha))) throw new Error(`${push.from} has no commit ${push.sha} to push to ${fork}`);
}

/**
 * Pushes a commit to a branch of a fork and opens a pull request from it, as the fork's owner
 * (unless another author is given) would on GitHub: the fork's commits reach the repository only
 * under refs/pull/<number>/head, never as one of its branches.
 */
export async function openForkPull(context: FakeContext, input: ForkPullInput, author?: GitHubUser): Promise<PullRecord> {
  const [owner, name, ...rest] = input.fork.split('/');
  if (!owner || !name || rest.length > 0 || owner === context.owner) {
    throw new Error(`a fork is named owner/name, with an owner other than ${context.owner}: not ${input.fork}`);
  }
  const baseSha = await context.git.branchSha(input.base);
  if (!baseSha) throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
  await receiveForkPush(context, input.fork, input);
  const fork: ForkRecord = context.store.forks.get(input.fork) ?? {
    id: context.store.nextId(),
    full_name: input.fork,
    owner: author?.login === owner ? author : { login: owner, id: context.store.nextId(), type: 'User' },
    branches: new Map(),
  };
  context.store.forks.set(fork.full_name, fork);
  fork.branches.set(input.branch, input.sha);
  const user = author ?? fork.owner;
  const label = `${owner}:${input.branch}`;
  const duplicate = alreadyExists(context, label, input.base);
  if (duplicate) throw duplicate;
  await requireCommits(context, input.base, baseSha, label, input.sha);
  return addPull(context, {
    title: input.title,
    body: input.body ?? null,
    draft: false,
    // GitHub's form for a pull request from a fork allows edits by maintainers unless unticked.
    maintainer_can_modify: true,
    head: { label, ref: input.branch, sha: input.sha, repo: { full_name: fork.full_name, fork: true } },
    base: { ref: input.base, sha: baseSha },
    user,
  });
}

/** A push to the fork's branch a pull request comes from; the pull request follows it while open. */
export async function pushToFork(context: FakeContext, number: number, push: ForkPush): Promise<PullRecord> {
  const pull = findPull(context, number);
  const fork = forkOf(context, pull);
  if (!fork) throw new Error(`pull request #${number} is not from a fork`);
  await receiveForkPush(context, fork.full_name, push);
  fork.branches.set(pull.head.ref, push.sha);
  return observePull(context, pull);
}

/** Merges with a merge commit (or a squash commit) made by Git on the base branch, as GitHub's merge button does. */
export async function mergePull(context: FakeContext, number: number, input: MergePullInput, user: GitHubUser): Promise<MergeResult> {
  const pull = findPull(context, number);
  const method = input.merge_method ?? 'merge';
  if (method === 'rebase') throw new Unsupported('the fake merges with merge_method merge or squash, not rebase');
  if (pull.state !== 'open') throw new GitHubError(405, 'Pull Request is not mergeable');
  if (input.sha !== undefined && input.sha !== pull.head.sha) throw new GitHubError(409, 'Head branch was modified. Review and try the merge again.');
  const tree = await context.git.mergeTree(pull.base.sha, pull.head.sha);
  if (!tree) throw new GitHubError(405, 'Pull Request is not mergeable');
  const title = input.commit_title
    ?? (method === 'merge' ? `Merge pull request #${pull.number} from ${pull.head.label.replace(':', '/')}` : `${pull.title} (#${pull.number})`);
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
  respondWithPull(context, findPull(context, request.parameters.pull_number), 200);

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
  // GitHub ignores a head filter without the owner ("branch" instead of "owner:branch").
  const headFilter = head?.includes(':') ? head : undefined;
  const selected = [...context.store.pulls.values()].filter((pull) =>
    (state === 'all' || pull.state === state)
    && (headFilter === undefined || pull.head.label === headFilter)
    && (base === undefined || pull.base.ref === base));
  const { page, headers } = paginate(sortPulls(selected, request), request);
  const defaultBranch = await context.git.defaultBranch();
  return { status: 200, body: page.map((pull) => pullSimpleJson(pull, context, defaultBranch)), headers };
};

const update: Handler = async (request, context) => {
  const pull = findPull(context, request.parameters.pull_number);
  const input = request.body as { title?: string; body?: string; state?: 'open' | 'closed'; base?: string; maintainer_can_modify?: boolean };
  if (input.base !== undefined && input.base !== pull.base.ref) {
    if (pull.state !== 'open') throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid', message: 'Cannot change the base branch of a closed pull request.' });
    const baseSha = await context.git.branchSha(input.base);
    if (!baseSha) throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    const duplicate = alreadyExists(context, pull.head.label, input.base, pull.number);
    if (duplicate) throw duplicate;
    pull.base = { ref: input.base, sha: baseSha };
  }
  if (input.state === 'closed' && pull.state === 'open') close(pull, context.now());
  if (input.state === 'open' && pull.state === 'closed') {
    const headSha = headTip(context, pull, await context.git.pullAndBranchRefs());
    if (pull.merged || !headSha) {
      throw validationFailed({ resource: 'PullRequest', field: 'state', code: 'custom', message: 'state cannot be changed.' });
    }
    const duplicate = alreadyExists(context, pull.head.label, pull.base.ref, pull.number);
    if (duplicate) throw duplicate;
    pull.state = 'open';
    pull.closed_at = null;
  }
  await observePull(context, pull);
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
  const pull = findPull(context, request.parameters.pull_number);
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
