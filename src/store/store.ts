// The status store: the branch the reconciler owns (DESIGN §2), read and written with Git
// plumbing, compare-and-swap on every write. Remote mode pushes without force, so a write based
// on a revision that is no longer the branch's tip is refused ('moved') and the caller re-reads
// and decides again. Local mode keeps the branch in the repository only (demos, tests). Every
// commit ends with Ferry's trailers (./commits.ts); `ferry doctor` and `ferry repair` read the
// branch's history through the same decoder (StatusBranch). In a long-running process the store
// holds the status it last read or wrote: a tick whose tip did not move reads nothing, one whose
// tip moved reads only the files that changed, and a write renders only the files whose records
// changed (docs/operations.md, "What a long-running apply keeps between ticks").

import { randomBytes } from 'node:crypto';
import { emptyStatus, type StatusState } from '../engine/status.js';
import { StatusStoreError } from './errors.js';
import { readCommits, withFerryTrailers, type StatusCommit } from './commits.js';
import {
  assembleStatus,
  checkFormat,
  classify,
  decodeManifest,
  decodeRecords,
  filesToStatus,
  newerFormatError,
  parseRawFile,
  planStatusFiles,
  type DecodedTree,
} from './format.js';
import { blobId, diffTrees, git, listTree, readBlobs, redact, resolveRef, writeCommit, type GitResult, type Identity, type ObjectFormat, type RunOptions } from './git.js';
import { runMaintenance } from './housekeeping.js';
import { lockInMessage, recoverLeftovers, STALE_LOCK_AGE_MS } from './locks.js';

export type { Identity };
import { classifyPath, STATUS_FILE } from './paths.js';
import { compareCodeUnits } from './shape.js';

export interface StatusSnapshot {
  /** The commit the status was read from; null when the branch does not exist yet. */
  revision: string | null;
  /** The status at that commit. Its records are frozen: change one by replacing it. */
  status: StatusState;
}

export type WriteResult = { ok: true; revision: string } | { ok: false; reason: 'moved'; message: string };

export interface StatusStore {
  /** Where the branch lives, for messages ("the branch ferry/status on the remote origin"). */
  readonly description: string;
  read(): Promise<StatusSnapshot>;
  /** One commit whose parent is base.revision, or 'moved' when the branch is no longer there. */
  write(base: StatusSnapshot, next: StatusState, message: string, options?: WriteOptions): Promise<WriteResult>;
}

/**
 * The branch as `ferry doctor` and `ferry repair` need it: its history, and the status at any of
 * its commits. A status store of a repository is one.
 */
export interface StatusBranch extends StatusStore {
  /** What this store has done so far: how much it read, listed and rendered (tests and benchmarks count work with it). */
  readonly counters: Readonly<StoreCounters>;
  /** The branch's tip (fetched first in remote mode), without reading it; null when there is no branch. */
  tip(): Promise<string | null>;
  /** The status at one commit, decoded exactly as read() decodes the tip (an older format upgraded). */
  readAt(revision: string): Promise<StatusState>;
  /** The first-parent chain from a commit, newest first: at most `limit` commits. */
  firstParents(revision: string, limit: number): Promise<StatusCommit[]>;
  /** The commit a revision names in the repository (an id, a branch, `ferry/status~2`), or null. */
  commitOf(revision: string): Promise<string | null>;
}

/**
 * The work a store did, counted since it was opened. A long-running process (apply --watch,
 * --until-idle) holds the status between ticks: a tick whose branch did not move reads no blob and
 * lists no tree, and a write renders only the files whose records changed.
 */
export interface StoreCounters {
  /** read() calls answered with the status held in memory: the tip was the revision last read or written. */
  heldReads: number;
  /** Trees listed in full (`git ls-tree`), and trees known from the revision held by the changes since (`git diff-tree`). */
  treesListed: number;
  treesDiffed: number;
  /** Blobs read (`git cat-file`), and statuses assembled from decoded files. */
  blobsRead: number;
  assembled: number;
  /** Files a write rendered (and hashed); the others kept the blob of the base. */
  filesRendered: number;
}

