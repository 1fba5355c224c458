// Why an instance cannot be migrated as it is (migration-manager's DisabledReason, research §5.4,
// checked in that order), plus Ferry's check that it has a disk to migrate at all (DESIGN §9:
// that case blocks the entry instead of aborting the batch start).

import type { Batch } from '../model/desired.js';
import type { InstanceRecord } from '../model/instance.js';

export type BlockCode =
  | 'migration-disabled'
  | 'invalid-hostname'
  | 'unknown-os'
  | 'unknown-architecture'
  | 'no-ipv4'
  | 'no-background-import'
  | 'background-import-unverified'
  | 'unsupported-disk'
  | 'no-supported-disk';

export interface BlockReason {
  code: BlockCode;
  message: string;
}

const HOSTNAME = /^(?=.{1,63}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** The name the target instance gets: the override's, else the source VM's. */
export function effectiveName(instance: InstanceRecord): string {
  return instance.overrides?.name ? instance.overrides.name : instance.name;
}

/**
 * The first rule that blocks the instance, or null. Background import depends on the VM alone
 * (its change tracking, and a change id on each disk), as in migration-manager: whether its
 * target's transport can copy it warm decides only when it is copied (./transports.ts).
 */
export function blockReason(instance: InstanceRecord, batch: Batch): BlockReason | null {
  const overrides = instance.overrides ?? {};
  const allow = batch.config.instance_restriction_overrides;
  if (overrides.disable_migration === true) return { code: 'migration-disabled', message: 'Migration is manually disabled' };
  if (overrides.ignore_restrictions !== true) {
    const name = effectiveName(instance);
    if (!HOSTNAME.test(name)) {
      return { code: 'invalid-hostname', message: `Instance name "${name}" is not a valid hostname; give it one with an InstanceOverride name` };
    }
    const distribution = overrides.distribution ?? instance.distribution;
    const osType = overrides.os_type ?? instance.os_type;
    if (osType === 'linux' && (distribution === 'other' || distribution === '') && !allow.allow_unknown_os) {
      return { code: 'unknown-os', message: 'Could not determine instance OS, check if guest agent is running' };
    }
    const architecture = overrides.architecture ? overrides.architecture : instance.architecture;
    if (architecture === '') return { code: 'unknown-architecture', message: 'Could not determine instance architecture' };
    if (instance.nics.length > 0 && !instance.nics.some((nic) => nic.ipv4_address !== '') && !allow.allow_no_ipv4) {
      return { code: 'no-ipv4', message: 'Could not determine instance IP, check if guest agent is running' };
    }
    if (!allow.allow_no_background_import) {
      if (!instance.background_import) {
        return { code: 'no-background-import', message: 'Background import is not supported' };
      }
      const unverified = instance.disks.find((disk) => disk.supported && !disk.background_import_verified);
      if (unverified) {
        return {
          code: 'background-import-unverified',
          message: `Verifying background import support: disk ${unverified.name} is not verified yet (the next source sync checks it)`,
        };
      }
    }
    const unsupported = instance.disks.find((disk) => !disk.supported);
    if (unsupported) return { code: 'unsupported-disk', message: `Disk ${unsupported.name} does not support snapshots` };
  }
  if (!instance.disks.some((disk) => disk.supported)) {
    return { code: 'no-supported-disk', message: 'The instance has no supported disk to migrate' };
  }
  return null;
}
