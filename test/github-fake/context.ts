// What every operation handler receives and returns.
import type { BareRepository, GitIdentity } from './git.js';
import type { Operation } from './openapi.js';
import type { AppRecord, FakeStore, GitHubUser } from './state.js';

export interface FakeContext {
  owner: string;
  repo: string;
  repositoryId: number;
  /** The fake's base URL, which stands for https://api.github.com. */
  apiUrl: string;
  /** The user the token belongs to: the author of everything written through the API. */
  bot: GitHubUser;
  /** The GitHub App the token acts for when it is an installation token (`bot` is a Bot); null for a person's token. */
  app: AppRecord | null;
  git: BareRepository;
  store: FakeStore;
  /** The current time as GitHub writes it (seconds, UTC). */
  now(): string;
  clock(): Date;
}

export interface FakeRequest {
  operation: Operation;
  /** Path and query parameters, converted to their declared types, defaults filled in. */
  parameters: Record<string, unknown>;
  body: unknown;
  url: URL;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: FakeRequest, context: FakeContext) => Promise<FakeResponse>;

export interface ValidationErrorItem {
  resource: string;
  code: string;
  field?: string;
  message?: string;
}

/** An answer GitHub itself would give (404, 405, 409, 422…): a response, not a violation. */
export class GitHubError extends Error {
  constructor(readonly status: number, message: string, readonly errors?: ValidationErrorItem[]) {
    super(message);
  }
}

/** GitHub's 422 with a list of what failed. */
export function validationFailed(...errors: ValidationErrorItem[]): GitHubError {
  return new GitHubError(422, 'Validation Failed', errors);
}

export function notFound(): GitHubError {
  return new GitHubError(404, 'Not Found');
}

/** Something the fake does not model. It is answered, and recorded as a violation so the test fails. */
export class Unsupported extends Error {}

export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function htmlUrl(context: FakeContext, path = ''): string {
  return `https://github.com/${context.owner}/${context.repo}${path}`;
}

export function apiUrl(context: FakeContext, path = ''): string {
  return `${context.apiUrl}/repos/${context.owner}/${context.repo}${path}`;
}

/** Git identity for a GitHub user, as GitHub writes it into commits it makes for them. */
export function gitIdentity(user: GitHubUser): GitIdentity {
  return { name: user.login, email: `${user.id}+${user.login}@users.noreply.github.com` };
}

/**
 * One page of a list and its Link header, as GitHub pages: `per_page` (at most 100) and `page`,
 * links to the next, last, first and previous pages with the other query parameters kept.
 */
export function paginate<T>(items: T[], request: FakeRequest): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(request.parameters.per_page ?? 30), 1), 100);
  const page = Math.max(Number(request.parameters.page ?? 1), 1);
  const lastPage = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (number: number, rel: string): string => {
    const url = new URL(request.url);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(number));
    return `<${url.href}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, lastPage), 'prev'));
  if (page < lastPage) links.push(link(page + 1, 'next'), link(lastPage, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  return {
    page: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length > 0 ? { link: links.join(', ') } : {},
  };
}
