// Reading and changing a registry hive of the mounted guest with Debian's hivex tools
// (libhivex-bin: hivexget, hivexsh; libwin-hivex-perl: hivexregedit).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WindowsPrepareError } from './windows-failure.js';
import { type RegistryKeyEdit, type RegistryValue, parseValues, renderReg } from './windows-reg-file.js';
import { outputTail, run } from './windows-tools.js';

function failed(what: string, detail: string): WindowsPrepareError {
  return new WindowsPrepareError('hive-edit-failed', `${what}: ${detail}`);
}

/** The values of a key; null when the key does not exist. */
export async function readKey(hive: string, key: string): Promise<Map<string, RegistryValue> | null> {
  const result = await run('hivexget', [hive, key]);
  if (result.code === 0) return parseValues(result.stdout);
  if (/not found/.test(result.stderr)) return null;
  throw failed(`${key} cannot be read from ${hive}`, outputTail(result, 2));
}

/** The names of a key's subkeys; null when the key does not exist. */
export async function subkeys(hive: string, key: string): Promise<string[] | null> {
  const result = await run('hivexsh', [hive], `cd \\${key}\nls\n`);
  if (/not found/.test(result.stderr)) return null;
  if (result.code !== 0) throw failed(`the subkeys of ${key || 'the root'} cannot be listed in ${hive}`, outputTail(result, 2));
  return result.stdout.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
}

/** Merges the edits into the hive in one hivexregedit run (hivex commits the file only at the end). */
export async function mergeKeys(hive: string, prefix: string, edits: RegistryKeyEdit[]): Promise<void> {
  if (edits.length === 0) return;
  const dir = await mkdtemp(join(tmpdir(), 'ferry-reg-'));
  try {
    const file = join(dir, 'edits.reg');
    await writeFile(file, renderReg(prefix, edits));
    const result = await run('hivexregedit', ['--merge', '--prefix', prefix, '--encoding', 'UTF-16LE', hive, file]);
    if (result.code !== 0) throw failed(`the changes to ${hive} were refused`, outputTail(result, 2));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
