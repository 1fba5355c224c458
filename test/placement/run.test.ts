// runPlacement: what the scriptlet sees (instance and batch values), how its changes merge
// over the defaults, and how failures and budget breaches are reported.

import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compilePlacementScriptlet, DEFAULT_PLACEMENT_LIMITS, defaultPlacement, runPlacement } from '../../src/placement/index.js';
import { BATCH, place, placementError, webInstance } from './fixtures.js';

function body(statements: string): string {
  return `def placement(instance, batch):\n${statements
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')}\n`;
}

describe('the instance value', () => {
  test('has migration-manager field names; uuid is a string (a documented deviation)', () => {
    const result = place(
      body(
        [
          'log_info(type(instance), " ", instance.uuid, " ", type(instance.uuid))',
          'log_info(instance.disks[1].capacity, " ", instance.disks[0].name, " ", instance.disks[2].supported)',
          'log_info(instance.nics[0].hardware_address, " ", instance.nics[1].location, " ", instance.nics[0].ipv4_address)',
          'log_info(instance.config["tag.env"], " ", instance.config.get("tag.none", "-"), " ", instance.os_type, " ", instance.running)',
          'log_info(instance.overrides.cpus, " ", instance.overrides.name == "", " ", instance.overrides.config)',
        ].join('\n'),
      ),
    );
    expect(result.logs.map((l) => l.message)).toEqual([
      'instance 4e1c39bd-7c2a-4b8e-9e51-6f3f2a1d0c11 string',
      '214748364800 [ds1] web-01/web-01.vmdk False',
      '00:50:56:aa:00:01 /DC1/network/Backup LAN 10.0.0.5',
      'prod - linux True',
      '0 True {}',
    ]);
  });

  test('shows the overrides that are set', () => {
    const result = place(body('log_info(instance.overrides.cpus, " ", instance.overrides.config["k"])'), webInstance({ overrides: { cpus: 8, config: { k: 'v' } } }));
    expect(result.logs).toEqual([{ level: 'info', message: '8 v' }]);
  });

  test('says whether the mover will prepare the guest (guest_preparation), and the override that decides it', () => {
    const line = 'log_info(instance.guest_preparation, " ", instance.overrides.guest_preparation)';
    expect(place(body(line)).logs.map((l) => l.message)).toEqual(['linux auto']);
    expect(place(body(line), webInstance({ os_type: 'windows' })).logs.map((l) => l.message)).toEqual(['windows auto']);
    expect(place(body(line), webInstance({ overrides: { guest_preparation: 'skip' } })).logs.map((l) => l.message)).toEqual(['none skip']);
    expect(place(body(line), webInstance({ os_type: 'bsd' })).logs.map((l) => l.message)).toEqual(['none auto']);
    expect(place(body(line), webInstance({ os_type: '', overrides: { guest_preparation: 'force' } })).logs.map((l) => l.message)).toEqual(['detect force']);
  });

  test('names an unknown field in the error', () => {
    expect(placementError(body('x = instance.os_version'))).toBe(
      'placement scriptlet wave-1.star failed for instance /DC1/vm/web/web-01: instance has no field "os_version"',
    );
    expect(placementError(body('x = instance.disks[0].size'))).toContain('disk has no field "size"');
    expect(placementError(body('x = instance.nam'))).toContain('instance has no field "nam" (did you mean .name?)');
  });
});

describe('the batch value', () => {
  test('exposes the batch JSON as attributes, lists as lists', () => {
    const result = place(
      body(
        [
          'log_info(batch.name, " ", batch.defaults.placement.target, " ", batch.defaults.placement.storage_pool)',
          'log_info(batch.migration_windows[0].name, " ", batch.migration_windows[0].config.capacity, " ", batch.constraints[0].max_concurrent_instances)',
          'log_info(batch.config.rerun_scriptlets, " ", batch.config.background_sync_interval, " ", len(batch.defaults.migration_network))',
        ].join('\n'),
      ),
    );
    expect(result.logs.map((l) => l.message)).toEqual(['wave-1 incus-east default', 'night-1 10 2', 'False 10m 0']);
  });

  test('is frozen: a scriptlet cannot change what the next instance sees', () => {
    expect(placementError(body('batch.defaults.migration_network.append(1)'))).toContain('cannot append to frozen list');
    expect(placementError(body('x = batch.nope'))).toContain('batch has no field "nope"');
  });
});

describe('merging over the defaults', () => {
  test('keeps every default the scriptlet does not change, and does not modify the given defaults', () => {
    const instance = webInstance();
    const defaults = defaultPlacement(instance, BATCH.defaults);
    const before = JSON.stringify(defaults);
    const compiled = compilePlacementScriptlet(body('set_pool("[ds1] web-01/web-01.vmdk", "fast")\nset_network("00:50:56:aa:00:02", "backup", "bridged", "42")'), 'm.star');
    if (!compiled.ok) throw new Error('compile');
    const result = runPlacement(compiled.scriptlet, instance, BATCH, defaults);
    expect(result.ok && result.placement).toEqual({
      target_name: 'incus-east',
      target_project: 'default',
      storage_pools: { '[ds1] web-01/web-01.vmdk': 'fast', '[ds1] web-01/web-01_1.vmdk': 'default' },
      networks: {
        '00:50:56:aa:00:01': { network: 'VM-Network', nictype: 'managed', vlan_id: '' },
        '00:50:56:aa:00:02': { network: 'backup', nictype: 'bridged', vlan_id: '42' },
      },
      running: true,
    });
    expect(JSON.stringify(defaults)).toBe(before);
  });

  test('later calls win', () => {
    const result = place(body('set_target("a")\nset_target("b")'));
    expect(result.ok && result.placement.target_name).toBe('b');
  });
});

