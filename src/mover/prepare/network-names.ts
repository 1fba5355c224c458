// Under Incus the NICs are virtio and sit in other PCI slots, so the kernel's predictable names
// change (VMware's `ens192` becomes `enp5s0`) and the guest's network configuration, written for
// the old names, no longer applies. Ferry keeps the source MACs on the Incus NICs, so each old
// name is pinned to its MAC: a systemd .link file where udev is systemd's (every systemd
// distribution), a udev rule otherwise.

import { guestFileExists, writeGuestFile } from './guest-files.js';
import type { GuestNic, PrepareStepRecord } from './protocol.js';

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** What the kernel accepts as an interface name (IFNAMSIZ - 1), without characters that break a path. */
const NAME = /^[A-Za-z0-9_.-]{1,15}$/;
const SYSTEMD_UDEVD = ['/lib/systemd/systemd-udevd', '/usr/lib/systemd/systemd-udevd'];
const RULES_PATH = '/etc/udev/rules.d/70-ferry-net-names.rules';

export function pinNetworkNames(root: string, nics: GuestNic[]): PrepareStepRecord {
  const details: string[] = [];
  const pinned: { mac: string; name: string }[] = [];
  for (const nic of nics) {
    const mac = nic.mac.toLowerCase();
    if (nic.name === undefined) details.push(`NIC ${mac}: its name on the source is not known, left to the kernel's naming`);
    else if (!MAC.test(mac) || !NAME.test(nic.name)) details.push(`NIC ${nic.mac} (${nic.name}): not a MAC and interface name Ferry can pin, left to the kernel's naming`);
    else pinned.push({ mac, name: nic.name });
  }
  let changed = false;
  if (SYSTEMD_UDEVD.some((path) => guestFileExists(root, path))) {
    for (const nic of pinned) {
      const path = `/etc/systemd/network/10-ferry-${nic.name}.link`;
      const content = `# Written by Ferry: the name this NIC had on VMware, kept under Incus.\n[Match]\nMACAddress=${nic.mac}\n\n[Link]\nName=${nic.name}\n`;
      if (writeGuestFile(root, path, content)) {
        changed = true;
        details.push(`pinned ${nic.name} to ${nic.mac} (${path})`);
      }
    }
  } else if (pinned.length > 0) {
    const rules = pinned.map((nic) => `SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="${nic.mac}", NAME="${nic.name}"`).join('\n');
    if (writeGuestFile(root, RULES_PATH, `# Written by Ferry: the names these NICs had on VMware, kept under Incus.\n${rules}\n`)) {
      changed = true;
      details.push(`pinned ${pinned.map((nic) => `${nic.name} to ${nic.mac}`).join(', ')} (${RULES_PATH})`);
    }
  }
  if (!changed && pinned.length > 0) details.push(`${pinned.map((nic) => nic.name).join(', ')} already pinned`);
  if (nics.length === 0) details.push('the VM has no NICs');
  return { step: 'network-names', changed, details };
}
