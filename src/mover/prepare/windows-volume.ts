// Finding the Windows system volume on the guest's disks and mounting it with ntfs-3g.
// Partitions are reached through loop devices over their byte ranges (from the partition table),
// so the same code works on a VM's /dev/sdX without udev and on a test's image file.

import { open, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WindowsPrepareError } from './windows-failure.js';
import type { GuestDisk } from './windows-protocol.js';
import { Attachments, outputTail, run } from './windows-tools.js';

/** A byte range of a guest disk that may hold a filesystem. */
export interface VolumeRange {
  disk: GuestDisk;
  /** Partition number; null for a disk without a partition table. */
  partition: number | null;
  offset: number;
  /** Bytes; 0: to the end of the disk. */
  size: number;
}

export function describeVolume(volume: VolumeRange): string {
  return volume.partition === null ? `disk ${volume.disk.device}` : `partition ${volume.partition} of disk ${volume.disk.device}`;
}

interface SfdiskTable {
  partitiontable?: { sectorsize?: number; partitions?: { node: string; start: number; size: number }[] };
}

/** The ranges of one disk: its partitions, or the whole disk when it has no partition table. */
async function volumesOf(disk: GuestDisk): Promise<VolumeRange[]> {
  const listed = await run('sfdisk', ['-J', disk.path]);
  if (listed.code !== 0) return [{ disk, partition: null, offset: 0, size: 0 }];
  const table = (JSON.parse(listed.stdout) as SfdiskTable).partitiontable;
  const sector = table?.sectorsize ?? 512;
  return (table?.partitions ?? []).map((partition) => ({
    disk,
    partition: Number(/(\d+)$/.exec(partition.node)?.[1] ?? NaN),
    offset: partition.start * sector,
    size: partition.size * sector,
  }));
}

/** The OEM id of the boot sector: `NTFS    ` for NTFS, `-FVE-FS-` for a BitLocker volume. */
async function bootSignature(volume: VolumeRange): Promise<string> {
  const file = await open(volume.disk.path, 'r');
  try {
    const sector = Buffer.alloc(11);
    const { bytesRead } = await file.read(sector, 0, 11, volume.offset);
    return bytesRead === 11 ? sector.subarray(3, 11).toString('latin1') : '';
  } finally {
    await file.close();
  }
}

/** A path under `root` found without regard to case, as Windows names files; null when absent. */
export async function findCaseless(root: string, parts: string[]): Promise<string | null> {
  let here = root;
  for (const part of parts) {
    const entries = await readdir(here).catch(() => [] as string[]);
    const found = entries.find((entry) => entry.toLowerCase() === part.toLowerCase());
    if (found === undefined) return null;
    here = join(here, found);
  }
  return here;
}

export const SYSTEM_HIVE = ['Windows', 'System32', 'config', 'SYSTEM'];

/** Attaches a volume and mounts it with ntfs-3g; returns the mount point. */
export async function mountVolume(volume: VolumeRange, writable: boolean, attachments: Attachments): Promise<string> {
  const device = await attachments.loop(volume.disk.path, volume.offset, volume.size, !writable);
  if (typeof device !== 'string') {
    throw new WindowsPrepareError('mount-failed', `${describeVolume(volume)} cannot be attached as a loop device: ${outputTail(device, 2)}`);
  }
  const target = await attachments.mountPoint();
  const mounted = await attachments.mount('ntfs-3g', ['-o', writable ? 'rw' : 'ro', device, target], target);
  // A hibernated or fast-restarted volume is mounted read-only instead, and ntfs-3g says so only on stderr.
  if (mounted.code === 0 && !(writable && (await mountedReadOnly(target)))) return target;
  const output = outputTail(mounted, 3);
  if (mounted.code === 0 || /hibernat|unclean file system|fast restart/i.test(output)) throw leftHibernatedError(describeVolume(volume));
  throw new WindowsPrepareError('mount-failed', `the NTFS volume on ${describeVolume(volume)} cannot be mounted: ${output}`);
}

/** A Windows volume left hibernated, as the read-write mount refuses it and the read-only look foresees it. */
export function leftHibernatedError(volume: string): WindowsPrepareError {
  return new WindowsPrepareError(
    'windows-hibernated',
    `the Windows volume on ${volume} was left hibernated or by a Fast Startup shutdown: turn Fast Startup off in the guest (powercfg /h off) and shut it down fully, then sync again`,
  );
}

/** The header of hiberfil.sys ntfs-3g reads before it mounts a volume read-write. */
const HIBERFILE_HEADER = 4096;

/**
 * Whether Windows left the volume mounted at `root` (read-only) hibernated, as ntfs-3g decides
 * before a read-write mount (libntfs-3g's ntfs_volume_check_hiberfile): a hiberfil.sys whose
 * header is cut short or starts with `hibr`, which Fast Startup's shutdown writes too.
 */
export async function leftHibernated(root: string): Promise<boolean> {
  const hiberfile = await findCaseless(root, ['hiberfil.sys']);
  if (hiberfile === null) return false;
  const file = await open(hiberfile, 'r');
  try {
    if ((await file.stat()).size < HIBERFILE_HEADER) return true;
    const magic = Buffer.alloc(4);
    await file.read(magic, 0, 4, 0);
    return ['hibr', 'HIBR'].includes(magic.toString('latin1'));
  } finally {
    await file.close();
  }
}

async function mountedReadOnly(target: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  const entry = mounts.split('\n').find((line) => line.split(' ')[1] === target);
  return entry === undefined || entry.split(' ')[3]!.split(',').includes('ro');
}

/**
 * The volume holding Windows\System32\config\SYSTEM. Each NTFS volume is mounted read-only to
 * look, and released again. A BitLocker volume fails the search unless Windows is found elsewhere
 * (a BitLocker data volume does not stop a guest whose system volume is clear); so does an NTFS
 * volume that cannot be looked at (it may be the system volume: saying none holds Windows would
 * send the operator after the wrong cause).
 */
export async function findSystemVolume(disks: GuestDisk[]): Promise<VolumeRange> {
  const encrypted: VolumeRange[] = [];
  const unreadable: WindowsPrepareError[] = [];
  for (const disk of disks) {
    for (const volume of await volumesOf(disk)) {
      const signature = await bootSignature(volume);
      if (signature === '-FVE-FS-') encrypted.push(volume);
      if (signature !== 'NTFS    ') continue;
      const look = new Attachments();
      try {
        const root = await mountVolume(volume, false, look);
        if ((await findCaseless(root, SYSTEM_HIVE)) !== null) return volume;
      } catch (error) {
        if (!(error instanceof WindowsPrepareError)) throw error;
        unreadable.push(error);
      } finally {
        await look.releaseAll();
      }
    }
  }
  if (unreadable.length > 0) throw unreadable[0]!;
  if (encrypted.length > 0) {
    throw new WindowsPrepareError(
      'bitlocker',
      `${encrypted.map(describeVolume).join(', ')} ${encrypted.length === 1 ? 'is' : 'are'} BitLocker-encrypted and no clear Windows volume was found: suspend or turn off BitLocker in the guest (manage-bde -off C:) before the cutover, or prepare it by hand and set guest_preparation: skip in its InstanceOverride`,
    );
  }
  throw new WindowsPrepareError(
    'no-windows-volume',
    `no NTFS volume on the disks (${disks.map((disk) => disk.device).join(', ')}) holds Windows\\System32\\config\\SYSTEM: check that the VM's system disk is among its disks, or set guest_preparation: skip in its InstanceOverride`,
  );
}
