// migration-manager's documented example scriptlet (doc/tutorials/migrate_complex.md):
// disks of 100 GiB or more go to pool02, everything else keeps the batch defaults.

import { describe, expect, test } from 'vitest';
import { place, webInstance } from './fixtures.js';

const EXAMPLE = `
def placement(instance, batch):
    for disk in instance.disks:
        if disk.capacity >= (1024 * 1024 * 1024 * 100):
            set_pool(disk.name, 'pool02')
`;

describe("migration-manager's example scriptlet", () => {
  test('moves the 200 GiB disk to pool02 and keeps the defaults for the rest', () => {
    const result = place(EXAMPLE, webInstance({ disks: [{ name: 'small', capacity: 40 << 30 }, { name: 'big', capacity: 200 * 2 ** 30 }] }));
    expect(result).toEqual({
      ok: true,
      logs: [],
      placement: {
        target_name: 'incus-east',
        target_project: 'default',
        storage_pools: { small: 'default', big: 'pool02' },
        networks: {
          '00:50:56:aa:00:01': { network: 'VM-Network', nictype: 'managed', vlan_id: '' },
          '00:50:56:aa:00:02': { network: 'Backup-LAN', nictype: 'managed', vlan_id: '' },
        },
        running: true,
      },
    });
  });

  test('fails, naming the disk and instance, when a large disk is not supported', () => {
    const result = place(EXAMPLE);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(
      'placement scriptlet wave-1.star failed for instance /DC1/vm/web/web-01: No supported disk found with name "[ds2] web-01/rdm.vmdk" on instance "/DC1/vm/web/web-01"',
    );
    expect(result.error.backtrace).toBe(
      'Traceback (most recent call last):\n  wave-1.star:5:21: in placement\nError in set_pool: No supported disk found with name "[ds2] web-01/rdm.vmdk" on instance "/DC1/vm/web/web-01"',
    );
  });
});
