// Mapping vSphere objects to Ferry's model, on hand-written property values for what vcsim never
// produces (IP configurations, raw and shared disks, TPMs, opaque networks, trunk VLANs, vApps).

import { describe, expect, it } from 'vitest';
import type { ObjectContent } from '../../../src/providers/vmware/client.js';
import { guestOs, type GuestFacts } from '../../../src/providers/vmware/guest-os.js';
import { mapNetworks, networkUuid } from '../../../src/providers/vmware/networks.js';
import { selectDatacenters, Topology } from '../../../src/providers/vmware/topology.js';
import { mapVm, unescapeName, type VmContext } from '../../../src/providers/vmware/vm-record.js';
import { parseXml } from '../../../src/providers/vmware/xml.js';

const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** A property value as RetrievePropertiesEx returns it. */
function val(type: string, inner: string, attrs = ''): ReturnType<typeof parseXml> {
  return parseXml(`<val ${XSI} xsi:type="${type}"${attrs}>${inner}</val>`);
}

const ref = (type: string, value: string) => val('ManagedObjectReference', value, ` type="${type}"`);

function object(type: string, id: string, props: Record<string, ReturnType<typeof parseXml>>): ObjectContent {
  return { obj: { type, value: id }, props: new Map(Object.entries(props)), missing: [] };
}

const tree = new Topology('group-d1', [
  object('Folder', 'group-d1', { name: val('xsd:string', 'Datacenters') }),
  object('Folder', 'group-f1', { name: val('xsd:string', 'Prod'), parent: ref('Folder', 'group-d1') }),
  object('Datacenter', 'datacenter-2', { name: val('xsd:string', 'DC1'), parent: ref('Folder', 'group-f1') }),
  object('Folder', 'group-v3', { name: val('xsd:string', 'vm'), parent: ref('Datacenter', 'datacenter-2') }),
  object('Folder', 'group-v9', { name: val('xsd:string', 'web%2fdmz'), parent: ref('Folder', 'group-v3') }),
  object('Folder', 'group-n4', { name: val('xsd:string', 'network'), parent: ref('Datacenter', 'datacenter-2') }),
  object('Datacenter', 'datacenter-7', { name: val('xsd:string', 'DC2'), parent: ref('Folder', 'group-d1') }),
  object('ResourcePool', 'resgroup-8', { name: val('xsd:string', 'gold') }),
  object('VirtualApp', 'resgroup-v10', { name: val('xsd:string', 'crm'), parentFolder: ref('Folder', 'group-v3') }),
]);

describe('the inventory tree', () => {
  it('gives folders, vApps and datacenters their inventory paths, names escaped as vSphere sends them', () => {
    expect(tree.pathOf('web-01', 'group-v9')).toBe('/Prod/DC1/vm/web%2fdmz/web-01');
    expect(tree.pathOf('crm-db', 'resgroup-v10')).toBe('/Prod/DC1/vm/crm/crm-db');
    expect(tree.pathOf('lost', 'group-unknown')).toBeNull();
    expect(tree.datacenterOf('resgroup-v10')?.name).toBe('DC1');
    expect(unescapeName('web%2fdmz%25%5c')).toBe('web/dmz%\\');
  });

  it.each([
    [['/...'], ['datacenter-2', 'datacenter-7']],
    [['/Prod/DC1'], ['datacenter-2']],
    [['Prod/*'], ['datacenter-2']],
    [['/Prod/...'], ['datacenter-2']],
    [['DC2'], ['datacenter-7']],
    [['DC*'], ['datacenter-7']],
  ])('selects datacenters %j', (patterns, ids) => {
    expect([...selectDatacenters(tree, patterns, 'vc')].sort()).toEqual(ids);
  });

  it('refuses a datacenter pattern that matches nothing', () => {
    expect(() => selectDatacenters(tree, ['/DC1'], 'vc')).toThrow('datacenters: "/DC1" matches no datacenter on vc (it has /DC2, /Prod/DC1)');
  });
});

