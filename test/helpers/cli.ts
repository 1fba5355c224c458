import { cpSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
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
