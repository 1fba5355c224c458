import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const EXAMPLE_REPO = join(PROJECT_ROOT, 'examples/repo');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ferry ARGS` in this process, capturing its output. */
export async function ferry(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? {},
    cwd: options.cwd ?? PROJECT_ROOT,
  });
  return { code, stdout, stderr };
}

export function tempDir(prefix = 'ferry-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A scratch copy of the example repository. */
export function copyOfExampleRepo(): string {
  const dir = tempDir('ferry-repo-');
  cpSync(EXAMPLE_REPO, dir, { recursive: true });
  return dir;
}

/** Writes files (path → text) under a new temporary directory and returns it. */
export function repoWith(files: Record<string, string>): string {
  const dir = tempDir('ferry-repo-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

/** `git ARGS` in `dir`, with an author; its output trimmed. */
export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...GIT_IDENTITY } }).trim();
}

/** Replaces `from` in a file of `dir`; fails when there is nothing to replace. */
export function editFile(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: nothing to replace`);
  writeFileSync(path, next);
}

/** A copy of the example campaign committed on main (with a status branch kept in the repository only, with `local`). */
export function committedExample(options: { local?: boolean } = {}): string {
  const dir = copyOfExampleRepo();
  if (options.local) editFile(dir, 'ferry.yaml', '    branch: ferry/status', '    branch: ferry/status\n    local: true');
  gitIn(dir, 'init', '-q', '-b', 'main');
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-qm', 'The campaign');
  return dir;
}

/**
 * The example campaign's include expressions carry 4 migration-manager warnings (os_type compared
 * with a string, has_tag's semantics: docs/expressions.md); a listing of validate's lines without them.
 */
export const EXAMPLE_EXPRESSION_WARNINGS = 4;
export function withoutExpressionNotes(lines: readonly string[]): string[] {
  return lines.filter((line) => !/^\S+:\d+:\d+: warning expr-(mm-rejects|mm-differs|tag-semantics): /.test(line));
}