describe('guest operating systems', () => {
  const facts = (patch: Partial<GuestFacts>): GuestFacts => ({ guestId: '', configFullName: '', runningGuestId: '', runningFullName: '', family: '', detailed: '', ...patch });

  it.each([
    [
      'Tools detailed data',
      facts({ guestId: 'otherLinux64Guest', detailed: "architecture='X86' bitness='64' distroName='Rocky Linux' distroVersion='9.3' familyName='Linux' prettyName='Rocky Linux 9.3 (Blue Onyx)'" }),
      { os: 'Rocky Linux 9.3 (Blue Onyx)', os_type: 'linux', distribution: 'rocky', distribution_version: '9.3', architecture: 'x86_64' },
    ],
    ['a configured guestId only', facts({ guestId: 'rhel9_64Guest', configFullName: 'Red Hat Enterprise Linux 9 (64-bit)' }), { os: 'Red Hat Enterprise Linux 9 (64-bit)', os_type: 'linux', distribution: 'rhel', distribution_version: '9' }],
    ['the running guest over the configured one', facts({ guestId: 'otherGuest', runningGuestId: 'debian12_64Guest', runningFullName: 'Debian GNU/Linux 12 (64-bit)', family: 'linuxGuest' }), { os_type: 'linux', distribution: 'debian', distribution_version: '12' }],
    ['Windows', facts({ guestId: 'windows2019srv_64Guest', configFullName: 'Microsoft Windows Server 2019 (64-bit)' }), { os_type: 'windows', distribution: '', architecture: 'x86_64' }],
    ['FreeBSD', facts({ guestId: 'freebsd13_64Guest' }), { os_type: 'bsd', distribution: 'freebsd', distribution_version: '13' }],
    ['an unknown Linux', facts({ guestId: 'otherLinux64Guest' }), { os_type: 'linux', distribution: 'other' }],
    ['nothing known', facts({ guestId: 'otherGuest' }), { os: 'otherGuest', os_type: '', distribution: '', architecture: 'x86_64' }],
    ['a 32-bit guest', facts({ detailed: "architecture='X86' bitness='32' familyName='Linux' prettyName='Debian 9'" }), { architecture: 'i686', distribution: 'debian' }],
    ['an Arm guest', facts({ guestId: 'arm-ubuntu64Guest' }), { architecture: 'aarch64', distribution: 'ubuntu' }],
  ])('from %s', (_, input, expected) => {
    expect(guestOs(input)).toMatchObject(expected);
  });
});

