// VMware Tools are useless under Incus (and vmtoolsd fails in a loop without VMware's backdoor):
// their units are masked, so nothing starts them and no package manager or network is needed.
// A masked unit is undone with `systemctl unmask`.

import { readlinkSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { guestFileExists, linkGuestFile } from './guest-files.js';
import type { PrepareStepRecord } from './protocol.js';

/** open-vm-tools (Debian: open-vm-tools, vgauth; RHEL/SUSE: vmtoolsd, vgauthd) and VMware's own installer (vmware-tools). */
const UNITS = [
  'open-vm-tools.service',
  'vmtoolsd.service',
  'vgauth.service',
  'vgauthd.service',
  'vmware-tools.service',
  'vmware-tools-thinprint.service',
  'run-vmblock\\x2dfuse.mount',
];
const UNIT_DIRS = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];

function installed(root: string, unit: string): boolean {
  if (UNIT_DIRS.some((dir) => guestFileExists(root, `${dir}/${unit}`))) return true;
  // An init script becomes a unit through systemd's sysv generator.
  return unit.endsWith('.service') && guestFileExists(root, `/etc/init.d/${unit.slice(0, -'.service'.length)}`);
}

function isMasked(root: string, path: string): boolean {
  try {
    return readlinkSync(join(root, path)) === '/dev/null';
  } catch {
    return false;
  }
}

export function disableVmwareTools(root: string): PrepareStepRecord {
  const present = UNITS.filter((unit) => installed(root, unit));
  const details: string[] = [];
  for (const unit of present) {
    const path = `/etc/systemd/system/${unit}`;
    if (guestFileExists(root, path) && !isMasked(root, path)) {
      // A unit VMware's installer wrote into /etc: kept beside, so that the mask can take its place.
      renameSync(join(root, path), join(root, `${path}.ferry-disabled`));
    }
    if (linkGuestFile(root, path, '/dev/null')) details.push(`masked ${unit}`);
  }
  if (details.length > 0) return { step: 'vmware-tools', changed: true, details };
  return { step: 'vmware-tools', changed: false, details: [present.length > 0 ? 'VMware Tools were already masked' : 'no VMware Tools installed'] };
}
