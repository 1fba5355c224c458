// What the provider remembers of its calls by operation id, and the operation record it keeps on
// instances.

import { describe, expect, it } from 'vitest';
import { OperationLedger } from '../../../src/providers/incus/ledger.js';
import { OPS_KEPT, placedDisks, recordedNics, withOp } from '../../../src/providers/incus/markers.js';
import { ProviderError } from '../../../src/providers/ports.js';

describe('the operation ledger', () => {
  it('runs an operation once: a second call while it runs joins it, a call after it succeeded returns at once', async () => {
    const ledger = new OperationLedger(() => 42);
    let runs = 0;
    let release!: () => void;
    const work = () => {
      runs++;
      return new Promise<string>((resolve) => (release = () => resolve('done')));
    };
    const first = ledger.run('op', work);
    const second = ledger.run('op', work);
    expect(ledger.observe('op')).toEqual({ state: 'running', message: 'in progress' });
    release();
    await Promise.all([first, second]);
    await ledger.run('op', work);
    expect(runs).toBe(1);
    expect(ledger.observe('op')).toEqual({ state: 'succeeded', message: 'done', ended_at: 42 });
  });

  it('keeps a failure Incus reported, and runs the operation again when it is dispatched again', async () => {
    const ledger = new OperationLedger(() => 7);
    await expect(ledger.run('op', async () => Promise.reject(new ProviderError('name-taken', 'taken')))).rejects.toThrow('taken');
    expect(ledger.observe('op')).toEqual({ state: 'failed', message: 'taken', ended_at: 7 });
    await ledger.run('op', async () => 'fine now');
    expect(ledger.observe('op')).toMatchObject({ state: 'succeeded', message: 'fine now' });
  });

  it('keeps nothing when Incus could not be reached, or for a refusal the caller says is not an operation', async () => {
    const ledger = new OperationLedger();
    for (const code of ['unreachable', 'tls-untrusted', 'timeout']) {
      await expect(ledger.run(code, async () => Promise.reject(new ProviderError(code, 'x')))).rejects.toThrow();
      expect(ledger.observe(code)).toBeUndefined();
    }
    await expect(ledger.run('del', async () => Promise.reject(new ProviderError('marker-mismatch', 'not ours')), ['marker-mismatch'])).rejects.toThrow();
    expect(ledger.observe('del')).toBeUndefined();
  });
});

describe('the record on the instance', () => {
  it('appends each completed operation once and keeps the newest', () => {
    expect(withOp({}, 'a')).toBe('a');
    expect(withOp({ 'user.ferry.ops': 'a b' }, 'a')).toBe('b a');
    const many = Array.from({ length: OPS_KEPT + 5 }, (_, i) => `op${i}`).join(' ');
    const kept = withOp({ 'user.ferry.ops': many }, 'last').split(' ');
    expect(kept).toHaveLength(OPS_KEPT);
    expect(kept.at(-1)).toBe('last');
    expect(kept[0]).toBe('op6');
  });

  it('reads back the placed disks and the source NICs in order', () => {
    const config = {
      'user.ferry.disk.10.pool': 'b',
      'user.ferry.disk.2.pool': 'a',
      'user.ferry.disk.2.name': 'd2',
      'user.ferry.nic.0.hwaddr': 'm0',
      'user.ferry.nic.1.hwaddr': 'm1',
      'user.ferry.nic.1.ipv4': '10.0.0.1',
    };
    expect(placedDisks(config)).toEqual([2, 10]);
    expect(recordedNics(config)).toEqual([{ hwaddr: 'm0', ipv4: '' }, { hwaddr: 'm1', ipv4: '10.0.0.1' }]);
  });
});