const DEVICES = [
  '<VirtualDevice xsi:type="ParaVirtualSCSIController"><key>1000</key><busNumber>0</busNumber><sharedBus>noSharing</sharedBus></VirtualDevice>',
  '<VirtualDevice xsi:type="VirtualLsiLogicSASController"><key>1001</key><busNumber>1</busNumber><sharedBus>physicalSharing</sharedBus></VirtualDevice>',
  '<VirtualDevice xsi:type="VirtualDisk"><key>2000</key><backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds1] web-01/web-01.vmdk</fileName><diskMode>persistent</diskMode><sharing>sharingNone</sharing><changeId>52 d8 3a 4f 7c 11 0e 2b-9a 4d 3f 71 22 c0 6e 18/17</changeId></backing><controllerKey>1000</controllerKey><capacityInKB>1</capacityInKB><capacityInBytes>42949672960</capacityInBytes></VirtualDevice>',
  '<VirtualDevice xsi:type="VirtualDisk"><key>2001</key><backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds1] web-01/scratch.vmdk</fileName><diskMode>independent_persistent</diskMode></backing><controllerKey>1000</controllerKey><capacityInKB>1024</capacityInKB></VirtualDevice>',
  '<VirtualDevice xsi:type="VirtualDisk"><key>2002</key><backing xsi:type="VirtualDiskRawDiskMappingVer1BackingInfo"><fileName>[ds1] web-01/lun.vmdk</fileName><compatibilityMode>physicalMode</compatibilityMode><diskMode>independent_persistent</diskMode></backing><controllerKey>1000</controllerKey><capacityInKB>2048</capacityInKB></VirtualDevice>',
  '<VirtualDevice xsi:type="VirtualDisk"><key>2003</key><backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds1] web-01/quorum.vmdk</fileName><diskMode>persistent</diskMode><sharing>sharingMultiWriter</sharing></backing><controllerKey>1000</controllerKey><capacityInKB>4096</capacityInKB></VirtualDevice>',
  '<VirtualDevice xsi:type="VirtualDisk"><key>2004</key><backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds1] web-01/cluster.vmdk</fileName><diskMode>persistent</diskMode></backing><controllerKey>1001</controllerKey><capacityInKB>4096</capacityInKB></VirtualDevice>',
  '<VirtualDevice xsi:type="VirtualVmxnet3"><key>4000</key><backing xsi:type="VirtualEthernetCardNetworkBackingInfo"><deviceName>VM Network</deviceName><network type="Network">network-11</network></backing><addressType>assigned</addressType><macAddress>00:50:56:AA:BB:01</macAddress></VirtualDevice>',
  '<VirtualDevice xsi:type="VirtualVmxnet3"><key>4001</key><backing xsi:type="VirtualEthernetCardOpaqueNetworkBackingInfo"><opaqueNetworkId>ls-9</opaqueNetworkId><opaqueNetworkType>nsx.LogicalSwitch</opaqueNetworkType></backing><macAddress>00:50:56:aa:bb:02</macAddress></VirtualDevice>',
  '<VirtualDevice xsi:type="VirtualE1000e"><key>4002</key><backing xsi:type="VirtualEthernetCardDistributedVirtualPortBackingInfo"><port><switchUuid>50 2a</switchUuid><portgroupKey>dvportgroup-99</portgroupKey></port></backing><macAddress>00:50:56:aa:bb:03</macAddress></VirtualDevice>',
  '<VirtualDevice xsi:type="VirtualTPM"><key>11000</key></VirtualDevice>',
].join('');

const GUEST_NET = [
  '<GuestNicInfo><network>VM Network</network><ipAddress>fe80::1</ipAddress><ipAddress>10.0.0.5</ipAddress><macAddress>00:50:56:aa:bb:01</macAddress><connected>true</connected><deviceConfigId>4000</deviceConfigId>',
  '<ipConfig><ipAddress><ipAddress>fe80::250:56ff:feaa:bb01</ipAddress><prefixLength>64</prefixLength></ipAddress><ipAddress><ipAddress>10.0.0.5</ipAddress><prefixLength>24</prefixLength></ipAddress><ipAddress><ipAddress>2001:db8::5</ipAddress><prefixLength>64</prefixLength></ipAddress></ipConfig></GuestNicInfo>',
  '<GuestNicInfo><ipAddress>192.168.7.9</ipAddress><macAddress>00:50:56:AA:BB:02</macAddress><connected>true</connected></GuestNicInfo>',
].join('');

const context = (): VmContext => ({
  source: 'vc',
  topology: tree,
  networks: new Map([
    ['network-11', { record: { uuid: 'n-11', source_specific_id: 'network-11', source: 'vc', type: 'standard', location: '/Prod/DC1/network/VM Network', properties: {} }, datacenter: 'datacenter-2' }],
    ['ls-9', { record: { uuid: 'n-ls9', source_specific_id: 'ls-9', source: 'vc', type: 'nsx', location: '/Prod/DC1/network/seg-web', properties: {} }, datacenter: 'datacenter-2' }],
  ]),
  tags: new Map([['vm-42', { 'tag.env': 'prod' }]]),
  customFields: new Map([['101', 'owner']]),
  readAt: '2026-11-21T10:00:00.000Z',
});

