// The instance definition createInstance sends (`POST /1.0/instances`): a stopped, empty virtual
// machine (or a container) shaped like the source VM, carrying Ferry's markers, the source's
// identity, where each disk goes and which NICs it had. Pure: the same action gives the same body.

import type { CreateInstanceAction } from '../../engine/actions.js';
import { ProviderError } from '../ports.js';
import {
  ATTEMPT_KEY,
  BATCH_KEY,
  ENTRY_KEY,
  LOCATION_KEY,
  OPS_KEY,
  SOURCE_ID_KEY,
  SOURCE_KEY,
  SOURCE_UUID_KEY,
  diskKey,
  nicKey,
} from './markers.js';
import { nicDevice, type Device } from './nics.js';

export type InstanceType = 'virtual-machine' | 'container';

/** An Incus instance as Ferry reads it (`GET /1.0/instances/{name}`). */
export interface IncusInstance {
  name: string;
  project?: string;
  type: string;
  status: string;
  description: string;
  architecture: string;
  config: Record<string, string>;
  devices: Record<string, Device>;
  expanded_devices?: Record<string, Device>;
  profiles: string[];
  ephemeral: boolean;
  stateful: boolean;
  location?: string;
}

/** The writable part of an instance (`PUT /1.0/instances/{name}`). */
export function instancePut(instance: IncusInstance): Record<string, unknown> {
  return {
    architecture: instance.architecture,
    config: instance.config,
    devices: instance.devices,
    ephemeral: instance.ephemeral,
    profiles: instance.profiles,
    stateful: instance.stateful,
    description: instance.description,
  };
}

export interface DefinitionOptions {
  type: InstanceType;
  /** Containers: the image alias they are created from; null: an empty container. */
  image: string | null;
  /** The server's API extensions. */
  extensions: ReadonlySet<string>;
}

/** Architecture names Incus knows; another name (or none) leaves the choice to the server. */
const ARCHITECTURES = new Set(['x86_64', 'i686', 'aarch64', 'armv7l', 'ppc64le', 's390x', 'riscv64']);

export function instanceDefinition(action: CreateInstanceAction, options: DefinitionOptions): Record<string, unknown> {
  const vm = action.instance;
  const config: Record<string, string> = {
    [ENTRY_KEY]: action.entry,
    [ATTEMPT_KEY]: action.attempt,
    [BATCH_KEY]: action.batch,
    [SOURCE_KEY]: action.source,
    [SOURCE_UUID_KEY]: vm.uuid,
    [LOCATION_KEY]: vm.location,
    [OPS_KEY]: action.op,
  };
  if (vm.source_specific_id !== '') config[SOURCE_ID_KEY] = vm.source_specific_id;
  if (vm.cpus > 0) config['limits.cpu'] = String(vm.cpus);
  if (vm.memory > 0) config['limits.memory'] = `${vm.memory}B`;
  if (options.type === 'virtual-machine') Object.assign(config, firmware(action, options.extensions));

  vm.disks.forEach((disk, index) => {
    const pool = action.placement.storage_pools[disk.name];
    if (pool === undefined) return;
    config[diskKey(index, 'name')] = disk.name;
    config[diskKey(index, 'pool')] = pool;
    config[diskKey(index, 'size')] = String(disk.capacity);
  });
  vm.nics.forEach((nic, index) => {
    config[nicKey(index, 'hwaddr')] = nic.hardware_address;
    if (nic.ipv4_address !== '') config[nicKey(index, 'ipv4')] = nic.ipv4_address;
  });

  const devices: Record<string, Device> = {};
  const rootPool = rootDiskPool(action);
  if (rootPool !== null) devices.root = { type: 'disk', path: '/', pool: rootPool };
  if (options.type === 'virtual-machine' && vm.tpm) devices.tpm = { type: 'tpm' };
  // While importing, the migration network replaces the default profile's eth0 (if it has one).
  if (action.migration_network !== null) {
    const { network, nictype, vlan_id } = action.migration_network;
    devices.eth0 = nicDevice({ network, nictype: nictype as 'managed' | 'bridged' | 'physical', vlan_id }, { name: 'eth0' });
  }

  const body: Record<string, unknown> = {
    name: action.name,
    type: options.type,
    description: vm.description !== '' ? vm.description : `Migrated by Ferry from ${action.source}: ${vm.location}`,
    source: options.type === 'container' && options.image !== null ? { type: 'image', alias: options.image } : { type: 'none' },
    config,
    devices,
  };
  if (ARCHITECTURES.has(vm.architecture)) body.architecture = vm.architecture;
  return body;
}

/** The pool of the boot disk (the first disk), or of the first placed disk; null: the profile's root. */
function rootDiskPool(action: CreateInstanceAction): string | null {
  const disks = action.instance.disks;
  for (const disk of disks) {
    const pool = action.placement.storage_pools[disk.name];
    if (pool !== undefined) return pool;
  }
  return null;
}

/** UEFI with or without secure boot, or legacy BIOS (`security.csm`, which needs the API extension security_csm). */
function firmware(action: CreateInstanceAction, extensions: ReadonlySet<string>): Record<string, string> {
  const vm = action.instance;
  if (vm.legacy_boot) {
    if (!extensions.has('security_csm')) {
      throw new ProviderError(
        'not-supported',
        `VM ${vm.name} boots with legacy BIOS, which needs the API extension security_csm (security.csm); target ${action.target} does not have it (LXD 5.0 and older Incus)`,
      );
    }
    return { 'security.csm': 'true', 'security.secureboot': 'false' };
  }
  return { 'security.secureboot': vm.secure_boot ? 'true' : 'false' };
}
