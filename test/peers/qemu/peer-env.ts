// Where the qemu peer's install put QEMU (test/peers/.cache/qemu.env): qemu-img, qemu-system-x86_64
// and OVMF's UEFI firmware. A missing peer fails the tests; it never skips them.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const PEER_CACHE = join(here, '..', '.cache');

export interface QemuPeer {
  qemuImg: string;
  qemuSystem: string;
  /** The UEFI firmware's code and its variable store template (pflash pair). */
  ovmfCode: string;
  ovmfVars: string;
}

export function qemuPeer(): QemuPeer {
  const envFile = join(PEER_CACHE, 'qemu.env');
  if (!existsSync(envFile)) throw new Error(`${envFile} not found: run \`FERRY_PEERS=qemu npm run test:peers\` (test/peers/qemu/install.sh)`);
  const env = new Map(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
  const value = (key: string): string => {
    const found = env.get(key);
    if (found === undefined || !existsSync(found)) throw new Error(`${envFile}: ${key} is missing or names no file; run test/peers/qemu/install.sh`);
    return found;
  };
  return { qemuImg: value('QEMU_IMG'), qemuSystem: value('QEMU_SYSTEM'), ovmfCode: value('OVMF_CODE'), ovmfVars: value('OVMF_VARS') };
}
