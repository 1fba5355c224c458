// A prepare pass (issue #20): after the final pass, the mover makes the copied guest boot under
// Incus. Linux guests get virtio drivers in their initramfs, the Incus agent's start-up, VMware
// Tools masked and their interface names pinned (prepare.ts); Windows guests (experimental) are
// checked for a virtio storage driver set to boot, and get the virtio-win drivers injected when the
// mover has a virtio-win image (windows.ts); `detect` looks for Windows first, then Linux.
// Whatever happens, the answer is a record (protocol.ts PrepareReport), never a throw: a failed
// record becomes the entry's Conflict with its code and sentence.

import type { GuestNic, PrepareReport } from '../protocol.js';
import { prepareLinuxGuest, type PrepareLog } from './prepare.js';
import { injectVirtioWin, probeWindowsGuest } from './windows.js';
import type { GuestDisk } from './windows-protocol.js';

export interface PrepareGuestOptions {
  preparation: 'linux' | 'windows' | 'detect';
  nics: GuestNic[];
  /** A virtio-win ISO (a file or the block device of one attached to the mover VM); absent: none. */
  virtioWin?: string;
  log: PrepareLog;
}

export async function prepareGuest(disks: GuestDisk[], options: PrepareGuestOptions): Promise<PrepareReport> {
  const { log } = options;
  if (options.preparation === 'linux') return prepareLinuxGuest(disks, { nics: options.nics }, log);
  const windowsLog = (line: string) => log.info(line);
  const probe = await probeWindowsGuest(disks, windowsLog);
  if (!probe.windows) {
    if (options.preparation === 'detect' && probe.failure.code === 'no-windows-volume') return prepareLinuxGuest(disks, { nics: options.nics }, log);
    return { state: 'failed', family: 'windows', steps: [], failure: probe.failure };
  }
  const distribution = `${probe.version.product} (build ${probe.version.build})`;
  if (probe.virtio === 'present') {
    return { state: 'succeeded', family: 'windows', distribution, steps: [{ step: 'virtio-drivers', changed: false, details: probe.details }] };
  }
  if (options.virtioWin === undefined) {
    return {
      state: 'failed',
      family: 'windows',
      distribution,
      steps: [{ step: 'virtio-drivers', changed: false, details: probe.details }],
      failure: {
        code: 'virtio-drivers-missing',
        message: `${distribution} has no virtio storage driver set to boot (vioscsi), so it would not boot under Incus: install the virtio-win guest tools in the VM on VMware and start the entry over, or prepare it by hand and set guest_preparation: skip`,
      },
    };
  }
  const injected = await injectVirtioWin(disks, options.virtioWin, {}, windowsLog);
  return {
    state: injected.state,
    family: 'windows',
    distribution,
    steps: injected.steps,
    ...(injected.failure !== undefined ? { failure: injected.failure } : {}),
  };
}
