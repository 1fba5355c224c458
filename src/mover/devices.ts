// Which block device of the mover VM is which Incus disk device. Incus gives each disk of a VM
// an id derived from the device name (lxc/incus internal/server/instance/drivers/driver_qemu.go,
// addDriveConfig: `incus_` + the name, path-encoded, or a hash of it when too long): on the default
// virtio-scsi bus it is the SCSI device_id, which udev links as
// /dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_incus_<name>; on virtio-blk it is the serial, linked as
// /dev/disk/by-id/virtio-incus_<name>. An ISO volume (content type iso, like the virtio-win image)
// is a CD-ROM: QEMU's scsi-cd, with the same device_id, whose model "QEMU CD-ROM" makes the link
// /dev/disk/by-id/scsi-0QEMU_QEMU_CD-ROM_incus_<name> (Incus's test/suites/storage_vm.sh and
// storage_volumes_vm.sh check both kinds of links). In process mode `--device NAME=PATH` says it.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { sleep } from '../providers/vmware/client.js';

const BY_ID = '/dev/disk/by-id';

/** A disk volume (block or a copied disk) or an ISO volume, which Incus attaches as a CD-ROM. */
export type IncusDiskMedia = 'disk' | 'cdrom';

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
export function incusDiskLinks(device: string, media: IncusDiskMedia = 'disk', byId = BY_ID): string[] {
  const encoded = pathNameEncode(device);
  const model = media === 'cdrom' ? 'QEMU_CD-ROM' : 'QEMU_HARDDISK';
  return [`${byId}/scsi-0QEMU_${model}_incus_${hashValue(encoded, 25)}`, `${byId}/virtio-incus_${hashValue(encoded, 14)}`];
}

export interface FindIncusDisk {
  media: IncusDiskMedia;
  /** How long the link may take to appear: udev makes it during boot, or when the device is hot-plugged. */
  waitMs: number;
  signal: AbortSignal;
  byId?: string;
}

/** A device's link once udev has made it; null when none appeared within `waitMs`. */
export async function findIncusDisk(device: string, options: FindIncusDisk): Promise<string | null> {
  const links = incusDiskLinks(device, options.media, options.byId);
  const end = Date.now() + options.waitMs;
  for (;;) {
    const found = links.find((link) => existsSync(link));
    if (found) return found;
    if (Date.now() >= end) return null;
    await sleep(Math.min(1000, Math.max(0, end - Date.now())), options.signal);
  }
}
