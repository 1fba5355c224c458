// The placement built-ins and every argument check (migration-manager's batch_placement.go).

import { describe, expect, test } from 'vitest';
import { place, placementError, webInstance } from './fixtures.js';

function body(statement: string): string {
  return `def placement(instance, batch):\n    ${statement}\n`;
}

const MAC = '00:50:56:aa:00:01';

describe('set_target and set_project', () => {
  test('set the target and project, by position or keyword', () => {
    const result = place(body('set_target("incus-west")\n    set_project(project_name = "prod")'));
    expect(result.ok && [result.placement.target_name, result.placement.target_project]).toEqual(['incus-west', 'prod']);
  });

  test.each([
    ['set_target("")', 'Target name is empty'],
    ['set_project("")', 'Target project name is empty'],
    ['set_target()', 'set_target: missing argument for target_name'],
    ['set_target(1)', 'set_target: for parameter target_name: got int, want string'],
    ['set_target("a", "b")', 'set_target: got 2 arguments, want at most 1'],
    ['set_target(name = "a")', 'set_target: unexpected keyword argument "name"'],
    ['set_project()', 'set_project: missing argument for project_name'],
  ])('%s fails: %s', (statement, message) => {
    expect(placementError(body(statement))).toContain(message);
  });
});

describe('set_pool', () => {
  test('sets the pool of a supported disk, by position or keyword', () => {
    const result = place(body('set_pool("[ds1] web-01/web-01.vmdk", "ssd")\n    set_pool(pool_name = "hdd", disk_name = "[ds1] web-01/web-01_1.vmdk")'));
    expect(result.ok && result.placement.storage_pools).toEqual({ '[ds1] web-01/web-01.vmdk': 'ssd', '[ds1] web-01/web-01_1.vmdk': 'hdd' });
  });

  test.each([
    ['set_pool("[ds1] web-01/web-01.vmdk", "")', 'Target storage pool name is empty'],
    ['set_pool("nope.vmdk", "ssd")', 'No supported disk found with name "nope.vmdk" on instance "/DC1/vm/web/web-01"'],
    ['set_pool("[ds2] web-01/rdm.vmdk", "ssd")', 'No supported disk found with name "[ds2] web-01/rdm.vmdk"'],
    ['set_pool("[ds1] web-01/web-01.vmdk")', 'set_pool: missing argument for pool_name'],
    ['set_pool(disk_name = "x", pool = "y")', 'set_pool: unexpected keyword argument "pool"'],
    ['set_pool(["x"], "y")', 'set_pool: for parameter disk_name: got list, want string'],
  ])('%s fails: %s', (statement, message) => {
    expect(placementError(body(statement))).toContain(message);
  });
});

describe('set_network', () => {
  test('places a NIC; an empty NIC type means managed', () => {
    const result = place(body(`set_network("${MAC}", "lan", "", "")\n    set_network(nic_hwaddr = "00:50:56:aa:00:02", network_name = "trunk", nic_type = "bridged", vlan_id = "10,20")`));
    expect(result.ok && result.placement.networks).toEqual({
      [MAC]: { network: 'lan', nictype: 'managed', vlan_id: '' },
      '00:50:56:aa:00:02': { network: 'trunk', nictype: 'bridged', vlan_id: '10,20' },
    });
  });

  test('accepts VLANs on physical NICs too', () => {
    const result = place(body(`set_network("${MAC}", "uplink", "physical", "100")`));
    expect(result.ok && result.placement.networks[MAC]).toEqual({ network: 'uplink', nictype: 'physical', vlan_id: '100' });
  });

  test.each([
    [`set_network("00:00:00:00:00:00", "lan", "", "")`, 'No NIC found with hardware address "00:00:00:00:00:00" on instance "/DC1/vm/web/web-01"'],
    [`set_network("${MAC}", "lan", "macvlan", "")`, 'Invalid NIC type "macvlan" (want managed, bridged or physical)'],
    [`set_network("${MAC}", "lan", "managed", "10")`, 'Vlan tagging ("10") is not supported for NIC type "managed"'],
    [`set_network("${MAC}", "lan", "", "10")`, 'Vlan tagging ("10") is not supported for NIC type "managed"'],
    [`set_network("${MAC}", "lan", "bridged", "0")`, 'Invalid vlan ID "0": "0" is not a non-zero integer'],
    [`set_network("${MAC}", "lan", "bridged", "10,abc")`, 'Invalid vlan ID "10,abc": "abc" is not a non-zero integer'],
    [`set_network("${MAC}", "lan", "bridged", "10,")`, 'Invalid vlan ID "10,": "" is not a non-zero integer'],
    [`set_network("${MAC}", "", "", "")`, 'Target network name is empty'],
    [`set_network("${MAC}", "my lan", "", "")`, 'Invalid network name "my lan": it contains whitespace'],
    [`set_network("${MAC}", "lan/1", "", "")`, 'Invalid network name "lan/1": it contains whitespace or one of'],
    [`set_network("${MAC}", "-lan", "", "")`, 'Invalid network name "-lan": it must start and end with a letter or digit'],
    [`set_network("${MAC}", "${'n'.repeat(65)}", "", "")`, 'it is longer than 64 characters'],
    [`set_network("${MAC}", "lan", "")`, 'set_network: missing argument for vlan_id'],
    [`set_network("${MAC}", "lan", "", 10)`, 'set_network: for parameter vlan_id: got int, want string'],
  ])('%s fails: %s', (statement, message) => {
    expect(placementError(body(statement))).toContain(message);
  });
});

describe('log_info, log_warn, log_error', () => {
  test('concatenate their arguments, strings unquoted, and keep the level and order', () => {
    const result = place(body('log_info("placing ", instance.name, " with ", instance.cpus, " CPUs ", [1, "a"])\n    log_warn("w")\n    log_error("e", None)'));
    expect(result.logs).toEqual([
      { level: 'info', message: 'placing web-01 with 4 CPUs [1, "a"]' },
      { level: 'warn', message: 'w' },
      { level: 'error', message: 'eNone' },
    ]);
  });

  test('are kept when the scriptlet fails later', () => {
    const result = place(body('log_info("before")\n    set_target("")'));
    expect(result.ok).toBe(false);
    expect(result.logs).toEqual([{ level: 'info', message: 'before' }]);
  });
});

test('set_vlan, predeclared but never provided by migration-manager, is rejected at compile time', async () => {
  const { compilePlacementScriptlet } = await import('../../src/placement/index.js');
  const result = compilePlacementScriptlet(body('set_vlan("x")'), 'v.star');
  expect(result).toEqual({ ok: false, problems: [{ line: 2, column: 5, code: 'scriptlet-resolve', message: 'undefined: set_vlan' }] });
  expect(webInstance().name).toBe('web-01');
});
