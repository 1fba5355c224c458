// The simulated mover's guest preparation (issue #20): what the real mover reports without a
// guest's disk to look at. A target with `transfer: mover` prepares a guest after the final pass
// (post-import) and checks a full or warm copy of a guest it will prepare as Windows or detect
// (the readiness check before the cutover); a stream target does neither, as the real one. The
// `prepare` and `readiness` faults fail them with codes of docs/errors.md ("Guest preparation").

import type { ImportDisksAction, PostImportAction } from '../../engine/actions.js';
import type { GuestPreparation } from '../../engine/preparation.js';

type Prepared = Exclude<GuestPreparation, 'none'>;

/** The preparation a post-import asks of a mover target, or null when it prepares nothing. */
export function preparationOf(action: PostImportAction): Prepared | null {
  const preparation = action.guest?.preparation;
  return preparation === undefined || preparation === 'none' ? null : preparation;
}

/**
 * Whether a copy is checked for readiness: the real mover checks a full or warm pass (a background
 * or offline copy) of a guest prepared as Windows or detected, and a delta copies only what changed
 * after that check (src/providers/mover-transfer.ts moverJob).
 */
export function checksReadiness(action: ImportDisksAction): boolean {
  const preparation = action.guest?.preparation;
  return action.mode !== 'final' && (preparation === 'windows' || preparation === 'detect');
}

/** The simulator has no guest to detect from: a detected guest is prepared as Linux. */
function familyOf(preparation: Prepared): 'linux' | 'windows' {
  return preparation === 'windows' ? 'windows' : 'linux';
}

/** The changed steps of a real preparation of that family, in the order the mover runs them. */
const STEPS = { linux: ['incus-agent', 'network-names', 'initramfs'], windows: ['virtio-drivers'] } as const;

/** A succeeded preparation's summary, shaped as the Incus provider's (preparationSummary). */
export function preparedRecord(preparation: Prepared): string {
  const what = preparation === 'detect' ? 'detected as linux' : preparation;
  return `guest prepared (simulated, ${what}): ${STEPS[familyOf(preparation)].join(', ')}`;
}

const PREPARE_FAILURES = {
  linux: "initramfs-failed: the guest's initramfs tool failed to add the virtio drivers (simulated fault)",
  windows: 'virtio-drivers-missing: the Windows guest has no virtio storage driver set to boot and the mover has no virtio-win ISO to add one from (simulated fault)',
} as const;

/** A `prepare` fault: the failed preparation's `code: sentence`. */
export function preparationFailure(preparation: Prepared): string {
  return PREPARE_FAILURES[familyOf(preparation)];
}

/** A `readiness` fault: what the check of the copy found (`code: sentence`). */
export const NOT_READY = 'virtio-drivers-missing: the Windows guest has no virtio storage driver set to boot, and the target names no virtio-win image to add one from (simulated fault)';
