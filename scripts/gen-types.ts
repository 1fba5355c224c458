// Generates src/model/generated/*.ts from schemas/*.schema.json: the schemas are the one source of
// truth for every file shape, and test/model/schemas-and-types.test.ts fails when the two drift.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function generatedTypes(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const schemaDir = join(root, 'schemas');
  for (const file of readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json')).sort()) {
    const schema = JSON.parse(readFileSync(join(schemaDir, file), 'utf8')) as JSONSchema;
    const name = basename(file, '.schema.json');
    const source = await compile(schema, schema.title ?? name, {
      cwd: schemaDir,
      bannerComment: `// Generated from schemas/${file} by \`npm run gen\`. Do not edit: change the schema.`,
      additionalProperties: false,
      strictIndexSignatures: false,
      unknownAny: true,
      style: { singleQuote: true, printWidth: 120 },
      $refOptions: { resolve: { external: true } } as never,
    });
    out.set(`${name}.ts`, source);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [file, source] of await generatedTypes()) {
    writeFileSync(join(root, 'src/model/generated', file), source);
    console.log(`wrote src/model/generated/${file}`);
  }
}
