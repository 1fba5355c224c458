import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { emptyStatus, STATUS_FORMAT } from '../../src/engine/status.js';
import { FERRY_VERSION } from '../../src/model/version.js';
import { ferryTrailers, parseCommit, withFerryTrailers } from '../../src/store/commits.js';
import { openStatusStore } from '../../src/store/index.js';
import { gitIn, tempDir } from '../helpers/cli.js';

const TRAILERS = `Ferry-Version: ${FERRY_VERSION}\nFerry-Status-Format: ${STATUS_FORMAT}\n`;

describe("Ferry's trailers on a status commit", () => {
  it('join the trailer block a message ends with, or start one', () => {
    expect(withFerryTrailers('ferry: 2 changes, 1 action at 2026-12-01T22:00:00.000Z\n\n- wave-1 web-01: waiting\n\nFerry-Desired-Commit: abc')).toBe(
      `ferry: 2 changes, 1 action at 2026-12-01T22:00:00.000Z\n\n- wave-1 web-01: waiting\n\nFerry-Desired-Commit: abc\n${TRAILERS}`,
    );
    // A subject that looks like a trailer is still a subject.
    expect(withFerryTrailers('ferry: 0 changes')).toBe(`ferry: 0 changes\n\n${TRAILERS}`);
    expect(withFerryTrailers('ferry pause: the campaign\n\nSAN alarm: hold\nall of it')).toBe(`ferry pause: the campaign\n\nSAN alarm: hold\nall of it\n\n${TRAILERS}`);
  });

  it('are read back from the last paragraph only, and only when their values have the form Ferry writes', () => {
    expect(ferryTrailers(withFerryTrailers('ferry: 1 change'))).toEqual({ version: FERRY_VERSION, format: STATUS_FORMAT });
    expect(ferryTrailers('Ferry-Version: 0.1.0')).toBeNull();
    expect(ferryTrailers('fix by hand\n\nFerry-Version: 0.1.0\n\nSigned-off-by: Dev <dev@example.com>')).toBeNull();
    expect(ferryTrailers('x\n\nferry-version:  2.0.0-rc.1 \nFerry-Status-Format: ferry.dev/status/v9')).toEqual({ version: '2.0.0-rc.1', format: 'ferry.dev/status/v9' });
    // Present but not a version: Ferry's all the same (a hand commit has none), its version unknown.
    expect(ferryTrailers(`x\n\nFerry-Version: \u001b[2J${'9'.repeat(100)}\nFerry-Status-Format: v5`)).toEqual({ version: null, format: null });
  });

  it('keep what a commit object says bounded, on one line and with its controls escaped', () => {
    const raw = [
      'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904',
      'parent 1111111111111111111111111111111111111111',
      'parent 2222222222222222222222222222222222222222',
      'author Mallory\u001b]0;pwned\u0007 <m@example.com> 1796000000 +0200',
      'committer Mallory <m@example.com> 1796000000 +0200',
      '',
      `fix\u001b[31m it ${'x'.repeat(500)}`,
      '',
      'body',
    ].join('\n');
    const commit = parseCommit('3'.repeat(40), raw);
    expect(commit.parents).toHaveLength(2);
    expect(commit.date).toBe(1796000000_000);
    expect(commit.author).toBe('Mallory\\u001b]0;pwned\\u0007 <m@example.com>');
    expect(commit.subject.startsWith('fix\\u001b[31m it xxx')).toBe(true);
    expect(commit.subject).toHaveLength(200);
    expect(commit.writtenBy).toBeNull();
  });
});

describe('the store', () => {
  it('ends every commit it writes with the trailers, and names the Ferry of a newer format from them', async () => {
    const repo = tempDir('ferry-trailers-');
    gitIn(repo, 'init', '-q', '-b', 'main');
    gitIn(repo, 'commit', '-q', '--allow-empty', '-m', 'campaign');
    const store = await openStatusStore({ repoDir: repo, branch: 'ferry/status', remote: null });
    const written = await store.write(await store.read(), emptyStatus(), 'ferry: 0 changes\n\nFerry-Desired-Commit: working tree');
    expect(written.ok).toBe(true);
    expect(gitIn(repo, 'log', '-1', '--format=%(trailers:key=Ferry-Version,valueonly)|%(trailers:key=Ferry-Status-Format,valueonly)', 'ferry/status')).toBe(
      `${FERRY_VERSION}\n|${STATUS_FORMAT}`,
    );

    // A newer Ferry's commit (its format in status.yaml and in its trailers), then the same tree edited by hand.
    const newer = STATUS_FORMAT.replace(/\d+$/, (n) => String(Number(n) + 1));
    const statusText = gitIn(repo, 'show', 'ferry/status:status.yaml').replace(STATUS_FORMAT, newer);
    const commitWith = (message: string, text: string): string => {
      const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo, input: `${text}\n`, encoding: 'utf8' }).trim();
      const tree = execFileSync('git', ['mktree'], { cwd: repo, input: `100644 blob ${blob}\tstatus.yaml\n`, encoding: 'utf8' }).trim();
      const commit = gitIn(repo, 'commit-tree', tree, '-p', 'ferry/status', '-m', message);
      gitIn(repo, 'update-ref', 'refs/heads/ferry/status', commit);
      return commit;
    };
    commitWith(`ferry: 1 change\n\nFerry-Version: 7.1.0\nFerry-Status-Format: ${newer}`, statusText);
    await expect(store.read()).rejects.toThrow(
      `status.yaml: the status branch was written by Ferry 7.1.0 (format ${newer}); this Ferry reads formats up to ${STATUS_FORMAT}: run Ferry 7.1.0 or later`,
    );
    // A trailer that names another format than the tree holds does not speak for it.
    commitWith(`edited by hand\n\nFerry-Version: 7.1.0\nFerry-Status-Format: ${STATUS_FORMAT}`, statusText);
    await expect(store.read()).rejects.toThrow(`status.yaml: the status branch was written by a newer Ferry (format ${newer}); this Ferry reads formats up to ${STATUS_FORMAT}: upgrade Ferry`);
  });
});
