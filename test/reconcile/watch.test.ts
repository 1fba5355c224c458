import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { desiredAtCommit } from '../../src/reconcile/desired.js';
import { openReconciler } from '../../src/reconcile/open.js';
import { runWatch } from '../../src/reconcile/run.js';
import { copyOfExampleRepo } from '../helpers/cli.js';
import { contactAll } from '../../src/trust/connections.js';

const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env });

describe('ferry apply --watch', () => {
  it('reconciles until idle, then again when a change is merged, until stopped', async () => {
    const dir = copyOfExampleRepo();
    const project = join(dir, 'ferry.yaml');
    writeFileSync(project, readFileSync(project, 'utf8').replace('    branch: ferry/status', '    branch: ferry/status\n    local: true'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'campaign');

    const first = await desiredAtCommit(dir, 'HEAD');
    const opened = await openReconciler(dir, first.state, first.files, { connections: contactAll(first.state), readOnly: false, log: pino({ level: 'silent' }) });
    const controller = new AbortController();
    const waits: string[] = [];
    let current = first;
    const load = async () => {
      const head = git(dir, 'rev-parse', 'HEAD').trim();
      if (head !== current.commit) current = await desiredAtCommit(dir, 'HEAD');
      return current;
    };
    const batchesAtEachWait: string[][] = [];
    try {
      const summary = await runWatch(opened.setup, load, dir, 3_600_000, {
        signal: controller.signal,
        tickIntervalMs: 60_000,
        onWait: async (why) => {
          waits.push(why);
          const { status } = await opened.store.read();
          batchesAtEachWait.push(Object.keys(status.batches).sort());
          if (waits.length === 1) {
            // A merged pull request starts the web wave while the reconciler waits.
            const file = join(dir, 'batches/wave-1-web.yaml');
            writeFileSync(file, readFileSync(file, 'utf8').replace('  state: defined', '  state: running'));
            git(dir, 'commit', '-qam', 'start the web wave');
          } else {
            controller.abort();
          }
        },
      });
      expect(summary.reason).toBe('aborted');
      expect(summary.ticks).toBeGreaterThan(2);
    } finally {
      await opened.close();
    }
    expect(waits[0]).toMatch(/idle; waiting for a change/);
    expect(batchesAtEachWait[0]).toEqual(['wave-0-pilot']);
    expect(batchesAtEachWait[1]).toEqual(['wave-0-pilot', 'wave-1-web']);
  });
});
