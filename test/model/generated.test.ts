import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedTypes } from '../../scripts/gen-types.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

describe('schemas are the one source of truth', () => {
  it('the committed TypeScript types and editor bundle are exactly what npm run gen derives from schemas/', async () => {
    const generated = await generatedTypes();
    expect(generated.size).toBeGreaterThanOrEqual(3);
    for (const [file, text] of generated) {
      expect(readFileSync(join(PROJECT_ROOT, file), 'utf8'), `${file} is stale: run npm run gen`).toBe(text);
    }
  });
});
