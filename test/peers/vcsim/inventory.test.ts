// The inventory of a generated vcsim topology (2 datacenters, one inside a folder, clusters,
// standalone hosts, vApps, standard, distributed, NSX-backed and opaque networks: 400 VMs), shaped
// first by an administrator (tags, custom attributes, guest data, snapshots, a template, a copied
// UUID), read through the vmware source.

import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../../src/model/instance.js';
import { openVmwareSource, type VmwareSource } from '../../../src/providers/vmware/index.js';
import { str, type MoRef } from '../../../src/providers/vmware/values.js';
import {
  addCustomField,
  admin,
  createSnapshot,
  extraConfig,
  markAsTemplate,
  powerOff,
  reconfigure,
  setCustomValue,
  tagVms,
  vmProperty,
  vmsByName,
  type Admin,
} from './admin.js';
import { sourceFor, startVcsim, type Vcsim } from './peer-env.js';

const TOPOLOGY = ['-dc', '2', '-folder', '1', '-cluster', '2', '-host', '2', '-standalone-host', '1', '-app', '1', '-vm', '40', '-pg', '2', '-nsx-pg', '1', '-nsx', '1'];
const env = { VC_PASSWORD: 'pass' };

let vcsim: Vcsim;
let a: Admin;
let vms: Map<string, MoRef>;
const logged: { level: number; msg: string }[] = [];
const log = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  }),
);
let provider: VmwareSource;
let instances: InstanceRecord[];
let networks: Awaited<ReturnType<VmwareSource['inventory']>>['networks'];

const without = (instance: InstanceRecord) => ({ ...instance, last_update_from_source: '' });

beforeAll(async () => {
  vcsim = await startVcsim(TOPOLOGY);
  a = await admin(vcsim);
  vms = await vmsByName(a);
  const web = vms.get('DC0_C0_RP0_VM0')!;
  await reconfigure(
    a,
    web,
    '<changeTrackingEnabled>true</changeTrackingEnabled><guestId>ubuntu64Guest</guestId><numCPUs>4</numCPUs><memoryMB>8192</memoryMB><annotation>web frontend</annotation><firmware>efi</firmware>' +
      '<bootOptions><efiSecureBootEnabled>true</efiSecureBootEnabled></bootOptions>' +
      extraConfig('guestInfo.detailed.data', "architecture='X86' bitness='64' distroName='Ubuntu' distroVersion='22.04' familyName='Linux' prettyName='Ubuntu 22.04.3 LTS'") +
      extraConfig('SET.guest.ipAddress', '10.1.2.3'),
  );
  await tagVms(a, [
    { vm: web, category: 'env', tag: 'prod' },
    { vm: web, category: 'env', tag: 'blue' },
    { vm: web, category: 'tier', tag: 'gold' },
  ]);
  await setCustomValue(a, web, await addCustomField(a, 'owner'), 'team-a');
  const snapped = vms.get('DC0_C0_RP0_VM1')!;
  await createSnapshot(a, snapped, 'before-upgrade');
  await createSnapshot(a, snapped, 'after-upgrade');
  const template = vms.get('DC0_H0_VM0')!;
  await powerOff(a, template);
  await markAsTemplate(a, template);
  const original = await vmProperty(a, vms.get('DC0_H0_VM2')!, 'config.instanceUuid');
  await reconfigure(a, vms.get('DC0_H0_VM1')!, `<instanceUuid>${original}</instanceUuid>`);
  await reconfigure(a, vms.get('DC0_H0_VM3')!, '<guestId>windows9Server64Guest</guestId>');

  provider = await openVmwareSource(sourceFor(vcsim), { log, env });
  ({ instances, networks } = await provider.inventory());
});

afterAll(async () => {
  await provider?.close();
  await a?.close();
  await vcsim?.stop();
});

function instance(name: string): InstanceRecord {
  const found = instances.find((i) => i.name === name);
  if (!found) throw new Error(`${name} is not in the inventory`);
  return found;
}

