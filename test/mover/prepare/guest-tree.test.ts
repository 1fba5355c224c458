import { describe, expect, test } from 'vitest';
import type { BlockDevice } from '../../../src/mover/prepare/block-devices.js';
import { parseFstab, resolveSpec } from '../../../src/mover/prepare/guest-tree.js';

const devices: BlockDevice[] = [
  { path: '/dev/sdb1', disk: 0, partition: 1, type: 'ext4', uuid: '1111-aaaa', label: 'boot', partuuid: 'abcd-01', partlabel: 'BOOT' },
  { path: '/dev/sdb2', disk: 0, partition: 2, type: 'LVM2_member' },
  { path: '/dev/sdc1', disk: 1, partition: 1, type: 'xfs', uuid: '2222-bbbb' },
];

describe("the guest's fstab", () => {
  test('parses entries, ignoring comments and blank lines', () => {
    expect(parseFstab('# static\nUUID=1 / ext4 errors=remount-ro 0 1\n\n/dev/sda1  /boot ext4 defaults,noatime 0 2 # boot\n')).toEqual([
      { spec: 'UUID=1', file: '/', type: 'ext4', options: ['errors=remount-ro'] },
      { spec: '/dev/sda1', file: '/boot', type: 'ext4', options: ['defaults', 'noatime'] },
    ]);
  });

  test.each([
    ['UUID=1111-AAAA', '/dev/sdb1'],
    ['UUID="2222-bbbb"', '/dev/sdc1'],
    ['LABEL=boot', '/dev/sdb1'],
    ['PARTUUID=abcd-01', '/dev/sdb1'],
    ['PARTLABEL=BOOT', '/dev/sdb1'],
    ['/dev/disk/by-uuid/2222-bbbb', '/dev/sdc1'],
    ['/dev/sda1', '/dev/sdb1'],
    ['/dev/vdb1', '/dev/sdc1'],
    ['/dev/sdc1', null],
    ['UUID=nowhere', null],
    ['server:/export', null],
  ])('%s is found on %s', (spec, path) => {
    expect(resolveSpec(spec, devices)).toBe(path);
  });
});
