// The status branch's remote goes away or refuses pushes for a while: apply --until-idle and watch
// ride it out (back off, say so once per change of state, act on nothing meanwhile) and carry on
// when it clears; a remote that stays away ends the loop with the failure once the budget is spent.

import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { desiredAtCommit } from '../../src/reconcile/desired.js';
import { openReconciler } from '../../src/reconcile/open.js';
import { outageBackoffMs, runUntilIdle, type OutageReport } from '../../src/reconcile/run.js';
import { contactAll } from '../../src/trust/connections.js';
import { committedExample, ferry, gitIn, tempDir } from '../helpers/cli.js';

/** The example campaign pushed to a bare origin, and a clone of it where the reconciler runs. */
function clonedExample(): { root: string; origin: string; clone: string } {
  const campaign = committedExample();
  const root = tempDir('ferry-outage-');
  gitIn(root, 'clone', '-q', '--bare', campaign, 'origin.git');
  gitIn(root, 'clone', '-q', join(root, 'origin.git'), 'clone');
  return { root, origin: join(root, 'origin.git'), clone: join(root, 'clone') };
}

describe('an outage of the status branch', () => {
  it('apply --until-idle rides out a remote that refuses one push in three, and says so once per episode', async () => {
    const { origin, clone } = clonedExample();
    const hook = join(origin, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\nn=$(cat "$GIT_DIR/pushes" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$GIT_DIR/pushes"\nif [ $((n % 3)) -eq 0 ]; then echo "flaky: refused" >&2; exit 1; fi\n');
    chmodSync(hook, 0o755);
    const run = await ferry(['apply', '--until-idle'], { cwd: clone });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const out = run.stdout + run.stderr;
    const refused = out.match(/warning status-push-refused: /g) ?? [];
    const cleared = out.match(/the status branch answers again; carrying on/g) ?? [];
    expect(refused.length).toBeGreaterThan(0);
    expect(cleared.length).toBe(refused.length);
    expect(out).not.toMatch(/\n\s+at /);
    const status = await ferry(['status', '--json'], { cwd: clone });
    const pilot = (JSON.parse(status.stdout) as { batches: { name: string; status: string }[] }).batches.find((b) => b.name === 'wave-0-pilot');
    expect(pilot?.status).toBe('Finished');
  });

  it('a remote that disappears and comes back: the loop waits, acts on nothing meanwhile, and catches up', async () => {
    const { origin, clone } = clonedExample();
    const desired = await desiredAtCommit(clone, 'HEAD');
    const opened = await openReconciler(clone, desired.state, desired.files, { connections: contactAll(desired.state), readOnly: false, log: pino({ level: 'silent' }) });
    const reports: (OutageReport | null)[] = [];
    let ticksDuringOutage = 0;
    let away = false;
    try {
      const summary = await runUntilIdle(opened.setup, async () => desired, {
        tickIntervalMs: 60_000,
        onTick: (report) => {
          if (away) ticksDuringOutage++;
          // After a few ticks, the remote goes away.
          if (report.committed && reports.length === 0 && !away) {
            renameSync(origin, `${origin}.away`);
            away = true;
          }
        },
        onOutage: (report) => {
          reports.push(report);
          // It comes back after the third attempt.
          if (report !== null && report.attempts >= 1 && away) {
            setTimeout(() => renameSync(`${origin}.away`, origin), 2_500);
            away = false;
          }
        },
      });
      expect(summary.reason).toBe('idle');
    } finally {
      await opened.close();
    }
    expect(ticksDuringOutage).toBe(0);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports[0]).toMatchObject({ code: 'status-git', attempts: 1 });
    expect(reports.at(-1)).toBeNull();
    // One report per change of state: the same failure repeated is not said again.
    expect(reports.filter((r) => r !== null).length).toBe(reports.filter((r) => r === null).length);
    const status = (await opened.store.read()).status;
    expect(Object.values(status.batches).find((b) => b.name === 'wave-0-pilot')?.status).toBe('Finished');
  });

  it('a remote that stays away ends the loop with the failure once the budget is spent', async () => {
    const { origin, clone } = clonedExample();
    renameSync(origin, `${origin}.gone`);
    const desired = await desiredAtCommit(clone, 'HEAD');
    const opened = await openReconciler(clone, desired.state, desired.files, { connections: contactAll(desired.state), readOnly: false, log: pino({ level: 'silent' }) });
    const reports: (OutageReport | null)[] = [];
    let failedTicks = 0;
    try {
      await expect(runUntilIdle(opened.setup, async () => desired, { outageBudgetMs: 2_500, onOutage: (r) => reports.push(r), onTickFailed: () => failedTicks++ })).rejects.toMatchObject({ code: 'status-git' });
    } finally {
      await opened.close();
    }
    expect(reports).toHaveLength(1);
    // Told of every attempt that failed and was followed by a back-off (apply's Ctrl-C then stops between two ticks): attempts at 0 and 1 s; the one at 3 s ends the loop.
    expect(failedTicks).toBeGreaterThanOrEqual(1);
    expect(failedTicks).toBeLessThanOrEqual(2);
  });

  it('a status branch that needs repair ends the loop at once, unless the loop waits for repair: then it waits, past any budget, and carries on once repaired', async () => {
    const dir = committedExample({ local: true });
    expect((await ferry(['apply'], { cwd: dir })).code).toBe(0);
    const good = gitIn(dir, 'rev-parse', 'ferry/status');
    gitIn(dir, 'checkout', '-q', 'ferry/status');
    writeFileSync(join(dir, 'status.yaml'), 'format: [unclosed\n');
    gitIn(dir, 'commit', '-qam', 'a hand edit');
    gitIn(dir, 'checkout', '-q', 'main');
    const desired = await desiredAtCommit(dir, 'HEAD');
    const opened = await openReconciler(dir, desired.state, desired.files, { connections: contactAll(desired.state), readOnly: false, log: pino({ level: 'silent' }) });
    const reports: (OutageReport | null)[] = [];
    try {
      await expect(runUntilIdle(opened.setup, async () => desired, { onOutage: (r) => reports.push(r) })).rejects.toMatchObject({ code: 'status-corrupt' });
      expect(reports).toEqual([]);
      const summary = await runUntilIdle(opened.setup, async () => desired, {
        waitForRepair: true,
        outageBudgetMs: 0,
        maxTicks: 1,
        onOutage: (report) => {
          reports.push(report);
          // The operator repairs the branch (what merging a revert of the hand edit gives).
          if (report !== null) gitIn(dir, 'update-ref', 'refs/heads/ferry/status', good);
        },
      });
      expect(summary).toMatchObject({ reason: 'max-ticks', ticks: 1, commits: 1 });
    } finally {
      await opened.close();
    }
    expect(reports).toHaveLength(2);
    expect(reports[0]).toMatchObject({ code: 'status-corrupt', attempts: 1, retryInMs: 1000 });
    expect(reports[1]).toBeNull();
  });

  it('backs off 1 s, 2 s, 4 s … up to a minute', () => {
    expect([1, 2, 3, 4, 7, 8, 100].map(outageBackoffMs)).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
  });
});
