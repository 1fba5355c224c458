import { describe, expect, it } from 'vitest';
import { batchState } from '../../src/github/report.js';
import { queueEntry } from '../helpers/status.js';

describe('the commit status of a paused batch', () => {
  it('says who paused it and why before its counts, on one line within GitHub\'s 140 characters', () => {
    const entries = [queueEntry(0, 'wave-1', 'dc1'), queueEntry(5, 'wave-1', 'dc1')];
    const paused = batchState('Stopped', entries, { by: 'Ana <ana@example.com>', at: 0, reason: 'SAN-2\nalarm' });
    expect(paused.state).toBe('pending');
    expect(paused.description).toMatch(/^Paused by Ana <ana@example\.com>: SAN-2 alarm — Stopped: /);
    expect(paused.description.length).toBeLessThanOrEqual(140);
    expect(batchState('Stopped', entries).description).toMatch(/^Stopped: /);
  });
});
