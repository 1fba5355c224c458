// A vcsim VM whose disk is a synthetic Windows guest without virtio drivers
// (test/peers/guest-tools/windows-guest.ts): what the mover's readiness and preparation tests copy
// from, as a process (mover-readiness.test.ts) and inside the booted mover image
// (test/peers/mover-image/mover-windows.test.ts).

import { readFileSync } from 'node:fs';
import type { MoRef } from '../../../src/providers/vmware/values.js';
import { buildWindowsDisk, SERVER_2019 } from '../guest-tools/windows-guest.js';
import { powerOff, type Admin } from '../vcsim/admin.js';
import { writeDisk } from '../vcsim/mover-peer.js';

/** Builds a Windows Server 2019 disk at `image`, powers the VM off and puts the disk over its first one; returns the disk's bytes. */
export async function seedWindowsVm(a: Admin, vmName: string, vm: MoRef, image: string): Promise<Buffer> {
  buildWindowsDisk(image, SERVER_2019);
  const source = readFileSync(image);
  await powerOff(a, vm);
  await writeDisk(a, vmName, source.length, source);
  return source;
}
