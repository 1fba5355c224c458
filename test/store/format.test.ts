import { describe, expect, it } from 'vitest';
import { STATUS_FORMAT, type QueueEntry, type StatusState } from '../../src/engine/status.js';
import { StatusStoreError } from '../../src/store/errors.js';
import { checkFormat, filesToStatus, planStatusFiles, statusToFiles, upgradeRawTree, type RawTree, type StatusUpgrade } from '../../src/store/format.js';
import { classifyPath, nameSegment, segmentName, shardCount, shardOf } from '../../src/store/paths.js';
import { batchStatus, generateStatus, queueEntry } from '../helpers/status.js';

/** A status with its records in a different insertion order (same content). */
function shuffled(status: StatusState): StatusState {
  const reversed = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(record).reverse());
  const inventory = Object.fromEntries(
    Object.entries(status.inventory).map(([name, inv]) => [name, { ...inv, instances: [...inv.instances].reverse(), networks: [...inv.networks].reverse() }]),
  );
  const entries = Object.fromEntries(
    Object.entries(status.entries)
      .reverse()
      // The same values with their keys written in another order.
      .map(([uuid, entry]) => [uuid, Object.fromEntries(Object.entries(entry).reverse()) as unknown as QueueEntry]),
  );
  return { ...status, inventory, entries, batches: reversed(status.batches), ledger: reversed(status.ledger) };
}

function errorOf(run: () => unknown): StatusStoreError {
  try {
    run();
  } catch (error) {
    if (error instanceof StatusStoreError) return error;
    throw error;
  }
  throw new Error('no error was thrown');
}

