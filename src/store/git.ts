// The Git plumbing the store runs: every call is an argument array (no shell), with a fixed
// locale and no prompts. Plumbing only — the work tree, the index and HEAD are never written. Commands that stream (cat-file --batch, fast-import) are driven directly; simple-git
// cannot feed a process's standard input or hand back its exit code unparsed.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { StatusStoreError } from './errors.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables that would point git at another repository, work tree or index than the one named. */
const REDIRECTING = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE'];

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
  for (const name of REDIRECTING) delete env[name];
  return env;
}

/** Credentials can sit in a remote URL (`https://user:token@host`); they never reach a message. */
export function redact(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@').trim();
}

export interface RunOptions {
  /** Standard input, written with back-pressure. */
  input?: Iterable<string | Buffer>;
  /** Exit codes that are answers, not failures. */
  allow?: readonly number[];
}

/** Runs `git -C repoDir ARGS`; a failure (an exit code not allowed) is a status-git error with git's own words. */
export function git(repoDir: string, args: readonly string[], options: RunOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', repoDir, ...args], { env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new StatusStoreError('status-git', `git could not be run: ${error.message}`)));
    // An error producing the input (a status that cannot be written) stops git and is the answer.
    let inputError: { error: unknown } | undefined;
    child.on('close', (code) => {
      if (inputError) return reject(inputError.error);
      const result = { code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (result.code === 0 || options.allow?.includes(result.code)) resolve(result);
      else reject(new StatusStoreError('status-git', `git ${command(args)} failed: ${redact(result.stderr) || `exit code ${result.code}`}`));
    });
    writeInput(child.stdin, options.input).catch((error: unknown) => {
      inputError = { error };
      child.kill();
    });
  });
}

/** The subcommand, past `-c name=value` options. */
function command(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c') i++;
    else if (!args[i]!.startsWith('-')) return args[i]!;
  }
  return args.join(' ');
}

/** Writes the input with back-pressure. Stops quietly when the process goes away (its exit code says why); rethrows what the input itself throws. */
async function writeInput(stdin: NodeJS.WritableStream & { destroyed: boolean }, input: Iterable<string | Buffer> | undefined): Promise<void> {
  stdin.on('error', () => {});
  if (input !== undefined) {
    for (const chunk of input) {
      if (stdin.destroyed) return;
      if (!stdin.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stdin.off('drain', done);
            stdin.off('close', done);
            resolve();
          };
          stdin.on('drain', done);
          stdin.on('close', done);
        });
      }
    }
  }
  stdin.end();
}

export type ObjectFormat = 'sha1' | 'sha256';

/** The id Git gives a blob with this content. */
export function blobId(format: ObjectFormat, content: string): string {
  const bytes = Buffer.byteLength(content, 'utf8');
  return createHash(format).update(`blob ${bytes}\0`).update(content, 'utf8').digest('hex');
}

/** The regular files of a commit's tree: path → blob id. */
export async function listTree(repoDir: string, commit: string): Promise<Map<string, string>> {
  const { stdout } = await git(repoDir, ['ls-tree', '-r', '-z', '--full-tree', commit]);
  const files = new Map<string, string>();
  for (const record of stdout.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode, type, id] = record.slice(0, tab).split(' ');
    const path = record.slice(tab + 1);
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755')) {
      throw new StatusStoreError('status-corrupt', `not a regular file (${type} ${mode}); the status branch holds only files Ferry writes`, path);
    }
    files.set(path, id!);
  }
  return files;
}

/** What changed from one commit's tree to another's: path → the new blob id, or null when the file went away. */
export async function diffTrees(repoDir: string, from: string, to: string): Promise<Map<string, string | null>> {
  const { stdout } = await git(repoDir, ['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', '--end-of-options', from, to]);
  const changes = new Map<string, string | null>();
  const fields = stdout.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const header = fields[i]!;
    if (header === '') break;
    // ":old-mode new-mode old-id new-id status", then the path.
    const [, mode, , id, status] = header.split(' ');
    const path = fields[i + 1]!;
    if (status === 'D') {
      changes.set(path, null);
      continue;
    }
    if (mode !== '100644' && mode !== '100755') {
      throw new StatusStoreError('status-corrupt', `not a regular file (mode ${mode}); the status branch holds only files Ferry writes`, path);
    }
    changes.set(path, id!);
  }
  return changes;
}

/** The text of many blobs through one `git cat-file --batch`, parsed as it streams. */
export function readBlobs(repoDir: string, ids: readonly string[]): Promise<Map<string, string>> {
  return readObjects(repoDir, ids, 'blob');
}

/** The raw text of many objects of one type (blobs, or commits: headers, a blank line, the message). */
export async function readObjects(repoDir: string, ids: readonly string[], wanted: 'blob' | 'commit'): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  if (ids.length > 0) await catFile(repoDir, ids, wanted, texts);
  return texts;
}

/**
 * Reads the objects into `texts`. The child process outlives its last event a little (its handle
 * closes later) and holds these callbacks until then, while the caller goes on parsing in the same
 * turn: the callbacks let go of `texts` when it ends (`into`), and the promise carries nothing, so
 * that the texts are garbage as soon as the caller is done with them (a whole status at 200,000
 * instances is 400 MB of text, which was otherwise kept through observe and decide).
 */
