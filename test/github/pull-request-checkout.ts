import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_REPO, tempDir } from '../helpers/cli.js';

const IDENTITY = { GIT_AUTHOR_NAME: 'Ferry Test', GIT_AUTHOR_EMAIL: 'test@ferry.invalid', GIT_COMMITTER_NAME: 'Ferry Test', GIT_COMMITTER_EMAIL: 'test@ferry.invalid' };

/**
 * What actions/checkout leaves for a pull request with fetch-depth 0: the example campaign on
 * main, a pull request that moves the pilot's window by an hour checked out, origin with both
 * branches; and the event payload the runner writes.
 */
export function pullRequestCheckout(): { checkout: string; event: string; base: string; head: string } {
  const root = tempDir('ferry-pr-');
  const checkout = join(root, 'checkout');
  cpSync(EXAMPLE_REPO, checkout, { recursive: true });
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: checkout, encoding: 'utf8', env: { ...process.env, ...IDENTITY } }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'Start the campaign');
  const base = git('rev-parse', 'HEAD');
  git('checkout', '-q', '-b', 'longer-pilot-window');
  const batch = join(checkout, 'batches/wave-0-pilot.yaml');
  writeFileSync(batch, readFileSync(batch, 'utf8').replace('end: 2026-12-02 04:00:00', 'end: 2026-12-02 05:00:00'));
  git('commit', '-q', '-a', '-m', 'Give the pilot one more hour');
  const head = git('rev-parse', 'HEAD');
  git('init', '-q', '--bare', join(root, 'origin.git'));
  git('remote', 'add', 'origin', join(root, 'origin.git'));
  git('push', '-q', 'origin', 'main', 'longer-pilot-window');
  git('fetch', '-q', 'origin');
  const event = join(root, 'event.json');
  const repo = { full_name: 'acme/migrations' };
  writeFileSync(event, JSON.stringify({ pull_request: { number: 7, head: { sha: head, ref: 'longer-pilot-window', repo }, base: { sha: base, ref: 'main', repo } } }));
  return { checkout, event, base, head };
}
