// Where the peer install put the reference implementation (test/peers/.cache/starlark.env).
// Missing pieces are reported as failures by the tests, never as skips.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const PEER_CACHE = join(here, '..', '.cache');

export interface StarlarkPeer {
  cli: string;
  testdata: string;
}

export function starlarkPeer(): StarlarkPeer {
  const envFile = join(PEER_CACHE, 'starlark.env');
  if (!existsSync(envFile)) {
    throw new Error(`${envFile} not found: run \`FERRY_PEERS=starlark npm run test:peers\` (test/peers/starlark/install.sh)`);
  }
  const env = Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const cli = env.STARLARK_CLI ?? join(PEER_CACHE, 'starlark');
  const testdata = env.STARLARK_TESTDATA;
  if (testdata === undefined) throw new Error(`${envFile} does not name STARLARK_TESTDATA: run test/peers/starlark/install.sh`);
  if (!existsSync(cli)) throw new Error(`reference CLI ${cli} not found: run test/peers/starlark/install.sh`);
  if (!existsSync(join(testdata, 'starlarktest', 'assert.star'))) throw new Error(`starlark-go test data not found under ${testdata}`);
  return { cli, testdata };
}