function catFile(repoDir: string, ids: readonly string[], wanted: 'blob' | 'commit', texts: Map<string, string>): Promise<void> {
  let into: Map<string, string> | null = texts;
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', repoDir, 'cat-file', '--batch'], { env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let failure: StatusStoreError | undefined;
    // A header line, then `size` bytes and a newline. Body parts are joined once, when complete.
    let head: Buffer = Buffer.alloc(0);
    let body: { id: string; size: number; parts: Buffer[]; have: number } | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      let rest = chunk;
      while (rest.length > 0) {
        if (body !== null) {
          const need = body.size + 1 - body.have;
          if (rest.length < need) {
            body.parts.push(rest);
            body.have += rest.length;
            return;
          }
          body.parts.push(rest.subarray(0, need));
          into?.set(body.id, Buffer.concat(body.parts, body.size + 1).toString('utf8', 0, body.size));
          rest = rest.subarray(need);
          body = null;
          continue;
        }
        if (head.length > 0) {
          rest = Buffer.concat([head, rest]);
          head = Buffer.alloc(0);
        }
        const newline = rest.indexOf(10);
        if (newline < 0) {
          head = rest;
          return;
        }
        const header = rest.subarray(0, newline).toString('latin1');
        rest = rest.subarray(newline + 1);
        const [id, type, size] = header.split(' ');
        if (type === wanted) body = { id: id!, size: Number(size), parts: [], have: 0 };
        else failure ??= new StatusStoreError('status-git', `git cat-file: ${header}`);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(new StatusStoreError('status-git', `git could not be run: ${error.message}`)));
    child.on('close', (code) => {
      const read = into!.size;
      into = null;
      if (failure) return reject(failure);
      if (code !== 0 || read < new Set(ids).size) return reject(new StatusStoreError('status-git', `git cat-file failed: ${redact(stderr) || `exit code ${code}`}`));
      resolve();
    });
    void writeInput(child.stdin, [`${[...new Set(ids)].join('\n')}\n`]);
  });
}

export interface Identity {
  name: string;
  email: string;
}

export interface CommitRequest {
  /** The ref fast-import leaves the commit on (a private one: the caller moves the real branch). */
  ref: string;
  parent: string | null;
  author: Identity;
  committer: Identity;
  /** Seconds since the epoch. */
  time: number;
  message: string;
  /** Files to delete, then files to write (path, text), relative to the parent's tree. */
  remove: readonly string[];
  /** Start from an empty tree instead of the parent's: the commit holds only the files written. */
  replace?: boolean;
  /** Consumed while fast-import runs, so git compresses one file while the next is rendered. */
  write: Iterable<[string, string]>;
}

function identityLine(who: Identity, time: number): string {
  const clean = (s: string): string => s.replace(/[<>\n\0]/g, '').trim();
  return `${clean(who.name)} <${clean(who.email)}> ${time} +0000`;
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text, 'utf8')}\n${text}\n`;
}

/** Paths fast-import takes unquoted; the store's paths always are (paths.ts encodes names). */
function checkedPath(path: string): string {
  if (/[\n"\\]|^\/|\/\/|\/$/.test(path)) throw new Error(`fast-import path needs quoting: ${JSON.stringify(path)}`);
  return path;
}

function* fastImportStream(request: CommitRequest): Generator<string> {
  yield 'feature done\n';
  yield `commit ${request.ref}\nmark :1\n`;
  yield `author ${identityLine(request.author, request.time)}\n`;
  yield `committer ${identityLine(request.committer, request.time)}\n`;
  yield data(request.message);
  if (request.parent !== null) yield `from ${request.parent}\n`;
  if (request.replace) yield 'deleteall\n';
  for (const path of request.remove) yield `D ${checkedPath(path)}\n`;
  for (const [path, text] of request.write) yield `M 100644 inline ${checkedPath(path)}\n${data(text)}`;
  yield 'get-mark :1\ndone\n';
}

/**
 * Writes one commit with `git fast-import`: the parent's tree with the given files replaced or
 * removed, so only changed files become new objects. Returns the commit id. Small commits are
 * stored as loose objects (fastimport.unpackLimit), large ones as one pack. Measured over a
 * thousand commits (docs/performance.md, "The status branch over a year"):
 * - Git's normal compression, not a lighter one: a push, `git gc` and the server reuse a pack's
 *   objects as they were compressed, so a lighter level stays about 20 % larger for good.
 * - No deltas: fast-import deltifies a file only against the file written just before it (another
 *   shard), and `git gc` keeps those poor deltas and their chains, which also stop the next
 *   versions of each file from becoming deltas of theirs; whole objects let Git's repack find them.
 */
export async function writeCommit(repoDir: string, request: CommitRequest): Promise<string> {
  const { stdout } = await git(repoDir, ['fast-import', '--quiet', '--done', '--date-format=raw', '--depth=0'], {
    input: fastImportStream(request),
  });
  const commit = stdout.trim();
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) throw new StatusStoreError('status-git', `git fast-import gave no commit id (${JSON.stringify(commit)})`);
  return commit;
}

/** The commit a ref points at, or null when it does not exist. */
export async function resolveRef(repoDir: string, ref: string): Promise<string | null> {
  const { code, stdout } = await git(repoDir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], { allow: [1] });
  return code === 0 ? stdout.trim() : null;
}
