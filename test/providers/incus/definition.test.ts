// The instance definition and devices Ferry asks Incus for: what the peer suite cannot create on
// this machine (virtual machines) is pinned here as request bodies.

import { describe, expect, it } from 'vitest';
import type { CreateInstanceAction } from '../../../src/engine/actions.js';
import { normalizeInstance } from '../../../src/model/instance.js';
import { instanceDefinition } from '../../../src/providers/incus/definition.js';
import { diskDevice, volumeSlot } from '../../../src/providers/incus/disks.js';
import { inSubnet, nicDevice } from '../../../src/providers/incus/nics.js';

const INCUS_6_0 = new Set(['security_csm', 'custom_volume_backup']);
const LXD_5_0 = new Set(['custom_volume_backup', 'macaroon_authentication']);

function action(fields: Parameters<typeof normalizeInstance>[0] extends infer T ? Partial<T> : never = {}): CreateInstanceAction {
  const instance = normalizeInstance({
    uuid: 'u-1',
    source_specific_id: 'vm-42',
    location: '/DC1/vm/web-1',
    name: 'web-1',
    architecture: 'x86_64',
    cpus: 4,
    memory: 8 * 1024 ** 3,
    secure_boot: true,
    nics: [{ hardware_address: '00:50:56:01:02:03', ipv4_address: '10.0.0.5' }],
    disks: [
      { name: '[ds1] web-1/web-1.vmdk', capacity: 20 * 1024 ** 3 },
      { name: '[ds1] web-1/web-1_1.vmdk', capacity: 1024 ** 3 },
      { name: '[ds1] web-1/rdm.vmdk', capacity: 1024, supported: false },
    ],
    ...fields,
  });
  return {
    kind: 'create_instance',
    op: 'u-1#1/create-1',
    entry: 'u-1',
    attempt: 'u-1#1',
    batch: 'wave-1',
    target: 'east',
    project: 'prod',
    name: 'web-1',
    source: 'dc1',
    instance,
    placement: {
      target_name: 'east',
      target_project: 'prod',
      storage_pools: { '[ds1] web-1/web-1.vmdk': 'fast', '[ds1] web-1/web-1_1.vmdk': 'slow' },
      networks: { '00:50:56:01:02:03': { network: 'prod-net', nictype: 'managed', vlan_id: '' } },
      running: true,
    },
    migration_network: { network: 'migration', nictype: 'bridged', vlan_id: '300' },
  };
}

describe('the instance definition', () => {
  it('is an empty, stopped virtual machine shaped like the source, with markers, identity, disk pools and the migration NIC', () => {
    expect(instanceDefinition(action(), { type: 'virtual-machine', image: null, extensions: INCUS_6_0 })).toEqual({
      name: 'web-1',
      type: 'virtual-machine',
      description: 'Migrated by Ferry from dc1: /DC1/vm/web-1',
      source: { type: 'none' },
      architecture: 'x86_64',
      config: {
        'user.ferry.entry': 'u-1',
        'user.ferry.attempt': 'u-1#1',
        'user.ferry.batch': 'wave-1',
        'user.ferry.source': 'dc1',
        'user.ferry.source_uuid': 'u-1',
        'user.ferry.source_id': 'vm-42',
        'user.ferry.location': '/DC1/vm/web-1',
        'user.ferry.ops': 'u-1#1/create-1',
        'limits.cpu': '4',
        'limits.memory': `${8 * 1024 ** 3}B`,
        'security.secureboot': 'true',
        'user.ferry.disk.0.name': '[ds1] web-1/web-1.vmdk',
        'user.ferry.disk.0.pool': 'fast',
        'user.ferry.disk.0.size': String(20 * 1024 ** 3),
        'user.ferry.disk.1.name': '[ds1] web-1/web-1_1.vmdk',
        'user.ferry.disk.1.pool': 'slow',
        'user.ferry.disk.1.size': String(1024 ** 3),
        'user.ferry.nic.0.hwaddr': '00:50:56:01:02:03',
        'user.ferry.nic.0.ipv4': '10.0.0.5',
      },
      devices: {
        root: { type: 'disk', path: '/', pool: 'fast' },
        eth0: { type: 'nic', name: 'eth0', nictype: 'bridged', parent: 'migration', vlan: '300' },
      },
    });
  });

  it('boots legacy BIOS through security.csm where the server has the extension, and refuses clearly where not (LXD 5.0)', () => {
    const legacy = action({ legacy_boot: true, secure_boot: false, tpm: true });
    const body = instanceDefinition(legacy, { type: 'virtual-machine', image: null, extensions: INCUS_6_0 }) as { config: Record<string, string>; devices: Record<string, unknown> };
    expect(body.config).toMatchObject({ 'security.csm': 'true', 'security.secureboot': 'false' });
    expect(body.devices.tpm).toEqual({ type: 'tpm' });
    expect(() => instanceDefinition(legacy, { type: 'virtual-machine', image: null, extensions: LXD_5_0 })).toThrow(
      'VM web-1 boots with legacy BIOS, which needs the API extension security_csm (security.csm); target east does not have it (LXD 5.0 and older Incus)',
    );
  });

  it('makes a container from the target\'s image, without firmware keys, leaving the NIC to the profile when there is no migration network', () => {
    const body = instanceDefinition({ ...action(), migration_network: null }, { type: 'container', image: 'busybox', extensions: INCUS_6_0 }) as Record<string, Record<string, unknown>>;
    expect(body.source).toEqual({ type: 'image', alias: 'busybox' });
    expect(body.config!['security.secureboot']).toBeUndefined();
    expect(body.devices).toEqual({ root: { type: 'disk', path: '/', pool: 'fast' } });
  });

  it('leaves the architecture to the server when the source names one Incus does not know', () => {
    expect(instanceDefinition(action({ architecture: 'x86-64-vmware' }), { type: 'virtual-machine', image: null, extensions: INCUS_6_0 })).not.toHaveProperty('architecture');
  });
});

