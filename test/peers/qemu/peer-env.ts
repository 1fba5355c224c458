// The qemu peer: where test/peers/qemu/install.sh found QEMU and the UEFI firmware
// (test/peers/.cache/qemu.env). A missing peer is a failure, never a skip.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PEER_CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '.cache');

export function peerEnv(peer: string): Record<string, string> {
  const file = join(PEER_CACHE, `${peer}.env`);
  if (!existsSync(file)) throw new Error(`${file} not found: run \`FERRY_PEERS=${peer} npm run test:peers\` (test/peers/${peer}/install.sh)`);
  const values = Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  for (const [key, value] of Object.entries(values)) {
    if (value.startsWith('/') && !existsSync(value)) throw new Error(`${file}: ${key}=${value} does not exist: run test/peers/${peer}/install.sh again`);
  }
  return values;
}

export interface QemuPeer {
  qemuImg: string;
  qemuSystem: string;
  ovmfCode: string;
  ovmfVars: string;
  ovmfCodeSecureBoot: string;
  ovmfVarsMicrosoft: string;
}

export function qemuPeer(): QemuPeer {
  const env = peerEnv('qemu');
  const get = (key: string) => {
    const value = env[key];
    if (!value) throw new Error(`test/peers/.cache/qemu.env has no ${key}: run test/peers/qemu/install.sh again`);
    return value;
  };
  return {
    qemuImg: get('QEMU_IMG'),
    qemuSystem: get('QEMU_SYSTEM'),
    ovmfCode: get('OVMF_CODE'),
    ovmfVars: get('OVMF_VARS'),
    ovmfCodeSecureBoot: get('OVMF_CODE_SECBOOT'),
    ovmfVarsMicrosoft: get('OVMF_VARS_MS'),
  };
}
