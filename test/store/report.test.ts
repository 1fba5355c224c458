import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { emptyStatus, type EntryStatusCode, type QueueEntry, type StatusState } from '../../src/engine/status.js';
import { renderConflictReport } from '../../src/store/report.js';
import { batchStatus, queueEntry, T0 } from '../helpers/status.js';

function entry(n: number, batch: string, status: EntryStatusCode, message: string, changes: Partial<QueueEntry> = {}): QueueEntry {
  const base = queueEntry(n, batch, 'dc1');
  return {
    ...base,
    status,
    message,
    history: [...base.history, { at: T0 + 3_600_000 + n, attempt: 1, from: 'background_import', to: status, message }],
    ...changes,
  };
}

function statusWith(...entries: QueueEntry[]): StatusState {
  const status = emptyStatus();
  status.updated_at = T0 + 7_200_000;
  status.desired_commit = 'abc1234';
  for (const e of entries) status.entries[e.uuid] = e;
  for (const name of new Set(entries.map((e) => e.batch))) status.batches[name] = { ...batchStatus(1), name };
  return status;
}

/** The YAML documents in fenced blocks, parsed. */
function snippets(markdown: string): Record<string, unknown>[] {
  return [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]!) as Record<string, unknown>);
}

describe('CONFLICTS.md', () => {
  it('says so when nothing needs attention', () => {
    const report = renderConflictReport(statusWith(entry(1, 'wave-1', 'waiting', ''), entry(2, 'wave-1', 'finished', 'Finished')));
    expect(report).toBe(
      '# Conflicts and stuck entries\n\n' +
        'Written by the reconciler at 2026-11-21T00:00:00Z for the desired-state commit `abc1234`. Nothing here is edited by hand: every fix is a change merged to the campaign repository.\n\n' +
        'Nothing needs attention: no entry is in Conflict, Error or Blocked.\n',
    );
  });

  it('tells how to resolve a conflict, with a Resolution ready to merge', () => {
    const conflict = entry(7, 'wave-2', 'conflict', 'The target network "vlan-7" does not exist in project "p3"');
    const report = renderConflictReport(statusWith(conflict));
    expect(report).toContain('**1 entry needs attention**: 1 Conflict.');
    expect(report).toContain('| `wave-2` | 1 | 0 | 0 |');
    expect(report).toContain('#### `app-7` — Conflict');
    expect(report).toContain(`- Location: \`/DC1/vm/app-7/app-7\` on source \`dc1\`, UUID \`${conflict.uuid}\``);
    expect(report).toContain('- Since: 2026-11-20T23:00:00.007Z');
    expect(report).toContain('- Message: The target network "vlan-7" does not exist in project "p3"');
    expect(report).toContain('merge this Resolution to run the checks again (it does not bypass them)');
    expect(snippets(report)).toEqual([
      { apiVersion: 'ferry.dev/v1alpha1', kind: 'Resolution', metadata: { name: 'resolve-app-7' }, spec: { batch: 'wave-2', instance: conflict.uuid, action: 'resolve' } },
    ]);
  });

  it('tells how to get an entry out of Error: cancel, then retry', () => {
    const failed = entry(3, 'wave-1', 'error', 'Post-import tasks failed');
    const report = renderConflictReport(statusWith(failed));
    expect(snippets(report).map((s) => [(s.metadata as { name: string }).name, (s.spec as { action: string }).action])).toEqual([
      ['cancel-app-3', 'cancel'],
      ['retry-app-3', 'retry'],
    ]);
    expect(report).toContain('add `cleanup: true` to its spec to delete the target instance Ferry created');
    expect(report).toContain('Once the entry shows Canceled, merge one that queues it again');
  });

  it('lists blocked entries in a table and says what each blocking rule needs', () => {
    const report = renderConflictReport(
      statusWith(
        entry(1, 'wave-1', 'blocked', 'The instance has no IPv4 address'),
        entry(2, 'wave-1', 'blocked', 'The instance has no IPv4 address'),
        entry(3, 'wave-1', 'blocked', 'The OS is unknown'),
        entry(4, 'wave-1', 'blocked', 'Storage pool "nvme" does not exist on incus-0'),
        entry(5, 'wave-1', 'blocked', 'Something new'),
      ),
    );
    expect(report).toContain('### Blocked (5)\n\n| Instance | Location | Since | Reason |\n|---|---|---|---|\n| `app-1` | `/DC1/vm/app-1/app-1` | 2026-11-20T23:00:00.001Z | The instance has no IPv4 address |');
    expect(report).toContain('- 2 entries: The instance reports no IPv4 address');
    expect(report).toContain('`allow_no_ipv4: true`');
    expect(report).toContain('- 1 entry: The source does not know the guest operating system');
    expect(report).toContain('- 1 entry: The placement does not fit the target');
    expect(report).toContain('- 1 entry: The message names the rule');
    expect(snippets(report)).toEqual([]);
  });

  it('groups by batch in name order, Conflict before Error before Blocked, entries by name', () => {
    const report = renderConflictReport(
      statusWith(entry(9, 'wave-b', 'blocked', 'x'), entry(2, 'wave-a', 'error', 'x'), entry(8, 'wave-a', 'conflict', 'x'), entry(1, 'wave-a', 'conflict', 'x')),
    );
    const headings = report.split('\n').filter((line) => line.startsWith('#'));
    expect(headings).toEqual([
      '# Conflicts and stuck entries',
      '## Batch `wave-a`',
      '### Conflict (2)',
      '#### `app-1` — Conflict',
      '#### `app-8` — Conflict',
      '### Error (1)',
      '#### `app-2` — Error',
      '## Batch `wave-b`',
      '### Blocked (1)',
    ]);
  });

  it('is the same text whatever order the entries come in', () => {
    const entries = [entry(1, 'w', 'conflict', 'a'), entry(2, 'w', 'error', 'b'), entry(3, 'v', 'blocked', 'c'), entry(4, 'w', 'conflict', 'd')];
    expect(renderConflictReport(statusWith(...entries.reverse()))).toBe(renderConflictReport(statusWith(...entries.reverse())));
  });

  it('shows a batch in Error with its message', () => {
    const status = statusWith(entry(1, 'wave-1', 'finished', 'Finished'));
    status.batches['wave-1'] = { ...status.batches['wave-1']!, status: 'Error', message: 'The placement scriptlet does not compile' };
    const report = renderConflictReport(status);
    expect(report).toContain('| `wave-1` (batch in Error) | 0 | 0 | 0 |');
    expect(report).toContain('The batch is in Error: The placement scriptlet does not compile');
  });

  it('escapes names and messages, so what a source reports cannot turn into links, images or HTML', () => {
    const hostile = entry(1, 'wave-1', 'conflict', 'see [here](https://evil.example) <img src=x onerror=alert(1)> | `rm -rf`\n# heading', {
      name: 'web`01` ![x](https://evil.example/p.png)',
      location: '/DC1/vm/```\n# injected',
    });
    const report = renderConflictReport(statusWith(hostile));
    expect(report).toContain('- Message: see \\[here\\](https:\u200b//evil.example) &lt;img src=x onerror=alert(1)&gt; \\| \\`rm -rf\\` \\# heading');
    expect(report).toContain('#### ``web`01` ![x](https://evil.example/p.png)`` — Conflict');
    expect(report).toContain('````/DC1/vm/``` # injected````');
    expect(report.split('\n').filter((line) => line.startsWith('# '))).toEqual(['# Conflicts and stuck entries']);
    // The Resolution name is still a valid API name.
    expect((snippets(report)[0]!.metadata as { name: string }).name).toBe('resolve-web-01-x-https-evil.example-p.png');
  });

  it('describes a bounded number of entries and counts the rest', () => {
    const entries: QueueEntry[] = [];
    for (let b = 0; b < 4; b++) for (let i = 0; i < 3; i++) entries.push(entry(b * 10 + i, `wave-${b}`, 'conflict', 'x'));
    const report = renderConflictReport(statusWith(...entries), 4);
    expect(report.match(/^#### /gm)?.length).toBe(4);
    expect(report).toContain('…and 2 more in Conflict: `ferry status` lists them all.');
    expect(report).toContain('| `wave-3` | 3 | 0 | 0 |');
    expect(report).toContain(
      '## Other batches\n\nThis report describes 4 entries in detail; the entries of 2 more batches are counted in the table above only: `wave-2`, `wave-3`. `ferry status` lists them all.\n',
    );
  });
});
