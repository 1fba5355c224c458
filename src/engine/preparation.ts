// Whether the mover prepares a guest for Incus after the final pass (issue #20; docs/providers/
// incus.md, "Guest preparation"): virtio drivers, the Incus agent, VMware Tools, interface names.
// Decided from the instance as the source reads it and its InstanceOverride. Pure: the placement
// scriptlet, the plan and the mover's job read the same rule.

import type { InstanceRecord } from '../model/instance.js';

/** What the mover prepares: a Linux or Windows guest, a guest it detects from its disk, or nothing. */
export type GuestPreparation = 'linux' | 'windows' | 'detect' | 'none';

export interface PreparationDecision {
  preparation: GuestPreparation;
  /** One sentence for the plan, explain and the entry's status. */
  reason: string;
}

export function guestPreparation(instance: InstanceRecord): PreparationDecision {
  const overrides = instance.overrides;
  const os = (overrides?.os_type || instance.os_type || '').toLowerCase();
  if (overrides?.guest_preparation === 'skip') {
    return { preparation: 'none', reason: 'skipped: its InstanceOverride says the guest is prepared by hand (guest_preparation: skip)' };
  }
  if (os === 'linux') return { preparation: 'linux', reason: 'a Linux guest: virtio drivers into its initramfs, the Incus agent installed, VMware Tools disabled, interface names kept' };
  if (os === 'windows') return { preparation: 'windows', reason: 'a Windows guest (experimental): virtio drivers checked, and injected from the virtio-win image the target names' };
  if (overrides?.guest_preparation === 'force') {
    return { preparation: 'detect', reason: `forced by its InstanceOverride (guest_preparation: force): the mover detects the guest from its disk${os === '' ? '' : ` (the source says ${os})`}` };
  }
  return { preparation: 'none', reason: `Ferry prepares Linux and Windows guests; ${os === '' ? 'the source does not know this one\'s OS' : `this one is ${os}`}, so it boots as copied (guest_preparation: force to try)` };
}
