// The readiness check after a full or warm pass (issue #20): a look at the copy for what would
// stop the guest booting under Incus once prepared, while the source still runs, so that the
// cutover does not power it off for nothing. The look is read-only (loop devices attached
// read-only, ntfs-3g -o ro, the ISO only listed): the next delta pass relies on the copy holding
// exactly the source's blocks. Whatever happens the answer is a record (protocol.ts
// ReadinessReport), never a throw.

import type { ReadinessReport } from '../protocol.js';
import type { PrepareLog } from './prepare.js';
import { findDriverFolders, probeWindowsGuest, virtioDriversMissing, windowsDistribution } from './windows.js';
import { WindowsPrepareError } from './windows-failure.js';
import type { VirtioWinIso } from './windows-iso.js';
import type { GuestDisk } from './windows-protocol.js';
import { leftHibernatedError } from './windows-volume.js';

export interface ReadinessOptions {
  preparation: 'windows' | 'detect';
  /** The virtio-win ISO, found when a Windows guest lacks its drivers; absent: the mover has none. */
  virtioWin?: VirtioWinIso;
  log: PrepareLog;
}

export const NO_WINDOWS = 'no Windows found: the guest is prepared as Linux after the cutover';

/** The check could not be made (a bug, a tool missing, a device gone): not ready, with the reason. */
export function readinessCheckFailed(error: unknown): ReadinessReport {
  const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  return {
    state: 'not-ready',
    details: [],
    failure: {
      code: 'readiness-check-failed',
      message: `the mover could not check whether the copy would boot under Incus (${reason}): see the mover VM's console; once the cause is fixed, resolve the conflict (the guest is checked again when it is prepared)`,
    },
  };
}

export async function checkReadiness(disks: GuestDisk[], options: ReadinessOptions): Promise<ReadinessReport> {
  try {
    return await check(disks, options);
  } catch (error) {
    const failed = readinessCheckFailed(error);
    options.log.warn(`readiness: ${failed.failure!.message}`);
    return failed;
  }
}

async function check(disks: GuestDisk[], options: ReadinessOptions): Promise<ReadinessReport> {
  const probe = await probeWindowsGuest(disks, (line) => options.log.info(line));
  if (!probe.windows) {
    if (options.preparation === 'detect' && probe.failure.code === 'no-windows-volume') return { state: 'ready', details: [NO_WINDOWS] };
    return { state: 'not-ready', family: 'windows', details: [], failure: probe.failure };
  }
  const found = { family: 'windows' as const, distribution: windowsDistribution(probe.version), details: probe.details };
  if (probe.hibernated) {
    const { code, message } = leftHibernatedError(probe.volume);
    return { state: 'not-ready', ...found, failure: { code, message } };
  }
  if (probe.virtio === 'present') return { state: 'ready', ...found };
  if (options.virtioWin === undefined) return { state: 'not-ready', ...found, failure: virtioDriversMissing(probe.version) };
  try {
    const folders = await findDriverFolders(await options.virtioWin(), probe.version);
    const drivers = folders.files.map(({ sys }) => sys.slice(1)).join(', ');
    return { state: 'ready', ...found, details: [...found.details, `the virtio-win ISO holds its drivers (${drivers}): ${folders.description} is injected when the guest is prepared after the cutover's final pass`] };
  } catch (error) {
    if (!(error instanceof WindowsPrepareError)) throw error;
    return { state: 'not-ready', ...found, failure: { code: error.code, message: error.message } };
  }
}
