import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMAS } from '../../src/model/generated/schemas.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

const schemaDir = join(PROJECT_ROOT, 'schemas');

describe('the schemas embedded in the code', () => {
  it('are exactly the files of schemas/, one for each', () => {
    const files = readdirSync(schemaDir).filter((file) => file.endsWith('.json')).sort();
    expect(Object.keys(SCHEMAS).sort()).toEqual(files);
    for (const file of files) {
      expect(SCHEMAS[file as keyof typeof SCHEMAS], `${file} differs from src/model/generated/schemas.ts: run npm run gen`).toEqual(
        JSON.parse(readFileSync(join(schemaDir, file), 'utf8')),
      );
    }
  });

  it('print the editor bundle byte for byte as schemas/ferry.schema.json (what ferry init writes)', () => {
    expect(JSON.stringify(SCHEMAS['ferry.schema.json'], null, 2) + '\n').toBe(readFileSync(join(schemaDir, 'ferry.schema.json'), 'utf8'));
  });
});
