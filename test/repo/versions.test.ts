import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { DesiredState } from '../../src/model/desired.js';
import { stateDocuments } from '../../src/model/to-document.js';
import { convertFile } from '../../src/repo/convert.js';
import { directoryFiles } from '../../src/repo/files.js';
import { loadRepository } from '../../src/repo/load.js';
import { EXAMPLE_REPO, PROJECT_ROOT, repoWith, tempDir } from '../helpers/cli.js';

const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/versions');

/** The model without positions and source-format details, which a rewrite may change. */
function comparable(state: DesiredState): unknown {
  return JSON.parse(
    JSON.stringify(state, (key, value) => (key === 'origin' || key === 'at' || key === 'apiVersion' || key === 'id' || key === 'hash' ? undefined : value)),
  );
}

async function roundTrip(dir: string): Promise<{ first: DesiredState; second: DesiredState }> {
  const first = await loadRepository(directoryFiles(dir));
  expect(first.problems.filter((p) => p.severity === 'error')).toEqual([]);
  const out = tempDir('ferry-roundtrip-');
  for (const [file, documents] of stateDocuments(first.state)) {
    const path = join(out, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, documents.map((d) => stringify(d)).join('---\n'));
  }
  // Inventories and scriptlet files travel with their documents.
  for (const source of first.state.sources) {
    if (source.inventory_file) {
      mkdirSync(dirname(join(out, source.inventory_file)), { recursive: true });
      writeFileSync(join(out, source.inventory_file), readFileSync(join(dir, source.inventory_file)));
    }
  }
  for (const batch of first.state.batches) {
    if (batch.config.placement_scriptlet_file) {
      const target = join(out, batch.config.placement_scriptlet_file);
      writeFileSync(target, batch.config.placement_scriptlet!.text);
    }
  }
  const second = await loadRepository(directoryFiles(out));
  expect(second.problems).toEqual([]);
  return { first: first.state, second: second.state };
}

describe('frozen files of every released format', () => {
  it('ferry.dev/v1alpha1 loads without a problem and keeps every field', async () => {
    const { state, problems } = await loadRepository(directoryFiles(join(FIXTURES, 'v1alpha1')));
    expect(problems).toEqual([]);
    expect(state.project.status).toEqual({ branch: 'ferry/status', remote: 'origin', local: true });
    const batch = state.batches[0]!;
    expect(batch.state).toBe('stopped');
    expect(batch.migration_windows[0]).toMatchObject({ name: 'w1', start: Date.UTC(2025, 11, 1, 1), lockout: Date.UTC(2025, 11, 1, 4), capacity: 5 });
    expect(batch.constraints[0]).toMatchObject({ max_concurrent_instances: 1, min_instance_boot_time_ms: 900_000 });
    expect(batch.defaults.migration_network).toEqual([{ target: 'incus1', target_project: 'apps', network: 'mig', nictype: 'physical', vlan_id: '10,20' }]);
    expect(batch.config).toMatchObject({ post_migration_retries: 4, background_sync_interval_ms: 3_600_000, final_background_sync_limit_ms: 1_200_000 });
    expect(state.resolutions.map((r) => [r.action, r.instance, r.cleanup, r.force])).toEqual([['cancel', 'web-01', true, false], ['reset', null, false, true]]);
    expect(state.networkOverrides[0]).toMatchObject({ network: 'vmnet', nictype: 'bridged', vlan_id: '100' });
  });

  it('migration-manager batches load unchanged, with a warning that suggests ferry convert', async () => {
    const { state, problems } = await loadRepository(directoryFiles(join(FIXTURES, 'migration-manager')));
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(problems.map((p) => p.code)).toEqual(['legacy-format', 'legacy-format']);
    const byName = new Map(state.batches.map((b) => [b.meta.name, b]));
    expect(byName.get('batch02')).toMatchObject({ state: 'defined', include_expression: { text: 'background_import' } });
    expect(byName.get('batch02')!.config.placement_scriptlet!.text).toContain("set_pool(disk.name, 'pool02')");
    const exported = byName.get('wave-a')!;
    expect(exported.state).toBe('running');
    expect(exported.migration_windows[0]).toMatchObject({ lockout: null, capacity: 0 });
    expect(exported.constraints[0]!.min_instance_boot_time_ms).toBeNull();
    expect(exported.config.background_sync_interval_ms).toBe(600_000);
  });
});

describe('round trip: file → model → file → model loses nothing', () => {
  it.each([
    ['the v1alpha1 fixture', join(FIXTURES, 'v1alpha1')],
    ['the migration-manager fixtures', join(FIXTURES, 'migration-manager')],
    ['the example campaign', EXAMPLE_REPO],
  ])('%s', async (_name, dir) => {
    const { first, second } = await roundTrip(dir);
    expect(comparable(second)).toEqual(comparable(first));
  });
});

describe('ferry convert', () => {
  it('rewrites a migration-manager batch as v1alpha1 keeping comments and key order', () => {
    const text = readFileSync(join(FIXTURES, 'migration-manager/batch02-tutorial.yaml'), 'utf8');
    const result = convertFile('b.yaml', text);
    expect(result.changed).toBe(true);
    expect(result.text.split('\n').slice(0, 6)).toEqual([
      "# Frozen: the batch of migration-manager's doc/tutorials/migrate_complex.md, as users write it.",
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Batch',
      'metadata:',
      '  name: batch02',
      'spec:',
    ]);
    const keys = [...result.text.matchAll(/^ {2}([a-z_]+):/gm)].map((m) => m[1]);
    expect(keys).toEqual(['name', 'state', 'include_expression', 'migration_windows', 'constraints', 'defaults', 'config']);
    expect(convertFile('b.yaml', result.text).changed).toBe(false);
  });

  it('gives a file the same model before and after conversion', async () => {
    const dir = repoWith({ 'export.yaml': readFileSync(join(FIXTURES, 'migration-manager/batch-show-export.yaml'), 'utf8') });
    const before = await loadRepository(directoryFiles(dir));
    const converted = convertFile('export.yaml', readFileSync(join(dir, 'export.yaml'), 'utf8'));
    expect(converted.notes.join(' ')).toContain('was Running in migration-manager');
    writeFileSync(join(dir, 'export.yaml'), converted.text);
    const after = await loadRepository(directoryFiles(dir));
    expect(after.problems).toEqual([]);
    expect(comparable(after.state)).toEqual(comparable(before.state));
  });

  it('leaves a file with a YAML error untouched', () => {
    const result = convertFile('b.yaml', 'name: x\ninclude_expression: "true"\nname: y\n');
    expect(result.changed).toBe(false);
    expect(result.problems.map((p) => p.code)).toEqual(['yaml-syntax']);
  });
});
