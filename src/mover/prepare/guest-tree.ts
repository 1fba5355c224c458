// Mounting the guest as it mounts itself: the root filesystem (found by its /etc/os-release and
// /etc/fstab), then /usr, /var and /boot from its fstab, then /dev, /proc, /sys and /run for the
// guest's own tools run in a chroot.

import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockDevice } from './block-devices.js';
import { PrepareError } from './failure.js';
import type { MountStack } from './mounts.js';

const ROOT_TYPES = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs']);
/** btrfs subvolumes distributions install their root in when it is not the default subvolume. */
const BTRFS_ROOT_SUBVOLUMES = ['@', 'root', '@rootfs'];
/** What the guest's tools write to; /boot/efi only when it mounts. */
const GUEST_MOUNTS = ['/usr', '/var', '/boot', '/boot/efi'];
const OPTIONAL_MOUNTS = new Set(['/boot/efi']);

export interface GuestRoot {
  dir: string;
  device: BlockDevice;
  subvolume?: string;
}

function looksLikeRoot(dir: string): boolean {
  const osRelease = join(dir, 'etc/os-release');
  const hasOsRelease = existsSync(osRelease) || isSymlink(osRelease) || existsSync(join(dir, 'usr/lib/os-release'));
  return hasOsRelease && existsSync(join(dir, 'etc/fstab'));
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Mounts each candidate filesystem in turn and keeps the first that is a Linux root. */
export async function mountRoot(devices: BlockDevice[], mounts: MountStack): Promise<GuestRoot> {
  const candidates = devices.filter((device) => ROOT_TYPES.has(device.type));
  const refused: string[] = [];
  for (const device of candidates) {
    const dir = await mounts.scratchDir();
    const failed = await mounts.mount(['-t', device.type], device.path, dir);
    if (failed !== null) {
      refused.push(`${device.path} (${device.type}): ${failed}`);
      continue;
    }
    if (looksLikeRoot(dir)) return { dir, device };
    await mounts.unmountLast();
    if (device.type === 'btrfs') {
      const found = await mountBtrfsSubvolume(device, dir, mounts);
      if (found !== null) return found;
    }
  }
  const seen = devices.map((device) => `${device.path} (${device.type || 'no filesystem'})`).join(', ');
  const why = refused.length > 0 ? `; could not mount ${refused.join('; ')}` : '';
  throw new PrepareError(
    'no-root-filesystem',
    `no Linux root filesystem (ext4, XFS or btrfs with /etc/os-release and /etc/fstab) on the VM's disks: found ${seen || 'nothing'}${why}; check that the disks are the VM's and were copied whole`,
  );
}

async function mountBtrfsSubvolume(device: BlockDevice, dir: string, mounts: MountStack): Promise<GuestRoot | null> {
  if ((await mounts.mount(['-t', 'btrfs', '-o', 'subvolid=5'], device.path, dir)) !== null) return null;
  const subvolume = BTRFS_ROOT_SUBVOLUMES.find((name) => looksLikeRoot(join(dir, name)));
  await mounts.unmountLast();
  if (subvolume === undefined) return null;
  if ((await mounts.mount(['-t', 'btrfs', '-o', `subvol=${subvolume}`], device.path, dir)) !== null) return null;
  return { dir, device, subvolume };
}

interface FstabEntry {
  spec: string;
  file: string;
  type: string;
  options: string[];
}

export function parseFstab(text: string): FstabEntry[] {
  const entries: FstabEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    if (fields.length < 3 || fields[0] === '') continue;
    entries.push({ spec: fields[0]!, file: fields[1]!, type: fields[2]!, options: (fields[3] ?? 'defaults').split(',') });
  }
  return entries;
}

/** The mover's device for an fstab source, by UUID, LABEL, PARTUUID, PARTLABEL, device-mapper name or the guest's own device name. */
export function resolveSpec(spec: string, devices: BlockDevice[]): string | null {
  const byTag = (key: 'uuid' | 'label' | 'partuuid' | 'partlabel', value: string) =>
    devices.find((device) => device[key]?.toLowerCase() === value.toLowerCase())?.path ?? null;
  const tag = /^(UUID|LABEL|PARTUUID|PARTLABEL)=(.*)$/.exec(spec);
  if (tag) return byTag(tag[1]!.toLowerCase() as 'uuid', tag[2]!.replace(/^"|"$/g, ''));
  const link = /^\/dev\/disk\/by-(uuid|label|partuuid|partlabel)\/(.*)$/.exec(spec);
  if (link) return byTag(link[1] as 'uuid', link[2]!);
  // LVM's names are the same in the mover once the guest's volume groups are active.
  if (spec.startsWith('/dev/mapper/') || /^\/dev\/[^/]+\/[^/]+$/.test(spec)) return existsSync(spec) ? spec : null;
  // A kernel name (`/dev/sda2`): the guest's disks keep their order, partitions their numbers.
  const kernelName = /^\/dev\/(?:sd|vd|hd|xvd)([a-z])(\d+)?$/.exec(spec);
  if (kernelName) {
    const disk = kernelName[1]!.charCodeAt(0) - 'a'.charCodeAt(0);
    const partition = kernelName[2] === undefined ? null : Number(kernelName[2]);
    return devices.find((device) => device.disk === disk && device.partition === partition)?.path ?? null;
  }
  return null;
}

/** Mounts what the guest's tools write to (from its fstab), then the kernel's filesystems. */
export async function mountGuestTree(root: GuestRoot, devices: BlockDevice[], mounts: MountStack): Promise<void> {
  const fstab = parseFstab(readFileSync(join(root.dir, 'etc/fstab'), 'utf8'));
  for (const file of GUEST_MOUNTS) {
    const entry = fstab.find((candidate) => candidate.file === file);
    if (entry === undefined) continue;
    const source = resolveSpec(entry.spec, devices);
    const optional = OPTIONAL_MOUNTS.has(file);
    if (source === null) {
      if (optional) continue;
      throw new PrepareError('mount-failed', `the guest's fstab mounts ${file} from ${entry.spec}, which is on none of the VM's disks; check that every disk of the VM is migrated`);
    }
    const options = entry.options.filter((option) => /^subvol(id)?=/.test(option));
    const args = [...(entry.type === 'auto' ? [] : ['-t', entry.type]), ...(options.length > 0 ? ['-o', options.join(',')] : [])];
    const failed = await mounts.mount(args, source, join(root.dir, file));
    if (failed !== null && !optional) throw new PrepareError('mount-failed', `the guest's ${file} (${entry.spec} on ${source}) cannot be mounted: ${failed}`);
  }
  for (const [args, source, target] of [
    [['--bind'], '/dev', 'dev'],
    [['-t', 'proc'], 'proc', 'proc'],
    [['-t', 'sysfs'], 'sysfs', 'sys'],
    [['-t', 'tmpfs'], 'tmpfs', 'run'],
  ] as const) {
    const failed = await mounts.mount([...args], source, join(root.dir, target));
    if (failed !== null) throw new PrepareError('mount-failed', `cannot mount ${source} on the guest's /${target}: ${failed}`);
  }
}
