import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyStatus, type EntryStatusCode, type StatusState } from '../../src/engine/status.js';
import { renderConflictReport } from '../../src/store/report.js';
import { benign, elements, hostileText, linked, strayDollars, toHtml } from '../text/hostile.js';
import { batchStatus, queueEntry } from '../helpers/status.js';

const SHAPE: EntryStatusCode[] = ['conflict', 'error', 'blocked', 'blocked'];

/** A status whose batch names, entry names, locations, sources, UUIDs and messages all come from `list`. */
function statusOf(list: string[]): StatusState {
  let i = 0;
  const t = () => list[i++ % list.length]!;
  const status = emptyStatus();
  status.updated_at = Date.UTC(2026, 10, 21);
  status.desired_commit = t();
  let n = 0;
  // Every batch has the same shape (in Error, the same entries), so that their order — by name,
  // which differs between the hostile and the benign data — changes no structure.
  for (const suffix of ['-a', '-b', '-c']) {
    const batch = `${t()}${suffix}`;
    status.batches[batch] = { ...batchStatus(1), name: batch, status: 'Error', message: t() };
    for (const code of SHAPE) {
      const base = queueEntry(++n, batch, 'dc1');
      const uuid = `${t()}-${n}`;
      status.entries[uuid] = { ...base, uuid, status: code, name: t(), location: t(), source: t(), message: `${t()} no IPv4 ${t()}` };
    }
  }
  return status;
}

describe('untrusted text in CONFLICTS.md', () => {
  it('makes no element, link, mention, reference or math of its own', () => {
    fc.assert(
      fc.property(fc.array(hostileText, { minLength: 30, maxLength: 60 }), (list) => {
        const hostile = renderConflictReport(statusOf(list));
        const reference = renderConflictReport(statusOf(list.map(benign)));
        const html = toHtml(hostile);
        const referenceHtml = toHtml(reference);
        expect(elements(html)).toEqual(elements(referenceHtml));
        expect(linked(html)).toEqual(linked(referenceHtml));
        expect(strayDollars(hostile, html)).toBe(0);
      }),
      { numRuns: 30 },
    );
  });
});
