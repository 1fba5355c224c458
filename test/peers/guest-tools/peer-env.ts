// The guest-tools peer's install (test/peers/.cache/guest-tools.env): ntfs-3g, hivex's tools,
// xorriso, sfdisk, losetup. A missing peer fails the tests; it never skips them.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function requireGuestTools(): void {
  const envFile = join(here, '..', '.cache', 'guest-tools.env');
  if (!existsSync(envFile)) throw new Error(`${envFile} not found: run \`FERRY_PEERS=guest-tools npm run test:peers\` (test/peers/guest-tools/install.sh)`);
  for (const line of readFileSync(envFile, 'utf8').split('\n').filter((entry) => entry.includes('='))) {
    const path = line.slice(line.indexOf('=') + 1);
    if (!existsSync(path)) throw new Error(`${envFile}: ${line} names no file; run test/peers/guest-tools/install.sh`);
  }
}
