import { execFileSync, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { claimable } from '../../src/engine/operations.js';
import { CLAIM_TTL_MS, type Operation } from '../../src/engine/status.js';
import { goneClaimants, reconcilerIdentity } from '../../src/reconcile/identity.js';

const HOST = hostname().split('.')[0] || 'host';

/** The ID of a process that ran here and is gone. */
function deadPid(): number {
  return Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
}

describe('claims of a reconciler that is gone', () => {
  it('a predecessor on this host whose process no longer runs is gone; others are left to the time-to-live', async () => {
    const self = reconcilerIdentity();
    const dead = `${HOST}/${deadPid()}/a1b2c3`;
    const sleeper = spawn('sleep', ['30']);
    await new Promise((resolve) => sleeper.once('spawn', resolve));
    try {
      const running = `${HOST}/${sleeper.pid}/a1b2c3`;
      const sameProcess = `${HOST}/${process.pid}/ffffff`;
      const otherHost = `${HOST}-elsewhere/${deadPid()}/a1b2c3`;
      const gone = goneClaimants([self, dead, dead, running, sameProcess, otherHost, 'A', 'host/x/1'], self);
      expect([...gone]).toEqual([dead]);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('an operation whose claimant is gone is claimable at once', () => {
    const op = { id: 'op-1', kind: 'power_on_source', claimed_by: 'h/1/aa', claimed_at: 1_000 } as Operation;
    expect(claimable(op, 'h/2/bb', 1_001)).toBe(false);
    expect(claimable(op, 'h/2/bb', 1_001, new Set(['h/1/aa']))).toBe(true);
    expect(claimable(op, 'h/2/bb', 1_000 + CLAIM_TTL_MS)).toBe(true);
    expect(claimable(op, 'h/1/aa', 1_001)).toBe(true);
  });
});
