// The GitHub REST calls Ferry makes, and only these (REST only: the test fake validates each one
// against GitHub's OpenAPI description). Errors name the call and GitHub's answer, never the token.

import { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';

export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }
}

export interface ApiTarget {
  owner: string;
  repo: string;
  apiUrl: string;
  token: string;
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export interface PullSummary {
  number: number;
  state: string;
  body: string | null;
  title: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  /** owner/name of the repository the head branch lives in (another one for a fork; null when it was deleted). */
  headRepo: string | null;
  merged: boolean;
  url: string;
}

/** Who wrote something on GitHub: a user or an app's bot. */
export interface GitHubAuthor {
  login: string;
  id: number | null;
}

/** A comment of an issue or pull request, with its author. */
export interface IssueComment {
  id: number;
  body: string;
  author: GitHubAuthor | null;
}

/** Whether `author` is `who` (by id when both have one, else by login). */
export function sameAuthor(author: GitHubAuthor | null, who: GitHubAuthor): boolean {
  if (author === null) return false;
  return author.id !== null && who.id !== null ? author.id === who.id : author.login === who.login;
}

/** Annotations GitHub takes per check-run request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** The limit of a check run's output.summary and output.text. */
export const CHECK_TEXT_LIMIT = 65_535;

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 40)}\n\n… (cut short: see the job summary)`;
}

export class GitHubApi {
  private readonly octokit: Octokit;
  private readonly where: { owner: string; repo: string };

  constructor(target: ApiTarget, private readonly log?: Logger) {
    this.where = { owner: target.owner, repo: target.repo };
    this.octokit = new Octokit({
      auth: target.token,
      baseUrl: target.apiUrl,
      userAgent: 'ferry',
      // Octokit logs every failed request as an error; each one also becomes the GitHubApiError that
      // the command reports in its one line, so the log says it only to those who ask (info).
      log: { debug: () => {}, info: () => {}, warn: (m: string) => log?.warn(m), error: (m: string) => log?.info(m) },
    });
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 0;
      const response = (error as { response?: { data?: { message?: unknown } } }).response;
      const said = typeof response?.data?.message === 'string' ? response.data.message : error instanceof Error ? error.message : String(error);
      const hint = status === 403 || status === 404 ? ' (does the token have the permission? fork pull requests get a read-only token)' : '';
      throw new GitHubApiError(status, `GitHub refused to ${what}${status ? ` (HTTP ${status})` : ''}: ${said}${hint}`);
    }
  }

  async defaultBranch(): Promise<string> {
    const { data } = await this.call('read the repository', () => this.octokit.rest.repos.get(this.where));
    return data.default_branch;
  }

  /**
   * Who the token acts as. A user's token answers GET /user; an installation token (GITHUB_TOKEN,
   * a GitHub App's) is refused there, and acts as its app's bot: `<app slug>[bot]`, the app named
   * by a check run this token created (`app`).
   */
  async identity(app: string | null): Promise<GitHubAuthor> {
    try {
      const { data } = await this.octokit.rest.users.getAuthenticated();
      return { login: data.login, id: data.id };
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if ((status === 403 || status === 401) && app !== null) return { login: `${app}[bot]`, id: null };
      return this.call('tell who the token belongs to (GET /user)', () => Promise.reject(error));
    }
  }

  /** Every comment of an issue or pull request, all pages. */
  async comments(issue: number): Promise<IssueComment[]> {
    const all = await this.call(`list the comments of #${issue}`, () =>
      this.octokit.paginate(this.octokit.rest.issues.listComments, { ...this.where, issue_number: issue, per_page: 100 }),
    );
    return all.map((c) => ({ id: c.id, body: c.body ?? '', author: c.user ? { login: c.user.login, id: c.user.id } : null }));
  }

  async createComment(issue: number, body: string): Promise<number> {
    const { data } = await this.call(`comment on #${issue}`, () => this.octokit.rest.issues.createComment({ ...this.where, issue_number: issue, body }));
    return data.id;
  }

  async updateComment(id: number, body: string): Promise<void> {
    await this.call(`update comment ${id}`, () => this.octokit.rest.issues.updateComment({ ...this.where, comment_id: id, body }));
  }

  async deleteComment(id: number): Promise<void> {
    await this.call(`delete comment ${id}`, () => this.octokit.rest.issues.deleteComment({ ...this.where, comment_id: id }));
  }

  /**
   * A completed check run with its annotations, 50 per request (the first with the create, the
   * rest appended). Returns its id and the slug of the app it belongs to (the token's).
   */
  async checkRun(run: { name: string; headSha: string; conclusion: 'success' | 'failure' | 'neutral'; title: string; summary: string; text?: string; annotations: Annotation[]; detailsUrl?: string | null }): Promise<{ id: number; app: string | null }> {
    const chunks: Annotation[][] = [];
    for (let i = 0; i < run.annotations.length; i += ANNOTATIONS_PER_REQUEST) chunks.push(run.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
    const output = (annotations: Annotation[] | undefined) => ({
      title: clip(run.title, 255),
      summary: clip(run.summary, CHECK_TEXT_LIMIT),
      ...(run.text ? { text: clip(run.text, CHECK_TEXT_LIMIT) } : {}),
      ...(annotations && annotations.length > 0 ? { annotations } : {}),
    });
    const { data } = await this.call(`create check run "${run.name}"`, () =>
      this.octokit.rest.checks.create({
        ...this.where,
        name: run.name,
        head_sha: run.headSha,
        status: 'completed',
        conclusion: run.conclusion,
        ...(run.detailsUrl ? { details_url: run.detailsUrl } : {}),
        output: output(chunks[0]),
      }),
    );
    for (const chunk of chunks.slice(1)) {
      await this.call(`add annotations to check run ${data.id}`, () => this.octokit.rest.checks.update({ ...this.where, check_run_id: data.id, output: output(chunk) }));
    }
    return { id: data.id, app: data.app?.slug ?? null };
  }

  async commitStatus(sha: string, status: { context: string; state: 'success' | 'failure' | 'pending' | 'error'; description: string; targetUrl?: string | null }): Promise<void> {
    const description = status.description.length > 140 ? `${status.description.slice(0, 139)}…` : status.description;
    await this.call(`set the commit status "${status.context}"`, () =>
      this.octokit.rest.repos.createCommitStatus({ ...this.where, sha, state: status.state, context: status.context, description, ...(status.targetUrl ? { target_url: status.targetUrl } : {}) }),
    );
  }

  /** Every open pull request of this repository whose head branch starts with `prefix` (all pages, one listing). */
  async openPullsFrom(prefix: string): Promise<PullSummary[]> {
    const all = await this.call('list the open pull requests', () => this.octokit.paginate(this.octokit.rest.pulls.list, { ...this.where, state: 'open', per_page: 100 }));
    return all.filter((p) => p.head.ref.startsWith(prefix) && (p.head.repo?.full_name ?? '') === `${this.where.owner}/${this.where.repo}`).map(summary);
  }

  /** The open pull requests whose head is `owner:branch` (a fork's branch too). */
  async openPullsByHead(owner: string, branch: string): Promise<PullSummary[]> {
    const all = await this.call(`list the open pull requests from ${owner}:${branch}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.list, { ...this.where, state: 'open', head: `${owner}:${branch}`, per_page: 100 }),
    );
    return all.map(summary);
  }

  async pull(number: number): Promise<PullSummary> {
    const { data } = await this.call(`read pull request #${number}`, () => this.octokit.rest.pulls.get({ ...this.where, pull_number: number }));
    return summary(data);
  }

  async createPull(pull: { title: string; head: string; base: string; body: string }): Promise<PullSummary> {
    const { data } = await this.call(`open a pull request from ${pull.head}`, () => this.octokit.rest.pulls.create({ ...this.where, ...pull, maintainer_can_modify: true }));
    return summary(data);
  }

  async updatePull(number: number, fields: { title?: string; body?: string; state?: 'open' | 'closed' }): Promise<void> {
    await this.call(`update pull request #${number}`, () => this.octokit.rest.pulls.update({ ...this.where, pull_number: number, ...fields }));
  }

  async addLabels(issue: number, labels: string[]): Promise<void> {
    await this.call(`label #${issue}`, () => this.octokit.rest.issues.addLabels({ ...this.where, issue_number: issue, labels }));
  }

  async deleteBranch(branch: string): Promise<void> {
    await this.call(`delete branch ${branch}`, () => this.octokit.rest.git.deleteRef({ ...this.where, ref: `heads/${branch}` }));
  }
}

function summary(p: { number: number; state: string; body?: string | null; title: string; head: { ref: string; sha: string; repo?: { full_name: string } | null }; base: { ref: string }; merged_at?: string | null; merged?: boolean; html_url: string }): PullSummary {
  return { number: p.number, state: p.state, body: p.body ?? null, title: p.title, headRef: p.head.ref, headSha: p.head.sha, baseRef: p.base.ref, headRepo: p.head.repo?.full_name ?? null, merged: p.merged ?? p.merged_at != null, url: p.html_url };
}
