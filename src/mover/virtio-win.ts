// Where the operator's virtio-win ISO is inside the mover, for a Windows guest's readiness check
// and its preparation. `--virtio-win ISO` first (the operator's own, also in the VM); else the
// Incus disk device the job names (the Target's virtio_win_image, attached as ferry-virtio-win):
// `--device NAME=PATH` in process mode, the CD-ROM's /dev/disk/by-id link in the VM. Looked up
// only when a Windows guest needs the drivers, so a guest that has them never waits for it.

import type { MoverArgs } from './args.js';
import { findIncusDisk, incusDiskLinks } from './devices.js';
import { WindowsPrepareError } from './prepare/windows-failure.js';
import type { VirtioWinIso } from './prepare/windows-iso.js';

export interface DeviceWait {
  waitMs: number;
  signal: AbortSignal;
  byId?: string;
}

/** The ISO's path, found when asked for; undefined when the mover has none (no flag, and the job names no device). */
export function virtioWinIso(args: Pick<MoverArgs, 'virtioWin' | 'devices'>, job: { virtio_win?: { device: string } }, wait: DeviceWait): VirtioWinIso | undefined {
  const flag = args.virtioWin;
  if (flag !== undefined) return () => Promise.resolve(flag);
  const device = job.virtio_win?.device;
  if (device === undefined) return undefined;
  if (args.devices.size > 0) {
    const path = args.devices.get(device);
    if (path !== undefined) return () => Promise.resolve(path);
    return () =>
      Promise.reject(
        new WindowsPrepareError('virtio-win-unreadable', `the job names the virtio-win ISO on Incus disk device ${device} and no --device ${device}=PATH says where it is: add it, or give --virtio-win ISO`),
      );
  }
  return async () => {
    const path = await findIncusDisk(device, { media: 'cdrom', ...wait });
    if (path !== null) return path;
    const links = incusDiskLinks(device, 'cdrom', wait.byId).join(', ');
    throw new WindowsPrepareError(
      'virtio-win-unreadable',
      `no block device for the virtio-win ISO on Incus disk device ${device} (looked for ${links}, ${Math.round(wait.waitMs / 1000)} s): check that the Target's virtio_win_image is attached to the mover VM as ${device}`,
    );
  };
}
