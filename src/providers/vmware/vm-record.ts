// A vCenter VM as Ferry's instance record (migration-manager's instance model). Pure: the
// properties of one RetrievePropertiesEx object plus what the sync read around it (the inventory
// tree, the networks, tags and custom attribute names). Every property may be absent — vcsim
// leaves many unset, real vCenters leave some unset for VMs that never ran Tools.

import { normalizeInstance, type InstanceDisk, type InstanceNic, type InstanceRecord } from '../../model/instance.js';
import type { ObjectContent } from './client.js';
import { guestOs } from './guest-os.js';
import type { SourceNetwork } from './networks.js';
import type { Topology } from './topology.js';
import { bool, field, int, items, moref, str } from './values.js';
import { children, type XmlElement } from './xml.js';

/** What the sync reads of every VM. Only paths every vSphere since 6.5 knows (an unknown path fails the whole request on vCenter). */
export const VM_PATHS = [
  'name',
  'parent',
  'parentVApp',
  'resourcePool',
  'runtime.powerState',
  'config.instanceUuid',
  'config.template',
  'config.guestId',
  'config.guestFullName',
  'config.annotation',
  'config.hardware.numCPU',
  'config.hardware.memoryMB',
  'config.hardware.device',
  'config.firmware',
  'config.bootOptions',
  'config.changeTrackingEnabled',
  'config.extraConfig',
  'customValue',
  'guest.guestFamily',
  'guest.guestFullName',
  'guest.guestId',
  'guest.net',
  'guest.toolsRunningStatus',
  'snapshot',
] as const;

export interface VmContext {
  source: string;
  topology: Topology;
  networks: ReadonlyMap<string, SourceNetwork>;
  /** `tag.<category>` config entries by VM id. */
  tags: ReadonlyMap<string, Record<string, string>>;
  /** Custom attribute names by key. */
  customFields: ReadonlyMap<string, string>;
  /** When the VM was read (last_update_from_source). */
  readAt: string;
}

export interface MappedVm {
  instance: InstanceRecord;
  /** The datacenter's id and inventory path (for datacenter filters and datastore URLs). */
  datacenter: { id: string; path: string } | null;
  toolsRunning: boolean;
  /** Each disk's device key on the VM, in the order of `instance.disks` (a mover names disks by it). */
  diskKeys: number[];
}

export type VmMapping = { ok: true; vm: MappedVm } | { ok: false; skip: 'template' | 'incomplete'; reason: string };

/** vSphere escapes `%`, `/` and `\` in names; the instance name is the plain one. */
export function unescapeName(name: string): string {
  return name.replace(/%(25|2f|5c)/gi, (_, code: string) => String.fromCharCode(parseInt(code, 16)));
}

const RAW_BACKINGS = new Set(['VirtualDiskRawDiskMappingVer1BackingInfo', 'VirtualDiskRawDiskVer2BackingInfo', 'VirtualDiskPartitionedRawDiskVer2BackingInfo']);

/** The VM's virtual disks in device order, each with its device key. */
function disks(devices: XmlElement[]): { disk: InstanceDisk; key: number }[] {
  const sharedBus = new Map<string, string>();
  for (const device of devices) {
    const bus = str(field(device, 'sharedBus'));
    const key = str(field(device, 'key'));
    if (bus !== undefined && key !== undefined) sharedBus.set(key, bus);
  }
  const out: { disk: InstanceDisk; key: number }[] = [];
  for (const device of devices) {
    if (device.type !== 'VirtualDisk') continue;
    const backing = field(device, 'backing');
    const name = str(field(backing, 'fileName')) || str(field(backing, 'deviceName')) || `disk-${str(field(device, 'key')) ?? out.length}`;
    const bytes = int(field(device, 'capacityInBytes'));
    const capacity = bytes !== undefined && bytes > 0 ? bytes : (int(field(device, 'capacityInKB')) ?? 0) * 1024;
    const sharing = str(field(backing, 'sharing')) ?? 'sharingNone';
    const bus = sharedBus.get(str(field(device, 'controllerKey')) ?? '') ?? 'noSharing';
    const mode = str(field(backing, 'diskMode')) ?? 'persistent';
    const shared = sharing === 'sharingMultiWriter' || bus !== 'noSharing';
    const supported = !shared && !mode.startsWith('independent') && !RAW_BACKINGS.has(backing?.type ?? '') && str(field(backing, 'fileName')) !== undefined;
    // A disk whose backing has a change id is tracked: a warm copy of it can be topped up by a delta.
    const tracked = (str(field(backing, 'changeId')) ?? '') !== '';
    out.push({ disk: { name, capacity, shared, supported, background_import_verified: tracked }, key: int(field(device, 'key')) ?? -1 });
  }
  return out;
}

/** The first IPv4 and the first global IPv6 address Tools reports for a NIC. */
function addresses(guestNic: XmlElement | undefined): { ipv4: string; ipv6: string } {
  const all: string[] = [];
  for (const entry of items(field(guestNic, 'ipConfig'))) {
    if (entry.name === 'ipAddress') all.push(str(field(entry, 'ipAddress')) ?? '');
  }
  for (const entry of guestNic?.children ?? []) if (entry.name === 'ipAddress') all.push(entry.text);
  const ipv4 = all.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a)) ?? '';
  const ipv6 = all.find((a) => a.includes(':') && !/^fe80:/i.test(a)) ?? '';
  return { ipv4, ipv6 };
}

