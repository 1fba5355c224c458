// Extracts the GitHub REST operations Ferry uses from GitHub's published OpenAPI description
// (@octokit/openapi) into test/github-fake/openapi-subset.json, which the GitHub fake serves
// and validates against. The package is fetched with `npm pack` into a temporary directory and
// not installed: it is 400 MB unpacked and only one 13 MB file of it is needed.
//
//   npx tsx scripts/github-openapi.ts
//
// Object keys are written sorted, so running it again on the same package gives the same file.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GITHUB_OPERATIONS } from '../test/github-fake/operations.js';

const PACKAGE = '@octokit/openapi';
const VERSION = '23.0.2';
const SOURCE_FILE = 'generated/api.github.com.json';
const OUTPUT = new URL('../test/github-fake/openapi-subset.json', import.meta.url);
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function downloadDescription(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-openapi-'));
  try {
    const packed = execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--json', '--pack-destination', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
    execFileSync('tar', ['-xzf', join(dir, filename), '-C', dir, `package/${SOURCE_FILE}`]);
    return readFileSync(join(dir, 'package', SOURCE_FILE), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function collectRefs(value: Json, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') into.add(child);
      else collectRefs(child, into);
    }
  }
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]!);
  return out;
}

/** The wanted operations with their path items, and every component they reach through $ref. */
function extractSubset(description: JsonObject, operations: readonly string[], source: JsonObject): JsonObject {
  const wanted = new Set(operations);
  const paths: JsonObject = {};
  const found = new Set<string>();
  for (const [path, item] of Object.entries(description.paths as Record<string, JsonObject>)) {
    const kept: JsonObject = {};
    for (const [key, operation] of Object.entries(item)) {
      if (!METHODS.includes(key)) continue;
      const id = (operation as JsonObject).operationId as string;
      if (!wanted.has(id)) continue;
      if (found.has(id)) throw new Error(`operation ${id} appears twice in ${SOURCE_FILE}`);
      found.add(id);
      kept[key] = operation;
    }
    if (Object.keys(kept).length === 0) continue;
    if (item.parameters) kept.parameters = item.parameters;
    paths[path] = kept;
  }
  const missing = operations.filter((id) => !found.has(id));
  if (missing.length > 0) throw new Error(`not in ${PACKAGE}@${VERSION}: ${missing.join(', ')}`);

  const allComponents = description.components as Record<string, JsonObject>;
  const components: Record<string, JsonObject> = {};
  // A Set visits what is added to it while it is iterated, so this walks the references transitively.
  const refs = new Set<string>();
  collectRefs(paths, refs);
  for (const ref of refs) {
    const match = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref);
    if (!match) throw new Error(`unexpected reference ${ref}`);
    const [, kind, name] = match as unknown as [string, string, string];
    const component = allComponents[kind]?.[name];
    if (component === undefined) throw new Error(`dangling reference ${ref}`);
    (components[kind] ??= {})[name] = component;
    collectRefs(component, refs);
  }

  const info = description.info as JsonObject;
  return sortKeys({
    openapi: description.openapi!,
    info: { title: info.title!, version: info.version! },
    'x-ferry-source': source,
    paths,
    components,
  }) as JsonObject;
}

function main(): void {
  const text = downloadDescription();
  const sha256 = createHash('sha256').update(text).digest('hex');
  const source: JsonObject = {
    package: PACKAGE,
    version: VERSION,
    file: SOURCE_FILE,
    sha256,
    operations: [...GITHUB_OPERATIONS],
  };
  const subset = extractSubset(JSON.parse(text) as JsonObject, GITHUB_OPERATIONS, source);
  writeFileSync(OUTPUT, `${JSON.stringify(subset, null, 2)}\n`);
  const counts = Object.entries(subset.components as JsonObject)
    .map(([kind, entries]) => `${Object.keys(entries as JsonObject).length} ${kind}`)
    .join(', ');
  console.log(`wrote ${OUTPUT.pathname}: ${GITHUB_OPERATIONS.length} operations, ${counts} (sha256 ${sha256})`);
}

main();
