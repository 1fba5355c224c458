import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/cli.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('every problem code the loader can report is documented', () => {
  it('in docs/errors.md', () => {
    const codes = new Set<string>(['unknown-target', 'unknown-source', 'unknown-batch', 'windows-overlap']);
    for (const file of [...sources(join(PROJECT_ROOT, 'src/repo')), ...sources(join(PROJECT_ROOT, 'src/model'))]) {
      for (const match of readFileSync(file, 'utf8').matchAll(/code: '([a-z][a-z0-9-]+)'|return '([a-z]+-[a-z0-9-]+)';|\(\[[^\]]*\], '([a-z]+-[a-z0-9-]+)'/g)) {
        codes.add(match[1] ?? match[2] ?? match[3]!);
      }
    }
    for (const schema of readdirSync(join(PROJECT_ROOT, 'schemas'))) {
      for (const match of readFileSync(join(PROJECT_ROOT, 'schemas', schema), 'utf8').matchAll(/"x-error-code": "([a-z-]+)"/g)) codes.add(match[1]!);
    }
    const docs = readFileSync(join(PROJECT_ROOT, 'docs/errors.md'), 'utf8');
    const missing = [...codes].filter((code) => !docs.includes(`\`${code}\``)).sort();
    expect(codes.size).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });
});