describe('the status as files', () => {
  it('reads back exactly what it wrote', () => {
    const status = generateStatus({ batches: 4, entriesPerBatch: 30, sources: 2 });
    const entry = Object.values(status.entries)[0]!;
    status.entries[entry.uuid] = { ...entry, steps: 7, cleanup: { delete_target: { target: 'incus-0', project: 'p1', name: 'app-0', attempt_id: `${entry.uuid}#1` }, remove_entry: true } };
    const second = Object.values(status.entries)[1]!;
    status.entries[second.uuid] = { ...second, cleanup: null };
    status.batches['wave-001'] = { ...status.batches['wave-001']!, retired_attempts: { [entry.uuid]: 3 } };
    status.inventory.dc1!.instances[0] = { ...status.inventory.dc1!.instances[0]!, overrides: { name: 'renamed', disable_migration: true, config: { b: '2', a: '1' } } };
    expect(filesToStatus(statusToFiles(status))).toStrictEqual(status);
  });

  it('reads back an empty status', () => {
    const empty = generateStatus({ batches: 0, entriesPerBatch: 0, sources: 0 });
    expect(filesToStatus(statusToFiles(empty))).toStrictEqual(empty);
  });

  it('writes the same bytes for the same status, whatever order its records and keys are in', () => {
    const status = generateStatus({ batches: 3, entriesPerBatch: 300 });
    expect(statusToFiles(shuffled(status))).toEqual(statusToFiles(status));
  });

  it('lays the status out in per-batch and per-source files, sharding the big ones', () => {
    const status = generateStatus({ batches: 2, entriesPerBatch: 300 });
    status.batches['wave-000'] = { ...status.batches['wave-000']!, name: 'wave-000' };
    const files = [...statusToFiles(status).keys()];
    expect(files.filter((path) => !path.startsWith('entries/wave-') && !path.startsWith('inventory/dc1/instances/'))).toEqual([
      'CONFLICTS.md',
      'batches/wave-000.json',
      'batches/wave-001.json',
      'inventory/dc1/networks.jsonl',
      'ledger.jsonl',
      'status.yaml',
    ]);
    // 300 entries per batch: 16 shards each, named by the first hex digit of the UUID's hash.
    expect(files.filter((path) => path.startsWith('entries/wave-000/'))).toEqual([...'0123456789abcdef'].map((d) => `entries/wave-000/${d}.jsonl`));
    // 600 instances: 16 shards.
    expect(files.filter((path) => path.startsWith('inventory/dc1/instances/')).length).toBe(16);
  });

  it('writes one record per line, sorted by UUID, so a change is a one-line diff', () => {
    const status = generateStatus({ batches: 1, entriesPerBatch: 5 });
    const lines = statusToFiles(status).get('entries/wave-000/all.jsonl')!.trimEnd().split('\n');
    const uuids = lines.map((line) => (JSON.parse(line) as QueueEntry).uuid);
    expect(lines.length).toBe(5);
    expect(uuids).toEqual([...uuids].sort());
    expect(Object.keys(JSON.parse(lines[0]!) as object).slice(0, 6)).toEqual(['uuid', 'batch', 'source', 'name', 'location', 'status']);
  });

  it('summarises every batch on one line of status.yaml, with times people can read', () => {
    const status = generateStatus({ batches: 2, entriesPerBatch: 10 });
    const text = statusToFiles(status).get('status.yaml')!;
    expect(text).toContain(`format: ${STATUS_FORMAT}\n`);
    expect(text).toContain('updated_at: 2026-11-20T23:00:00Z\n');
    expect(text).toContain('  wave-001: {status: Running, entries: 10, shards: 1, by_status: {background_import: 1, blocked: 1, conflict: 1, error: 1, final_import: 1, finished: 2, idle: 1, waiting: 2}}\n');
    expect(text).toContain('  dc1: {synced_at: 2026-11-20T22:00:00Z, instances: 20, shards: 1, networks: 20}\n');
    expect(statusToFiles(status).get('batches/wave-001.json')).toContain('"start_date": "2026-11-20T22:00:00Z"');
  });

  it('keeps entries whose batch has no status', () => {
    const status = generateStatus({ batches: 0, entriesPerBatch: 0, sources: 0 });
    const orphan = queueEntry(1, 'gone', 'dc1');
    status.entries[orphan.uuid] = orphan;
    const files = statusToFiles(status);
    expect(files.get('status.yaml')).toContain('  gone: {status: null, entries: 1,');
    expect(files.has('batches/gone.json')).toBe(false);
    expect(filesToStatus(files)).toStrictEqual(status);
  });

  it('refuses to write a record that would not read back, naming it', () => {
    const status = generateStatus({ batches: 1, entriesPerBatch: 2 });
    const entry = Object.values(status.entries)[1]!;
    status.entries[entry.uuid] = { ...entry, updated_at: Number.NaN };
    expect(() => statusToFiles(status)).toThrow(/^updated_at: expected a time in epoch milliseconds$/);
    status.entries[entry.uuid] = { ...entry, placement: { ...entry.placement, networks: { 'aa:bb': { network: 'n', nictype: 'macvlan' as 'bridged', vlan_id: '' } } } };
    expect(() => statusToFiles(status)).toThrow('placement.networks["aa:bb"].nictype: expected one of managed, bridged, physical');
  });

  it('refuses a record filed under another key', () => {
    const status = generateStatus({ batches: 1, entriesPerBatch: 1 });
    status.batches.other = batchStatus(5);
    expect(() => planStatusFiles(status)).toThrow('status.batches["other"] holds the batch "wave-005"');
  });

  it('hands out frozen records', () => {
    const status = filesToStatus(statusToFiles(generateStatus({ batches: 1, entriesPerBatch: 2 })));
    const entry = Object.values(status.entries)[0]!;
    expect(Object.isFrozen(entry) && Object.isFrozen(entry.placement.storage_pools) && Object.isFrozen(entry.history[0])).toBe(true);
    expect(() => {
      (entry as { status: string }).status = 'finished';
    }).toThrow(TypeError);
    // The containers are the caller's to change.
    expect(Object.isFrozen(status.entries)).toBe(false);
  });
});

