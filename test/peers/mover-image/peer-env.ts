// The mover image built by test/peers/mover-image/install.sh (test/peers/.cache/mover-image.env).

import { peerEnv } from '../qemu/peer-env.js';

export function moverIso(): string {
  const iso = peerEnv('mover-image').MOVER_ISO;
  if (!iso) throw new Error('test/peers/.cache/mover-image.env has no MOVER_ISO: run test/peers/mover-image/install.sh again');
  return iso;
}