export interface WriteOptions {
  /** The person the commit is theirs (a `ferry pause`): its author and committer, instead of the reconciler's. */
  author?: Identity;
  /**
   * Write every file of the status and nothing else, without reading the base's tree: a repair's
   * base is a commit Ferry could not read, whose tree may hold anything (a link, a submodule).
   */
  replaceTree?: boolean;
}

export interface StatusStoreOptions {
  repoDir: string;
  branch: string;
  /** The remote to fetch from and push to; null keeps the branch in repoDir only (local mode). */
  remote: string | null;
  /** Told what was cleaned up at open (stale Git locks, temporary refs of processes that are gone). */
  onRecovered?: (notice: string) => void;
  /** Told, once per store, that Git's housekeeping after a write failed (the write itself stands). */
  onHousekeeping?: (problem: string) => void;
}

export const DEFAULT_IDENTITY: Identity = { name: 'Ferry', email: 'ferry@localhost' };

/** How many revisions' file lists are remembered (the write base and a few before it). */
const REMEMBERED_TREES = 8;

/** The commit identity: GIT_AUTHOR_* / GIT_COMMITTER_* when set, else Ferry's own, so a machine without a Git identity can write. */
function identities(env: NodeJS.ProcessEnv): { author: Identity; committer: Identity } {
  const pick = (name: string | undefined, email: string | undefined): Identity =>
    name?.trim() && email?.trim() ? { name, email } : DEFAULT_IDENTITY;
  const author = pick(env.GIT_AUTHOR_NAME, env.GIT_AUTHOR_EMAIL);
  const committer = env.GIT_COMMITTER_NAME?.trim() && env.GIT_COMMITTER_EMAIL?.trim() ? pick(env.GIT_COMMITTER_NAME, env.GIT_COMMITTER_EMAIL) : author;
  return { author, committer };
}

export async function openStatusStore({ repoDir, branch, remote, onRecovered, onHousekeeping }: StatusStoreOptions): Promise<StatusBranch> {
  const ref = `refs/heads/${branch}`;
  const { code } = await git(repoDir, ['check-ref-format', ref], { allow: [1] });
  if (code !== 0 || branch.startsWith('-')) throw new StatusStoreError('status-git', `"${branch}" is not a valid branch name for the status branch`);
  const format = (await git(repoDir, ['rev-parse', '--show-object-format'])).stdout.trim();
  if (format !== 'sha1' && format !== 'sha256') throw new StatusStoreError('status-git', `${repoDir} uses the object format ${format}, which Ferry does not know`);
  if (remote !== null) {
    const url = await git(repoDir, ['config', '--get', `remote.${remote}.url`], { allow: [1] });
    if (url.code !== 0 || remote.startsWith('-')) throw new StatusStoreError('status-git', `the repository ${repoDir} has no remote named "${remote}"`);
  }
  const store = new GitStatusStore(repoDir, branch, remote, format, onHousekeeping);
  for (const notice of await recoverLeftovers(repoDir, store.refs)) onRecovered?.(notice);
  return store;
}

class GitStatusStore implements StatusBranch {
  readonly description: string;
  private readonly ref: string;
  private readonly tracking: string | null;
  /** Records decoded from the blobs of the last revision read, by file kind and blob id; frozen, so shared safely between snapshots. */
  private decoded = new Map<string, readonly object[]>();
  /** File lists (path → blob id) of recent revisions. */
  private readonly trees = new Map<string, Map<string, string>>();
  /**
   * The status at the revision this store last read or wrote: what read() answers while the
   * branch's tip stays there. A revision names its content, so the status stays true of it
   * whatever happens to the branch; a tip elsewhere is read again (from the changes since).
   */
  private held: { revision: string; status: StatusState } | null = null;
  readonly counters: StoreCounters = { heldReads: 0, treesListed: 0, treesDiffed: 0, blobsRead: 0, assembled: 0, filesRendered: 0 };
  private housekeepingReported = false;

  constructor(
    private readonly repoDir: string,
    private readonly branch: string,
    private readonly remote: string | null,
    private readonly objectFormat: ObjectFormat,
    private readonly onHousekeeping: ((problem: string) => void) | undefined,
  ) {
    this.ref = `refs/heads/${branch}`;
    this.tracking = remote === null ? null : `refs/remotes/${remote}/${branch}`;
    this.description = remote === null ? `the local branch ${branch} in ${repoDir}` : `the branch ${branch} on the remote ${remote}`;
  }