describe('names and shards', () => {
  it.each([
    ['wave-1', 'wave-1'],
    ['wave.1', 'wave.1'],
    ['a:b|c', 'a%3Ab%7Cc'],
    ['vague-ü', 'vague-%C3%BC'],
    ['.hidden', '%2Ehidden'],
    ['50%', '50%25'],
  ])('writes the name %j as the path segment %j and reads it back', (name, segment) => {
    expect(nameSegment(name)).toBe(segment);
    expect(segmentName(segment)).toBe(name);
  });

  it.each(['..', 'a/b', 'a%2fb', '%41', 'x%ZZ'])('does not take %j for a segment it writes', (segment) => {
    expect(segmentName(segment)).toBeUndefined();
  });

  it('uses no more shards than needed', () => {
    expect([0, 1, 256, 257, 4096, 4097, 65_536, 65_537, 2_000_000].map(shardCount)).toEqual([1, 1, 1, 16, 16, 256, 256, 4096, 4096]);
  });

  it('puts a UUID in the same shard forever (the shard function is part of the format)', () => {
    const uuid = '4c4c4544-0042-3110-8051-b4c04f4d4e31';
    expect([shardOf(uuid, 1), shardOf(uuid, 16), shardOf(uuid, 256), shardOf(uuid, 4096)]).toEqual(['all', '3', '32', '32e']);
  });

  it('knows every path it writes and nothing else', () => {
    expect(classifyPath('entries/a%3Ab/0f.jsonl')).toEqual({ kind: 'entries', name: 'a:b', shard: '0f' });
    expect(classifyPath('inventory/dc1/instances/all.jsonl')).toEqual({ kind: 'instances', name: 'dc1', shard: 'all' });
    for (const path of ['README.md', 'entries/x/all.json', 'entries/../x/all.jsonl', 'batches/a/b.json', 'inventory/dc1/networks.json']) {
      expect(classifyPath(path)).toBeUndefined();
    }
  });
});

describe('pauses', () => {
  it.each([
    ['quotes and a line break', 'the "SAN-2" array\nis failing'],
    ['controls of every kind', 'esc \u001b[31m bell \u0007 del \u007f c1 \u0085\u009b nul \u0000'],
    ['separators, a byte order mark and a bidirectional override', 'a\u2028b\u2029c \ufeff \u202e evil'],
    ['YAML syntax', '- {a: b} # not a comment: &anchor *alias !!tag'],
    ['a lone surrogate', 'broken \ud800 pair'],
  ])('keeps a reason with %s exactly', (_what, reason) => {
    const status = generateStatus({ batches: 2, entriesPerBatch: 2 });
    const batch = Object.keys(status.batches)[0]!;
    status.pauses = { campaign: { by: 'Ana <ana@example.com>', at: Date.UTC(2026, 11, 7, 4, 50, 1, 5), reason }, batches: { [batch]: { by: 'Bob "B" <bob@example.com>', at: 0, reason: `${reason} (batch)` } } };
    const files = statusToFiles(status);
    expect(files.get('status.yaml')!.split('\n').filter((line) => line.includes('reason')).length).toBe(2);
    expect(filesToStatus(files).pauses).toEqual(status.pauses);
  });

  it('refuses a pause with a missing field, naming its line', () => {
    const files = statusToFiles({ ...generateStatus({ batches: 1, entriesPerBatch: 1 }), pauses: { campaign: { by: 'a', at: 0, reason: 'r' }, batches: {} } });
    files.set('status.yaml', files.get('status.yaml')!.replace(', reason: "r"', ''));
    const error = errorOf(() => filesToStatus(files));
    expect(error.code).toBe('status-corrupt');
    expect(error.message).toMatch(/^status\.yaml:\d+: paused\.campaign\.reason: expected a string \(the field is missing\)$/);
  });
});

