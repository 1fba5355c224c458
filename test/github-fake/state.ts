// What the fake remembers between requests. Records use GitHub's field names, so a test reads
// them the way the product code reads GitHub's JSON. Git data (branch heads, merges) is not kept
// here: it lives in the bare repository.

export interface GitHubUser {
  login: string;
  id: number;
  type: 'Bot' | 'User';
}

export interface PullRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  maintainer_can_modify: boolean;
  /**
   * The head and base branches; a sha is the branch head when last read, frozen once the pull
   * request closes. The head's branch is in this repository or, for a pull request from a fork,
   * in the fork named by `repo` (its label is then `fork-owner:branch`).
   */
  head: { label: string; ref: string; sha: string; repo: { full_name: string; fork: boolean } };
  base: { ref: string; sha: string };
  user: GitHubUser;
  merged: boolean;
  merged_by: GitHubUser | null;
  /**
   * As on GitHub: while open, the test merge commit (refs/pull/<number>/merge), null while head
   * and base conflict; once merged, the merge commit.
   */
  merge_commit_sha: string | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  merged_at: string | null;
}

/** Another user's fork of the repository, where the head of a pull request from outside lives. */
export interface ForkRecord {
  id: number;
  /** `owner/name` */
  full_name: string;
  owner: GitHubUser;
  /**
   * Its branches' tips as last pushed. GitHub keeps a fork's objects with the repository's; here
   * they are in the bare repository, where only refs/pull/<number>/head points to them.
   */
  branches: Map<string, string>;
}

/** The GitHub App an installation token (a Bot) acts for; check runs belong to it. */
export interface AppRecord {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  external_url: string;
  owner: { login: string; id: number };
}

export interface CommentRecord {
  id: number;
  issue_number: number;
  body: string;
  user: GitHubUser;
  created_at: string;
  updated_at: string;
}

/** An edit or deletion of a comment through the API, with whose comment it was. */
export interface CommentEditRecord {
  id: number;
  issue_number: number;
  /** Who wrote the comment (not who edited it: that is always the token's identity). */
  author: GitHubUser;
  action: 'edited' | 'deleted';
}

/** An annotation as the check-run request sent it. */
export interface AnnotationRecord {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckRunRecord {
  id: number;
  name: string;
  head_sha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  external_id: string | null;
  details_url: string | null;
  started_at: string | null;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: AnnotationRecord[];
  /** The app whose token created the run. */
  app: AppRecord;
}

export interface StatusRecord {
  id: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  target_url: string | null;
  creator: GitHubUser;
  created_at: string;
  updated_at: string;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export class FakeStore {
  // One sequence for every kind of id, starting far from issue numbers, so a test notices when
  // code passes a comment id where a check-run id or a pull-request number belongs.
  private lastId = 1000;
  private lastIssueNumber = 0;
  readonly pulls = new Map<number, PullRecord>();
  /** By full name. */
  readonly forks = new Map<string, ForkRecord>();
  /** The test merge of each pull request, by number, for the base and head SHAs it merges; null when they conflict. */
  readonly testMerges = new Map<number, { base: string; head: string; sha: string | null }>();
  readonly comments = new Map<number, CommentRecord>();
  readonly commentEdits: CommentEditRecord[] = [];
  readonly checkRuns = new Map<number, CheckRunRecord>();
  readonly statuses: StatusRecord[] = [];
  readonly labels = new Map<string, LabelRecord>();
  readonly issueLabels = new Map<number, string[]>();

  nextId(): number {
    return ++this.lastId;
  }

  nextIssueNumber(): number {
    return ++this.lastIssueNumber;
  }
}