  /** The refs this store moves, whose locks it may find left behind. */
  get refs(): string[] {
    return this.tracking === null ? [this.ref] : [this.ref, this.tracking];
  }

  /**
   * Runs a git command that takes a ref lock; when a lock left by a killed process stops it, the
   * lock is removed (only if stale) and the command runs once more. A lock a live process may hold
   * is an error that says so.
   */
  private async withLocks(args: readonly string[], options: RunOptions): Promise<GitResult> {
    const first = await git(this.repoDir, args, options);
    if (first.code === 0 || lockInMessage(first.stderr) === null) return first;
    await recoverLeftovers(this.repoDir, this.refs);
    const second = await git(this.repoDir, args, options);
    const lock = second.code === 0 ? null : lockInMessage(second.stderr);
    if (lock !== null) {
      throw new StatusStoreError(
        'status-git-locked',
        `${this.description} cannot be updated: the Git lock ${lock} exists and may belong to a git process that still runs ` +
          `(one works in this repository, or the lock is younger than ${STALE_LOCK_AGE_MS / 1000} s); wait for it to end, or remove the file if no git process is running`,
      );
    }
    return second;
  }

  async read(): Promise<StatusSnapshot> {
    const revision = await this.tip();
    if (revision === null) return { revision: null, status: emptyStatus() };
    if (this.held?.revision === revision) {
      this.counters.heldReads++;
      return { revision, status: this.held.status };
    }
    const status = await this.readAt(revision);
    this.held = { revision, status };
    return { revision, status };
  }

  tip(): Promise<string | null> {
    return this.remote === null ? resolveRef(this.repoDir, this.ref) : this.fetch();
  }

  async readAt(revision: string): Promise<StatusState> {
    return this.decode(await this.files(revision), revision);
  }

  async firstParents(revision: string, limit: number): Promise<StatusCommit[]> {
    const { stdout } = await git(this.repoDir, ['rev-list', '--first-parent', `--max-count=${limit}`, '--end-of-options', revision]);
    return readCommits(this.repoDir, stdout.split('\n').filter(Boolean));
  }

  commitOf(revision: string): Promise<string | null> {
    return resolveRef(this.repoDir, revision);
  }

