// Which block device of the mover VM is which Incus disk device. Incus gives each disk of a VM
// an id derived from the device name (lxc/incus internal/server/instance/drivers/driver_qemu.go:
// `incus_` + the name, path-encoded, or a hash of it when too long): on the default virtio-scsi
// bus it is the SCSI device_id, which udev links as /dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_incus_<name>
// (Incus's own test/suites/storage_vm.sh checks these links); on virtio-blk it is the serial,
// linked as /dev/disk/by-id/virtio-incus_<name>. In process mode `--device NAME=PATH` says it.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { sleep } from '../providers/vmware/client.js';
import { MoverError } from './failure.js';

const BY_ID = '/dev/disk/by-id';

/** Incus's linux.PathNameEncode: `-` → `--`, `/` → `-`. */
function pathNameEncode(name: string): string {
  return name.replaceAll('-', '--').replaceAll('/', '-');
}

/** Incus's hashValue: a name longer than `max` becomes the first `max` characters of its SHA-256 in base64url. */
function hashValue(value: string, max: number): string {
  if (value.length <= max) return value;
  return createHash('sha256').update(value).digest('base64url').slice(0, max);
}

/** The /dev/disk/by-id links an Incus disk device of this name may have inside the VM. */
export function incusDiskLinks(device: string, byId = BY_ID): string[] {
  const encoded = pathNameEncode(device);
  return [`${byId}/scsi-0QEMU_QEMU_HARDDISK_incus_${hashValue(encoded, 25)}`, `${byId}/virtio-incus_${hashValue(encoded, 14)}`];
}

/** Finds a device's link, waiting up to `waitMs` for udev to make it (disks appear during boot). */
export async function findIncusDisk(device: string, waitMs: number, signal: AbortSignal): Promise<string> {
  const end = Date.now() + waitMs;
  for (;;) {
    const found = incusDiskLinks(device).find((link) => existsSync(link));
    if (found) return found;
    if (Date.now() >= end) {
      throw new MoverError('device-missing', `no block device for Incus disk device ${device} (looked for ${incusDiskLinks(device).join(', ')}): attach the disk to the mover VM`);
    }
    await sleep(1000, signal);
  }
}
