// vCenter networks as Ferry's network records (migration-manager's network model): standard port
// groups (`Network`), distributed port groups (`DistributedVirtualPortgroup`, NSX-backed ones as
// `nsx-distributed`) and NSX opaque networks. A NIC names its network by an id that depends on
// the backing (a network's moref, a port group key, an opaque network id); records are keyed by it.

import { createHash } from 'node:crypto';
import type { NetworkRecord } from '../../engine/status.js';
import type { ObjectContent } from './client.js';
import type { Topology } from './topology.js';
import { bool, field, int, items, moref, str } from './values.js';
import type { XmlElement } from './xml.js';

/** One ContainerView over networks, switches (for their uplink port groups) and hosts (standard port group VLANs). */
export const NETWORK_TYPES = ['Network', 'DistributedVirtualSwitch', 'HostSystem'] as const;
export const NETWORK_PROPERTIES = [
  { type: 'Network', paths: ['name', 'parent'] },
  { type: 'DistributedVirtualPortgroup', paths: ['key', 'config'] },
  { type: 'OpaqueNetwork', paths: ['summary'] },
  { type: 'DistributedVirtualSwitch', paths: ['config.uplinkPortgroup'] },
  { type: 'HostSystem', paths: ['config.network.portgroup'] },
] as const;

export interface SourceNetwork {
  record: NetworkRecord;
  /** The datacenter it belongs to (its id), for datacenter filters. */
  datacenter: string | null;
}

/** A stable UUID for a network of one vCenter (a name-based, version-5 style UUID). */
export function networkUuid(vcenter: string, id: string): string {
  const hash = createHash('sha1').update(`ferry/vmware/network\0${vcenter}\0${id}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A distributed port group's VLAN settings, as migration-manager's `vlan_id` / `vlan_ranges`. */
function vlanProperties(vlan: XmlElement | undefined): Record<string, unknown> {
  if (!vlan) return {};
  if (vlan.type === 'VmwareDistributedVirtualSwitchVlanIdSpec') {
    const id = int(field(vlan, 'vlanId'));
    return id === undefined ? {} : { vlan_id: id };
  }
  if (vlan.type === 'VmwareDistributedVirtualSwitchTrunkVlanSpec') {
    const ranges = vlan.children.filter((c) => c.name === 'vlanId').map((range) => `${int(field(range, 'start')) ?? 0}-${int(field(range, 'end')) ?? 0}`);
    return { vlan_ranges: ranges };
  }
  if (vlan.type === 'VmwareDistributedVirtualSwitchPvlanSpec') {
    const id = int(field(vlan, 'pvlanId'));
    return id === undefined ? {} : { pvlan_id: id };
  }
  return {};
}

/** VLAN ids of standard port groups by name, when every host agrees on one. */
function hostPortgroupVlans(objects: readonly ObjectContent[]): Map<string, number> {
  const seen = new Map<string, number | null>();
  for (const object of objects) {
    if (object.obj.type !== 'HostSystem') continue;
    for (const portgroup of items(object.props.get('config.network.portgroup'))) {
      const name = str(field(portgroup, 'spec.name'));
      const vlan = int(field(portgroup, 'spec.vlanId'));
      if (name === undefined || vlan === undefined) continue;
      const before = seen.get(name);
      seen.set(name, before === undefined || before === vlan ? vlan : null);
    }
  }
  const out = new Map<string, number>();
  for (const [name, vlan] of seen) if (vlan !== null) out.set(name, vlan);
  return out;
}

/** The network records of a NETWORK_PROPERTIES read, by the id NICs use. Uplink port groups are left out. */
export function mapNetworks(objects: readonly ObjectContent[], topology: Topology, source: string, vcenter: string): Map<string, SourceNetwork> {
  const uplinks = new Set<string>();
  for (const object of objects) {
    if (!object.props.has('config.uplinkPortgroup')) continue;
    for (const ref of items(object.props.get('config.uplinkPortgroup'))) uplinks.add(ref.text);
  }
  const vlans = hostPortgroupVlans(objects);
  const out = new Map<string, SourceNetwork>();
  for (const object of objects) {
    const props = object.props;
    if (!props.has('name')) continue;
    const name = str(props.get('name'))!;
    const parent = moref(props.get('parent'))?.value ?? null;
    const location = topology.pathOf(name, parent) ?? `/${name}`;
    const datacenter = topology.datacenterOf(parent)?.id ?? null;
    let id = object.obj.value;
    let type: NetworkRecord['type'] = 'standard';
    let properties: Record<string, unknown> = {};
    const config = props.get('config');
    if (props.has('key') || config !== undefined) {
      if (uplinks.has(object.obj.value) || bool(field(config, 'uplink')) === true) continue;
      id = str(props.get('key')) || id;
      type = 'distributed';
      properties = vlanProperties(field(config, 'defaultPortConfig.vlan'));
      if (str(field(config, 'backingType')) === 'nsx') {
        type = 'nsx-distributed';
        properties.segment_id = str(field(config, 'segmentId')) ?? '';
        properties.transport_zone_uuid = str(field(config, 'transportZoneUuid')) ?? '';
      }
    } else if (props.has('summary') && object.obj.type === 'OpaqueNetwork') {
      id = str(field(props.get('summary'), 'opaqueNetworkId')) || id;
      type = 'nsx';
    } else {
      const vlan = vlans.get(name);
      if (vlan !== undefined) properties = { vlan_id: vlan };
    }
    out.set(id, { record: { uuid: networkUuid(vcenter, id), source_specific_id: id, source, type, location, properties }, datacenter });
  }
  return out;
}