describe('failures', () => {
  test('placement must return None', () => {
    expect(placementError(body('return "incus-west"'))).toBe(
      'placement scriptlet wave-1.star failed for instance /DC1/vm/web/web-01: placement() must return None, got "incus-west"',
    );
  });

  test('runtime errors carry the backtrace', () => {
    const result = place('def pick(disks):\n    return disks[5]\ndef placement(instance, batch):\n    pick(instance.disks)\n');
    expect(!result.ok && result.error.backtrace).toBe(
      'Traceback (most recent call last):\n  wave-1.star:4:9: in placement\n  wave-1.star:2:17: in pick\nError: list index 5 out of range [-3:2]',
    );
  });

  test('a runaway loop stops at the work budget, naming it', () => {
    expect(placementError(body('for i in range(100000000):\n    pass'))).toBe(
      'placement scriptlet wave-1.star failed for instance /DC1/vm/web/web-01: Starlark work budget of 10,000,000 units exceeded',
    );
  });

  test('the budget can be changed per run', () => {
    const compiled = compilePlacementScriptlet(body('for i in range(1000):\n    pass'), 'b.star');
    if (!compiled.ok) throw new Error('compile');
    const instance = webInstance();
    const result = runPlacement(compiled.scriptlet, instance, BATCH, defaultPlacement(instance, BATCH.defaults), { maxSteps: 100 });
    expect(!result.ok && result.error.message).toContain('Starlark work budget of 100 units exceeded');
    expect(!result.ok && result.error.budget).toEqual({ kind: 'work', limit: 100 });
  });

  test('memory budgets bound strings and collections', () => {
    expect(placementError(body('s = "x" * (2 * 1024 * 1024)'))).toContain('Starlark string length limit of 1048576 bytes exceeded');
    expect(placementError(body('l = [0] * 200000'))).toContain('Starlark collection size limit of 100000 elements exceeded');
  });

  test('recursion is not allowed (and the call depth is bounded)', () => {
    expect(placementError('def f(n):\n    return f(n + 1)\ndef placement(instance, batch):\n    f(0)\n')).toContain('function f called recursively');
  });
});

describe('budgets', () => {
  // Small budgets, so that each case ends at once; the defaults stop the same programs in about a second.
  const SMALL = { maxSteps: 100_000, maxAllocation: 100_000 };
  const run = (source: string) => {
    const compiled = compilePlacementScriptlet(source, 'b.star', SMALL);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
    const instance = webInstance();
    return runPlacement(compiled.scriptlet, instance, BATCH, defaultPlacement(instance, BATCH.defaults), SMALL);
  };

  test('log lines count against the allocation budget, as the host keeps them', () => {
    const result = run(body('s = "x" * 10000\nfor i in range(1000000):\n    log_info(s, s)'));
    expect(!result.ok && result.error.budget).toEqual({ kind: 'allocation', limit: 100_000 });
    expect(result.logs.length).toBeLessThan(10);
  });

  test('arguments the built-ins decode count against the budgets', () => {
    const result = run(body('s = "é" * 5000\nfor i in range(1000000):\n    set_target(s)'));
    expect(!result.ok && result.error.budget?.kind).toBe('allocation');
  });

  test('a value too large to print is described by its type', () => {
    const result = run(body('t = ()\nfor i in range(60):\n    t = (t, t)\nreturn t'));
    expect(!result.ok && result.error.message).toBe('placement scriptlet b.star failed for instance /DC1/vm/web/web-01: placement() must return None, got a tuple');
    expect(!result.ok && result.error.budget).toBeUndefined();
  });

  test('a top level that runs out of a budget is a scriptlet-init problem that names the budget', () => {
    const compiled = compilePlacementScriptlet('X = [[0] * 1000 for i in range(100000)]\ndef placement(instance, batch):\n    pass\n', 'b.star', SMALL);
    expect(compiled).toEqual({
      ok: false,
      problems: [
        {
          line: 1,
          column: 10,
          code: 'scriptlet-init',
          message: "the scriptlet's top level failed: Starlark allocation budget of 100,000 elements and bytes exceeded",
          budget: { kind: 'allocation', limit: 100_000 },
        },
      ],
    });
  });

  test('the example scriptlets need less than a hundredth of the default budgets', () => {
    const hundredth = { maxSteps: DEFAULT_PLACEMENT_LIMITS.maxSteps / 100, maxAllocation: DEFAULT_PLACEMENT_LIMITS.maxAllocation / 100 };
    const dir = join(import.meta.dirname, '../../examples/repo/batches');
    const scriptlets = readdirSync(dir)
      .filter((name) => name.endsWith('.star'))
      .map((name) => readFileSync(join(dir, name), 'utf8'));
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
      const inline = (parse(readFileSync(join(dir, name), 'utf8')) as { spec?: { config?: { placement_scriptlet?: string } } }).spec?.config?.placement_scriptlet;
      if (inline !== undefined) scriptlets.push(inline);
    }
    expect(scriptlets.length).toBeGreaterThan(1);
    const disks = [40, 200, 500].map((gib, i) => ({ name: `[ds1] web-01/disk${i}.vmdk`, capacity: gib * 2 ** 30, supported: true }));
    const instance = webInstance({ config: { 'tag.tenant': 'payments' }, disks });
    for (const source of scriptlets) {
      const compiled = compilePlacementScriptlet(source, 'example.star', hundredth);
      if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
      const result = runPlacement(compiled.scriptlet, instance, BATCH, defaultPlacement(instance, BATCH.defaults), hundredth);
      expect(result.ok || result.error.message).toBe(true);
    }
  });
});
