// The guest's block devices as the mover sees them: each disk, its partitions and the logical
// volumes of the volume groups on them, with what blkid finds on each (probed directly: there may
// be no udev in the mover, so no /dev/disk/by-* links and no udev database).

import { existsSync } from 'node:fs';
import { run, outputTail } from './command.js';
import { PrepareError } from './failure.js';

export interface GuestDisk {
  /** The disk's name in the plan (the Incus device). */
  device: string;
  /** Its block device in the mover (`/dev/sdb`, `/dev/loop3`). */
  path: string;
}

export interface BlockDevice {
  path: string;
  /** Index of the guest disk it is on (source order); null for a logical volume. */
  disk: number | null;
  /** Partition number on that disk; null for the whole disk or a logical volume. */
  partition: number | null;
  /** blkid's TYPE (`ext4`, `xfs`, `btrfs`, `LVM2_member`, `swap`, …); empty when nothing was found. */
  type: string;
  uuid?: string;
  label?: string;
  partuuid?: string;
  partlabel?: string;
}

export async function probe(path: string): Promise<Record<string, string>> {
  const result = await run('blkid', ['-p', '-o', 'export', path]);
  const values: Record<string, string> = {};
  for (const line of result.stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values[line.slice(0, at)] = line.slice(at + 1);
  }
  return values;
}

function describe(path: string, disk: number | null, partition: number | null, values: Record<string, string>): BlockDevice {
  return {
    path,
    disk,
    partition,
    type: values.TYPE ?? '',
    uuid: values.UUID,
    label: values.LABEL,
    partuuid: values.PART_ENTRY_UUID,
    partlabel: values.PART_ENTRY_NAME,
  };
}

/** Each disk and its partitions (lsblk reads sysfs, which works without udev). */
export async function listDevices(disks: GuestDisk[]): Promise<BlockDevice[]> {
  const devices: BlockDevice[] = [];
  for (const [index, disk] of disks.entries()) {
    const listed = await run('lsblk', ['-lnpo', 'NAME,TYPE', disk.path]);
    if (listed.code !== 0) throw new PrepareError('no-root-filesystem', `disk ${disk.device} (${disk.path}) cannot be listed: ${outputTail(listed, 2)}`);
    for (const line of listed.stdout.split('\n')) {
      const [path, type] = line.trim().split(/\s+/);
      if (path === undefined || (type !== 'part' && path !== disk.path)) continue;
      const values = await probe(path);
      const partition = type === 'part' ? Number(values.PART_ENTRY_NUMBER ?? NaN) : null;
      devices.push(describe(path, index, partition !== null && Number.isFinite(partition) ? partition : null, values));
    }
  }
  return devices;
}

/** LVM's options when no udev runs to make the device nodes. */
function lvmConfig(): string[] {
  return existsSync('/run/udev/control') ? [] : ['--config', 'activation { udev_sync = 0 udev_rules = 0 }'];
}

export interface ActivatedGroups {
  groups: string[];
  volumes: BlockDevice[];
}

/** Activates the volume groups on the guest's physical volumes (and only theirs) and probes their logical volumes. */
export async function activateVolumeGroups(devices: BlockDevice[]): Promise<ActivatedGroups> {
  const pvs = devices.filter((device) => device.type === 'LVM2_member').map((device) => device.path);
  if (pvs.length === 0) return { groups: [], volumes: [] };
  const only = ['--devices', pvs.join(',')];
  const groups = await run('vgs', [...only, ...lvmConfig(), '--noheadings', '-o', 'vg_name']);
  const names = [...new Set(groups.stdout.split('\n').map((name) => name.trim()).filter((name) => name.length > 0))];
  const activated: string[] = [];
  for (const name of names) {
    const result = await run('vgchange', [...only, ...lvmConfig(), '-ay', name]);
    if (result.code !== 0) throw new PrepareError('mount-failed', `the guest's volume group ${name} cannot be activated: ${outputTail(result, 2)}`);
    activated.push(name);
  }
  const listed = await run('lvs', [...only, ...lvmConfig(), '--noheadings', '-o', 'lv_path']);
  const volumes: BlockDevice[] = [];
  for (const path of listed.stdout.split('\n').map((line) => line.trim()).filter((line) => line.length > 0)) {
    volumes.push(describe(path, null, null, await probe(path)));
  }
  return { groups: activated, volumes };
}

export async function deactivateVolumeGroups(groups: string[]): Promise<void> {
  for (const name of groups) await run('vgchange', [...lvmConfig(), '-an', name]);
}