describe('NICs from a placement', () => {
  const bridge = { name: 'prod-net', managed: true, type: 'bridge', ipv4: '10.0.0.1/24' };
  it.each([
    ['managed', { network: 'prod-net', nictype: 'managed', vlan_id: '' }, { type: 'nic', name: 'eth0', network: 'prod-net', hwaddr: 'm', 'ipv4.address': '10.0.0.5' }],
    ['bridged with a VLAN', { network: 'br0', nictype: 'bridged', vlan_id: '100' }, { type: 'nic', name: 'eth0', nictype: 'bridged', parent: 'br0', vlan: '100', hwaddr: 'm' }],
    ['bridged with tagged VLANs', { network: 'br0', nictype: 'bridged', vlan_id: '100,200' }, { type: 'nic', name: 'eth0', nictype: 'bridged', parent: 'br0', 'vlan.tagged': '100,200', hwaddr: 'm' }],
    ['physical', { network: 'enp5s0', nictype: 'physical', vlan_id: '7' }, { type: 'nic', name: 'eth0', nictype: 'physical', parent: 'enp5s0', vlan: '7', hwaddr: 'm' }],
  ] as const)('%s', (_what, placement, device) => {
    expect(nicDevice(placement, { name: 'eth0', hwaddr: 'm', ipv4: '10.0.0.5', network: placement.nictype === 'managed' ? bridge : { name: placement.network, managed: false, type: 'physical' } })).toEqual(device);
  });

  it('uses network= for a managed physical network, as migration-manager does', () => {
    expect(nicDevice({ network: 'uplink', nictype: 'physical', vlan_id: '' }, { name: 'eth1', network: { name: 'uplink', managed: true, type: 'physical' } })).toEqual({ type: 'nic', name: 'eth1', network: 'uplink' });
  });

  it('refuses a VLAN on a managed NIC and several VLANs on a physical one', () => {
    expect(() => nicDevice({ network: 'n', nictype: 'managed', vlan_id: '5' }, { name: 'eth0', hwaddr: 'm' })).toThrow('NIC m: a managed NIC (network n) cannot carry a VLAN');
    expect(() => nicDevice({ network: 'p', nictype: 'physical', vlan_id: '5,6' }, { name: 'eth0', hwaddr: 'm' })).toThrow('takes one VLAN, not 5,6');
  });

  it('keeps the source\'s IPv4 address only inside the managed network\'s subnet', () => {
    expect(inSubnet('10.0.0.5', '10.0.0.1/24')).toBe(true);
    expect(inSubnet('10.0.1.5', '10.0.0.1/24')).toBe(false);
    expect(inSubnet('10.0.0.255', '10.0.0.1/24')).toBe(false);
    expect(inSubnet('10.0.0.1', '10.0.0.1/24')).toBe(false);
    expect(inSubnet('fe80::1', '10.0.0.1/24')).toBe(false);
    expect(nicDevice({ network: 'prod-net', nictype: 'managed', vlan_id: '' }, { name: 'eth0', ipv4: '192.0.2.1', network: bridge })).toEqual({ type: 'nic', name: 'eth0', network: 'prod-net' });
  });
});

describe('disk volumes', () => {
  it('alternate between two slots, so the instance always keeps the last complete copy', () => {
    expect(volumeSlot('web-1', 0, null)).toBe('web-1-disk0-a');
    expect(volumeSlot('web-1', 0, 'web-1-disk0-a')).toBe('web-1-disk0-b');
    expect(volumeSlot('web-1', 0, 'web-1-disk0-b')).toBe('web-1-disk0-a');
  });

  it('attach to a virtual machine with the boot disk first', () => {
    expect(diskDevice('fast', 'web-1-disk0-a', 0)).toEqual({ type: 'disk', pool: 'fast', source: 'web-1-disk0-a', 'boot.priority': '10' });
    expect(diskDevice('slow', 'web-1-disk1-b', 1)).toEqual({ type: 'disk', pool: 'slow', source: 'web-1-disk1-b' });
  });
});
