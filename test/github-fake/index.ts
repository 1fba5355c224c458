// A GitHub fake for tests: a local HTTP server speaking the REST operations Ferry uses (see
// operations.ts), holding its state in memory and in a real bare Git repository, and checking
// every request and response against GitHub's OpenAPI description. Point octokit at `url`:
//
//   const fake = await startGitHubFake({ repository: bareRepoPath });
//   const octokit = new Octokit({ auth: fake.token, baseUrl: fake.url });
//   …
//   expect(fake.violations).toEqual([]);
//   await fake.close();
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isoSeconds, type FakeContext } from './context.js';
import { BareRepository } from './git.js';
import { GITHUB_ACTIONS_BOT, appOf } from './identity.js';
import { addComment, commentsOn } from './issues.js';
import {
  mergePull, observePulls, openForkPull, openPull, pushToFork, withPullsObserved,
  type ForkPullInput, type ForkPush, type MergePullInput, type MergeResult, type OpenPullInput,
} from './pulls.js';
import { fakeListener, type RequestLogEntry } from './server.js';
import {
  FakeStore, type CheckRunRecord, type CommentEditRecord, type CommentRecord, type GitHubUser, type PullRecord, type StatusRecord,
} from './state.js';
import { statusesFor } from './statuses.js';

export { GITHUB_OPERATIONS, type GitHubOperationId } from './operations.js';
export { COMMENT_BODY_LIMIT } from './issues.js';
export { GitHubError } from './context.js';
export { GITHUB_ACTIONS_APP, GITHUB_ACTIONS_BOT } from './identity.js';
export type {
  AnnotationRecord, AppRecord, CheckRunRecord, CommentEditRecord, CommentRecord, GitHubUser, LabelRecord, PullRecord, StatusRecord,
} from './state.js';
export type { ForkPullInput, ForkPush, MergePullInput, MergeResult, OpenPullInput, RequestLogEntry };

/** Who opens and merges pull requests through the test helpers unless told otherwise. */
export const DEFAULT_AUTHOR: GitHubUser = { login: 'octocat', id: 583231, type: 'User' };

export interface GitHubFakeOptions {
  /** Path of a bare Git repository: branches, SHAs and merges are real, read and written with git. */
  repository: string;
  owner?: string;
  repo?: string;
  /** The token requests must present (`token X` or `Bearer X`); random when not given. */
  token?: string;
  /**
   * Who the token belongs to: the author of comments, check runs, statuses and merges made through
   * the API. A Bot stands for an installation token (GITHUB_TOKEN's github-actions[bot], or
   * `<slug>[bot]` of another GitHub App), a User for a personal access token.
   */
  bot?: GitHubUser;
  now?: () => Date;
}

export interface GitHubFake {
  /** Base URL for octokit (`baseUrl`) or `GITHUB_API_URL`. */
  readonly url: string;
  readonly token: string;
  readonly owner: string;
  readonly repo: string;
  readonly bot: GitHubUser;
  /** Every broken contract, on either side; a test asserts this is empty. */
  readonly violations: string[];
  /** Every request in arrival order, with the operation it matched and the status answered. */
  readonly requests: RequestLogEntry[];
  /**
   * Pull requests by number, their SHAs (and refs/pull/<number>/head and /merge) brought up to
   * date with the branches, as the fake also does on every request and helper call.
   */
  pulls(): Promise<PullRecord[]>;
  /** Comments on an issue or pull request, oldest first. */
  comments(issueNumber: number): CommentRecord[];
  /** Every edit and deletion of a comment through the API, in order, with the comment's author. */
  commentEdits(): CommentEditRecord[];
  /** Check runs, oldest first; only those for one commit when a SHA is given. */
  checkRuns(headSha?: string): CheckRunRecord[];
  /** Commit statuses of one commit, newest first. */
  statuses(sha: string): StatusRecord[];
  labels(issueNumber: number): string[];
  /** Opens a pull request as a person would, with the API's rules (branches must exist, one open per head and base). */
  openPullRequest(input: OpenPullInput & { title: string; author?: GitHubUser }): Promise<PullRecord>;
  /**
   * Pushes a commit of a local repository (`from`) to a fork's branch and opens a pull request
   * from it, authored by the fork's owner unless told otherwise. The commit reaches the bare
   * repository only under refs/pull/<number>/head, as GitHub keeps a fork's commits.
   */
  openForkPullRequest(input: ForkPullInput & { author?: GitHubUser }): Promise<PullRecord>;
  /** Pushes a commit to the fork's branch a pull request comes from; an open pull request follows it. */
  pushToFork(number: number, push: ForkPush): Promise<PullRecord>;
  /** Merges a pull request as the merge button does: a merge commit (or squash) on the base branch of the bare repository. */
  mergePullRequest(number: number, input?: MergePullInput & { by?: GitHubUser }): Promise<MergeResult>;
  /** Comments on a pull request as someone other than the token's identity would (octocat unless told). */
  addComment(issueNumber: number, body: string, author?: GitHubUser): Promise<CommentRecord>;
  close(): Promise<void>;
}

