import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyOfExampleRepo, EXAMPLE_REPO, ferry, PROJECT_ROOT, repoWith } from '../helpers/cli.js';

const INSTANCES = join(PROJECT_ROOT, 'examples/repo/inventory/dc1.json');

describe('ferry placement BATCH', () => {
  it('places the instances the batch selects, with overrides and the scriptlet', async () => {
    const run = await ferry(['placement', 'wave-1-web', '--repo', EXAMPLE_REPO, '--instances', INSTANCES, '--json']);
    expect(run.code).toBe(0);
    const output = JSON.parse(run.stdout);
    const byName = new Map<string, { placement: { target_project: string; storage_pools: Record<string, string>; networks: Record<string, { network: string; nictype: string; vlan_id: string }>; running: boolean }; logs: { level: string; message: string }[] }>(
      output.placements.map((row: { instance: { name: string } }) => [row.instance.name, row]),
    );
    // Selected: web VMs with at most 8 CPUs, not tagged for decommissioning.
    expect([...byName.keys()].sort()).toEqual(['web-api-01', 'web-api-02', 'web-api-03', 'web-api-04', 'web-fe-01', 'web-fe-02', 'web-fe-03', 'web-fe-04', 'web-fe-05', 'web-fe-06', 'web-fe-07', 'web-fe-08', 'web-iis-01', 'web-iis-02']);
    const api1 = byName.get('web-api-01')!;
    expect(api1.placement.target_project).toBe('pci');
    expect(Object.values(api1.placement.storage_pools)).toEqual(['ssd', 'hdd']);
    expect(api1.logs).toEqual([{ level: 'info', message: 'payments VM web-api-01 goes to the pci project' }]);
    expect(Object.values(byName.get('web-fe-01')!.placement.networks)).toContainEqual({ network: 'dmz', nictype: 'bridged', vlan_id: '40' });
    expect(byName.get('web-fe-03')!.placement.running).toBe(false);
    expect(byName.get('web-fe-04')!.placement.target_project).toBe('web');
  });

  it('shows one instance', async () => {
    const run = await ferry(['placement', 'wave-3-windows', '--repo', EXAMPLE_REPO, '--instances', INSTANCES, '--instance', 'app-01']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('disk [ds-bulk] app-01/app-01_1.vmdk → pool pool02');
    expect(run.stdout).toMatch(/1 instance placed for batch wave-3-windows \(\d+ selected\)\n$/);
  });

  it('suggests the batch that was meant', async () => {
    const run = await ferry(['placement', 'wave-1-wbe', '--repo', EXAMPLE_REPO, '--instances', INSTANCES]);
    expect(run).toMatchObject({ code: 1, stderr: 'ferry placement: the repository has no batch "wave-1-wbe"; did you mean "wave-1-web"?\n' });
  });

  it('reads the repository\'s inventory when no instances file is given', async () => {
    const fromRepo = await ferry(['placement', 'wave-1-web', '--repo', EXAMPLE_REPO, '--json']);
    const fromFile = await ferry(['placement', 'wave-1-web', '--repo', EXAMPLE_REPO, '--instances', INSTANCES, '--json']);
    expect(fromRepo.code).toBe(0);
    const rows = (run: { stdout: string }) => JSON.parse(run.stdout).placements.map((row: { instance: { name: string }; placement: unknown }) => [row.instance.name, row.placement]);
    expect(rows(fromRepo)).toEqual(rows(fromFile));
  });

  it('says what is missing when the repository has no inventory', async () => {
    const dir = repoWith({
      't.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: t}\nspec: {type: sim}\n',
      'b.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: b}\nspec: {include_expression: "true"}\n',
    });
    const run = await ferry(['placement', 'b', '--repo', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('pass --instances FILE.json');
  });
});

describe('ferry placement --scriptlet', () => {
  it('tries a scriptlet before it is merged and reports a failing instance with its backtrace', async () => {
    const dir = repoWith({
      'try.star': 'def placement(instance, batch):\n    if instance.cpus > 8:\n        set_pool("no-such-disk", "big")\n    log_warn("checked ", instance.name)\n',
    });
    const run = await ferry(['placement', '--scriptlet', 'try.star', '--instances', INSTANCES], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('log warn: checked tools-01');
    expect(run.stdout).toContain('error: placement scriptlet try.star failed for instance /DC1/vm/web/web-big-01');
    expect(run.stdout).toMatch(/try\.star:3:\d+/);
    expect(run.stdout).toMatch(/33 instances placed for batch scriptlet-test \(33 selected\), 2 failed\n$/);
  });

  it('uses the defaults of the batch given with --batch', async () => {
    const run = await ferry(['placement', '--scriptlet', 'batches/wave-1-web.star', '--batch', 'batches/wave-1-web.yaml', '--instances', INSTANCES, '--instance', 'web-fe-04', '--json'], { cwd: EXAMPLE_REPO });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).placements[0].placement).toMatchObject({ target_name: 'incus-east', target_project: 'web' });
  });

  it('refuses a scriptlet that does not compile, at its line and column', async () => {
    const dir = repoWith({ 'bad.star': 'def placement(instance, batch):\n    set_pool(disk.name "x")\n' });
    const run = await ferry(['placement', '--scriptlet', 'bad.star', '--instances', INSTANCES], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^bad\.star:2:\d+: error scriptlet-syntax: /);
  });
});

describe('ferry validate compiles placement scriptlets', () => {
  it('reports a .star file\'s problems at its own line and column', async () => {
    const repo = copyOfExampleRepo();
    writeFileSync(join(repo, 'batches/wave-1-web.star'), 'def placement(instance):\n    pass\n');
    const run = await ferry(['validate', '--repo', repo]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^batches\/wave-1-web\.star:1:\d+: error scriptlet-signature: /m);
  });

  it('reports an inline scriptlet\'s problems inside the YAML block', async () => {
    const repo = copyOfExampleRepo();
    const file = join(repo, 'batches/wave-3-windows.yaml');
    const text = (await import('node:fs')).readFileSync(file, 'utf8').replace("set_pool(disk.name, 'pool02')", 'set_pool(disk.name, undefined_name)');
    writeFileSync(file, text);
    const run = await ferry(['validate', '--repo', repo]);
    expect(run.code).toBe(1);
    const line = text.split('\n').findIndex((l) => l.includes('undefined_name')) + 1;
    const column = text.split('\n')[line - 1]!.indexOf('undefined_name') + 1;
    expect(run.stdout).toContain(`batches/wave-3-windows.yaml:${line}:${column}: error scriptlet-resolve: `);
  });
});

describe('ferry query --repo', () => {
  it('reads the simulated inventory with the repository\'s instance overrides applied', async () => {
    const run = await ferry(['query', "name == 'web-fe-03-new'", '--repo', EXAMPLE_REPO, '--json']);
    expect(run.code).toBe(0);
    // examples/repo/overrides/instances.yaml renames web-fe-03; expressions see the new name.
    expect(JSON.parse(run.stdout)).toMatchObject({ total: 33, matched: 1, instances: [{ location: '/DC1/vm/web/web-fe-03' }] });
  });

  it('stamps every instance with the name of its Source', async () => {
    const run = await ferry(['query', "source == 'dc1'", '--repo', EXAMPLE_REPO, '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ total: 33, matched: 33 });
  });

  it('refuses a repository with errors', async () => {
    const repo = copyOfExampleRepo();
    // In batches/, a broken file is Ferry's (at the root it would be YAML that is not Ferry's, not read).
    writeFileSync(join(repo, 'batches/x.yaml'), 'kind: [\n');
    const run = await ferry(['query', 'cpus > 1', '--repo', repo]);
    expect(run).toMatchObject({ code: 1, stderr: 'ferry query: the repository has 1 error; run "ferry validate" to see them\n' });
  });
});
