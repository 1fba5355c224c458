import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Problem } from '../../src/model/problem.js';
import { MAX_FILE_BYTES, MAX_REPOSITORY_BYTES, MAX_REPOSITORY_FILES, memoryFiles, type RepoFiles } from '../../src/repo/files.js';
import { loadRepository } from '../../src/repo/load.js';
import { MAX_ALIAS_COUNT, MAX_DOCUMENTS, MAX_MAPPING_KEYS, parseYamlFile } from '../../src/repo/yaml-file.js';

// Reading YAML is linear in the file whatever it holds: duplicate keys are found with a Set per
// mapping (the yaml package's own check is quadratic), nesting is bounded before the package's
// parser sees it, and mappings, aliases, documents, files and total size have documented bounds,
// each a positioned problem. These tests pin the behaviour; the timings are in the benchmarks.

const codesAt = (problems: readonly Problem[]) => problems.map((p) => `${p.code}@${p.line}:${p.column}`);
const envelope = 'apiVersion: ferry.dev/v1alpha1\nkind: InstanceOverride\nmetadata: {name: o}\nspec:\n  match: {uuid: u}\n';
const keys = (count: number, indent: string, key = (i: number) => `k${i}`) => Array.from({ length: count }, (_, i) => `${indent}${key(i)}: v\n`).join('');

describe('duplicate keys', () => {
  /** What the yaml package's quadratic check (uniqueKeys: true) reports, as positions. */
  function reference(text: string): string[] {
    const lineCounter = new LineCounter();
    const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true, strict: true, schema: 'core', merge: false, prettyErrors: false });
    return (Array.isArray(documents) ? documents : []).flatMap((document) => document.errors
      .filter((error) => error.code === 'DUPLICATE_KEY')
      .map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return `yaml-duplicate-key@${line}:${col}`;
      }));
  }
  const duplicates = (text: string) => codesAt(parseYamlFile('f.yaml', text).problems.filter((p) => p.code === 'yaml-duplicate-key'));

  it.each([
    ['the same key twice', 'a: 1\nb: 2\na: 3\n'],
    ['three times', 'a: 1\na: 2\na: 3\n'],
    ['equal values written differently', '1: a\n0x1: b\ntrue: c\nTrue: d\n~: e\nnull: f\n'],
    ['a string and a number', '"1": a\n1: b\n'],
    ['not-a-number keys', '.nan: a\n.NaN: b\n'],
    ['quoted and plain', 'a: 1\n"a": 2\n\'a\': 3\n'],
    ['a flow mapping', '{a: 1, b: 2, a: 3}\n'],
    ['nested mappings, each on its own', 'a: {x: 1, y: 2}\nb: {x: 1, x: 2}\n'],
    ['keys with anchors and aliases', 'a: &k 1\n*k : 2\n&j b: 3\nb: 4\n'],
    ['an explicit key', '? a\n: 1\na: 2\n'],
    ['an empty key', ': 1\n: 2\n'],
    ['in a second document', 'a: 1\n---\na: 1\na: 2\n'],
  ])('are found where the yaml package finds them: %s', (_, text) => {
    expect(duplicates(text)).toEqual(reference(text));
  });

  it('are found where the yaml package finds them, in random mappings', () => {
    const key = fc.constantFrom('a', 'b', '"a"', "'b'", '1', '0x1', '"1"', 'true', 'True', '~', 'null', '.nan', '1.0', '1e0', '""', "''");
    fc.assert(fc.property(fc.array(fc.tuple(key, fc.boolean()), { minLength: 1, maxLength: 8 }), (entries) => {
      const block = entries.map(([k]) => `${k}: v\n`).join('');
      const flow = `{${entries.map(([k]) => `${k}: v`).join(', ')}}\n`;
      for (const text of [block, flow]) expect(duplicates(text), text).toEqual(reference(text));
    }), { numRuns: 500 });
  });

  it('are reported with the same code, message and position as before, and leave the document unread', async () => {
    const { problems, documents } = await loadRepository(memoryFiles({ 'b.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nkind: Batch\n' }));
    expect(problems).toEqual([{ file: 'b.yaml', line: 3, column: 1, code: 'yaml-duplicate-key', severity: 'error', message: 'this key appears twice in the same mapping; keep one' }]);
    expect(documents).toEqual([]);
  });

  it('are found in a mapping at the limit of keys, the last repeating the first', () => {
    const text = `${envelope}  config:\n${keys(MAX_MAPPING_KEYS - 1, '    ')}    k0: again\n`;
    expect(codesAt(parseYamlFile('f.yaml', text).problems)).toEqual([`yaml-duplicate-key@${6 + MAX_MAPPING_KEYS}:5`]);
  });

  it('can all be reported, hundreds of thousands of them, without overflowing the stack', async () => {
    const mapping = (i: number) => `m${i}:\n${'  a: 1\n'.repeat(MAX_MAPPING_KEYS)}`;
    const text = Array.from({ length: 20 }, (_, i) => mapping(i)).join('');
    const { problems } = await loadRepository(memoryFiles({ 'batches/big.yaml': text }));
    expect(problems).toHaveLength(20 * (MAX_MAPPING_KEYS - 1));
    expect(new Set(problems.map((p) => p.code))).toEqual(new Set(['yaml-duplicate-key']));
  });
});

