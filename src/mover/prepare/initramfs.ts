// The virtio drivers in the guest's initramfs, added with the guest's own tool: a VMware guest's
// initramfs may hold only VMware's storage drivers (a host-only one does), and then its root is
// not found on Incus's virtio-scsi disk. The drivers are added to the tool's configuration (so
// that kernels installed later get them too) and the initramfs of every installed kernel that
// lacks one is rebuilt.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputTail, runInGuest } from './command.js';
import { guestPath } from './distribution.js';
import { PrepareError } from './failure.js';
import { guestFileExists, writeGuestFile } from './guest-files.js';
import type { PrepareStepRecord } from './protocol.js';

export const VIRTIO_DRIVERS = ['virtio_scsi', 'virtio_blk', 'virtio_pci', 'virtio_net'];

type Tool = 'initramfs-tools' | 'dracut';

interface Kernel {
  version: string;
  initrd: string;
  /** The drivers this kernel has as modules (built-in ones need nothing). */
  modules: string[];
}

function findTool(root: string): Tool | null {
  if (['/usr/sbin/update-initramfs', '/sbin/update-initramfs'].some((path) => guestFileExists(root, path)) && guestFileExists(root, '/etc/initramfs-tools')) {
    return 'initramfs-tools';
  }
  if (['/usr/bin/dracut', '/usr/sbin/dracut', '/sbin/dracut'].some((path) => guestFileExists(root, path))) return 'dracut';
  return null;
}

function moduleNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /([^/:\s]+)\.ko(\.[a-z]+)?(:|$)/.exec(line.trim());
    if (match) names.add(match[1]!.replace(/-/g, '_'));
  }
  return names;
}

function installedKernels(root: string, tool: Tool): Kernel[] {
  const modulesDir = guestPath(root, '/lib/modules');
  if (!existsSync(modulesDir)) return [];
  const kernels: Kernel[] = [];
  for (const version of readdirSync(modulesDir).sort()) {
    const dir = join(modulesDir, version);
    if (!existsSync(join(dir, 'modules.dep'))) continue;
    const candidates = tool === 'initramfs-tools' ? [`/boot/initrd.img-${version}`] : [`/boot/initramfs-${version}.img`, `/boot/initrd-${version}`];
    const initrd = candidates.find((path) => guestFileExists(root, path));
    if (initrd === undefined) continue;
    const available = moduleNames(readFileSync(join(dir, 'modules.dep'), 'utf8'));
    kernels.push({ version, initrd, modules: VIRTIO_DRIVERS.filter((driver) => available.has(driver)) });
  }
  return kernels;
}

async function missingDrivers(root: string, tool: Tool, kernel: Kernel): Promise<string[]> {
  if (kernel.modules.length === 0) return [];
  const listed = await runInGuest(root, tool === 'initramfs-tools' ? 'lsinitramfs' : 'lsinitrd', [kernel.initrd]);
  if (listed.code !== 0) return kernel.modules;
  const present = moduleNames(listed.stdout);
  return kernel.modules.filter((driver) => !present.has(driver));
}

function configure(root: string, tool: Tool, rootFsType: string): string | null {
  if (tool === 'dracut') {
    const path = '/etc/dracut.conf.d/50-ferry-virtio.conf';
    // dracut's host-only mode finds the root filesystem's driver from the mounts it sees, and in
    // the mover's chroot the guest's root is not `/`: it is named too.
    const content = `# Written by Ferry: the drivers of Incus's virtual hardware, so the guest boots under Incus.\nadd_drivers+=" ${[...VIRTIO_DRIVERS, rootFsType].join(' ')} "\n`;
    return writeGuestFile(root, path, content) ? `wrote ${path}` : null;
  }
  const path = '/etc/initramfs-tools/modules';
  const current = guestFileExists(root, path) ? readFileSync(join(root, path), 'utf8') : '';
  const listed = new Set(current.split('\n').map((line) => line.replace(/#.*/, '').trim().split(/\s+/)[0]));
  const missing = VIRTIO_DRIVERS.filter((driver) => !listed.has(driver));
  if (missing.length === 0) return null;
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  writeGuestFile(root, path, `${current}${separator}# Added by Ferry: the drivers of Incus's virtual hardware.\n${missing.join('\n')}\n`);
  return `added ${missing.join(', ')} to ${path}`;
}

/** `rebuild`: rebuild even when the drivers are there (an earlier step changed what the initramfs copies, like .link files). */
export async function addVirtioDrivers(root: string, options: { rebuild: boolean; rootFsType: string }): Promise<PrepareStepRecord> {
  const tool = findTool(root);
  if (tool === null) {
    throw new PrepareError('initramfs-failed', 'the guest has neither initramfs-tools nor dracut, so Ferry cannot add the virtio drivers to its initramfs; add virtio_scsi, virtio_blk, virtio_pci and virtio_net by hand and set guest_preparation: skip in its InstanceOverride');
  }
  const kernels = installedKernels(root, tool);
  if (kernels.length === 0) throw new PrepareError('initramfs-failed', 'the guest has no kernel with an initramfs in /boot; check that /boot is on the migrated disks');
  const details: string[] = [];
  const configured = configure(root, tool, options.rootFsType);
  if (configured !== null) details.push(configured);
  const lacking: string[] = [];
  for (const kernel of kernels) {
    const missing = await missingDrivers(root, tool, kernel);
    if (missing.length > 0) lacking.push(`${kernel.version} (${missing.join(', ')})`);
  }
  if (lacking.length > 0 || options.rebuild) {
    const [command, args] = tool === 'initramfs-tools' ? ['update-initramfs', ['-u', '-k', 'all']] : ['dracut', ['--regenerate-all', '-f']];
    const result = await runInGuest(root, command, args as string[]);
    if (result.code !== 0) throw new PrepareError('initramfs-failed', `the guest's ${command} failed: ${outputTail(result)}`);
    for (const kernel of kernels) {
      const missing = await missingDrivers(root, tool, kernel);
      if (missing.length > 0) throw new PrepareError('initramfs-failed', `the guest's ${command} rebuilt ${kernel.initrd} without ${missing.join(', ')}; check the guest's ${tool} configuration`);
    }
    details.push(lacking.length > 0 ? `rebuilt the initramfs with ${command} for ${lacking.join(', ')}` : `rebuilt the initramfs with ${command} (the interface names changed)`);
  }
  if (details.length > 0) return { step: 'initramfs', changed: true, details };
  return { step: 'initramfs', changed: false, details: [`the initramfs of ${kernels.map((kernel) => kernel.version).join(', ')} already has the virtio drivers`] };
}