function webVm(patch: Record<string, ReturnType<typeof parseXml>> = {}): ObjectContent {
  return object('VirtualMachine', 'vm-42', {
    name: val('xsd:string', 'web%2f01'),
    parent: ref('Folder', 'group-v9'),
    resourcePool: ref('ResourcePool', 'resgroup-8'),
    'runtime.powerState': val('VirtualMachinePowerState', 'poweredOn'),
    'config.instanceUuid': val('xsd:string', '5037A1B2-0000-4000-8000-00000000002A'),
    'config.guestId': val('xsd:string', 'ubuntu64Guest'),
    'config.guestFullName': val('xsd:string', 'Ubuntu Linux (64-bit)'),
    'config.hardware.numCPU': val('xsd:int', '8'),
    'config.hardware.memoryMB': val('xsd:int', '16384'),
    'config.hardware.device': val('ArrayOfVirtualDevice', DEVICES),
    'config.firmware': val('xsd:string', 'efi'),
    'config.bootOptions': val('VirtualMachineBootOptions', '<efiSecureBootEnabled>true</efiSecureBootEnabled>'),
    'config.changeTrackingEnabled': val('xsd:boolean', 'true'),
    customValue: val('ArrayOfCustomFieldValue', '<CustomFieldValue xsi:type="CustomFieldStringValue"><key>101</key><value>team-web</value></CustomFieldValue><CustomFieldValue xsi:type="CustomFieldStringValue"><key>999</key><value>unknown</value></CustomFieldValue>'),
    'guest.net': val('ArrayOfGuestNicInfo', GUEST_NET),
    snapshot: val(
      'VirtualMachineSnapshotInfo',
      '<rootSnapshotList><name>a</name><childSnapshotList><name>a1</name></childSnapshotList><childSnapshotList><name>a2</name></childSnapshotList></rootSnapshotList><rootSnapshotList><name>b</name></rootSnapshotList>',
    ),
    ...patch,
  });
}

describe('a VM as an instance record', () => {
  it('maps identity, placement in the tree, hardware, firmware, config and snapshots', () => {
    const mapped = mapVm(webVm(), context());
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.vm.datacenter).toEqual({ id: 'datacenter-2', path: '/Prod/DC1' });
    expect(mapped.vm.instance).toMatchObject({
      uuid: '5037a1b2-0000-4000-8000-00000000002a',
      source_specific_id: 'vm-42',
      location: '/Prod/DC1/vm/web%2fdmz/web%2f01',
      name: 'web/01',
      cpus: 8,
      memory: 16 * 1024 ** 3,
      secure_boot: true,
      legacy_boot: false,
      tpm: true,
      running: true,
      background_import: true,
      config: { owner: 'team-web', 'tag.env': 'prod', 'vmware.resource_pool': 'gold' },
      snapshots: [{ name: 'a' }, { name: 'a1' }, { name: 'a2' }, { name: 'b' }],
      source: 'vc',
      source_type: 'vmware',
      last_update_from_source: '2026-11-21T10:00:00.000Z',
    });
  });

  it('tells migratable disks from independent, raw and shared ones', () => {
    const mapped = mapVm(webVm(), context());
    if (!mapped.ok) throw new Error(mapped.reason);
    expect(mapped.vm.instance.disks.map(({ name, capacity, shared, supported }) => ({ name, capacity, shared, supported }))).toEqual([
      { name: '[ds1] web-01/web-01.vmdk', capacity: 40 * 1024 ** 3, shared: false, supported: true },
      { name: '[ds1] web-01/scratch.vmdk', capacity: 1024 * 1024, shared: false, supported: false },
      { name: '[ds1] web-01/lun.vmdk', capacity: 2048 * 1024, shared: false, supported: false },
      { name: '[ds1] web-01/quorum.vmdk', capacity: 4096 * 1024, shared: true, supported: false },
      { name: '[ds1] web-01/cluster.vmdk', capacity: 4096 * 1024, shared: true, supported: false },
    ]);
  });

  it('says which disks are tracked (a change id on the backing) and keeps each disk key for a mover', () => {
    const mapped = mapVm(webVm(), context());
    if (!mapped.ok) throw new Error(mapped.reason);
    expect(mapped.vm.instance.disks.map((d) => d.background_import_verified)).toEqual([true, false, false, false, false]);
    expect(mapped.vm.diskKeys).toEqual([2000, 2001, 2002, 2003, 2004]);
  });

  it("maps NICs to their network records, with Tools' addresses matched by device or MAC", () => {
    const mapped = mapVm(webVm(), context());
    if (!mapped.ok) throw new Error(mapped.reason);
    expect(mapped.vm.instance.nics).toEqual([
      { uuid: 'n-11', source_specific_id: 'network-11', hardware_address: '00:50:56:aa:bb:01', location: '/Prod/DC1/network/VM Network', ipv4_address: '10.0.0.5', ipv6_address: '2001:db8::5' },
      { uuid: 'n-ls9', source_specific_id: 'ls-9', hardware_address: '00:50:56:aa:bb:02', location: '/Prod/DC1/network/seg-web', ipv4_address: '192.168.7.9', ipv6_address: '' },
      { uuid: '', source_specific_id: 'dvportgroup-99', hardware_address: '00:50:56:aa:bb:03', location: '', ipv4_address: '', ipv6_address: '' },
    ]);
  });

  it('leaves out templates and VMs without a configuration, and places a vApp member under its vApp', () => {
    expect(mapVm(webVm({ 'config.template': val('xsd:boolean', 'true') }), context())).toMatchObject({ ok: false, skip: 'template' });
    const stub = object('VirtualMachine', 'vm-43', { name: val('xsd:string', 'ghost'), parent: ref('Folder', 'group-v3') });
    expect(mapVm(stub, context())).toMatchObject({ ok: false, skip: 'incomplete', reason: 'VM ghost (vm-43) has no instance UUID (its configuration is not available)' });
    const member = mapVm(webVm({ parent: undefined as never, parentVApp: ref('VirtualApp', 'resgroup-v10') }), context());
    expect(member.ok && member.vm.instance.location).toBe('/Prod/DC1/vm/crm/web%2f01');
  });

  it('defaults what is unset: BIOS firmware, powered off, no guest data', () => {
    const bare = object('VirtualMachine', 'vm-44', { name: val('xsd:string', 'bare'), parent: ref('Folder', 'group-v3'), 'config.instanceUuid': val('xsd:string', '5037a1b2-0000-4000-8000-00000000002c') });
    const mapped = mapVm(bare, context());
    expect(mapped.ok && mapped.vm.instance).toMatchObject({ legacy_boot: true, secure_boot: false, tpm: false, running: false, cpus: 0, memory: 0, nics: [], disks: [], config: {}, os: '', architecture: 'x86_64' });
  });
});

