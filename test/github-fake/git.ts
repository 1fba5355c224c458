// The fake's Git side: refs, SHAs, diffs and merges come from a real bare repository, through
// the git CLI (execFile, never a shell).
import { execFile } from 'node:child_process';

export interface GitIdentity {
  name: string;
  email: string;
}

export interface ChangedFile {
  filename: string;
  previous_filename?: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed';
  additions: number;
  deletions: number;
  /** The blob in the newer tree; null for a removed file. */
  sha: string | null;
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

const SHA = /^[0-9a-f]{40}$/;
// Characters and sequences Git forbids in ref names; they would make rev-parse read a revision
// expression (main~1, main^{tree}) instead of a name.
const NOT_A_REF_NAME = /[~^:?*[\\\s]|\.\.|@\{/;

const STATUS_LETTERS: Record<string, ChangedFile['status']> = {
  A: 'added', D: 'removed', M: 'modified', R: 'renamed', C: 'copied', T: 'changed',
};

export class BareRepository {
  constructor(readonly gitDir: string) {}

  /** Runs git; a non-zero exit is returned, not thrown, for the codes listed in `allowed`. */
  private run(args: string[], options: { env?: Record<string, string>; allowed?: number[] } = {}): Promise<GitResult> {
    return new Promise((resolve, reject) => {
      execFile('git', [`--git-dir=${this.gitDir}`, ...args], {
        env: { ...process.env, ...options.env, GIT_TERMINAL_PROMPT: '0' },
        maxBuffer: 64 * 1024 * 1024,
      }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (code === 0 || options.allowed?.includes(code)) resolve({ code, stdout, stderr });
        else reject(new Error(`git ${args.join(' ')} failed (${code}): ${stderr.trim() || error?.message}`));
      });
    });
  }

  private async verify(revision: string): Promise<string | undefined> {
    const { code, stdout } = await this.run(['rev-parse', '--verify', '--quiet', revision], { allowed: [1] });
    return code === 0 ? stdout.trim() : undefined;
  }

  async defaultBranch(): Promise<string> {
    return (await this.run(['symbolic-ref', '--short', 'HEAD'])).stdout.trim();
  }

  /** The object a full ref name (`refs/heads/main`) points to, unpeeled; exactly that ref, no revision syntax. */
  async refTarget(ref: string): Promise<string | undefined> {
    const { code, stdout } = await this.run(['show-ref', '--verify', '--hash', ref], { allowed: [1, 128] });
    return code === 0 ? stdout.trim() : undefined;
  }

  /** Every branch and pull request ref (`refs/heads/…`, `refs/pull/…`) and the object it points to, in one read. */
  async pullAndBranchRefs(): Promise<Map<string, string>> {
    const { stdout } = await this.run(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads', 'refs/pull']);
    return new Map(stdout.split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
  }

  async branchSha(branch: string): Promise<string | undefined> {
    return NOT_A_REF_NAME.test(branch) ? undefined : this.verify(`refs/heads/${branch}^{commit}`);
  }

  /** What GitHub accepts as a commit ref: a full SHA, a branch name or a tag name. */
  async resolveCommit(ref: string): Promise<string | undefined> {
    if (SHA.test(ref)) return this.verify(`${ref}^{commit}`);
    if (NOT_A_REF_NAME.test(ref)) return undefined;
    return (await this.verify(`refs/heads/${ref}^{commit}`)) ?? this.verify(`refs/tags/${ref}^{commit}`);
  }

  async objectType(sha: string): Promise<string> {
    return (await this.run(['cat-file', '-t', sha])).stdout.trim();
  }

  async deleteRef(ref: string, expected: string): Promise<void> {
    await this.run(['update-ref', '-d', ref, expected]);
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const { code, stdout } = await this.run(['merge-base', a, b], { allowed: [1] });
    return code === 0 ? stdout.trim() : undefined;
  }

  async countCommits(from: string, to: string): Promise<number> {
    return Number((await this.run(['rev-list', '--count', `${from}..${to}`])).stdout.trim());
  }

  /** The tree merging `theirs` into `ours` gives, or undefined when the merge conflicts. */
  async mergeTree(ours: string, theirs: string): Promise<string | undefined> {
    const { code, stdout } = await this.run(['merge-tree', '--write-tree', '--no-messages', ours, theirs], { allowed: [1] });
    return code === 0 ? stdout.split('\n')[0]!.trim() : undefined;
  }

  async treeOf(commit: string): Promise<string> {
    return (await this.run(['rev-parse', `${commit}^{tree}`])).stdout.trim();
  }

  async commitTree(input: { tree: string; parents: string[]; message: string; author: GitIdentity; committer: GitIdentity; date: Date }): Promise<string> {
    const date = `@${Math.floor(input.date.getTime() / 1000)} +0000`;
    const parents = input.parents.flatMap((parent) => ['-p', parent]);
    const { stdout } = await this.run(['commit-tree', input.tree, ...parents, '-m', input.message], {
      env: {
        GIT_AUTHOR_NAME: input.author.name, GIT_AUTHOR_EMAIL: input.author.email, GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: input.committer.name, GIT_COMMITTER_EMAIL: input.committer.email, GIT_COMMITTER_DATE: date,
      },
    });
    return stdout.trim();
  }

  /**
   * Copies a commit and what it reaches from another repository (a path) without creating any
   * ref for it; false when that repository has no such commit.
   */
  async fetchCommit(from: string, sha: string): Promise<boolean> {
    if (!SHA.test(sha)) return false;
    const { code } = await this.run(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', from, sha], { allowed: [1, 128] });
    return code === 0 && (await this.verify(`${sha}^{commit}`)) === sha;
  }

  /** Points a ref at a commit, wherever it pointed before: for refs only the fake writes. */
  async setRef(ref: string, sha: string): Promise<void> {
    await this.run(['update-ref', ref, sha]);
  }

  /** Moves a ref only if it still points where the caller last saw it. */
  async updateRef(ref: string, sha: string, expected: string): Promise<void> {
    await this.run(['update-ref', ref, sha, expected]);
  }

  /** Files that differ between two commits, with rename detection, as GitHub lists a pull request's files. */
  async changedFiles(from: string, to: string): Promise<ChangedFile[]> {
    const [raw, numstat] = await Promise.all([
      this.run(['diff', '--raw', '-z', '-M', '--no-abbrev', from, to]),
      this.run(['diff', '--numstat', '-z', '-M', from, to]),
    ]);
    const counts: { additions: number; deletions: number }[] = [];
    const stats = numstat.stdout.split('\0');
    for (let i = 0; i < stats.length - 1;) {
      const [additions = '0', deletions = '0', path = ''] = stats[i]!.split('\t');
      counts.push({ additions: Number(additions) || 0, deletions: Number(deletions) || 0 });
      i += path === '' ? 3 : 1; // a rename is followed by its old and new path
    }
    const files: ChangedFile[] = [];
    const fields = raw.stdout.split('\0');
    for (let i = 0; i < fields.length - 1;) {
      const [, , , newSha = '', letters = ''] = fields[i]!.slice(1).split(' ');
      const status = STATUS_LETTERS[letters[0]!] ?? 'changed';
      const twoPaths = status === 'renamed' || status === 'copied';
      const count = counts[files.length] ?? { additions: 0, deletions: 0 };
      files.push({
        filename: twoPaths ? fields[i + 2]! : fields[i + 1]!,
        ...(twoPaths ? { previous_filename: fields[i + 1]! } : {}),
        status,
        ...count,
        sha: status === 'removed' ? null : newSha,
      });
      i += twoPaths ? 3 : 2;
    }
    return files;
  }
}