export async function startGitHubFake(options: GitHubFakeOptions): Promise<GitHubFake> {
  const git = new BareRepository(options.repository);
  await git.defaultBranch(); // fails early when the path is not a Git repository
  const clock = options.now ?? (() => new Date());
  const owner = options.owner ?? 'ferry-test';
  const bot = options.bot ?? GITHUB_ACTIONS_BOT;
  const store = new FakeStore();
  const context: FakeContext = {
    owner,
    repo: options.repo ?? 'campaign',
    repositoryId: 700_001,
    apiUrl: '',
    bot,
    app: appOf(bot, owner, store),
    git,
    store,
    now: () => isoSeconds(clock()),
    clock,
  };
  const token = options.token ?? `ghs_${randomBytes(18).toString('hex')}`;
  const recorder = { violations: [] as string[], requests: [] as RequestLogEntry[] };

  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };
  // A test helper acts as a person on GitHub would between requests, on an up-to-date view.
  const helper = <T>(work: () => Promise<T>): Promise<T> => exclusive(() => withPullsObserved(context, work));

  const server = createServer(fakeListener(context, token, recorder, exclusive));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  context.apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: context.apiUrl,
    token,
    owner: context.owner,
    repo: context.repo,
    bot: context.bot,
    violations: recorder.violations,
    requests: recorder.requests,
    pulls: () => exclusive(async () => {
      await observePulls(context);
      return structuredClone([...context.store.pulls.values()].sort((a, b) => a.number - b.number));
    }),
    comments: (issueNumber) => structuredClone(commentsOn(context, issueNumber)),
    commentEdits: () => structuredClone(context.store.commentEdits),
    checkRuns: (headSha) => structuredClone([...context.store.checkRuns.values()].filter((run) => headSha === undefined || run.head_sha === headSha)),
    statuses: (sha) => structuredClone(statusesFor(context, sha)),
    labels: (issueNumber) => [...(context.store.issueLabels.get(issueNumber) ?? [])],
    openPullRequest: ({ author = DEFAULT_AUTHOR, ...input }) =>
      helper(async () => structuredClone(await openPull(context, input, author))),
    openForkPullRequest: ({ author, ...input }) =>
      helper(async () => structuredClone(await openForkPull(context, input, author))),
    pushToFork: (number, push) =>
      helper(async () => structuredClone(await pushToFork(context, number, push))),
    mergePullRequest: (number, { by = DEFAULT_AUTHOR, ...input } = {}) =>
      helper(() => mergePull(context, number, input, by)),
    addComment: (issueNumber, body, author = DEFAULT_AUTHOR) =>
      exclusive(async () => structuredClone(addComment(context, issueNumber, body, author))),
    close: () => new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }),
  };
}