describe('keys per mapping', () => {
  it('loads a mapping at the limit', async () => {
    const text = `${envelope}  config:\n${keys(MAX_MAPPING_KEYS, '    ')}`;
    const { problems, state } = await loadRepository(memoryFiles({ 'o.yaml': text }));
    expect(problems).toEqual([]);
    expect(Object.keys(state.instanceOverrides[0]!.config!)).toHaveLength(MAX_MAPPING_KEYS);
  });

  it.each([25_000, 100_000])('refuses a mapping of %i keys at the first key past the limit', async (count) => {
    const text = `${envelope}  config:\n${keys(count, '    ')}`;
    const { problems, documents } = await loadRepository(memoryFiles({ 'o.yaml': text }));
    expect(problems).toEqual([{
      file: 'o.yaml', line: 7 + MAX_MAPPING_KEYS, column: 5, code: 'yaml-too-many-keys', severity: 'error',
      message: 'the mapping has more than 10,000 keys; no Ferry document needs that many',
    }]);
    expect(documents).toEqual([]);
  });

  it('refuses a top-level mapping of 100,000 unknown fields the same way, before validating it', async () => {
    // apiVersion, kind, metadata and spec are four of its keys.
    const { problems } = await loadRepository(memoryFiles({ 'o.yaml': envelope + keys(100_000, '') }));
    expect(codesAt(problems)).toEqual([`yaml-too-many-keys@${6 + MAX_MAPPING_KEYS - 4}:1`]);
  });

  it('reports each of thousands of unknown fields at its own key', async () => {
    const { problems } = await loadRepository(memoryFiles({ 'o.yaml': envelope + keys(5_000, '  ', (i) => `u${i}`) }));
    expect(problems).toHaveLength(5_000);
    expect(problems[4_999]).toMatchObject({ code: 'unknown-field', line: 6 + 4_999, column: 3 });
  });
});

