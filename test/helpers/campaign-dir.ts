// A campaign repository in a scratch directory for end-to-end tests against real peers: write
// its documents, commit them with real Git, read its entries back through `ferry status`.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ferry } from './cli.js';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

export interface EntryView {
  instance: string;
  status: string;
  message: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
/** An ISO time without milliseconds, as a migration window takes it. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class CampaignDir {
  constructor(readonly dir: string) {}

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', env: GIT_ENV });
  }

  write(files: Record<string, string>): void {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), text);
    }
  }

  /** `git init` on main and one commit of everything written. */
  commit(message: string): void {
    this.git('init', '-q', '-b', 'main');
    this.git('add', '-A');
    this.git('commit', '-qm', message);
  }

  /** The batch's entries as `ferry status --json` reports them. */
  async entries(batch: string): Promise<EntryView[]> {
    const run = await ferry(['status', '--repo', this.dir, '--batch', batch, '--json']);
    if (run.code !== 0) throw new Error(`ferry status failed: ${run.stderr}`);
    return (JSON.parse(run.stdout) as { entries: EntryView[] }).entries;
  }
}