describe('networks', () => {
  const objects = [
    object('Network', 'network-11', { name: val('xsd:string', 'VM Network'), parent: ref('Folder', 'group-n4') }),
    object('DistributedVirtualPortgroup', 'dvportgroup-20', {
      name: val('xsd:string', 'trunk'),
      parent: ref('Folder', 'group-n4'),
      key: val('xsd:string', 'dvportgroup-20'),
      config: val(
        'DVPortgroupConfigInfo',
        '<key>dvportgroup-20</key><defaultPortConfig xsi:type="VMwareDVSPortSetting"><vlan xsi:type="VmwareDistributedVirtualSwitchTrunkVlanSpec"><vlanId><start>100</start><end>199</end></vlanId><vlanId><start>300</start><end>300</end></vlanId></vlan></defaultPortConfig>',
      ),
    }),
    object('DistributedVirtualPortgroup', 'dvportgroup-21', {
      name: val('xsd:string', 'web'),
      parent: ref('Folder', 'group-n4'),
      key: val('xsd:string', 'dvportgroup-21'),
      config: val('DVPortgroupConfigInfo', '<defaultPortConfig xsi:type="VMwareDVSPortSetting"><vlan xsi:type="VmwareDistributedVirtualSwitchVlanIdSpec"><vlanId>42</vlanId></vlan></defaultPortConfig>'),
    }),
    object('DistributedVirtualPortgroup', 'dvportgroup-22', {
      name: val('xsd:string', 'seg-app'),
      parent: ref('Folder', 'group-n4'),
      key: val('xsd:string', 'dvportgroup-22'),
      config: val('DVPortgroupConfigInfo', '<backingType>nsx</backingType><segmentId>/infra/segments/app</segmentId><transportZoneUuid>tz-1</transportZoneUuid>'),
    }),
    object('DistributedVirtualPortgroup', 'dvportgroup-23', { name: val('xsd:string', 'dvs-uplinks'), parent: ref('Folder', 'group-n4'), key: val('xsd:string', 'dvportgroup-23'), config: val('DVPortgroupConfigInfo', '') }),
    object('DistributedVirtualPortgroup', 'dvportgroup-24', { name: val('xsd:string', 'uplinks-2'), parent: ref('Folder', 'group-n4'), key: val('xsd:string', 'dvportgroup-24'), config: val('DVPortgroupConfigInfo', '<uplink>true</uplink>') }),
    object('VmwareDistributedVirtualSwitch', 'dvs-5', { 'config.uplinkPortgroup': val('ArrayOfManagedObjectReference', '<ManagedObjectReference type="DistributedVirtualPortgroup">dvportgroup-23</ManagedObjectReference>') }),
    object('OpaqueNetwork', 'network-o1', { name: val('xsd:string', 'seg-web'), parent: ref('Folder', 'group-n4'), summary: val('OpaqueNetworkSummary', '<opaqueNetworkId>ls-9</opaqueNetworkId>') }),
    object('HostSystem', 'host-1', { 'config.network.portgroup': val('ArrayOfHostPortGroup', '<HostPortGroup><spec><name>VM Network</name><vlanId>7</vlanId></spec></HostPortGroup>') }),
    object('HostSystem', 'host-2', { 'config.network.portgroup': val('ArrayOfHostPortGroup', '<HostPortGroup><spec><name>VM Network</name><vlanId>7</vlanId></spec></HostPortGroup>') }),
  ];

  it('maps standard, distributed (with VLANs), NSX-backed and opaque networks by the id NICs use, leaving uplinks out', () => {
    const networks = mapNetworks(objects, tree, 'vc', 'vc-uuid');
    expect([...networks.keys()].sort()).toEqual(['dvportgroup-20', 'dvportgroup-21', 'dvportgroup-22', 'ls-9', 'network-11']);
    expect(networks.get('network-11')!.record).toEqual({ uuid: networkUuid('vc-uuid', 'network-11'), source_specific_id: 'network-11', source: 'vc', type: 'standard', location: '/Prod/DC1/network/VM Network', properties: { vlan_id: 7 } });
    expect(networks.get('dvportgroup-20')!.record).toMatchObject({ type: 'distributed', properties: { vlan_ranges: ['100-199', '300-300'] } });
    expect(networks.get('dvportgroup-21')!.record).toMatchObject({ type: 'distributed', properties: { vlan_id: 42 } });
    expect(networks.get('dvportgroup-22')!.record).toMatchObject({ type: 'nsx-distributed', properties: { segment_id: '/infra/segments/app', transport_zone_uuid: 'tz-1' } });
    expect(networks.get('ls-9')!.record).toMatchObject({ type: 'nsx', location: '/Prod/DC1/network/seg-web' });
    expect(networks.get('ls-9')!.datacenter).toBe('datacenter-2');
  });

  it('gives a network the same UUID on every sync, different per vCenter', () => {
    expect(networkUuid('a', 'network-11')).toBe(networkUuid('a', 'network-11'));
    expect(networkUuid('a', 'network-11')).not.toBe(networkUuid('b', 'network-11'));
    expect(networkUuid('a', 'network-11')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives a standard port group no VLAN when its hosts disagree', () => {
    const disagreeing = [...objects.slice(0, 1), object('HostSystem', 'h1', { 'config.network.portgroup': val('A', '<HostPortGroup><spec><name>VM Network</name><vlanId>7</vlanId></spec></HostPortGroup>') }), object('HostSystem', 'h2', { 'config.network.portgroup': val('A', '<HostPortGroup><spec><name>VM Network</name><vlanId>8</vlanId></spec></HostPortGroup>') })];
    expect(mapNetworks(disagreeing, tree, 'vc', 'x').get('network-11')!.record.properties).toEqual({});
  });
});