describe('sequences, documents, nesting and aliases', () => {
  it('reads a sequence of 100,000 items (there is no limit on items: reading them is linear)', async () => {
    const text = `${envelope}  notes:\n${'    - x\n'.repeat(100_000)}`;
    const { problems } = await loadRepository(memoryFiles({ 'o.yaml': text }));
    expect(codesAt(problems)).toEqual(['unknown-field@6:3']);
  });

  it('warns once per window, not once per pair, about a batch of many overlapping windows', async () => {
    const windows = Array.from({ length: 5_000 }, (_, i) => `    - {name: w${i}, start: 2026-02-03 01:00:00, end: 2026-02-04 01:00:00}\n`).join('');
    const text = `apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: b}\nspec:\n  include_expression: "true"\n  migration_windows:\n${windows}`;
    const { problems } = await loadRepository(memoryFiles({ 't.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: t}\nspec: {type: sim}\n', 'b.yaml': text }));
    expect(problems.filter((p) => p.code === 'windows-overlap')).toHaveLength(4_999);
    expect(problems.filter((p) => p.code !== 'windows-overlap')).toEqual([]);
  });

  it('reads the documents of a file up to the limit, and refuses the rest at the first one past it', () => {
    const text = Array.from({ length: MAX_DOCUMENTS + 50 }, (_, i) => `a: ${i}\n`).join('---\n');
    const { problems, documents } = parseYamlFile('f.yaml', text);
    expect(documents).toHaveLength(MAX_DOCUMENTS);
    expect(codesAt(problems)).toEqual([`yaml-too-many-documents@${2 * MAX_DOCUMENTS}:1`]);
  });

  it('counts a million empty documents against the limit without building them all', () => {
    const { problems } = parseYamlFile('f.yaml', '---\n'.repeat(1_000_000));
    expect(problems.map((p) => p.code)).toEqual(['yaml-too-many-documents']);
  });

  it.each([
    ['block sequences', `${'- '.repeat(100_000)}x\n`, 1, 2001],
    ['flow sequences', `${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 1, 1001],
    ['flow mappings', `${'{a: '.repeat(100_000)}${'}'.repeat(100_000)}\n`, 1, 2001],
    ['explicit keys', `${'? '.repeat(100_000)}x\n`, 1, 2001],
    ['block mappings', Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}a:\n`).join(''), 1001, 1002],
  ])('refuses %s nested far too deep before parsing them, instead of crashing', (_, text, line, column) => {
    const { problems, documents } = parseYamlFile('f.yaml', text);
    expect(problems).toEqual([expect.objectContaining({ code: 'yaml-too-deep', line, column })]);
    expect(documents).toEqual([]);
  });

  it('refuses block mappings nested past the limit at the first node too deep', () => {
    const text = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}a:\n`).join('');
    expect(codesAt(parseYamlFile('f.yaml', text).problems)).toEqual(['yaml-too-deep@65:65']);
  });

  it('accepts as many aliases as the limit, and refuses one more at its place', () => {
    const aliases = (count: number) => `a: &a x\nl:\n${'- *a\n'.repeat(count)}`;
    expect(parseYamlFile('f.yaml', aliases(MAX_ALIAS_COUNT)).problems).toEqual([]);
    expect(codesAt(parseYamlFile('f.yaml', aliases(20_000)).problems)).toEqual([`yaml-alias-bomb@${MAX_ALIAS_COUNT + 3}:3`]);
  });
});

describe('the repository', () => {
  /** A repository whose listing says what it likes; every file reads as an empty document. */
  const listed = (entries: { path: string; size: number }[]): RepoFiles & { asked: string[] } => {
    const asked: string[] = [];
    return {
      describe: 'listed',
      asked,
      async list() {
        return entries;
      },
      async nonRegular() {
        return [];
      },
      async read() {
        return '';
      },
      async readAll(paths) {
        for (const path of paths) asked.push(path);
        return new Map(paths.map((path) => [path, '']));
      },
    };
  };
  const path = (i: number) => `f${String(i).padStart(6, '0')}.yaml`;

  it('reads YAML files up to the total size, and says which file did not fit', async () => {
    const count = Math.floor(MAX_REPOSITORY_BYTES / MAX_FILE_BYTES) + 1;
    const files = listed(Array.from({ length: count }, (_, i) => ({ path: path(i), size: MAX_FILE_BYTES })));
    const { problems } = await loadRepository(files);
    expect(files.asked).toHaveLength(count - 1);
    expect(problems).toEqual([expect.objectContaining({ file: path(count - 1), code: 'repo-too-large', line: 1, column: 1 })]);
  });

  it('reads YAML files up to their number, and says which file was one too many', async () => {
    const files = listed([
      { path: 'README.md', size: 10 },
      ...Array.from({ length: MAX_REPOSITORY_FILES + 2 }, (_, i) => ({ path: path(i), size: 1 })),
    ]);
    const { problems } = await loadRepository(files);
    expect(files.asked).toHaveLength(MAX_REPOSITORY_FILES);
    expect(problems).toEqual([expect.objectContaining({ file: path(MAX_REPOSITORY_FILES), code: 'repo-too-many-files' })]);
  });
});
