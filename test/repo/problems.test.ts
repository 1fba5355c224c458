import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/model/problem.js';
import { directoryFiles } from '../../src/repo/files.js';
import { loadRepository } from '../../src/repo/load.js';
import { repoWith } from '../helpers/cli.js';

const TARGET = `apiVersion: ferry.dev/v1alpha1
kind: Target
metadata: {name: incus-east}
spec: {type: sim}
`;
const SOURCE = `apiVersion: ferry.dev/v1alpha1
kind: Source
metadata: {name: dc1}
spec: {type: sim}
`;

async function problemsOf(files: Record<string, string>): Promise<Problem[]> {
  const dir = repoWith({ 'targets/t.yaml': TARGET, 'sources/src.yaml': SOURCE, ...files });
  return (await loadRepository(directoryFiles(dir))).problems;
}

function batch(spec: string, name = 'wave-1'): string {
  return `apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

/** [what, file text, expected code, line, column] — the batch file is b.yaml. */
const CASES: [string, string, string, number, number][] = [
  ['an unknown field, with a suggestion', batch('  include_expresion: "true"\n'), 'unknown-field', 6, 3],
  ['a missing include expression', batch('  state: defined\n'), 'missing-field', 5, 1],
  ['an unknown state', batch('  state: runing\n  include_expression: "true"\n'), 'invalid-value', 6, 10],
  ['a bad duration', batch('  include_expression: "true"\n  config:\n    background_sync_interval: 10 minutes\n'), 'invalid-duration', 8, 31],
  ['a zero duration', batch('  include_expression: "true"\n  config:\n    background_sync_interval: 0s\n'), 'invalid-duration', 8, 31],
  ['a final limit longer than the interval', batch('  include_expression: "true"\n  config:\n    background_sync_interval: 5m\n'), 'sync-limit-exceeds-interval', 8, 31],
  ['an impossible date', batch('  include_expression: "true"\n  migration_windows:\n    - name: w\n      start: 2026-02-30 01:00:00\n'), 'invalid-timestamp', 9, 14],
  ['a time without a zone', batch('  include_expression: "true"\n  migration_windows:\n    - name: w\n      start: 2026-02-03T01:00:00\n'), 'invalid-timestamp', 9, 14],
  ['a window ending before it starts', batch('  include_expression: "true"\n  migration_windows:\n    - name: w\n      start: 2026-02-03 01:00:00\n      end: 2026-02-03 00:00:00\n'), 'window-ends-before-start', 10, 12],
  ['a lockout before the start', batch('  include_expression: "true"\n  migration_windows:\n    - name: w\n      start: 2026-02-03 01:00:00\n      lockout: 2026-02-03 00:00:00\n'), 'lockout-before-start', 10, 16],
  ['a lockout after the end', batch('  include_expression: "true"\n  migration_windows:\n    - name: w\n      end: 2026-02-03 01:00:00\n      lockout: 2026-02-03 02:00:00\n'), 'lockout-after-end', 10, 16],
  ['a negative capacity', batch('  include_expression: "true"\n  migration_windows:\n    - name: w\n      config: {capacity: -1}\n'), 'out-of-range', 9, 26],
  ['two windows of one name', batch('  include_expression: "true"\n  migration_windows:\n    - {name: w, start: 2026-02-03 01:00:00, end: 2026-02-03 02:00:00}\n    - {name: w, start: 2026-02-04 01:00:00, end: 2026-02-04 02:00:00}\n'), 'duplicate-window', 9, 14],
  ['a name that is not an API name', batch('  include_expression: "true"\n', "'wave 1'"), 'invalid-name', 4, 9],
  ['a VLAN on a managed migration network', batch('  include_expression: "true"\n  defaults:\n    migration_network:\n      - {network: mig, nictype: managed, vlan_id: 12}\n'), 'vlan-needs-bridged-or-physical', 9, 51],
  ['an unknown NIC type', batch('  include_expression: "true"\n  defaults:\n    migration_network:\n      - {network: mig, nictype: macvlan}\n'), 'invalid-value', 9, 33],
  ['two migration networks for one target and project', batch('  include_expression: "true"\n  defaults:\n    migration_network:\n      - {network: a, nictype: managed}\n      - {network: b, nictype: managed}\n'), 'duplicate-migration-network', 10, 9],
  ['two constraints with one expression', batch('  include_expression: "true"\n  constraints:\n    - {name: a, include_expression: "cpus > 4"}\n    - {name: b, include_expression: "cpus > 4"}\n'), 'duplicate-constraint-expression', 9, 37],
  ['a constraint with a zero boot time', batch('  include_expression: "true"\n  constraints:\n    - {name: a, include_expression: "cpus > 4", min_instance_boot_time: 0s}\n'), 'invalid-duration', 8, 73],
  ['an unknown target, with a suggestion', batch('  include_expression: "true"\n  defaults:\n    placement: {target: incus-eats}\n'), 'unknown-target', 8, 25],
  ['a scriptlet given twice', batch('  include_expression: "true"\n  config:\n    placement_scriptlet: "x"\n    placement_scriptlet_file: p.star\n'), 'scriptlet-both', 9, 5],
  ['a missing scriptlet file', batch('  include_expression: "true"\n  config:\n    placement_scriptlet_file: nowhere.star\n'), 'missing-scriptlet-file', 2, 1],
  ['a scriptlet file outside the repository', batch('  include_expression: "true"\n  config:\n    placement_scriptlet_file: ../../etc/passwd\n'), 'scriptlet-path', 2, 1],
  ['a duplicate key', 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nkind: Batch\n', 'yaml-duplicate-key', 3, 1],
  ['a YAML syntax error', 'apiVersion: ferry.dev/v1alpha1\nkind: [Batch\n', 'yaml-syntax', 3, 1],
  ['a custom tag', batch('  include_expression: !!js/function "true"\n'), 'yaml-tag', 6, 23],
  ['a kind that does not exist', 'apiVersion: ferry.dev/v1alpha1\nkind: Bach\nmetadata: {name: x}\nspec: {}\n', 'unknown-kind', 2, 7],
  ['no apiVersion', 'kind: Batch\nmetadata: {name: x}\nspec: {include_expression: "true"}\n', 'missing-api-version', 1, 1],
  ['a newer apiVersion', 'apiVersion: ferry.dev/v2\nkind: Batch\nmetadata: {name: x}\nspec: {include_expression: "true"}\n', 'unsupported-version', 1, 13],
  ['a document that is not a mapping', '- just\n- a list\n', 'not-a-document', 1, 1],
  ['a resolution for an unknown batch', 'apiVersion: ferry.dev/v1alpha1\nkind: Resolution\nmetadata: {name: r}\nspec: {batch: nope, instance: vm1, action: retry}\n', 'unknown-batch', 4, 15],
  ['a resolution without an instance', 'apiVersion: ferry.dev/v1alpha1\nkind: Resolution\nmetadata: {name: r}\nspec: {batch: nope, action: cancel}\n', 'missing-field', 4, 1],
  ['a reset naming an instance', batch('  include_expression: "true"\n') + '---\napiVersion: ferry.dev/v1alpha1\nkind: Resolution\nmetadata: {name: r}\nspec: {batch: wave-1, instance: vm1, action: reset}\n', 'unexpected-instance', 11, 23],
  ['cleanup on a retry', 'apiVersion: ferry.dev/v1alpha1\nkind: Resolution\nmetadata: {name: r}\nspec: {batch: nope, instance: v, action: retry, cleanup: true}\n', 'cleanup-needs-cancel', 4, 49],
  ['force on a cancel', 'apiVersion: ferry.dev/v1alpha1\nkind: Resolution\nmetadata: {name: r}\nspec: {batch: nope, instance: v, action: cancel, force: true}\n', 'force-needs-reset', 4, 50],
  ['an override for an unknown source', 'apiVersion: ferry.dev/v1alpha1\nkind: InstanceOverride\nmetadata: {name: o}\nspec: {match: {location: /a, source: dc2}}\n', 'unknown-source', 4, 38],
  ['an override matching nothing', 'apiVersion: ferry.dev/v1alpha1\nkind: InstanceOverride\nmetadata: {name: o}\nspec: {match: {}}\n', 'empty-match', 4, 8],
  ['both power overrides', 'apiVersion: ferry.dev/v1alpha1\nkind: InstanceOverride\nmetadata: {name: o}\nspec: {match: {uuid: u}, started_after_migration: true, stopped_after_migration: true}\n', 'conflicting-power-override', 4, 57],
  ['an override name that is not a hostname', 'apiVersion: ferry.dev/v1alpha1\nkind: InstanceOverride\nmetadata: {name: o}\nspec: {match: {uuid: u}, name: web_01}\n', 'invalid-hostname', 4, 32],
  ['a VLAN on a managed network override', 'apiVersion: ferry.dev/v1alpha1\nkind: NetworkOverride\nmetadata: {name: n}\nspec: {match: {uuid: u}, vlan_id: "10,20"}\n', 'vlan-needs-bridged-or-physical', 4, 35],
  ['a literal password', 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: vc}\nspec:\n  type: vmware\n  endpoint: https://vc\n  username: u\n  password: hunter2\n', 'literal-secret', 8, 3],
  ['a secret reference with both env and file', 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: vc}\nspec:\n  type: vmware\n  endpoint: https://vc\n  username: u\n  password_from: {env: A, file: /b}\n', 'invalid-secret-ref', 8, 18],
  ['a vmware source without credentials', 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: vc}\nspec:\n  type: vmware\n  endpoint: https://vc\n', 'missing-field', 4, 1],
  ['an https incus target without a client certificate', 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: i2}\nspec: {type: incus, endpoint: "https://incus:8443"}\n', 'missing-field', 4, 1],
  ['an inventory file that does not exist', 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: sim2}\nspec: {type: sim, inventory_file: vms.json}\n', 'missing-inventory-file', 4, 35],
  ['an inventory file outside the repository', 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: sim2}\nspec: {type: sim, inventory_file: ../../vms.json}\n', 'inventory-path', 4, 35],
  ['an inventory file on a vmware source', 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: vc}\nspec: {type: vmware, endpoint: "https://vc", username: u, password_from: {env: P}, inventory_file: x.json}\n', 'inventory-needs-sim', 4, 84],
  ['a second document with the same name', batch('  include_expression: "true"\n') + '---\n' + batch('  include_expression: "false"\n'), 'duplicate-name', 9, 1],
  ['two Project documents', 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: a}\n---\napiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: b}\n', 'duplicate-project', 6, 1],
];

describe('every problem in the desired state is reported at its file, line and column with a code', () => {
  it.each(CASES)('%s', async (_what, text, code, line, column) => {
    // In batches/: a file there is Ferry's whatever it holds, so a broken one is reported.
    const problems = await problemsOf({ 'batches/b.yaml': text });
    const match = problems.find((p) => p.code === code);
    expect(match, `expected ${code} among ${JSON.stringify(problems, null, 1)}`).toBeDefined();
    expect({ file: match!.file, line: match!.line, column: match!.column }).toEqual({ file: 'batches/b.yaml', line, column });
    expect(match!.message.length).toBeGreaterThan(10);
  });
});

describe('a simulated source\'s inventory is validated with the rest of the repository', () => {
  const source = 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: sim2}\nspec: {type: sim, inventory_file: vms.json}\n';
  it.each([
    ['a JSON syntax error', '[\n  {"uuid": "u", "name": "a", "location": "/a",}\n]\n', 2, 47, /not valid JSON/],
    ['an instance without a location', '[\n  {"uuid": "u", "name": "a", "location": "/a"},\n  {"uuid": "v", "name": "b"}\n]\n', 3, 3, /\$\[1\]: the required field "location" is missing/],
    ['a field of the wrong type', '[\n  {"uuid": "u", "name": "a", "location": "/a",\n   "disks": [{"name": "d", "capacity": "big"}]}\n]\n', 3, 40, /\$\[0\]\.disks\[0\]\.capacity: must be integer/],
    ['not a list', '{"uuid": "u"}\n', 1, 1, /expected a JSON array/],
  ])('%s', async (_what, json, line, column, message) => {
    const problems = await problemsOf({ 's.yaml': source, 'vms.json': json });
    expect(problems).toEqual([expect.objectContaining({ file: 'vms.json', code: 'invalid-inventory', line, column, message: expect.stringMatching(message) })]);
  });
});

describe('the loader', () => {
  it('suggests the field that was meant', async () => {
    const problems = await problemsOf({ 'b.yaml': batch('  include_expresion: "true"\n') });
    expect(problems.find((p) => p.code === 'unknown-field')!.message).toContain('did you mean "include_expression"?');
  });

  it('never echoes a literal secret', async () => {
    const problems = await problemsOf({
      'b.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: i}\nspec: {type: incus, endpoint: "unix:///x", tls_client_key: "-----BEGIN PRIVATE KEY----- s3cr3t"}\n',
    });
    expect(problems.map((p) => p.code)).toContain('literal-secret');
    expect(JSON.stringify(problems)).not.toContain('s3cr3t');
  });

  it('reports the problems of every file in one run', async () => {
    const problems = await problemsOf({
      'a.yaml': batch('  include_expresion: "true"\n', 'a'),
      'b.yaml': batch('  include_expression: "true"\n  state: halted\n', 'b'),
      'batches/c.yaml': 'kind: [\n',
    });
    expect(new Set(problems.map((p) => p.file))).toEqual(new Set(['a.yaml', 'b.yaml', 'batches/c.yaml']));
  });

  it('still checks the rest of a document whose schema has problems', async () => {
    const problems = await problemsOf({
      'b.yaml': batch('  include_expression: "true"\n  state: halted\n  defaults:\n    placement: {target: incus-eats}\n'),
    });
    expect(problems.map((p) => p.code).sort()).toEqual(['invalid-value', 'unknown-target']);
  });

  it('warns about overlapping windows but accepts them, and accepts a lockout without an end', async () => {
    const problems = await problemsOf({
      'b.yaml': batch('  include_expression: "true"\n  migration_windows:\n    - {name: a, start: 2026-02-03 01:00:00, end: 2026-02-03 03:00:00}\n    - {name: b, start: 2026-02-03 02:00:00, lockout: 2026-02-03 04:00:00}\n'),
    });
    expect(problems).toEqual([expect.objectContaining({ code: 'windows-overlap', severity: 'warning', line: 9 })]);
  });

  it('refuses an alias bomb without expanding it', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 8; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const problems = await problemsOf({ 'batches/b.yaml': bomb.join('\n') + '\n' });
    expect(problems.map((p) => p.code)).toEqual(['yaml-alias-bomb']);
  });

  it('defaults a batch to the only target of the repository', async () => {
    const dir = repoWith({ 't.yaml': TARGET, 'b.yaml': batch('  include_expression: "true"\n') });
    const { state, problems } = await loadRepository(directoryFiles(dir));
    expect(problems).toEqual([]);
    expect(state.batches[0]!.defaults.placement).toEqual({ target: 'incus-east', target_project: 'default', storage_pool: 'default' });
  });

  it('reads the scriptlet file relative to the batch file', async () => {
    const dir = repoWith({
      't.yaml': TARGET,
      'batches/b.yaml': batch('  include_expression: "true"\n  config:\n    placement_scriptlet_file: place.star\n'),
      'batches/place.star': 'def placement(instance, batch):\n    pass\n',
    });
    const { state, problems } = await loadRepository(directoryFiles(dir));
    expect(problems).toEqual([]);
    expect(state.batches[0]!.config.placement_scriptlet_file).toBe('batches/place.star');
    expect(state.batches[0]!.config.placement_scriptlet!.text).toContain('def placement');
  });

  it('ignores dot-directories such as .github and .ferry', async () => {
    const dir = repoWith({ 't.yaml': TARGET, '.github/workflows/plan.yml': 'on: push\njobs: {}\n' });
    expect((await loadRepository(directoryFiles(dir))).problems).toEqual([]);
  });
});
