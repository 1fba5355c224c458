import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FERRY_VERSION } from '../../src/model/version.js';
import { ferry, PROJECT_ROOT } from '../helpers/cli.js';

describe("Ferry's version", () => {
  it('is the version of package.json, and ferry --version prints it', async () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(FERRY_VERSION, 'src/model/version.ts differs from package.json: change both').toBe(pkg.version);
    expect((await ferry(['--version'])).stdout).toBe(`ferry ${pkg.version}\n`);
  });
});
