import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CLAIM_TTL_MS } from '../../src/engine/status.js';
import type { ProviderSet } from '../../src/providers/ports.js';
import { desiredAtCommit } from '../../src/reconcile/desired.js';
import { openReconciler } from '../../src/reconcile/open.js';
import { tick } from '../../src/reconcile/reconciler.js';
import { copyOfExampleRepo } from '../helpers/cli.js';
import { contactAll } from '../../src/trust/connections.js';

const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

describe('acting on a decision', () => {
  it('skips a call whose claim expired between the commit and the call, and a later tick dispatches it', async () => {
    const dir = copyOfExampleRepo();
    const project = join(dir, 'ferry.yaml');
    writeFileSync(project, readFileSync(project, 'utf8').replace('    branch: ferry/status', '    branch: ferry/status\n    local: true'));
    for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-qm', 'campaign']]) execFileSync('git', args, { cwd: dir, env });
    const desired = await desiredAtCommit(dir, 'HEAD');
    const opened = await openReconciler(dir, desired.state, desired.files, { connections: contactAll(desired.state), readOnly: false, log: pino({ level: 'silent' }) });
    try {
      // Tick 1 starts the pilot; tick 2 decides its first creations.
      await tick(opened.setup, desired);
      const real = opened.setup.providers;
      // A process paused right after its commit: the clock reads later at the call than at the decision.
      let resumed = false;
      const paused: ProviderSet = Object.create(real, {
        clock: { value: { virtual: false, now: () => real.clock.now() + (resumed ? CLAIM_TTL_MS : 0) } },
      });
      const crashPoint = (step: string) => {
        if (step === 'tick:commit:after') resumed = true;
      };
      const skipped = await tick({ ...opened.setup, providers: paused, crashPoint }, desired);
      expect(skipped.committed).toBe(true);
      expect(skipped.acted.length).toBeGreaterThan(0);
      expect(skipped.acted.every((a) => !a.ok && /claim expired/.test(a.error ?? ''))).toBe(true);
      // The claimant's next tick finds the operations unknown to the provider and dispatches them.
      const next = await tick(opened.setup, desired);
      expect(next.acted.map((a) => a.op).sort()).toEqual(skipped.acted.map((a) => a.op).sort());
      expect(next.acted.every((a) => a.ok)).toBe(true);
    } finally {
      await opened.close();
    }
  });
});