describe('versions', () => {
  const files = (): Map<string, string> => statusToFiles(generateStatus({ batches: 1, entriesPerBatch: 3 }));
  const withFormat = (format: string): Map<string, string> => {
    const tree = files();
    tree.set('status.yaml', tree.get('status.yaml')!.replace(`format: ${STATUS_FORMAT}`, `format: ${format}`));
    return tree;
  };

  it('refuses a branch written by a newer Ferry, and says to upgrade', () => {
    const error = errorOf(() => filesToStatus(withFormat('ferry.dev/status/v5')));
    expect(error.code).toBe('status-newer-format');
    expect(error.message).toBe(
      `status.yaml: the status branch was written by a newer Ferry (format ferry.dev/status/v5); this Ferry reads formats up to ${STATUS_FORMAT}: upgrade Ferry`,
    );
  });

  it('refuses a newer format before looking at files it would not understand', () => {
    const tree = withFormat('ferry.dev/status/v7');
    tree.set('entries/wave-000/all.jsonl', 'a shape this Ferry has never seen\n');
    tree.set('shards-v7/index.bin', '…');
    expect(errorOf(() => filesToStatus(tree)).code).toBe('status-newer-format');
  });

  it.each([
    ['example.com/status/v1', /the format "example.com\/status\/v1" is not a Ferry status format/],
    ['ferry.dev/status/v01', /is not a Ferry status format/],
  ])('refuses the format %j as not Ferry’s', (format, message) => {
    const error = errorOf(() => filesToStatus(withFormat(format)));
    expect(error.code).toBe('status-unknown-format');
    expect(error.message).toMatch(message);
  });

  it('says plainly when status.yaml is missing or has no format', () => {
    const tree = files();
    tree.delete('status.yaml');
    expect(errorOf(() => filesToStatus(tree)).message).toBe('status.yaml: the file is missing: this is not a Ferry status branch');
    tree.set('status.yaml', 'hello: world\n');
    expect(errorOf(() => filesToStatus(tree)).message).toBe('status.yaml: there is no `format` field: this branch was not written by Ferry');
  });

  it('tells an older format from the current one and a newer one', () => {
    expect(checkFormat(STATUS_FORMAT)).toBe('current');
    expect(checkFormat('ferry.dev/status/v0')).toBe('older');
    expect(() => checkFormat('ferry.dev/status/v5')).toThrow(StatusStoreError);
  });

  it('has no upgrade path from a format that was never released', () => {
    const error = errorOf(() => filesToStatus(withFormat('ferry.dev/status/v0')));
    expect(error.code).toBe('status-unknown-format');
    expect(error.message).toBe(
      'status.yaml: the status branch has the format ferry.dev/status/v0, which this Ferry cannot upgrade (it knows no upgrade from ferry.dev/status/v0)',
    );
  });

  describe('an upgrade chain (steps given to the reader, as a future format will add them to STATUS_UPGRADES)', () => {
    // A made-up older layout: one entries.jsonl for everything, `state` instead of `status`.
    const v0 = (): Map<string, string> => {
      const current = files();
      const entries = [...current].filter(([path]) => path.startsWith('entries/')).flatMap(([, text]) => text.trimEnd().split('\n'));
      const old = new Map([...current].filter(([path]) => !path.startsWith('entries/')));
      old.set('entries.jsonl', `${entries.map((line) => line.replace('"status":', '"state":')).join('\n')}\n`);
      old.set('status.yaml', current.get('status.yaml')!.replace(`format: ${STATUS_FORMAT}`, 'format: ferry.dev/status/v-1').replace(/v-1/, 'v0'));
      return old;
    };
    const calls: string[] = [];
    const steps: StatusUpgrade[] = [
      {
        from: 'ferry.dev/status/v0',
        to: 'ferry.dev/status/v0.5',
        upgrade(tree) {
          calls.push('v0→v0.5');
          const raw = tree.get('entries.jsonl')!;
          if (raw.kind !== 'jsonl') throw new Error('expected JSON lines');
          tree.delete('entries.jsonl');
          for (const record of raw.records as Record<string, unknown>[]) {
            const { state, ...rest } = record;
            const entry = { ...rest, status: state } as unknown as QueueEntry;
            const path = `entries/${entry.batch}/all.jsonl`;
            const file = tree.get(path) ?? { kind: 'jsonl' as const, records: [] };
            if (file.kind === 'jsonl') file.records.push(entry);
            tree.set(path, file);
          }
          return tree;
        },
      },
      {
        from: 'ferry.dev/status/v0.5',
        to: STATUS_FORMAT,
        upgrade(tree: RawTree) {
          calls.push(`v0.5→${STATUS_FORMAT}`);
          const status = tree.get('status.yaml')!;
          if (status.kind === 'yaml') (status.value as { format: string }).format = STATUS_FORMAT;
          return tree;
        },
      },
    ];

    it('runs every step in order and reads the result as the current format', () => {
      const expected = filesToStatus(files());
      expect(filesToStatus(v0(), steps)).toStrictEqual(expected);
      expect(calls).toEqual(['v0→v0.5', `v0.5→${STATUS_FORMAT}`]);
    });

    it('refuses a chain that does not reach the current format', () => {
      const error = errorOf(() => filesToStatus(v0(), steps.slice(0, 1)));
      expect(error.message).toMatch(/cannot upgrade \(it knows no upgrade from ferry\.dev\/status\/v0\.5\)/);
    });

    it('treats a step that forgets to set the format as a bug', () => {
      const forgetful: StatusUpgrade = { from: 'ferry.dev/status/v0', to: STATUS_FORMAT, upgrade: (tree) => tree };
      expect(() => upgradeRawTree(new Map([['status.yaml', { kind: 'yaml', value: { format: 'ferry.dev/status/v0' }, lineOf: () => undefined }]]), 'ferry.dev/status/v0', [forgetful])).toThrow(
        /left status.yaml with the format ferry.dev\/status\/v0/,
      );
    });
  });
});

