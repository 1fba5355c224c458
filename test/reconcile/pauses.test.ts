import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Pause } from '../../src/engine/status.js';
import { changePauses, recordPauses } from '../../src/reconcile/pauses.js';
import { openStatusStore, type StatusStore } from '../../src/store/index.js';
import { generateStatus } from '../helpers/status.js';

const ANA = { name: 'Ana Operator', email: 'ana@example.com' };
const pause = (reason: string): Pause => ({ by: 'Ana Operator <ana@example.com>', at: Date.UTC(2026, 11, 7, 4, 50), reason });

function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-pauses-'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  return dir;
}

describe('changePauses', () => {
  it('pauses the campaign without batches, replaces a reason, and resumes only what it names', () => {
    const none = { campaign: null, batches: {} };
    const campaign = changePauses(none, { kind: 'pause', batches: [], pause: pause('a') });
    expect(campaign.pauses).toEqual({ campaign: pause('a'), batches: {} });
    const both = changePauses(campaign.pauses, { kind: 'pause', batches: ['w1', 'w1'], pause: pause('b') });
    expect(both.pauses).toEqual({ campaign: pause('a'), batches: { w1: pause('b') } });
    expect(both.outcomes).toEqual([{ batch: 'w1', was: null, now: pause('b') }]);
    const again = changePauses(both.pauses, { kind: 'pause', batches: ['w1'], pause: pause('c') });
    expect(again.outcomes).toEqual([{ batch: 'w1', was: pause('b'), now: pause('c') }]);
    const resumed = changePauses(again.pauses, { kind: 'resume', batches: [], reason: null });
    expect(resumed.pauses).toEqual({ campaign: null, batches: { w1: pause('c') } });
    expect(changePauses(resumed.pauses, { kind: 'resume', batches: ['w2'], reason: null }).outcomes).toEqual([{ batch: 'w2', was: null, now: null }]);
    // The input is never changed.
    expect(none).toEqual({ campaign: null, batches: {} });
  });
});

describe('recordPauses', () => {
  it('is written again on top of a reconciler\'s commit that landed first: neither is lost', async () => {
    const dir = repository();
    const store = await openStatusStore({ repoDir: dir, branch: 'ferry/status', remote: null });
    const reconciler = await openStatusStore({ repoDir: dir, branch: 'ferry/status', remote: null });
    const first = await store.write(await store.read(), generateStatus({ batches: 2, entriesPerBatch: 3 }), 'tick 1');
    expect(first.ok).toBe(true);

    // The reconciler commits a tick between the pause's read and its write.
    let raced = false;
    const racing: StatusStore = {
      description: store.description,
      read: () => store.read(),
      async write(base, next, message, options) {
        if (!raced) {
          raced = true;
          const seen = await reconciler.read();
          const ticked = await reconciler.write(seen, { ...seen.status, updated_at: Date.UTC(2026, 11, 7, 5) }, 'tick 2');
          expect(ticked.ok).toBe(true);
        }
        return store.write(base, next, message, options);
      },
    };
    const recorded = await recordPauses(racing, { kind: 'pause', batches: [], pause: pause('SAN alarm') }, ANA);
    expect(recorded).toMatchObject({ written: true, retries: 1 });

    const final = await store.read();
    expect(final.status.pauses.campaign).toEqual(pause('SAN alarm'));
    expect(final.status.updated_at).toBe(Date.UTC(2026, 11, 7, 5));
    const log = execFileSync('git', ['log', '--format=%an <%ae>|%s', 'ferry/status'], { cwd: dir, encoding: 'utf8' }).trim().split('\n');
    expect(log[0]).toBe('Ana Operator <ana@example.com>|ferry pause: the campaign');
    expect(log.slice(1).map((line) => line.split('|')[1])).toEqual(['tick 2', 'tick 1']);

    // And a reconciler that read before the pause cannot write over it: its write is refused and it decides again.
    const stale = await reconciler.write({ revision: first.ok ? first.revision : null, status: final.status }, final.status, 'tick 3');
    expect(stale.ok).toBe(false);
  });

  it('writes nothing when nothing changes', async () => {
    const dir = repository();
    const store = await openStatusStore({ repoDir: dir, branch: 'ferry/status', remote: null });
    const recorded = await recordPauses(store, { kind: 'resume', batches: [], reason: null }, ANA);
    expect(recorded).toMatchObject({ written: false, revision: null, retries: 0 });
    expect((await store.read()).revision).toBeNull();
  });
});