function nics(devices: XmlElement[], guestNet: XmlElement[], networks: ReadonlyMap<string, SourceNetwork>): InstanceNic[] {
  const out: InstanceNic[] = [];
  for (const device of devices) {
    const mac = str(field(device, 'macAddress'));
    const backing = field(device, 'backing');
    if (mac === undefined && !(backing?.type ?? '').startsWith('VirtualEthernetCard')) continue;
    const id =
      moref(field(backing, 'network'))?.value ?? str(field(backing, 'port.portgroupKey')) ?? str(field(backing, 'opaqueNetworkId')) ?? '';
    const network = networks.get(id);
    const key = str(field(device, 'key'));
    const hardwareAddress = (mac ?? '').toLowerCase();
    const guest =
      guestNet.find((n) => key !== undefined && str(field(n, 'deviceConfigId')) === key) ??
      guestNet.find((n) => hardwareAddress !== '' && (str(field(n, 'macAddress')) ?? '').toLowerCase() === hardwareAddress);
    const { ipv4, ipv6 } = addresses(guest);
    out.push({
      uuid: network?.record.uuid ?? '',
      source_specific_id: id,
      hardware_address: hardwareAddress,
      location: network?.record.location ?? '',
      ipv4_address: ipv4,
      ipv6_address: ipv6,
    });
  }
  return out;
}

function snapshotNames(list: XmlElement[], out: { name: string }[] = []): { name: string }[] {
  for (const snapshot of list) {
    out.push({ name: str(field(snapshot, 'name')) ?? '' });
    snapshotNames(children(snapshot, 'childSnapshotList'), out);
  }
  return out;
}

function extraConfig(value: XmlElement | undefined, key: string): string {
  const wanted = key.toLowerCase();
  for (const option of items(value)) {
    if ((str(field(option, 'key')) ?? '').toLowerCase() === wanted) return str(field(option, 'value')) ?? '';
  }
  return '';
}

export function mapVm(object: ObjectContent, ctx: VmContext): VmMapping {
  const props = object.props;
  const id = object.obj.value;
  const rawName = str(props.get('name')) ?? id;
  if (bool(props.get('config.template')) === true) return { ok: false, skip: 'template', reason: `${rawName} (${id}) is a template` };
  const uuid = (str(props.get('config.instanceUuid')) ?? '').toLowerCase();
  if (uuid === '') return { ok: false, skip: 'incomplete', reason: `VM ${rawName} (${id}) has no instance UUID (its configuration is not available)` };

  const parent = moref(props.get('parentVApp')) ?? moref(props.get('parent'));
  const location = ctx.topology.pathOf(rawName, parent?.value ?? null);
  if (location === null) return { ok: false, skip: 'incomplete', reason: `VM ${rawName} (${id}) is not in a folder of the inventory tree` };
  const dc = ctx.topology.datacenterOf(parent?.value ?? null);

  const devices = items(props.get('config.hardware.device'));
  const virtualDisks = disks(devices);
  const guestNet = items(props.get('guest.net'));
  const firmware = str(props.get('config.firmware')) ?? 'bios';
  const os = guestOs({
    guestId: str(props.get('config.guestId')) ?? '',
    configFullName: str(props.get('config.guestFullName')) ?? '',
    runningGuestId: str(props.get('guest.guestId')) ?? '',
    runningFullName: str(props.get('guest.guestFullName')) ?? '',
    family: str(props.get('guest.guestFamily')) ?? '',
    detailed: extraConfig(props.get('config.extraConfig'), 'guestInfo.detailed.data'),
  });

  const config: Record<string, string> = {};
  for (const value of items(props.get('customValue'))) {
    const name = ctx.customFields.get(str(field(value, 'key')) ?? '');
    const text = str(field(value, 'value')) ?? '';
    if (name !== undefined && text !== '') config[name] = text;
  }
  Object.assign(config, ctx.tags.get(id) ?? {});
  const pool = moref(props.get('resourcePool'));
  if (pool) config['vmware.resource_pool'] = ctx.topology.name(pool.value) ?? pool.value;

  const instance = normalizeInstance({
    uuid,
    source_specific_id: id,
    location,
    name: unescapeName(rawName),
    description: str(props.get('config.annotation')) ?? '',
    os: os.os,
    os_description: os.os_description,
    architecture: os.architecture,
    cpus: int(props.get('config.hardware.numCPU')) ?? 0,
    memory: (int(props.get('config.hardware.memoryMB')) ?? 0) * 1024 * 1024,
    config,
    secure_boot: firmware === 'efi' && bool(field(props.get('config.bootOptions'), 'efiSecureBootEnabled')) === true,
    legacy_boot: firmware === 'bios',
    tpm: devices.some((d) => d.type === 'VirtualTPM'),
    running: str(props.get('runtime.powerState')) === 'poweredOn',
    background_import: bool(props.get('config.changeTrackingEnabled')) === true,
    nics: nics(devices, guestNet, ctx.networks),
    disks: virtualDisks.map((d) => d.disk),
    snapshots: snapshotNames(children(props.get('snapshot'), 'rootSnapshotList')),
    source: ctx.source,
    source_type: 'vmware',
    os_type: os.os_type,
    distribution: os.distribution,
    distribution_version: os.distribution_version,
    last_update_from_source: ctx.readAt,
  });
  return {
    ok: true,
    vm: {
      instance,
      datacenter: dc ? { id: dc.id, path: ctx.topology.pathOf(dc.name, dc.parent) ?? `/${dc.name}` } : null,
      toolsRunning: str(props.get('guest.toolsRunningStatus')) === 'guestToolsRunning',
      diskKeys: virtualDisks.map((d) => d.key),
    },
  };
}