describe('a generated topology of 400 VMs', () => {
  it('lists every VM but the template and the two that share a UUID, each once', () => {
    expect(vms.size).toBe(400);
    const excluded = new Set(['DC0_H0_VM0', 'DC0_H0_VM1', 'DC0_H0_VM2']);
    expect(instances.map((i) => i.source_specific_id).sort()).toEqual([...vms].filter(([name]) => !excluded.has(name)).map(([, ref]) => ref.value).sort());
    expect(new Set(instances.map((i) => i.uuid)).size).toBe(397);
    expect(new Set(instances.map((i) => i.location)).size).toBe(397);
  });

  it('warns about the VMs it left out because they share a UUID', () => {
    const warning = logged.find((l) => l.level === 40 && l.msg.includes('share the instance UUID'));
    expect(warning?.msg).toMatch(/^skipped 2 VMs that share the instance UUID [0-9a-f-]{36}: \/DC0\/vm\/DC0_H0_VM[12], \/DC0\/vm\/DC0_H0_VM[12]$/);
  });

  it('places every VM by its inventory path, in both datacenters', () => {
    expect(instances.filter((i) => i.location.startsWith('/DC0/vm/'))).toHaveLength(197);
    expect(instances.filter((i) => i.location.startsWith('/F0/DC1/vm/F0/'))).toHaveLength(200);
    expect(instance('DC1_C1_APP0_VM39').location).toBe('/F0/DC1/vm/F0/DC1_C1_APP0_VM39');
  });

  it('fills what vcsim leaves empty with the model defaults', () => {
    const plain = instance('DC1_H0_VM7');
    expect(plain).toMatchObject({
      source: 'vc',
      source_type: 'vmware',
      os: 'otherGuest',
      os_description: 'otherGuest',
      architecture: 'x86_64',
      cpus: 1,
      memory: 32 * 1024 * 1024,
      config: { 'vmware.resource_pool': 'Resources' },
      secure_boot: false,
      legacy_boot: true,
      tpm: false,
      running: true,
      background_import: false,
      snapshots: [],
    });
    // vcsim's model gives every VM one 10 GiB thin disk (capacityInBytes and capacityInKB).
    expect(plain.disks).toEqual([{ name: '[LocalDS_0] DC1_H0_VM7/disk1.vmdk', capacity: 10 * 1024 ** 3, shared: false, supported: true, background_import_verified: false }]);
    expect(plain.nics).toHaveLength(1);
    expect(plain.nics[0]!.hardware_address).toMatch(/^00:0c:29(:[0-9a-f]{2}){3}$/);
    expect(plain.nics[0]!.ipv4_address).toBe('');
  });

  it('maps a shaped VM: guest data, hardware, firmware, tags, custom attributes, IPs from guest.net, change tracking', () => {
    const web = instance('DC0_C0_RP0_VM0');
    expect(web).toMatchObject({
      description: 'web frontend',
      os: 'Ubuntu 22.04.3 LTS',
      os_description: 'ubuntu64Guest',
      os_type: 'linux',
      distribution: 'ubuntu',
      distribution_version: '22.04',
      architecture: 'x86_64',
      cpus: 4,
      memory: 8192 * 1024 * 1024,
      secure_boot: true,
      legacy_boot: false,
      background_import: true,
      config: { 'tag.env': 'blue,prod', 'tag.tier': 'gold', owner: 'team-a', 'vmware.resource_pool': 'Resources' },
    });
    expect(web.nics[0]!.ipv4_address).toBe('10.1.2.3');
    expect(instance('DC0_H0_VM3')).toMatchObject({ os_type: 'windows', distribution: '' });
  });

  it('lists snapshots depth first', () => {
    expect(instance('DC0_C0_RP0_VM1').snapshots).toEqual([{ name: 'before-upgrade' }, { name: 'after-upgrade' }]);
  });

  it('reads standard, distributed, NSX-backed distributed and opaque networks, and every NIC names one of them', () => {
    const types = new Map(networks.map((n) => [n.location, n.type]));
    expect(types.get('/DC0/network/VM Network')).toBe('standard');
    expect(types.get('/DC0/network/DC0_DVPG1')).toBe('distributed');
    expect(types.get('/DC0/network/DC0_NSXPG0')).toBe('nsx-distributed');
    expect(types.get('/F0/DC1/network/F0/DC1_NSX0')).toBe('nsx');
    expect(networks.find((n) => n.location === '/DC0/network/DC0_DVPG0')!.properties).toEqual({ vlan_id: 0 });
    const byUuid = new Map(networks.map((n) => [n.uuid, n]));
    for (const vm of instances) {
      for (const nic of vm.nics) {
        const network = byUuid.get(nic.uuid);
        expect(network, `${vm.name} ${nic.hardware_address}`).toBeDefined();
        expect(nic.location).toBe(network!.location);
        expect(nic.source_specific_id).toBe(network!.source_specific_id);
      }
    }
  });

  it('reads the same inventory again, in the same order, with any sync concurrency', async () => {
    const serial = await openVmwareSource(sourceFor(vcsim, { sync_limit: 1 }), { log, env });
    try {
      const again = await serial.inventory();
      expect(again.instances.map(without)).toEqual(instances.map(without));
      expect(again.networks).toEqual(networks);
    } finally {
      await serial.close();
    }
  });

  it('reads one VM fresh as the inventory has it, and null for a UUID nobody has', async () => {
    const web = instance('DC0_C0_RP0_VM0');
    expect(without((await provider.readVm(web.uuid))!)).toEqual(without(web));
    expect(await provider.readVm('4217a7c4-0000-4000-8000-000000000000')).toBeNull();
  });

  it('refuses to read (and so to act on) a VM whose UUID another VM has too', async () => {
    const shared = (await vmProperty(a, vms.get('DC0_H0_VM2')!, 'config.instanceUuid'))!;
    await expect(provider.readVm(shared)).rejects.toMatchObject({ code: 'duplicate-uuid' });
    await provider.powerOff({ kind: 'power_off_source', op: 'dup#1/off', entry: shared, attempt: `${shared}#1`, batch: 'b', source: 'vc', vm: shared });
    expect(await provider.operation('dup#1/off')).toMatchObject({ state: 'failed', message: `several VMs on source vc have the instance UUID ${shared}; Ferry acts on none of them` });
    expect(await vmProperty(a, vms.get('DC0_H0_VM2')!, 'runtime.powerState')).toBe('poweredOn');
  });

  it('says this process does not stream running VMs (movers make the warm copies; each VM says whether it is tracked)', async () => {
    expect(await provider.describe()).toMatchObject({ reachable: true, background_import: false });
  });
});