describe('damaged files', () => {
  const files = (): Map<string, string> => statusToFiles(generateStatus({ batches: 2, entriesPerBatch: 4 }));
  const edit = (path: string, change: (text: string) => string): Map<string, string> => {
    const tree = files();
    tree.set(path, change(tree.get(path)!));
    return tree;
  };
  const lineEdit = (path: string, line: number, change: (text: string) => string): Map<string, string> =>
    edit(path, (text) => text.split('\n').map((l, i) => (i === line - 1 ? change(l) : l)).join('\n'));

  it.each<[string, () => Map<string, string>, string]>([
    ['a broken JSON line', () => lineEdit('entries/wave-001/all.jsonl', 3, (l) => l.slice(0, 40)), 'entries/wave-001/all.jsonl:3: not a JSON record: '],
    ['an empty line', () => lineEdit('entries/wave-001/all.jsonl', 2, () => ''), 'entries/wave-001/all.jsonl:2: an empty line: every line holds one JSON record'],
    ['a cut-off file', () => edit('ledger.jsonl', (t) => t.slice(0, -1)), 'ledger.jsonl:1: the last line has no newline: the file was cut short'],
    ['a field of the wrong type', () => lineEdit('entries/wave-001/all.jsonl', 2, (l) => l.replace(/"attempt":\d+/, '"attempt":"2"')), 'entries/wave-001/all.jsonl:2: attempt: expected an integer'],
    ['a missing field', () => lineEdit('inventory/dc1/instances/all.jsonl', 4, (l) => l.replace(/"cpus":\d+,/, '')), 'inventory/dc1/instances/all.jsonl:4: cpus: expected a number (the field is missing)'],
    ['an unknown field', () => lineEdit('ledger.jsonl', 1, (l) => l.replace('{', '{"secret":"x",')), 'ledger.jsonl:1: secret: no such field (known: id, hash, action,'],
    ['a deep field', () => lineEdit('entries/wave-000/all.jsonl', 1, (l) => l.replace('"to":"creating"', '"to":"flying"')), 'entries/wave-000/all.jsonl:1: history[1].to: expected one of blocked, waiting,'],
    ['a batch file that is not JSON', () => edit('batches/wave-001.json', (t) => t.replace('"status": "Running",', '"status": "Running"')), 'batches/wave-001.json:4: not valid JSON: '],
    ['a bad time in a batch file', () => edit('batches/wave-001.json', (t) => t.replace('"start": "2026-11-20T22:00:00Z"', '"start": "tonight"')), 'batches/wave-001.json:27: started_spec.windows[0].start: expected a time such as 2025-12-01T01:00:00Z, not "tonight"'],
    ['a batch filed under another name', () => edit('batches/wave-001.json', (t) => t.replace('"name": "wave-001"', '"name": "wave-009"')), 'batches/wave-001.json:2: the batch is named "wave-009" but its file is the one of "wave-001"'],
    ['an entry in the wrong batch', () => lineEdit('entries/wave-001/all.jsonl', 1, (l) => l.replace('"batch":"wave-001"', '"batch":"wave-000"')), 'entries/wave-001/all.jsonl:1: the entry belongs to the batch "wave-000", not "wave-001"'],
    ['status.yaml that is not YAML', () => edit('status.yaml', (t) => t.replace('summary:', 'summary: [')), 'status.yaml:8: not valid YAML: '],
    ['status.yaml with a bad count', () => edit('status.yaml', (t) => t.replace('ledger: {count: 1}', 'ledger: {count: many}')), 'status.yaml:21: ledger.count: expected an integer'],
  ])('names the file and line of %s', (_, tree, message) => {
    const error = errorOf(() => filesToStatus(tree()));
    expect(error.code).toBe('status-corrupt');
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('notices a shard file that went missing', () => {
    const status = generateStatus({ batches: 1, entriesPerBatch: 300 });
    const tree = statusToFiles(status);
    tree.delete('entries/wave-000/7.jsonl');
    expect(errorOf(() => filesToStatus(tree)).message).toMatch(/^status.yaml: the batch "wave-000" is listed with 300 entries but its shard files hold 2\d\d: a file is missing or was edited$/);
  });

  it('notices an entry moved to another shard, and a duplicate', () => {
    const tree = statusToFiles(generateStatus({ batches: 1, entriesPerBatch: 300 }));
    const line = tree.get('entries/wave-000/0.jsonl')!.split('\n')[0]!;
    tree.set('entries/wave-000/1.jsonl', `${line}\n${tree.get('entries/wave-000/1.jsonl')!}`);
    expect(errorOf(() => filesToStatus(tree)).message).toMatch(/^entries\/wave-000\/1.jsonl:1: the entry \S+ belongs in shard 0, not 1$/);
    const dup = statusToFiles(generateStatus({ batches: 1, entriesPerBatch: 3 }));
    const first = dup.get('entries/wave-000/all.jsonl')!.split('\n')[0]!;
    dup.set('entries/wave-000/all.jsonl', `${dup.get('entries/wave-000/all.jsonl')!}${first}\n`);
    expect(errorOf(() => filesToStatus(dup)).message).toMatch(/^entries\/wave-000\/all.jsonl:4: a second entry for the instance /);
  });

  it('refuses a file Ferry does not write', () => {
    const tree = files();
    tree.set('notes.txt', 'hello');
    expect(errorOf(() => filesToStatus(tree)).message).toBe('notes.txt: the status branch holds a file Ferry does not write; remove it (or use the Ferry that wrote it)');
  });

  it('notices a missing batch file', () => {
    const tree = files();
    tree.delete('batches/wave-000.json');
    expect(errorOf(() => filesToStatus(tree)).message).toBe('status.yaml: the batch "wave-000" is listed but batches/wave-000.json is missing');
  });
});
