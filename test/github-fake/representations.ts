// The JSON GitHub sends for the fake's records. Each function writes one schema of the
// description (named in its comment); the fake checks every response against it, with unknown
// properties forbidden, so these stay faithful.
import { apiUrl, htmlUrl, type FakeContext } from './context.js';
import type { ChangedFile } from './git.js';
import type { AnnotationRecord, AppRecord, CheckRunRecord, CommentRecord, ForkRecord, GitHubUser, LabelRecord, PullRecord, StatusRecord } from './state.js';

type Json = Record<string, unknown>;

/** The id of the organization owning the repository. */
export const REPOSITORY_OWNER_ID = 90_001;
const REPOSITORY_CREATED = '2026-01-05T09:00:00Z';
const USER_CREATED = '2020-04-01T12:00:00Z';

function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(String(id)).toString('base64url')}`;
}

/** simple-user */
export function userJson(user: GitHubUser, context: FakeContext): Json {
  const api = `${context.apiUrl}/users/${encodeURIComponent(user.login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type === 'Bot' ? 'BOT' : 'U', user.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `https://github.com/${encodeURIComponent(user.login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** public-user: the public profile, all GitHub shows of a user to a token without the `user` scope */
export function publicUserJson(user: GitHubUser, context: FakeContext): Json {
  return {
    ...userJson(user, context),
    name: null,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: USER_CREATED,
    updated_at: USER_CREATED,
  };
}

function organizationJson(owner: { login: string; id: number }, context: FakeContext): Json {
  return { ...userJson({ ...owner, type: 'User' }, context), type: 'Organization', node_id: nodeId('O', owner.id) };
}

function ownerJson(context: FakeContext): Json {
  return organizationJson({ login: context.owner, id: REPOSITORY_OWNER_ID }, context);
}

function openPullCount(context: FakeContext): number {
  return [...context.store.pulls.values()].filter((pull) => pull.state === 'open').length;
}

/** What tells the repository and a fork of it apart in their JSON. */
interface RepositoryIdentity {
  id: number;
  name: string;
  full_name: string;
  owner: Json;
  fork: boolean;
  forks: number;
  open_issues: number;
}

/** repository (also valid as minimal-repository) */
export function repositoryJson(context: FakeContext, defaultBranch: string): Json {
  return repositoryJsonOf({
    id: context.repositoryId,
    name: context.repo,
    full_name: `${context.owner}/${context.repo}`,
    owner: ownerJson(context),
    fork: false,
    forks: context.store.forks.size,
    open_issues: openPullCount(context),
  }, context, defaultBranch);
}

/** repository, for a fork: GitHub makes a fork of a private repository private too, with the same default branch. */
function forkRepositoryJson(fork: ForkRecord, context: FakeContext, defaultBranch: string): Json {
  return repositoryJsonOf({
    id: fork.id,
    name: fork.full_name.split('/')[1]!,
    full_name: fork.full_name,
    owner: userJson(fork.owner, context),
    fork: true,
    forks: 0,
    open_issues: 0,
  }, context, defaultBranch);
}

function repositoryJsonOf(repository: RepositoryIdentity, context: FakeContext, defaultBranch: string): Json {
  const api = `${context.apiUrl}/repos/${repository.full_name}`;
  const html = `https://github.com/${repository.full_name}`;
  return {
    id: repository.id,
    node_id: nodeId('R', repository.id),
    name: repository.name,
    full_name: repository.full_name,
    owner: repository.owner,
    private: true,
    visibility: 'private',
    html_url: html,
    description: null,
    fork: repository.fork,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://github.com/${repository.full_name}.git`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@github.com:${repository.full_name}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    svn_url: html,
    homepage: null,
    language: null,
    forks: repository.forks,
    forks_count: repository.forks,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    default_branch: defaultBranch,
    open_issues: repository.open_issues,
    open_issues_count: repository.open_issues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: REPOSITORY_CREATED,
    created_at: REPOSITORY_CREATED,
    updated_at: REPOSITORY_CREATED,
  };
}

/** full-repository */
export function fullRepositoryJson(context: FakeContext, defaultBranch: string): Json {
  return {
    ...repositoryJson(context, defaultBranch),
    has_discussions: false,
    network_count: 0,
    subscribers_count: 0,
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: false,
    delete_branch_on_merge: false,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
  };
}

function labelJson(label: LabelRecord, context: FakeContext): Json {
  return {
    id: label.id,
    node_id: nodeId('LA', label.id),
    url: apiUrl(context, `/labels/${encodeURIComponent(label.name)}`),
    name: label.name,
    description: label.description,
    color: label.color,
    default: false,
  };
}

/** label */
export function labelsJson(issueNumber: number, context: FakeContext): Json[] {
  return (context.store.issueLabels.get(issueNumber) ?? []).map((name) => labelJson(context.store.labels.get(name)!, context));
}

function baseJson(pull: PullRecord, context: FakeContext, defaultBranch: string): Json {
  return {
    label: `${context.owner}:${pull.base.ref}`,
    ref: pull.base.ref,
    sha: pull.base.sha,
    user: ownerJson(context),
    repo: repositoryJson(context, defaultBranch),
  };
}

/** The head: a branch of the repository, or of a fork, whose owner is then the head's user. */
function headJson(pull: PullRecord, context: FakeContext, defaultBranch: string): Json {
  const fork = pull.head.repo.fork ? context.store.forks.get(pull.head.repo.full_name) : undefined;
  return {
    label: pull.head.label,
    ref: pull.head.ref,
    sha: pull.head.sha,
    user: fork ? userJson(fork.owner, context) : ownerJson(context),
    repo: fork ? forkRepositoryJson(fork, context, defaultBranch) : repositoryJson(context, defaultBranch),
  };
}

/** The fields pull-request and pull-request-simple share. */
function pullCommonJson(pull: PullRecord, context: FakeContext, defaultBranch: string): Json {
  const url = apiUrl(context, `/pulls/${pull.number}`);
  const html = htmlUrl(context, `/pull/${pull.number}`);
  const issue = apiUrl(context, `/issues/${pull.number}`);
  const statuses = apiUrl(context, `/statuses/${pull.head.sha}`);
  return {
    url,
    id: pull.id,
    node_id: nodeId('PR', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: apiUrl(context, '/pulls/comments{/number}'),
    comments_url: `${issue}/comments`,
    statuses_url: statuses,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: userJson(pull.user, context),
    body: pull.body,
    labels: labelsJson(pull.number, context),
    milestone: null,
    active_lock_reason: null,
    created_at: pull.created_at,
    updated_at: pull.updated_at,
    closed_at: pull.closed_at,
    merged_at: pull.merged_at,
    merge_commit_sha: pull.merge_commit_sha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: headJson(pull, context, defaultBranch),
    base: baseJson(pull, context, defaultBranch),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: apiUrl(context, '/pulls/comments{/number}') },
      commits: { href: `${url}/commits` },
      statuses: { href: statuses },
    },
    author_association: pull.user.login === context.owner ? 'OWNER' : 'CONTRIBUTOR',
    auto_merge: null,
    draft: pull.draft,
  };
}

