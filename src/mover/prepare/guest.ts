// A prepare pass (issue #20): after the final pass, the mover makes the copied guest boot under
// Incus. Linux guests get virtio drivers in their initramfs, the Incus agent's start-up, VMware
// Tools masked and their interface names pinned (prepare.ts); Windows guests (experimental) are
// checked for a virtio storage driver set to boot, and get the virtio-win drivers injected when the
// mover has a virtio-win image (windows.ts); `detect` looks for Windows first, then Linux.
// Whatever happens, the answer is a record (protocol.ts PrepareReport), never a throw: a failed
// record becomes the entry's Conflict with its code and sentence.

import type { GuestNic, PrepareReport } from '../protocol.js';
import { prepareLinuxGuest, type PrepareLog } from './prepare.js';
import { injectVirtioWin, probeWindowsGuest, virtioDriversMissing, windowsDistribution } from './windows.js';
import { WindowsPrepareError } from './windows-failure.js';
import type { VirtioWinIso } from './windows-iso.js';
import type { GuestDisk } from './windows-protocol.js';
import { leftHibernatedError } from './windows-volume.js';

export interface PrepareGuestOptions {
  preparation: 'linux' | 'windows' | 'detect';
  nics: GuestNic[];
  /** The virtio-win ISO, found when a Windows guest needs its drivers; absent: the mover has none. */
  virtioWin?: VirtioWinIso;
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
  const distribution = windowsDistribution(probe.version);
  const found = { family: 'windows' as const, distribution, steps: [{ step: 'virtio-drivers', changed: false, details: probe.details }] };
  // A hibernated Windows would resume at boot a session saved on VMware's hardware: refused even with its drivers in place.
  if (probe.hibernated) {
    const { code, message } = leftHibernatedError(probe.volume);
    return { state: 'failed', ...found, failure: { code, message } };
  }
  if (probe.virtio === 'present') return { state: 'succeeded', ...found };
  if (options.virtioWin === undefined) return { state: 'failed', ...found, failure: virtioDriversMissing(probe.version) };
  let isoPath: string;
  try {
    isoPath = await options.virtioWin();
  } catch (error) {
    if (!(error instanceof WindowsPrepareError)) throw error;
    return { state: 'failed', ...found, failure: { code: error.code, message: error.message } };
  }
  const injected = await injectVirtioWin(disks, isoPath, {}, windowsLog);
  return {
    state: injected.state,
    family: 'windows',
    distribution,
    steps: injected.steps,
    ...(injected.failure !== undefined ? { failure: injected.failure } : {}),
  };
}
