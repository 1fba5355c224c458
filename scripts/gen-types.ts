// One source of truth: the per-kind schemas in schemas/*.schema.json. This script derives
//   - schemas/ferry.schema.json: one self-contained bundle for editors (yaml-language-server);
//   - src/model/generated/*.ts: the TypeScript types of every document shape, and the schemas
//     themselves as values (schemas.ts), so a bundled build (the GitHub Action) needs no files.
// test/model/generated.test.ts fails when a derived file differs from what this script writes.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaDir = join(root, 'schemas');

/** Kind schema files, in the order the bundle lists them. */
export const KIND_SCHEMAS = [
  'project', 'source', 'target', 'batch', 'instance-override', 'network-override', 'resolution', 'simulation',
] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function readSchema(name: string): Record<string, Json> {
  return JSON.parse(readFileSync(join(schemaDir, `${name}.schema.json`), 'utf8')) as Record<string, Json>;
}

/** Rewrites references so they point into the bundle's own $defs. */
function localize(value: Json, rootName: string, forTypes = false): Json {
  if (Array.isArray(value)) return value.map((item) => localize(item, rootName, forTypes));
  if (value === null || typeof value !== 'object') return value;
  // A $ref with a description beside it would otherwise become a numbered copy of the type.
  if (forTypes && typeof value.$ref === 'string') return localize({ $ref: value.$ref }, rootName);
  const out: Record<string, Json> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string') {
      out[key] = child.replace(/^common\.schema\.json#/, '#').replace(/^#$/, `#/$defs/${rootName}`);
    } else {
      out[key] = localize(child, rootName, forTypes);
    }
  }
  return out;
}

function collectDefs(forTypes = false): { defs: Record<string, Json>; kinds: { kind: string; title: string }[] } {
  const defs: Record<string, Json> = {};
  const add = (name: string, schema: Json): void => {
    if (name in defs) throw new Error(`two schemas define $defs/${name}`);
    defs[name] = schema;
  };
  const common = readSchema('common');
  for (const [name, schema] of Object.entries(common.$defs as Record<string, Json>)) add(name, localize(schema, name, forTypes));
  const kinds: { kind: string; title: string }[] = [];
  for (const file of KIND_SCHEMAS) {
    const { $schema: _s, $id: _i, $defs, ...document } = readSchema(file);
    const title = document.title as string;
    for (const [name, schema] of Object.entries(($defs ?? {}) as Record<string, Json>)) add(name, localize(schema, title, forTypes));
    add(title, localize(document, title, forTypes));
    const kind = ((document.properties as Record<string, Record<string, Json>>).kind!.const) as string;
    kinds.push({ kind, title });
  }
  return { defs, kinds };
}

export function editorBundle(): string {
  const { defs, kinds } = collectDefs();
  const bundle = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://ferry.dev/schemas/ferry.schema.json',
    title: 'Ferry document',
    description: 'Any Ferry document, chosen by its kind. Generated from the per-kind schemas by `npm run gen`.',
    type: 'object',
    required: ['apiVersion', 'kind'],
    properties: { kind: { enum: kinds.map((k) => k.kind) } },
    allOf: kinds.map(({ kind, title }) => ({
      if: { properties: { kind: { const: kind } }, required: ['kind'] },
      then: { $ref: `#/$defs/${title}` },
    })),
    $defs: defs,
  };
  return JSON.stringify(bundle, null, 2) + '\n';
}

const BANNER = (from: string) => `// Generated from ${from} by \`npm run gen\`. Do not edit: change the schema.`;

export async function generatedTypes(): Promise<Map<string, string>> {
  const { defs, kinds } = collectDefs(true);
  const options = {
    additionalProperties: false,
    unknownAny: true,
    unreachableDefinitions: false,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  } as const;
  const documents = await compile(
    { title: 'FerryDocument', anyOf: kinds.map(({ title }) => ({ $ref: `#/$defs/${title}` })), $defs: defs } as unknown as JSONSchema,
    'FerryDocument',
    { ...options, bannerComment: BANNER('schemas/*.schema.json') },
  );
  const instance = await compile(readSchema('instance') as unknown as JSONSchema, 'Instance', {
    ...options,
    bannerComment: BANNER('schemas/instance.schema.json'),
  });
  return new Map([
    ['src/model/generated/documents.ts', documents],
    ['src/model/generated/instance.ts', instance],
    ['schemas/ferry.schema.json', editorBundle()],
    ['src/model/generated/schemas.ts', embeddedSchemas()],
  ]);
}

/** Every file of schemas/ as an object literal; the editor bundle as this run derives it. */
export function embeddedSchemas(): string {
  const files = schemaFiles();
  const entries = files.map((file) => {
    const schema: unknown = file === 'ferry.schema.json' ? JSON.parse(editorBundle()) : JSON.parse(readFileSync(join(schemaDir, file), 'utf8'));
    return `  ${JSON.stringify(file)}: ${JSON.stringify(schema, null, 2).replace(/\n/g, '\n  ')},`;
  });
  return [
    BANNER('schemas/*.schema.json'),
    '',
    `export type SchemaFile =\n${files.map((file) => `  | '${file}'`).join('\n')};`,
    '',
    '/** The JSON Schemas of schemas/, by file name. */',
    'export const SCHEMAS: { readonly [file in SchemaFile]: Record<string, unknown> } = {',
    ...entries,
    '};',
    '',
  ].join('\n');
}

export function schemaFiles(): string[] {
  return readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json')).sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [file, source] of await generatedTypes()) {
    writeFileSync(join(root, file), source);
    console.log(`wrote ${file}`);
  }
}
