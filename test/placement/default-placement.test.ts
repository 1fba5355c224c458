// defaultPlacement (research/migration-manager.md §5.5).

import { describe, expect, test } from 'vitest';
import { defaultNetworkName, defaultPlacement } from '../../src/placement/index.js';
import { BATCH, webInstance } from './fixtures.js';

describe('defaultPlacement', () => {
  test('uses the batch defaults, one pool per supported disk and a managed NIC per source NIC', () => {
    expect(defaultPlacement(webInstance(), BATCH.defaults)).toEqual({
      target_name: 'incus-east',
      target_project: 'default',
      storage_pools: { '[ds1] web-01/web-01.vmdk': 'default', '[ds1] web-01/web-01_1.vmdk': 'default' },
      networks: {
        '00:50:56:aa:00:01': { network: 'VM-Network', nictype: 'managed', vlan_id: '' },
        '00:50:56:aa:00:02': { network: 'Backup-LAN', nictype: 'managed', vlan_id: '' },
      },
      running: true,
    });
  });

  test('applies network overrides by network location or uuid', () => {
    const instance = webInstance({ nics: [{ hardware_address: 'aa', location: '/DC1/network/VM Network', uuid: 'net-1' }, { hardware_address: 'bb', location: '/DC1/network/Other' }] });
    const placement = defaultPlacement(instance, BATCH.defaults, {
      'net-1': { network: 'prod', nictype: 'bridged', vlan_id: '10' },
      '/DC1/network/Other': { nictype: 'physical' },
    });
    expect(placement.networks).toEqual({
      aa: { network: 'prod', nictype: 'bridged', vlan_id: '10' },
      bb: { network: 'Other', nictype: 'physical', vlan_id: '' },
    });
  });

  test.each([
    [true, {}, true],
    [false, {}, false],
    [false, { started_after_migration: true }, true],
    [true, { stopped_after_migration: true }, false],
  ])('running=%s with overrides %j gives running=%s', (running, overrides, expected) => {
    expect(defaultPlacement(webInstance({ running, overrides }), BATCH.defaults).running).toBe(expected);
  });

  test.each([
    ['/DC1/network/VM Network', 'VM-Network'],
    ['/DC1/network/dvs/Port Group 7/', 'Port-Group-7'],
    ['VM Network', 'VM-Network'],
    ['', ''],
  ])('network %j is named %j', (location, name) => {
    expect(defaultNetworkName(location)).toBe(name);
  });
});
