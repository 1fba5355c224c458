// Issue comments and labels. The only issues in the fake are pull requests (GitHub numbers both
// from one sequence and serves a pull request's conversation through the issues API).
//
// A token with write access may edit or delete anyone's comment in the repository, on GitHub and
// here; each edit and deletion is recorded with the comment's author, so a test can check the
// product only touched its own.
import { notFound, paginate, validationFailed, type FakeContext, type Handler } from './context.js';
import { commentJson, labelsJson } from './representations.js';
import type { CommentRecord, GitHubUser } from './state.js';

/** GitHub's limit on a comment body, in characters. */
export const COMMENT_BODY_LIMIT = 65_536;

function requireIssue(context: FakeContext, number: unknown): number {
  if (!context.store.pulls.has(Number(number))) throw notFound();
  return Number(number);
}

function findComment(context: FakeContext, id: unknown): CommentRecord {
  const comment = context.store.comments.get(Number(id));
  if (!comment) throw notFound();
  return comment;
}

function checkBodyLength(body: string): void {
  // Ruby counts characters, not UTF-16 code units.
  if ([...body].length > COMMENT_BODY_LIMIT) {
    throw validationFailed({
      resource: 'IssueComment', code: 'unprocessable', field: 'data',
      message: `Body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`,
    });
  }
}

export function addComment(context: FakeContext, issueNumber: number, body: string, user: GitHubUser): CommentRecord {
  requireIssue(context, issueNumber);
  checkBodyLength(body);
  const now = context.now();
  const comment: CommentRecord = { id: context.store.nextId(), issue_number: issueNumber, body, user, created_at: now, updated_at: now };
  context.store.comments.set(comment.id, comment);
  return comment;
}

export function commentsOn(context: FakeContext, issueNumber: number): CommentRecord[] {
  return [...context.store.comments.values()].filter((comment) => comment.issue_number === issueNumber).sort((a, b) => a.id - b.id);
}

const list: Handler = async (request, context) => {
  const number = requireIssue(context, request.parameters.issue_number);
  const since = request.parameters.since as string | undefined;
  const comments = commentsOn(context, number).filter((comment) => since === undefined || Date.parse(comment.updated_at) >= Date.parse(since));
  const { page, headers } = paginate(comments, request);
  return { status: 200, body: page.map((comment) => commentJson(comment, context)), headers };
};

const create: Handler = async (request, context) => {
  const { body } = request.body as { body: string };
  const comment = addComment(context, Number(request.parameters.issue_number), body, context.bot);
  return { status: 201, body: commentJson(comment, context), headers: { location: commentJson(comment, context).url as string } };
};

const update: Handler = async (request, context) => {
  const comment = findComment(context, request.parameters.comment_id);
  const { body } = request.body as { body: string };
  checkBodyLength(body);
  comment.body = body;
  comment.updated_at = context.now();
  context.store.commentEdits.push({ id: comment.id, issue_number: comment.issue_number, author: comment.user, action: 'edited' });
  return { status: 200, body: commentJson(comment, context) };
};

const remove: Handler = async (request, context) => {
  const comment = findComment(context, request.parameters.comment_id);
  context.store.comments.delete(comment.id);
  context.store.commentEdits.push({ id: comment.id, issue_number: comment.issue_number, author: comment.user, action: 'deleted' });
  return { status: 204 };
};

const addLabels: Handler = async (request, context) => {
  const number = requireIssue(context, request.parameters.issue_number);
  const { labels = [] } = (request.body ?? {}) as { labels?: (string | { name: string })[] };
  const names = context.store.issueLabels.get(number) ?? [];
  for (const label of labels) {
    const name = typeof label === 'string' ? label : label.name;
    // GitHub creates a label the repository does not have yet.
    if (!context.store.labels.has(name)) context.store.labels.set(name, { id: context.store.nextId(), name, color: 'ededed', description: null });
    if (!names.includes(name)) names.push(name);
  }
  context.store.issueLabels.set(number, names);
  return { status: 200, body: labelsJson(number, context) };
};

export const issueHandlers: Record<string, Handler> = {
  'issues/list-comments': list,
  'issues/create-comment': create,
  'issues/update-comment': update,
  'issues/delete-comment': remove,
  'issues/add-labels': addLabels,
};
