import { spawn } from 'node:child_process';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { simpleGit } from 'simple-git';
import { IGNORE_FILE } from './ignore.js';
import { quoted } from '../text/excerpt.js';

/** The files of a desired-state repository: a directory, or a Git revision read without checkout. */
export interface RepoFile {
  path: string;
  size: number;
}

export interface RepoFiles {
  /** How to name the origin in messages: a directory or `REV` in a repository. */
  describe: string;
  /** Every regular file, as a POSIX path relative to the repository root, with its size, sorted by path. */
  list(): Promise<RepoFile[]>;
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

export function directoryFiles(root: string): RepoFiles {
  return {
    describe: root,
    async list() {
      const out: RepoFile[] = [];
      const walk = async (dir: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true });
        for (const entry of entries) {
          if (skipped(entry.name)) continue;
          const full = join(dir, entry.name);
          // Symbolic links are not followed: a link could point outside the repository.
          if (entry.isDirectory()) await walk(full);
          else if (entry.isFile()) out.push({ path: relative(root, full).split(sep).join('/'), size: (await lstat(full)).size });
        }
      };
      await walk(root);
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    async read(path, maxBytes = MAX_FILE_BYTES) {
      const full = join(root, ...path.split('/'));
      try {
        const stat = await lstat(full);
        if (!stat.isFile()) return undefined;
        if (stat.size > maxBytes) throw new FileTooLargeError(path);
        return await readFile(full, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
        throw error;
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
  for (const record of tree.split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode, type, sha, size] = record.slice(0, tab).split(/\s+/);
    let path = record.slice(tab + 1);
    // Only regular files (not links or submodules) inside the directory the repository was named by.
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755')) continue;
    if (prefix) {
      if (!path.startsWith(prefix)) continue;
      path = path.slice(prefix.length);
    }
    // Dot folders are not read, but the root's .ferryignore is (it says what else is not).
    if (path !== IGNORE_FILE && path.split('/').some(skipped)) continue;
    blobs.set(path, { sha: sha!, size: Number(size) });
  }
  const cache = new Map<string, string>();
  return {
    describe: `${revision} (${commit.slice(0, 12)})`,
    async list() {
      return [...blobs.entries()]
        .map(([path, blob]) => ({ path, size: blob.size }))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    async read(path, maxBytes = MAX_FILE_BYTES) {
      const blob = blobs.get(posix.normalize(path));
      if (!blob) return undefined;
      if (blob.size > maxBytes) throw new FileTooLargeError(path);
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
export function readBlobs(repoDir: string, shas: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', repoDir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new GitRevisionError(`git cat-file failed: ${stderr.trim()}`));
      const all = Buffer.concat(chunks);
      const out: string[] = [];
      let at = 0;
      for (let i = 0; i < shas.length; i++) {
        const headerEnd = all.indexOf(10, at);
        const header = all.subarray(at, headerEnd).toString();
        const size = Number(header.split(' ')[2]);
        out.push(all.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
        at = headerEnd + 1 + size + 1;
      }
      resolve(out);
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
      return [...map.entries()]
        .map(([path, text]) => ({ path, size: Buffer.byteLength(text) }))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    async read(path) {
      return map.get(path);
    },
    async readAll(paths) {
      return new Map(paths.filter((path) => map.has(path)).map((path) => [path, map.get(path)!]));
    },
  };
}
