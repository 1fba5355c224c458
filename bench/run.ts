// Runs every bench/*.bench.ts (or the ones named on the command line) in one process, so each
// benchmark's baseline is measured in the same run as the thing it is compared with.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.startsWith(w)))
  .sort();

for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<void> | void };
  console.log(`\n## ${file.replace(/\.bench\.ts$/, '')}`);
  await mod.default();
}