/** pull-request-simple */
export function pullSimpleJson(pull: PullRecord, context: FakeContext, defaultBranch: string): Json {
  const common = pullCommonJson(pull, context, defaultBranch);
  // Here (unlike in pull-request and label) the description types a label's description as a
  // string that cannot be null.
  const labels = (common.labels as Json[]).map((label) => ({ ...label, description: label.description ?? '' }));
  return { ...common, labels };
}

export interface PullFigures {
  mergeable: boolean | null;
  commits: number;
  additions: number;
  deletions: number;
  changed_files: number;
}

/** pull-request */
export function pullJson(pull: PullRecord, figures: PullFigures, context: FakeContext, defaultBranch: string): Json {
  const mergeableState = pull.state === 'closed' || figures.mergeable === null ? 'unknown' : figures.mergeable ? 'clean' : 'dirty';
  return {
    ...pullCommonJson(pull, context, defaultBranch),
    merged: pull.merged,
    mergeable: figures.mergeable,
    rebaseable: figures.mergeable,
    mergeable_state: mergeableState,
    merged_by: pull.merged_by && userJson(pull.merged_by, context),
    comments: [...context.store.comments.values()].filter((comment) => comment.issue_number === pull.number).length,
    review_comments: 0,
    maintainer_can_modify: pull.maintainer_can_modify,
    commits: figures.commits,
    additions: figures.additions,
    deletions: figures.deletions,
    changed_files: figures.changed_files,
  };
}

/** pull-request-minimal, as a check run lists the pull requests of its head */
function pullMinimalJson(pull: PullRecord, context: FakeContext): Json {
  const repo = { id: context.repositoryId, url: apiUrl(context), name: context.repo };
  return {
    id: pull.id,
    number: pull.number,
    url: apiUrl(context, `/pulls/${pull.number}`),
    head: { ref: pull.head.ref, sha: pull.head.sha, repo },
    base: { ref: pull.base.ref, sha: pull.base.sha, repo },
  };
}

