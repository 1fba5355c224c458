// NIC devices from a placement, as migration-manager builds them (internal/target/incus.go):
// managed → `network=`; bridged → `nictype: bridged` on the parent bridge; physical → `nictype:
// physical` on the parent interface, or `network=` when the name is a managed physical network.
// One VLAN is `vlan`, several are `vlan.tagged`.

import type { NetworkPlacement } from '../../placement/index.js';
import { ProviderError } from '../ports.js';

export type Device = Record<string, string>;

/** What Ferry knows of a target network when it builds a NIC on it. */
export interface TargetNetwork {
  name: string;
  managed: boolean;
  /** bridge, ovn, physical, macvlan… (managed), or the kind of host interface (unmanaged). */
  type: string;
  /** The managed network's `ipv4.address` (CIDR), if any. */
  ipv4?: string;
}

export interface NicOptions {
  /** The device's and the guest interface's name (`eth0`). */
  name: string;
  hwaddr?: string;
  /** The source NIC's IPv4 address, kept when it lies in the managed network's subnet. */
  ipv4?: string;
  /** The target network by that name, when Ferry read it. */
  network?: TargetNetwork;
}

export function nicDevice(placement: NetworkPlacement, options: NicOptions): Device {
  const device: Device = { type: 'nic', name: options.name };
  const vlans = placement.vlan_id === '' ? [] : placement.vlan_id.split(',');
  const managedPhysical = options.network?.managed === true && options.network.type === 'physical';
  if (placement.nictype === 'managed' || (placement.nictype === 'physical' && managedPhysical)) {
    if (vlans.length > 0 && placement.nictype === 'managed') {
      throw new ProviderError('invalid-placement', `NIC ${options.hwaddr ?? options.name}: a managed NIC (network ${placement.network}) cannot carry a VLAN`);
    }
    device.network = placement.network;
  } else {
    device.nictype = placement.nictype;
    device.parent = placement.network;
    if (vlans.length > 1 && placement.nictype === 'physical') {
      throw new ProviderError('invalid-placement', `NIC ${options.hwaddr ?? options.name}: a physical NIC on ${placement.network} takes one VLAN, not ${placement.vlan_id}; use nictype bridged for tagged VLANs`);
    }
    if (vlans.length === 1) device.vlan = vlans[0]!;
    else if (vlans.length > 1) device['vlan.tagged'] = vlans.join(',');
  }
  if (options.hwaddr !== undefined && options.hwaddr !== '') device.hwaddr = options.hwaddr;
  const network = options.network;
  if (placement.nictype === 'managed' && options.ipv4 && network?.ipv4 && (network.type === 'bridge' || network.type === 'ovn') && inSubnet(options.ipv4, network.ipv4)) {
    device['ipv4.address'] = options.ipv4;
  }
  return device;
}

function ipv4Number(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

/** Whether an address lies in a CIDR (`10.0.0.1/24`), and is neither the network's own address nor its broadcast. */
export function inSubnet(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const ip = ipv4Number(address);
  const net = ipv4Number(base ?? '');
  const prefix = Number(bits);
  if (ip === null || net === null || !Number.isInteger(prefix) || prefix < 0 || prefix > 30) return false;
  const size = 2 ** (32 - prefix);
  const start = Math.floor(net / size) * size;
  return ip > start && ip < start + size - 1 && ip !== net;
}