  /** Brings the remote's branch into the remote-tracking ref; null when the remote has no such branch. */
  private async fetch(): Promise<string | null> {
    const shallow = (await git(this.repoDir, ['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
    const args = ['fetch', '--no-tags', '--no-write-fetch-head', '--quiet', ...(shallow ? ['--depth=1'] : []), this.remote!, `+${this.ref}:${this.tracking}`];
    const result = await this.withLocks(args, { allow: [1, 128] });
    if (result.code !== 0) {
      if (/couldn't find remote ref/i.test(result.stderr)) return null;
      throw new StatusStoreError('status-git', `fetching ${this.description} failed: ${redact(result.stderr)}`);
    }
    return resolveRef(this.repoDir, this.tracking!);
  }

  /** The file list of a revision: remembered, or the held revision's with the changes since, or listed in full. */
  private async files(revision: string): Promise<Map<string, string>> {
    let files = this.trees.get(revision);
    if (files) return files;
    const near = this.held === null ? undefined : this.trees.get(this.held.revision);
    if (near !== undefined) files = await this.filesSince(this.held!.revision, near, revision);
    if (!files) {
      files = await listTree(this.repoDir, revision);
      this.counters.treesListed++;
    }
    this.remember(revision, files);
    return files;
  }

  /** A file list from a known one and the changes since; undefined when Git cannot compare them (the known commit was collected). */
  private async filesSince(from: string, known: ReadonlyMap<string, string>, revision: string): Promise<Map<string, string> | undefined> {
    let changes: Map<string, string | null>;
    try {
      changes = await diffTrees(this.repoDir, from, revision);
    } catch (error) {
      if (error instanceof StatusStoreError && error.code === 'status-git') return undefined;
      throw error;
    }
    this.counters.treesDiffed++;
    const files = new Map(known);
    for (const [path, id] of changes) {
      if (id === null) files.delete(path);
      else files.set(path, id);
    }
    return files;
  }

  private remember(revision: string, files: Map<string, string>): void {
    this.trees.delete(revision);
    this.trees.set(revision, files);
    if (this.trees.size > REMEMBERED_TREES) this.trees.delete(this.trees.keys().next().value!);
  }

  /** Decodes the tree of a revision, parsing only the blobs the last read did not already hold. */
  private async decode(files: Map<string, string>, revision: string): Promise<StatusState> {
    const statusId = files.get(STATUS_FILE);
    if (statusId === undefined) {
      throw new StatusStoreError('status-corrupt', `the file is missing: ${this.description} is not a Ferry status branch`, STATUS_FILE);
    }
    // Unknown paths are read too: the format decides whether they are an error.
    const wanted = [...files].filter(([path, id]) => path === STATUS_FILE || !this.decoded.has(decodedKey(classifyPath(path)?.kind ?? '', id))).map(([, id]) => id);
    const texts = await readBlobs(this.repoDir, wanted);
    this.counters.blobsRead += wanted.length;
    const statusRaw = parseRawFile(STATUS_FILE, texts.get(statusId)!);
    const format = statusRaw.kind === 'yaml' && typeof statusRaw.value === 'object' && statusRaw.value !== null ? (statusRaw.value as { format?: unknown }).format : undefined;
    if ((await this.formatAge(format, revision)) === 'older') {
      // Upgraded once, in full; the next write stores the current format.
      const all = await readBlobs(this.repoDir, [...files.values()]);
      this.counters.blobsRead += files.size;
      this.decoded = new Map();
      return filesToStatus(new Map([...files].map(([path, id]) => [path, all.get(id)!])));
    }
    const manifest = decodeManifest(statusRaw);
    const tree: DecodedTree = new Map();
    const decoded = new Map<string, readonly object[]>();
    for (const [path, id] of files) {
      const where = classify(path);
      const key = decodedKey(where.kind, id);
      let records = this.decoded.get(key) ?? decoded.get(key);
      if (records === undefined) records = decodeRecords(path, where, parseRawFile(path, texts.get(id)!));
      decoded.set(key, records);
      tree.set(path, { where, records });
    }
    const status = assembleStatus(manifest, tree);
    this.counters.assembled++;
    this.decoded = decoded;
    return status;
  }

  /** checkFormat; a newer format is refused naming the Ferry that wrote it, when the commit's trailers say so. */
  private async formatAge(format: unknown, revision: string): Promise<'current' | 'older'> {
    try {
      return checkFormat(format);
    } catch (error) {
      if (!(error instanceof StatusStoreError) || error.code !== 'status-newer-format') throw error;
      const writtenBy = (await readCommits(this.repoDir, [revision]))[0]!.writtenBy;
      // The trailer speaks for this tree only when it names the format the tree holds (not after a hand edit of it).
      const writer = writtenBy !== null && writtenBy.format === format ? writtenBy.version : null;
      throw newerFormatError(format as string, writer);
    }
  }

  async write(base: StatusSnapshot, next: StatusState, message: string, options: WriteOptions = {}): Promise<WriteResult> {
    if (this.remote === null) await this.refuseCheckedOut();
    const baseFiles = base.revision === null || options.replaceTree ? new Map<string, string>() : await this.files(base.revision);
    const held = this.held !== null && this.held.revision === base.revision ? this.held.status : base.status;
    const state = asRead(next, held);
    const planned = planStatusFiles(state);
    const nextPaths = new Set(planned.map((file) => file.path));
    const remove = [...baseFiles.keys()].filter((path) => !nextPaths.has(path));
    // The new tree's file list and records, kept for the next read and write once the commit is published.
    const nextFiles = new Map<string, string>();
    const nextDecoded = new Map<string, readonly object[]>();
    const { decoded, objectFormat, counters } = this;
    // Rendered lazily, while fast-import consumes the previous file.
    function* changed(): Generator<[string, string]> {
      for (const file of planned) {
        const baseId = baseFiles.get(file.path);
        const baseRecords = baseId === undefined ? undefined : decoded.get(decodedKey(file.kind, baseId));
        if (baseId !== undefined && file.records !== null && sameRecords(file.records, baseRecords)) {
          nextFiles.set(file.path, baseId);
          nextDecoded.set(decodedKey(file.kind, baseId), baseRecords!);
          continue;
        }
        const text = file.render();
        counters.filesRendered++;
        const id = blobId(objectFormat, text);
        nextFiles.set(file.path, id);
        // Held from now on, compared by identity by the next write: they must not change under it.
        for (const record of file.records ?? []) deepFreeze(record);
        nextDecoded.set(decodedKey(file.kind, id), file.records ?? []);
        if (id !== baseId) yield [file.path, text];
      }
    }

    const temporary = `refs/ferry/tmp/${process.pid}-${randomBytes(6).toString('hex')}`;
    const commit = await writeCommit(this.repoDir, {
      ref: temporary,
      parent: base.revision,
      ...(options.author ? { author: options.author, committer: options.author } : identities(process.env)),
      time: Math.floor(Date.now() / 1000),
      message: withFerryTrailers(message),
      remove,
      replace: options.replaceTree === true,
      write: changed(),
    });
    const result = this.remote === null ? await this.swapLocal(base.revision, commit, temporary) : await this.push(base.revision, commit, temporary);
    if (!result.ok) return result;
    // Published: this is now the status at the branch's tip, exactly as a read of it would give it.
    this.remember(commit, nextFiles);
    this.decoded = nextDecoded;
    this.held = { revision: commit, status: state };
    await this.housekeep();
    return result;
  }

  /** After a published write, when this store holds no lock: packs the repository past Git's thresholds. */
  private async housekeep(): Promise<void> {
    const problem = await runMaintenance(this.repoDir);
    if (problem === null || this.housekeepingReported) return;
    this.housekeepingReported = true;
    this.onHousekeeping?.(problem);
  }

  /**
   * Moves `ref` and drops the temporary ref in one transaction; false when it did not happen (the
   * temporary ref is dropped anyway: the commit stays unreachable until gc removes it).
   */
  private async moveRef(ref: string, commit: string, old: string | null | undefined, temporary: string): Promise<{ ok: boolean; stderr: string }> {
    const expected = old === undefined ? '' : ` ${old ?? '0'.repeat(commit.length)}`;
    const swap = await this.withLocks(['update-ref', '-m', 'ferry: status', '--stdin'], {
      input: [`update ${ref} ${commit}${expected}\ndelete ${temporary} ${commit}\n`],
      allow: [1, 128],
    });
    if (swap.code !== 0) await git(this.repoDir, ['update-ref', '-d', temporary, commit], { allow: [1, 128] });
    return { ok: swap.code === 0, stderr: swap.stderr };
  }

  /** Moving a checked-out branch would leave its work tree and index describing another commit. */
  private async refuseCheckedOut(): Promise<void> {
    const { stdout } = await git(this.repoDir, ['worktree', 'list', '--porcelain']);
    const checkedOut = stdout.split('\n').some((line) => line === `branch ${this.ref}`);
    if (checkedOut) {
      throw new StatusStoreError(
        'status-checked-out',
        `the status branch ${this.branch} is checked out in ${this.repoDir}; Ferry does not move a checked-out branch: check out another branch`,
      );
    }
  }

  /** Compare-and-swap: the branch moves to `commit` only if it is still at `old` (absent when null). */
  private async swapLocal(old: string | null, commit: string, temporary: string): Promise<WriteResult> {
    const swap = await this.moveRef(this.ref, commit, old, temporary);
    if (swap.ok) return { ok: true, revision: commit };
    const tip = await resolveRef(this.repoDir, this.ref);
    if (tip !== old) return moved(this.description, old, tip);
    throw new StatusStoreError('status-git', `updating ${this.description} failed: ${redact(swap.stderr)}`);
  }

  /** A push without force: the remote takes it only as a fast-forward of what it has, i.e. of `old`. */
  private async push(old: string | null, commit: string, temporary: string): Promise<WriteResult> {
    const pushed = await this.withLocks(['push', '--porcelain', '--no-verify', '--quiet', this.remote!, `${commit}:${this.ref}`], { allow: [1, 128] });
    if (pushed.code === 0) {
      await this.moveRef(this.tracking!, commit, undefined, temporary);
      return { ok: true, revision: commit };
    }
    await git(this.repoDir, ['update-ref', '-d', temporary, commit], { allow: [1, 128] });
    const line = pushed.stdout.split('\n').find((l) => l.startsWith('!'));
    // No ref was even tried: the remote could not be reached or refused the connection.
    if (line === undefined) throw new StatusStoreError('status-git', `pushing to ${this.description} failed: ${redact(pushed.stderr)}`);
    const summary = line.split('\t')[2] ?? '';
    if (summary.startsWith('[rejected]')) return moved(this.description, old, undefined, summary);
    // Refused by the remote itself (a hook, branch protection, a lost race on its side): it moved only if its tip changed.
    const remoteTip = await this.remoteTip();
    if (remoteTip !== old) return moved(this.description, old, remoteTip ?? null, summary);
    // What the remote said (a hook's words, GitHub's "protected branch"): the reason, and usually what to do.
    const said = [...new Set(pushed.stderr.split('\n').filter((l) => l.startsWith('remote:')).map((l) => l.slice('remote:'.length).trim()).filter(Boolean))].join('; ');
    throw new StatusStoreError('status-push-refused', `the push to ${this.description} was refused: ${redact(summary || pushed.stderr)}${summary === '' || said === '' ? '' : `; the remote said: ${redact(said)}`}`);
  }

  private async remoteTip(): Promise<string | null> {
    const { code, stdout } = await git(this.repoDir, ['ls-remote', '--exit-code', this.remote!, this.ref], { allow: [2] });
    return code === 0 ? (stdout.split('\t')[0] ?? null) : null;
  }
}

/** Records are checked against the shape of the file they were read as: the same blob under another kind is another decoding. */
function decodedKey(kind: string, blob: string): string {
  return `${kind} ${blob}`;
}

/** The same records, object for object. Decoded records are frozen, so the same objects hold the same values and render the same text. */
function sameRecords(records: readonly object[], decoded: readonly object[] | undefined): boolean {
  if (decoded === undefined || decoded.length !== records.length) return false;
  for (let i = 0; i < records.length; i++) if (records[i] !== decoded[i]) return false;
  return true;
}

/**
 * The status as a read of its files gives it back: an inventory in UUID order (its shard files
 * are sorted), whatever order the source listed it in. Only inventories that are not the held
 * status's own are looked at: the rest already are in that order.
 */
function asRead(next: StatusState, held: StatusState): StatusState {
  let inventory: StatusState['inventory'] | undefined;
  for (const source in next.inventory) {
    const snapshot = next.inventory[source]!;
    if (snapshot === held.inventory[source] || (inUuidOrder(snapshot.instances) && inUuidOrder(snapshot.networks))) continue;
    inventory ??= { ...next.inventory };
    inventory[source] = { ...snapshot, instances: byUuidOrder(snapshot.instances), networks: byUuidOrder(snapshot.networks) };
  }
  return inventory === undefined ? next : { ...next, inventory };
}

function inUuidOrder(records: readonly { uuid: string }[]): boolean {
  for (let i = 1; i < records.length; i++) if (compareCodeUnits(records[i - 1]!.uuid, records[i]!.uuid) > 0) return false;
  return true;
}

function byUuidOrder<T extends { uuid: string }>(records: readonly T[]): T[] {
  return inUuidOrder(records) ? [...records] : [...records].sort((a, b) => compareCodeUnits(a.uuid, b.uuid));
}

/** Freezes a record and everything it holds; a frozen part is taken as frozen all the way down (decoded records are). */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
}

function moved(description: string, base: string | null, tip: string | null | undefined, detail?: string): WriteResult {
  const where = tip === undefined ? 'has moved' : tip === null ? 'no longer exists' : `is now at ${tip.slice(0, 12)}`;
  const from = base === null ? 'no status branch' : base.slice(0, 12);
  return {
    ok: false,
    reason: 'moved',
    message: `${description} ${where}; this write was based on ${from}${detail ? ` (${detail})` : ''}: read it again and decide again`,
  };
}
