// The mover image built by test/peers/mover-image/install.sh (test/peers/.cache/mover-image.env),
// and the Debian guest disk its prepare test prepares inside the image.

import { peerEnv } from '../qemu/peer-env.js';

function required(key: string): string {
  const value = peerEnv('mover-image')[key];
  if (!value) throw new Error(`test/peers/.cache/mover-image.env has no ${key}: run test/peers/mover-image/install.sh again`);
  return value;
}

export function moverIso(): string {
  return required('MOVER_ISO');
}

/** A raw Debian bookworm disk with a host-only initramfs (test/support/debian-guest.sh host-only); never written. */
export function debianHostOnlyGuest(): string {
  return required('DEBIAN_GUEST_HOST_ONLY');
}
