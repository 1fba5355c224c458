// The mover's failures as the operator reads them: a stable code (docs/errors.md, "The mover"),
// what happened and what to do, in one line. Errors from below (vSphere faults, the wire, the
// file system) are recognised here; anything else is a bug in the mover (`internal`).

import { ProviderError } from '../providers/ports.js';

export class MoverError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MoverError';
  }
}

/** What to do about a failure of the wire or of vSphere, by the provider's code. */
const PROVIDER_HINTS: Record<string, [code: string, hint: string]> = {
  unreachable: ['network-unreachable', 'check that the mover VM reaches vCenter (and the ESXi hosts for a warm pass) on port 443'],
  timeout: ['network-unreachable', 'check the network between the mover VM and vCenter'],
  'tls-untrusted': ['tls-error', "check the vCenter certificate's fingerprint in the job"],
  'not-authenticated': ['session-ended', 'the job\'s vSphere session ended (logged out or idle too long): the reconciler writes a new job with a new session'],
  'no-permission': ['no-permission', 'give the account the privileges docs/providers/vmware.md ("The mover") lists'],
  'not-found': ['source-not-found', 'the VM or its disk is gone from vCenter: check the source'],
  'disk-size-mismatch': ['source-unreadable', 'the disk file is shorter than its descriptor: check the VM on vCenter'],
  'disk-unreadable': ['source-unreadable', 'check the VM\'s disk on vCenter'],
  'not-supported': ['not-supported', 'see docs/providers/vmware.md for the disks Ferry reads'],
  'vmdk-invalid': ['vmdk-invalid', 'the exported disk is not a stream-optimized VMDK the mover reads; the reconciler retries the pass'],
  'invalid-power-state': ['vm-running', 'a delta pass needs the VM powered off'],
  canceled: ['mover-stopped', 'a new run of the same op resumes from its checkpoint'],
};

const FS_CODES: Record<string, [code: string, hint: string]> = {
  ENOSPC: ['device-full', 'the target device is smaller than the disk, or the state directory is full'],
  EACCES: ['permission-denied', 'the mover may not open the device or its state directory'],
  EPERM: ['permission-denied', 'the mover may not open the device or its state directory'],
  EROFS: ['permission-denied', 'the device or the state directory is read-only'],
  ENOENT: ['device-missing', 'check the device path (--device) or that the disk is attached to the mover VM'],
  EIO: ['device-io-error', 'the target device failed an I/O: check its storage pool'],
};

/** The one line a failure is reported as: `CODE: what happened; what to do`. */
export function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof MoverError) return { code: error.code, message: error.message };
  if (error instanceof ProviderError) {
    const [code, hint] = PROVIDER_HINTS[error.code] ?? ['vsphere-error', 'see vCenter\'s message; the reconciler retries the pass with a new job'];
    return { code, message: `${oneLine(error.message)}; ${hint}` };
  }
  const errno = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof errno === 'string' && FS_CODES[errno]) {
    const [code, hint] = FS_CODES[errno]!;
    return { code, message: `${oneLine((error as Error).message)}; ${hint}` };
  }
  return { code: 'internal', message: `internal error: ${oneLine(error instanceof Error ? error.message : String(error))} (a bug in the mover; please report it)` };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Whether a failure may pass by itself (the wire broke, vCenter was busy): worth a retry. */
export function isTransient(error: unknown): boolean {
  if (error instanceof ProviderError) return error.code === 'unreachable' || error.code === 'timeout' || error.code === 'http-error' || error.code === 'busy';
  return false;
}
