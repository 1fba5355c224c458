// What a mover's pass moves, per disk, in a simulated Incus whose Target says `transfer: mover`
// (docs/simulator.md, "Transports"). The mover runs in the target instance: nothing streams
// through the reconciler, and the pass runs at the target's import_rate.
//
//   warm  (a background import): the whole disk, from a snapshot of the running VM; a disk the VM
//         tracks (change tracking on, the disk verified) records its change id — the source's
//         `written` at the snapshot.
//   full  (an offline import): the whole disk; no change id.
//   delta (a final import): only what was written since the disk's change id; a disk without one
//         is copied whole, and the pass says why.
//
// A source disk the instance lacks (added to the VM since) is attached to the instance in the
// pool of its first disk and copied whole, as a mover VM gets a volume for each disk it writes.

import type { ImportDisksAction } from '../../engine/actions.js';
import { writtenAt, type InstanceState, type SourceState, type TransferDisk, type VmState } from './state.js';

export const MOVER_WHOLE = {
  added: 'added since the warm copy',
  noTracking: 'no change tracking on the VM',
  unverified: 'no change id: the disk is not verified for background import',
  brokenOff: 'the previous pass broke off',
  noChangeId: 'no change id from a warm copy (the last copy was not a warm one)',
} as const;

export type MoverPass = 'warm' | 'full' | 'delta';

export function moverPass(mode: ImportDisksAction['mode']): MoverPass {
  return mode === 'background' ? 'warm' : mode === 'final' ? 'delta' : 'full';
}

export interface MoverDisks {
  disks: TransferDisk[];
  /** Source disks the instance lacks: attach them (attachDisks) once the pass is sure to start. */
  attach: { name: string; capacity: number }[];
}

/** The disks of a mover pass, or why it cannot run. Changes nothing. */
export function moverDisks(source: SourceState, vm: VmState, instance: InstanceState, mode: ImportDisksAction['mode'], now: number): MoverDisks | string {
  const pass = moverPass(mode);
  const record = vm.record;
  const disks: TransferDisk[] = [];
  const attach: MoverDisks['attach'] = [];
  for (const [i, disk] of record.disks.entries()) {
    if (!disk.supported) continue;
    const copy = instance.disks[disk.name];
    if (copy && disk.capacity > copy.capacity) return `disk ${disk.name} is larger on the source (${disk.capacity} bytes) than on instance ${instance.name} (${copy.capacity} bytes)`;
    if (!copy) attach.push({ name: disk.name, capacity: disk.capacity });
    const content = writtenAt(source, vm, i, now);
    const tracked = record.background_import && disk.background_import_verified;
    if (pass === 'warm') {
      disks.push({ name: disk.name, bytes: disk.capacity, content, change_id: tracked ? content : null });
      continue;
    }
    const whole = pass === 'full' ? null : wholeReason(record.background_import, disk.background_import_verified, copy);
    if (pass === 'full' || whole !== null) {
      disks.push({ name: disk.name, bytes: disk.capacity, content, change_id: null, ...(whole !== null ? { whole } : {}) });
      continue;
    }
    disks.push({ name: disk.name, bytes: Math.min(disk.capacity, Math.max(0, content - copy!.change_id!)), content, change_id: null });
  }
  return { disks, attach };
}

/** Attaches new disks to the instance, in the pool of its first disk. */
export function attachDisks(instance: InstanceState, attach: MoverDisks['attach']): void {
  const pool = Object.values(instance.disks)[0]?.pool ?? 'default';
  for (const disk of attach) instance.disks[disk.name] = { pool, capacity: disk.capacity, content: null, change_id: null };
}

/** Why a delta pass copies a disk whole, or null when it can copy what changed. */
function wholeReason(tracking: boolean, verified: boolean, copy: InstanceState['disks'][string] | undefined): string | null {
  if (!copy) return MOVER_WHOLE.added;
  if (!tracking) return MOVER_WHOLE.noTracking;
  if (!verified) return MOVER_WHOLE.unverified;
  if (copy.content === null) return MOVER_WHOLE.brokenOff;
  if (copy.change_id === undefined || copy.change_id === null) return MOVER_WHOLE.noChangeId;
  return null;
}

/** "; copied whole: d1 (why), d2 (why)", or nothing. */
export function wholeNote(disks: readonly TransferDisk[]): string {
  const whole = disks.filter((d) => d.whole !== undefined);
  return whole.length === 0 ? '' : `; copied whole: ${whole.map((d) => `${d.name} (${d.whole})`).join(', ')}`;
}