/** issue-comment */
export function commentJson(comment: CommentRecord, context: FakeContext): Json {
  return {
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    url: apiUrl(context, `/issues/comments/${comment.id}`),
    html_url: htmlUrl(context, `/pull/${comment.issue_number}#issuecomment-${comment.id}`),
    body: comment.body,
    user: userJson(comment.user, context),
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    issue_url: apiUrl(context, `/issues/${comment.issue_number}`),
    author_association: 'NONE',
  };
}

/** nullable-integration: the app a check run belongs to */
function appJson(app: AppRecord, context: FakeContext): Json {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId('A', app.id),
    owner: organizationJson(app.owner, context),
    name: app.name,
    description: app.description,
    external_url: app.external_url,
    html_url: `https://github.com/apps/${app.slug}`,
    created_at: '2018-07-30T09:30:17Z',
    updated_at: '2024-04-10T20:33:16Z',
    permissions: { checks: 'write', contents: 'write', issues: 'write', metadata: 'read', pull_requests: 'write', statuses: 'write' },
    events: ['check_run', 'check_suite', 'pull_request', 'push', 'status'],
  };
}

/** check-run */
export function checkRunJson(run: CheckRunRecord, context: FakeContext): Json {
  // GitHub matches a check run's pull requests by pushes to this repository only, so never one from a fork.
  const pulls = [...context.store.pulls.values()].filter((pull) => pull.state === 'open' && !pull.head.repo.fork && pull.head.sha === run.head_sha);
  return {
    id: run.id,
    head_sha: run.head_sha,
    node_id: nodeId('CR', run.id),
    external_id: run.external_id,
    url: apiUrl(context, `/check-runs/${run.id}`),
    html_url: htmlUrl(context, `/runs/${run.id}`),
    details_url: run.details_url,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.started_at,
    completed_at: run.completed_at,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.annotations.length,
      annotations_url: apiUrl(context, `/check-runs/${run.id}/annotations`),
    },
    name: run.name,
    check_suite: { id: run.id + 500_000 },
    app: appJson(run.app, context),
    pull_requests: pulls.map((pull) => pullMinimalJson(pull, context)),
  };
}

/** check-annotation */
export function annotationJson(annotation: AnnotationRecord, run: CheckRunRecord, context: FakeContext): Json {
  return {
    path: annotation.path,
    blob_href: htmlUrl(context, `/blob/${run.head_sha}/${annotation.path}`),
    start_line: annotation.start_line,
    end_line: annotation.end_line,
    start_column: annotation.start_column ?? null,
    end_column: annotation.end_column ?? null,
    annotation_level: annotation.annotation_level,
    title: annotation.title ?? null,
    message: annotation.message,
    raw_details: annotation.raw_details ?? null,
  };
}

function statusFields(status: StatusRecord, context: FakeContext): Json {
  return {
    url: apiUrl(context, `/statuses/${status.sha}`),
    avatar_url: `https://avatars.githubusercontent.com/u/${status.creator.id}?v=4`,
    id: status.id,
    node_id: nodeId('SC', status.id),
    state: status.state,
    description: status.description,
    target_url: status.target_url,
    context: status.context,
    created_at: status.created_at,
    updated_at: status.updated_at,
  };
}

/** status */
export function statusJson(status: StatusRecord, context: FakeContext): Json {
  return { ...statusFields(status, context), creator: userJson(status.creator, context) };
}

/** combined-commit-status: the latest status per context and their overall state */
export function combinedStatusJson(sha: string, page: StatusRecord[], state: string, totalCount: number, context: FakeContext, defaultBranch: string): Json {
  return {
    state,
    statuses: page.map((status) => statusFields(status, context)),
    sha,
    total_count: totalCount,
    repository: repositoryJson(context, defaultBranch),
    commit_url: apiUrl(context, `/commits/${sha}`),
    url: apiUrl(context, `/commits/${sha}/status`),
  };
}

/** git-ref */
export function gitRefJson(ref: string, sha: string, type: string, context: FakeContext): Json {
  return {
    ref,
    node_id: nodeId('REF', [...ref].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7)),
    url: apiUrl(context, `/git/${ref}`),
    object: { type, sha, url: apiUrl(context, `/git/${type === 'tag' ? 'tags' : 'commits'}/${sha}`) },
  };
}

/** diff-entry */
export function diffEntryJson(file: ChangedFile, headSha: string, context: FakeContext): Json {
  const path = file.filename.split('/').map(encodeURIComponent).join('/');
  return {
    sha: file.sha,
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
    blob_url: htmlUrl(context, `/blob/${headSha}/${path}`),
    raw_url: htmlUrl(context, `/raw/${headSha}/${path}`),
    contents_url: apiUrl(context, `/contents/${path}?ref=${headSha}`),
    ...(file.previous_filename === undefined ? {} : { previous_filename: file.previous_filename }),
  };
}
