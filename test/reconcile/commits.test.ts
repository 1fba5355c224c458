import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ProviderSet, SourceProvider, VirtualClock } from '../../src/providers/ports.js';
import { desiredAtCommit } from '../../src/reconcile/desired.js';
import { openReconciler } from '../../src/reconcile/open.js';
import { tick } from '../../src/reconcile/reconciler.js';
import { copyOfExampleRepo } from '../helpers/cli.js';
import { contactAll } from '../../src/trust/connections.js';

const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const M = 60_000;

async function campaign(pilot: 'running' | 'defined') {
  const dir = copyOfExampleRepo();
  const edit = (path: string, from: string, to: string) => writeFileSync(join(dir, path), readFileSync(join(dir, path), 'utf8').replace(from, to));
  edit('ferry.yaml', '    branch: ferry/status', '    branch: ferry/status\n    local: true');
  edit('batches/wave-0-pilot.yaml', '  state: running', `  state: ${pilot}`);
  for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-qm', 'campaign']]) execFileSync('git', args, { cwd: dir, env });
  const desired = await desiredAtCommit(dir, 'HEAD');
  const opened = await openReconciler(dir, desired.state, desired.files, { connections: contactAll(desired.state), readOnly: false, log: pino({ level: 'silent' }) });
  const clock = opened.setup.providers.clock as VirtualClock;
  return { desired, opened, clock };
}

describe('what a tick commits', () => {
  it('does not commit a re-read inventory that did not change, and does not read it again before it is due', async () => {
    const { desired, opened, clock } = await campaign('defined');
    const real = opened.setup.providers;
    let reads = 0;
    const counting: ProviderSet = Object.create(real, {
      source: {
        value: (name: string): SourceProvider => {
          const source = real.source(name);
          return Object.create(source, { inventory: { value: () => (reads++, source.inventory()) } });
        },
      },
    });
    const setup = { ...opened.setup, providers: counting };
    try {
      expect((await tick(setup, desired)).committed).toBe(true); // the first snapshot
      expect(reads).toBe(1);
      await clock.advanceTo(clock.now() + 11 * M);
      const resynced = await tick(setup, desired);
      expect(reads).toBe(2);
      expect(resynced.synced).toEqual(['dc1']);
      expect(resynced.committed).toBe(false);
      await tick(setup, desired);
      expect(reads).toBe(2);
      await clock.advanceTo(clock.now() + 11 * M);
      await tick(setup, desired);
      expect(reads).toBe(3);
    } finally {
      await opened.close();
    }
  });

  it('commits a progress-only change at most once per reconcile interval', async () => {
    const { desired, opened, clock } = await campaign('running');
    try {
      // Run until a background import is in flight.
      for (let i = 0; i < 40; i++) {
        const report = await tick(opened.setup, desired);
        if (report.acted.some((a) => a.kind === 'import_disks')) break;
        if (!report.committed) await clock.advanceTo(clock.now() + 30_000);
      }
      const { status } = await opened.store.read();
      expect(Object.values(status.entries).some((e) => e.status === 'background_import')).toBe(true);
      await clock.advanceTo(clock.now() + 5_000);
      const early = await tick(opened.setup, desired);
      expect(early.decision!.changes.length).toBeGreaterThan(0);
      expect(early.decision!.actions).toEqual([]);
      expect(early.committed).toBe(false);
      await clock.advanceTo(clock.now() + desired.state.project.reconcile.interval_ms);
      const later = await tick(opened.setup, desired);
      const inFlight = Object.values(later.status!.entries).filter((e) => e.status === 'background_import');
      if (inFlight.length > 0 && later.decision!.actions.length === 0) {
        // Still only progress: now a minute after the last commit, it is recorded.
        expect(later.committed).toBe(true);
        expect(inFlight.some((e) => /%/.test(e.message))).toBe(true);
      }
    } finally {
      await opened.close();
    }
  });
});
