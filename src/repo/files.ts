import { spawn } from 'node:child_process';
import { constants, type Dirent } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { simpleGit } from 'simple-git';
import { IGNORE_FILE } from './ignore.js';
import { quoted } from '../text/excerpt.js';

/** The files of a desired-state repository: a directory, or a Git revision read without checkout. */
export interface RepoFile {
  path: string;
  size: number;
}

/**
 * What a repository holds where a file could be, that is not a regular file. Ferry never reads one:
 * a symbolic link could point outside the repository (a pull request must not make Ferry read the
 * runner's files), and opening a FIFO would block.
 */
export type NonRegularType = 'symlink' | 'fifo' | 'socket' | 'device' | 'submodule';

export interface NonRegularEntry {
  path: string;
  type: NonRegularType;
}

export interface RepoFiles {
  /** How to name the origin in messages: a directory or `REV` in a repository. */
  describe: string;
  /** Every regular file, as a POSIX path relative to the repository root, with its size, sorted by path. */
  list(): Promise<RepoFile[]>;
  /**
   * Every entry that is not a regular file nor a directory, where `list` finds files (and the
   * root's `.ferryignore`), sorted by path. A linked directory is one entry: nothing under it is read.
   */
  nonRegular(): Promise<NonRegularEntry[]>;
  /**
   * A file's text, or undefined when it does not exist (or is not a regular file). Larger than
   * `maxBytes` (default MAX_FILE_BYTES): FileTooLargeError.
   */
  read(path: string, maxBytes?: number): Promise<string | undefined>;
  /** Several files at once (one Git process for a revision). Missing files are absent from the map. */
  readAll(paths: string[]): Promise<Map<string, string>>;
}

/** Files bigger than this are refused: desired state is small, and a huge file is a mistake or an attack. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

/**
 * The YAML files a repository may have, and their total size: a campaign of 50,000 VMs, 500
 * batches, thousands of overrides and resolutions (one file each) is a few thousand files and a
 * few MiB; anything much larger is a mistake or an attack, and reading it would take minutes.
 */
export const MAX_REPOSITORY_FILES = 50_000;
export const MAX_REPOSITORY_BYTES = 64 * 1024 * 1024;

/**
 * A sim Source's inventory file is data, not desired state: it lists a whole vCenter, about 1 KiB
 * per VM (DESIGN §6's 50,000 VMs are 30–45 MiB). It has its own, larger bound.
 */
export const MAX_INVENTORY_BYTES = 256 * 1024 * 1024;

export class FileTooLargeError extends Error {}

/** Directories never read: tool state and the CI folder (workflows are not Ferry documents). */
function skipped(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** A directory entry's type when it is neither a regular file nor a directory. */
function nonRegularType(entry: Dirent): NonRegularType | undefined {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isFIFO()) return 'fifo';
  if (entry.isSocket()) return 'socket';
  if (entry.isBlockDevice() || entry.isCharacterDevice()) return 'device';
  return undefined;
}

const byPath = <T extends { path: string }>(a: T, b: T): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export function directoryFiles(root: string): RepoFiles {
  /** Walks the tree without following links; `visit` sees every entry that is not a directory, and the root's `.ferryignore`. */
  const walk = async (visit: (entry: Dirent, path: string) => Promise<void> | void): Promise<void> => {
    const descend = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true });
      for (const entry of entries) {
        const full = join(dir, entry.name);
        const path = relative(root, full).split(sep).join('/');
        if (path === IGNORE_FILE) await visit(entry, path);
        if (skipped(entry.name)) continue;
        // Dirent types come from lstat: a link to a directory is a link, never walked into.
        if (entry.isDirectory()) await descend(full);
        else await visit(entry, path);
      }
    };
    await descend(root);
  };
  return {
    describe: root,
    async list() {
      const out: RepoFile[] = [];
      await walk(async (entry, path) => {
        if (entry.isFile() && path !== IGNORE_FILE) out.push({ path, size: (await lstat(join(root, path))).size });
      });
      return out.sort(byPath);
    },
    async nonRegular() {
      const out: NonRegularEntry[] = [];
      await walk((entry, path) => {
        const type = nonRegularType(entry);
        if (type !== undefined) out.push({ path, type });
      });
      return out.sort(byPath);
    },
    async read(path, maxBytes = MAX_FILE_BYTES) {
      const full = join(root, ...path.split('/'));
      let handle;
      try {
        // Only a regular file is opened (opening a device can act on it), and the open itself
        // neither follows a link nor waits on a FIFO, should the entry change in between.
        if (!(await lstat(full)).isFile()) return undefined;
        handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENXIO') return undefined;
        throw error;
      }
      try {
        const stat = await handle.stat();
        if (!stat.isFile()) return undefined;
        if (stat.size > maxBytes) throw new FileTooLargeError(path);
        return await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    },
    async readAll(paths) {
      const out = new Map<string, string>();
      for (let i = 0; i < paths.length; i += 64) {
        const slice = paths.slice(i, i + 64);
        const texts = await Promise.all(slice.map((path) => this.read(path)));
        slice.forEach((path, j) => texts[j] !== undefined && out.set(path, texts[j]!));
      }
      return out;
    },
  };
}

export class GitRevisionError extends Error {}

