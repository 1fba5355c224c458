// The HTTP side of the fake: authenticates, routes a request to its operation, checks it against
// the description, runs the handler and checks the response before sending it. Anything that
// breaks the contract, on either side, is recorded as a violation.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { checkHandlers } from './checks.js';
import { GitHubError, Unsupported, type FakeContext, type FakeResponse, type Handler } from './context.js';
import { identityHandlers } from './identity.js';
import { issueHandlers } from './issues.js';
import { checkParameters, checkRequestBody, checkResponse, type Operation } from './openapi.js';
import { pullHandlers, withPullsObserved } from './pulls.js';
import { repositoryHandlers } from './repository.js';
import { findRoute } from './routes.js';
import { statusHandlers } from './statuses.js';

export interface RequestLogEntry {
  method: string;
  /** Path and query as sent. */
  path: string;
  /** GitHub's operation id, when the request matched one the fake serves. */
  operation?: string;
  status: number;
}

export interface Recorder {
  violations: string[];
  requests: RequestLogEntry[];
}

const HANDLERS: Record<string, Handler> = {
  ...pullHandlers, ...issueHandlers, ...checkHandlers, ...statusHandlers, ...repositoryHandlers, ...identityHandlers,
};

const REST_DOCS = 'https://docs.github.com/rest';

function errorBody(message: string, documentationUrl = REST_DOCS, errors?: unknown[]): Record<string, unknown> {
  return { message, documentation_url: documentationUrl, ...(errors ? { errors } : {}) };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, answer: FakeResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body === undefined) {
    response.writeHead(answer.status, headers).end();
    return;
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  response.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
}

/** Bearer or token scheme, as GitHub accepts both. */
function presentedToken(header: string | undefined): string | undefined {
  return /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '')?.[1];
}

function sameName(a: unknown, b: string): boolean {
  return String(a).toLowerCase() === b.toLowerCase();
}

/**
 * The request listener. `exclusive` runs one handler at a time, so concurrent requests see and
 * change state in a well-defined order.
 */
export function fakeListener(context: FakeContext, token: string, recorder: Recorder, exclusive: <T>(work: () => Promise<T>) => Promise<T>): RequestListener {
  async function answer(request: IncomingMessage, url: URL, log: RequestLogEntry): Promise<FakeResponse> {
    const label = `${log.method} ${log.path}`;
    const violation = (operation: Operation | undefined, problems: string[]): void => {
      for (const problem of problems) recorder.violations.push(`${label}${operation ? ` (${operation.id})` : ''}: ${problem}`);
    };

    const authorization = request.headers.authorization;
    if (presentedToken(authorization) !== token) {
      return { status: 401, body: errorBody(authorization ? 'Bad credentials' : 'Requires authentication') };
    }
    const route = findRoute(log.method, url.pathname);
    if (!route) {
      violation(undefined, ['no operation of openapi-subset.json matches; GITHUB_OPERATIONS lists the ones Ferry may call']);
      return { status: 404, body: errorBody('Not Found') };
    }
    const { operation } = route;
    log.operation = operation.id;

    const raw = await readBody(request);
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        violation(operation, ['the body is not JSON']);
        return { status: 400, body: errorBody('Problems parsing JSON', operation.docs) };
      }
    }
    const parameters: Record<string, unknown> = { ...Object.fromEntries(url.searchParams), ...route.pathParameters };
    const problems = [...checkParameters(operation, parameters), ...checkRequestBody(operation, body)];
    if (problems.length > 0) {
      violation(operation, problems);
      return { status: 422, body: errorBody(`Invalid request.\n\n${problems.join('\n')}`, operation.docs) };
    }

    let response: FakeResponse;
    try {
      const inRepository = operation.parameters.some((parameter) => parameter.in === 'path' && parameter.name === 'owner');
      if (inRepository && (!sameName(parameters.owner, context.owner) || !sameName(parameters.repo, context.repo))) {
        throw new GitHubError(404, 'Not Found');
      }
      const handler = HANDLERS[operation.id]!;
      // A read moves no branch, so only a write needs the pull requests caught up after it.
      response = await exclusive(() =>
        withPullsObserved(context, () => handler({ operation, parameters, body, url }, context), operation.method !== 'GET'));
    } catch (error) {
      if (error instanceof GitHubError) {
        response = { status: error.status, body: errorBody(error.message, operation.docs, error.errors) };
      } else if (error instanceof Unsupported) {
        violation(operation, [`not modelled by the fake: ${error.message}`]);
        return { status: 501, body: errorBody(`The GitHub fake does not model this: ${error.message}`) };
      } else {
        violation(operation, [`the fake failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`]);
        return { status: 500, body: errorBody('The GitHub fake failed; see its violations') };
      }
    }
    const responseProblems = checkResponse(operation, response.status, response.body);
    if (responseProblems.length > 0) {
      violation(operation, responseProblems.map((problem) => `the fake's own ${response.status} response breaks the description: ${problem}`));
      return { status: 500, body: errorBody(`The GitHub fake's response breaks the description:\n${responseProblems.join('\n')}`) };
    }
    return response;
  }

  return (request, response) => {
    const url = new URL(request.url ?? '/', context.apiUrl);
    const log: RequestLogEntry = { method: request.method ?? 'GET', path: `${url.pathname}${url.search}`, status: 0 };
    recorder.requests.push(log);
    void answer(request, url, log)
      .catch((error: unknown): FakeResponse => {
        recorder.violations.push(`${log.method} ${log.path}: the fake failed: ${String(error)}`);
        return { status: 500, body: errorBody('The GitHub fake failed; see its violations') };
      })
      .then((result) => {
        log.status = result.status;
        send(response, result);
      });
  };
}