describe('paged property reads', () => {
  async function readNames(maxObjects: number, stopAfter = Infinity): Promise<{ sizes: number[]; names: string[] }> {
    const content = await a.client.serviceContent();
    return a.client.withView(content.rootFolder, ['VirtualMachine'], async (view) => {
      const sizes: number[] = [];
      const names: string[] = [];
      for await (const page of a.client.retrievePages({ propSet: [{ type: 'VirtualMachine', paths: ['name'] }], objectSet: [{ view }] }, { maxObjects })) {
        sizes.push(page.length);
        names.push(...page.map((o) => str(o.props.get('name'))!));
        if (sizes.length >= stopAfter) break;
      }
      return { sizes, names };
    });
  }

  it('follows the continuation token until the server has sent every VM, each once', async () => {
    const { sizes, names } = await readNames(150);
    expect(sizes).toEqual([150, 150, 100]);
    expect(names.sort()).toEqual([...vms.keys()].sort());
  });

  it('abandons a read after its first page without failing, and the next read is whole', async () => {
    expect((await readNames(150, 1)).sizes).toEqual([150]);
    expect((await readNames(1000)).names).toHaveLength(400);
  });
});

describe('datacenter filters', () => {
  async function inventoryOf(datacenters: string[]) {
    const filtered = await openVmwareSource(sourceFor(vcsim, { datacenters }), { log, env });
    try {
      return { ...(await filtered.inventory()), readVm: (uuid: string) => filtered.readVm(uuid) };
    } finally {
      await filtered.close();
    }
  }

  it('reads only the datacenter named by its path', async () => {
    const dc0 = await inventoryOf(['/DC0']);
    expect(dc0.instances).toHaveLength(197);
    expect(dc0.instances.every((i) => i.location.startsWith('/DC0/'))).toBe(true);
    expect(dc0.networks.every((n) => n.location.startsWith('/DC0/'))).toBe(true);
  });

  it('matches datacenters inside folders with * and /...', async () => {
    expect((await inventoryOf(['F0/*'])).instances).toHaveLength(200);
    expect((await inventoryOf(['/F0/...'])).instances).toHaveLength(200);
    expect((await inventoryOf(['/F0/...', 'DC0'])).instances).toHaveLength(397);
  });

  it('refuses a pattern that matches no datacenter, naming the ones there are', async () => {
    await expect(inventoryOf(['/DC9'])).rejects.toMatchObject({ code: 'unknown-datacenter', message: `datacenters: "/DC9" matches no datacenter on ${vcsim.host}:${vcsim.port} (it has /DC0, /F0/DC1)` });
  });

  it('does not read a VM of a datacenter the source leaves out', async () => {
    const filtered = await openVmwareSource(sourceFor(vcsim, { datacenters: ['/DC0'] }), { log, env });
    try {
      expect(await filtered.readVm(instance('DC1_H0_VM7').uuid)).toBeNull();
      expect(await filtered.readVm(instance('DC0_C1_RP0_VM3').uuid)).not.toBeNull();
    } finally {
      await filtered.close();
    }
  });
});