/**
 * The files of a Git revision, read from the object database: nothing is checked out, so the
 * plan of a pull request can read its base branch while the work tree holds the head.
 */
export async function gitRevisionFiles(repoDir: string, revision: string): Promise<RepoFiles> {
  const git = simpleGit({ baseDir: repoDir });
  let commit: string;
  try {
    commit = (await git.raw(['rev-parse', '--verify', '--end-of-options', `${revision}^{commit}`])).trim();
  } catch {
    throw new GitRevisionError(`${quoted(revision)} is not a commit in ${repoDir}`);
  }
  const prefix = (await git.raw(['rev-parse', '--show-prefix'])).trim();
  const tree = await git.raw(['ls-tree', '-r', '-z', '--long', '--full-tree', commit]);
  const blobs = new Map<string, { sha: string; size: number }>();
  const others: NonRegularEntry[] = [];
  for (const record of tree.split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode, , sha, size] = record.slice(0, tab).split(/\s+/);
    let path = record.slice(tab + 1);
    // Only what is inside the directory the repository was named by.
    if (prefix) {
      if (!path.startsWith(prefix)) continue;
      path = path.slice(prefix.length);
    }
    // Dot folders are not read, but the root's .ferryignore is (it says what else is not).
    if (path !== IGNORE_FILE && path.split('/').some(skipped)) continue;
    // Regular files are read; links (120000) and submodules (160000) never are.
    if (mode === '100644' || mode === '100755') blobs.set(path, { sha: sha!, size: Number(size) });
    else if (mode === '120000') others.push({ path, type: 'symlink' });
    else if (mode === '160000') others.push({ path, type: 'submodule' });
  }
  const cache = new Map<string, string>();
  return {
    describe: `${revision} (${commit.slice(0, 12)})`,
    async list() {
      return [...blobs.entries()].map(([path, blob]) => ({ path, size: blob.size })).sort(byPath);
    },
    async nonRegular() {
      return [...others].sort(byPath);
    },
    async read(path, maxBytes = MAX_FILE_BYTES) {
      const blob = blobs.get(posix.normalize(path));
      if (!blob) return undefined;
      if (blob.size > maxBytes) throw new FileTooLargeError(path);
      // An inventory (larger than any document) is read again when asked for again, not kept: the
      // loader and the simulator each parse it once, and a long apply held its text for nothing
      // (175 MiB at 200,000 instances, docs/performance.md).
      if (blob.size > MAX_FILE_BYTES) return (await readBlobs(repoDir, [blob.sha]))[0];
      if (!cache.has(path)) {
        const texts = await readBlobs(repoDir, [blob.sha]);
        cache.set(path, texts[0]!);
      }
      return cache.get(path);
    },
    async readAll(paths) {
      const wanted = paths.filter((path) => blobs.has(path) && !cache.has(path));
      for (const path of wanted) if (blobs.get(path)!.size > MAX_FILE_BYTES) throw new FileTooLargeError(path);
      const texts = await readBlobs(repoDir, wanted.map((path) => blobs.get(path)!.sha));
      wanted.forEach((path, i) => cache.set(path, texts[i]!));
      return new Map(paths.filter((path) => cache.has(path)).map((path) => [path, cache.get(path)!]));
    },
  };
}

/** Reads many blobs through one `git cat-file --batch` process. */
export async function readBlobs(repoDir: string, shas: string[]): Promise<string[]> {
  const texts: string[] = [];
  await catFile(repoDir, shas, texts);
  return texts;
}

/**
 * Fills `texts`. The child process outlives its last event a little (its handle closes later) and
 * holds these callbacks until then, while the caller parses in the same turn: they let go of the
 * output when it ends and the promise carries nothing, so that an inventory's text (184 MB at
 * 200,000 VMs) is garbage as soon as the caller is done with it.
 */
function catFile(repoDir: string, shas: string[], texts: string[]): Promise<void> {
  let into: string[] | null = texts;
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', repoDir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let chunks: Buffer[] | null = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks?.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const all = Buffer.concat(chunks ?? []);
      const out = into!;
      chunks = null;
      into = null;
      if (code !== 0) return reject(new GitRevisionError(`git cat-file failed: ${stderr.trim()}`));
      let at = 0;
      for (let i = 0; i < shas.length; i++) {
        const headerEnd = all.indexOf(10, at);
        const header = all.subarray(at, headerEnd).toString();
        const size = Number(header.split(' ')[2]);
        out.push(all.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
        at = headerEnd + 1 + size + 1;
      }
      resolve();
    });
    child.stdin.end(shas.join('\n') + '\n');
  });
}

/** Files held in memory (path → text): for tools that build a repository on the fly, and tests. */
export function memoryFiles(entries: Map<string, string> | Record<string, string>, describe = 'memory'): RepoFiles {
  const map = entries instanceof Map ? entries : new Map(Object.entries(entries));
  return {
    describe,
    async list() {
      return [...map.entries()].map(([path, text]) => ({ path, size: Buffer.byteLength(text) })).sort(byPath);
    },
    async nonRegular() {
      return [];
    },
    async read(path) {
      return map.get(path);
    },
    async readAll(paths) {
      return new Map(paths.filter((path) => map.has(path)).map((path) => [path, map.get(path)!]));
    },
  };
}
