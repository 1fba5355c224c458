// The sentences an operator reads in `ferry status` and `ferry explain`. migration-manager's
// wording where it has one; each says why the entry is where it is and, when it waits on
// something an operator can change, what that is. explain.ts recognises them by their prefixes.

export const MSG = {
  initialChecks: 'Performing initial migration checks',
  unblocked: 'Instance has been unblocked',
  cannotPlace: 'Cannot place instance',
  creating: 'Creating target instance definition',
  created: 'Target instance created; waiting to import disks',
  waitImportSlots: 'Waiting for other instances to finish importing',
  waitCreateSlots: 'Waiting for other instances to finish creating',
  backgroundImport: 'Performing background import tasks',
  offlineCopy: 'Copying the disks while the source VM is powered off',
  offlineCopyDone: 'Offline copy complete; waiting for migration window',
  waitWindow: 'Waiting for migration window',
  windowEnded: 'Migration window ended, waiting for next migration window',
  finalImport: 'Performing final import tasks',
  postImport: 'Performing post-import tasks',
  starting: 'Starting target instance',
  finished: 'Finished',
  expressionConflict: 'Instance no longer matches batch expression',
  conflictResolved: 'Conflict resolved',
  preparationFailed: 'Guest preparation failed',
  guestNotReady: 'Guest not ready to boot on Incus',
  placementChanged: 'Instance placement changed',
  cannotPlaceAnymore: 'Instance can no longer be placed on the target',
  finalizeFailed: 'Finishing the target instance failed',
  sourceGone: 'The source VM no longer exists',
  sourceUuidChanged: 'Instance source UUID has changed',
  sourceNameChanged: 'Instance source name has changed',
  sourceDisksChanged: 'Instance source disks have changed',
  waitTarget: 'Waiting for the target to answer',
  notInInventory: 'The instance is no longer in the source inventory',
  canceled: 'Canceled',
  reset: 'Batch reset',
} as const;

/** Formats an epoch-milliseconds time for messages: stable (UTC, to the minute), never relative. */
export function at(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** Bytes as people read them (GiB with one decimal, or MiB). */
export function bytes(count: number): string {
  const gib = count / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(count / 1024 ** 2)} MiB`;
}
