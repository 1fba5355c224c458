// Guest preparation (issue #20): run by the mover after the final pass, as root, with the guest's
// disks attached as block devices. It mounts the guest as the guest mounts itself, makes it boot
// under Incus with the guest's own tools, records what it changed, and unmounts everything,
// whatever happened. Each step is idempotent: a second run changes nothing and says so.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activateVolumeGroups, deactivateVolumeGroups, listDevices, type GuestDisk } from './block-devices.js';
import { detectDistribution } from './distribution.js';
import { PrepareError } from './failure.js';
import { guestFileExists, writeGuestFile } from './guest-files.js';
import { mountGuestTree, mountRoot } from './guest-tree.js';
import { installIncusAgent } from './incus-agent.js';
import { addVirtioDrivers } from './initramfs.js';
import { MountStack } from './mounts.js';
import { pinNetworkNames } from './network-names.js';
import type { PreparePlan, PrepareReport, PrepareStepRecord } from './protocol.js';
import { disableVmwareTools } from './vmware-tools.js';

export interface PrepareLog {
  info(message: string): void;
  warn(message: string): void;
}

export async function prepareLinuxGuest(disks: GuestDisk[], plan: PreparePlan, log: PrepareLog): Promise<PrepareReport> {
  const report: PrepareReport = { state: 'succeeded', steps: [] };
  const mounts = new MountStack();
  let groups: string[] = [];
  const record = (step: PrepareStepRecord) => {
    report.steps.push(step);
    log.info(`prepare ${step.step}: ${step.details.join('; ')}`);
  };
  try {
    if (process.getuid?.() !== 0) throw new PrepareError('not-root', 'guest preparation must run as root (it mounts the guest\'s disks); run the mover as root');
    const partitions = await listDevices(disks);
    const activated = await activateVolumeGroups(partitions);
    groups = activated.groups;
    const devices = [...partitions, ...activated.volumes];
    const root = await mountRoot(devices, mounts);
    report.root = { device: root.device.path, fstype: root.device.type, ...(root.subvolume !== undefined ? { subvolume: root.subvolume } : {}) };
    log.info(`prepare: the guest's root is ${root.device.path} (${root.device.type}${root.subvolume !== undefined ? `, subvolume ${root.subvolume}` : ''})`);
    const distribution = detectDistribution(root.dir);
    report.family = distribution.family;
    report.distribution = distribution.prettyName;
    await mountGuestTree(root, devices, mounts);

    record(step(() => disableVmwareTools(root.dir)));
    record(step(() => installIncusAgent(root.dir)));
    const names = step(() => pinNetworkNames(root.dir, plan.nics));
    record(names);
    record(await addVirtioDrivers(root.dir, { rebuild: names.changed, rootFsType: root.device.type }));
    if (distribution.family !== 'debian') {
      const relabel = step(() => relabelSelinux(root.dir, report.steps.some((done) => done.changed)));
      if (relabel !== null) record(relabel);
    }
  } catch (error) {
    if (!(error instanceof PrepareError)) throw error;
    report.state = 'failed';
    report.failure = { code: error.code, message: error.message };
    log.warn(`prepare failed: ${error.code}: ${error.message}`);
  } finally {
    const stuck = await mounts.releaseAll();
    await deactivateVolumeGroups(groups);
    if (stuck.length > 0) log.warn(`prepare: ${stuck.join(', ')} could not be unmounted cleanly (lazily detached)`);
  }
  return report;
}

/** A step that writes files: a failure to write is the step's failure, with its sentence. */
function step<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (error instanceof PrepareError) throw error;
    const errno = error as NodeJS.ErrnoException;
    if (typeof errno.code === 'string') throw new PrepareError('step-failed', `cannot write into the guest: ${errno.message}; check that the guest's filesystems are not full or read-only`);
    throw error;
  }
}

/** SELinux guests relabel at their next boot, so that the files Ferry wrote get their labels. */
function relabelSelinux(root: string, changed: boolean): PrepareStepRecord | null {
  if (!changed || !guestFileExists(root, '/etc/selinux/config')) return null;
  const mode = /^SELINUX=(\w+)/m.exec(readFileSync(join(root, 'etc/selinux/config'), 'utf8'))?.[1];
  if (mode !== 'enforcing' && mode !== 'permissive') return null;
  const wrote = writeGuestFile(root, '/.autorelabel', '');
  return { step: 'selinux', changed: wrote, details: [wrote ? 'asked for a relabel at the next boot (/.autorelabel)' : 'a relabel at the next boot was already asked for'] };
}
