// runUntilIdle on the simulator's virtual clock.

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { writeCampaignRepo } from '../../scripts/campaign.js';
import { desiredAtCommit } from '../../src/reconcile/desired.js';
import { openReconciler } from '../../src/reconcile/open.js';
import { runUntilIdle } from '../../src/reconcile/run.js';
import { contactAll } from '../../src/trust/connections.js';

const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env });

describe('runUntilIdle on a virtual clock', () => {
  it('applies what is due at the current instant instead of jumping past it and everything after it', async () => {
    // A scripted event at the clock's start is due at the very instant of the first ticks, and it
    // is applied only when the clock is moved. The loop once dropped that "next event" because it
    // was not in the future, missed the creations completing 50 s later, and jumped straight to
    // the first window an hour away: the first background passes started 59 minutes late.
    const dir = mkdtempSync(join(tmpdir(), 'ferry-run-'));
    writeCampaignRepo(dir, {
      instances: 3,
      batches: 1,
      offlineShare: 0,
      simulationExtra: '  events:\n    - {name: at-start, at: +0s, type: fail, operation: start, vm: vm-000000}\n',
    });
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'campaign');

    const desired = await desiredAtCommit(dir, 'HEAD');
    const opened = await openReconciler(dir, desired.state, desired.files, { connections: contactAll(desired.state), readOnly: false, log: pino({ level: 'silent' }) });
    const start = opened.setup.providers.clock.now();
    const advances: number[] = [];
    try {
      const summary = await runUntilIdle(opened.setup, async () => desired, { tickIntervalMs: 60_000, onAdvance: (_from, to) => advances.push(to - start) });
      expect(summary.reason).toBe('idle');
      // The loop keeps the last report for its summary, not what that tick observed.
      expect(summary.last).toMatchObject({ observations: null });
      expect(summary.last!.status).not.toBeNull();
    } finally {
      await opened.close();
    }
    // The clock steps a minute at a time while the creations and passes run (they take seconds).
    expect(advances.slice(0, 2)).toEqual([60_000, 120_000]);
    const status = (await opened.store.read()).status;
    expect(Object.values(status.entries).map((e) => e.status)).toEqual(['finished', 'finished', 'finished']);
  });
});
