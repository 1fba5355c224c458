// A sim Source's inventory file is data (a whole vCenter), not desired state: it is not bound by
// the 4 MiB limit of documents, or a campaign of DESIGN §6's size (50,000 VMs, 30–45 MiB) could
// not be simulated. Documents keep their limit.

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { openSimWorld } from '../../src/providers/sim/index.js';
import { directoryFiles, gitRevisionFiles, MAX_FILE_BYTES, MAX_INVENTORY_BYTES } from '../../src/repo/files.js';
import { repositoryInventory } from '../../src/repo/inventory.js';
import { loadRepository } from '../../src/repo/load.js';
import { tempDir } from '../helpers/cli.js';

const GiB = 1024 ** 3;

function vm(i: number): Record<string, unknown> {
  const name = `vm-${String(i).padStart(6, '0')}`;
  return {
    uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    source_specific_id: `vm-${i}`,
    location: `/DC/vm/${name}`,
    name,
    architecture: 'x86_64',
    cpus: 2,
    memory: 4 * GiB,
    running: true,
    background_import: true,
    os_type: 'linux',
    nics: [{ hardware_address: `00:50:56:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, location: '/DC/network/VM Network', ipv4_address: '10.0.0.1' }],
    disks: [{ name: `[ds] ${name}/${name}.vmdk`, capacity: 10 * GiB, supported: true, background_import_verified: true }],
  };
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function repository(files: Record<string, string>): string {
  const dir = tempDir('ferry-inventory-');
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'campaign');
  return dir;
}

const SOURCE = 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: dc}\nspec: {type: sim, inventory_file: ../inventory/dc.json}\n';
const TARGET = 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: incus}\nspec: {type: sim}\n';

describe('inventory files larger than a document may be', () => {
  const count = 20_000;
  const inventory = JSON.stringify(Array.from({ length: count }, (_, i) => vm(i)), null, 1);

  it('are read by the loader, the inventory readers and the simulator, from a directory and from a commit', async () => {
    expect(inventory.length).toBeGreaterThan(MAX_FILE_BYTES);
    const dir = repository({ 'sources/dc.yaml': SOURCE, 'targets/incus.yaml': TARGET, 'inventory/dc.json': inventory });
    for (const files of [directoryFiles(dir), await gitRevisionFiles(dir, 'HEAD')]) {
      const loaded = await loadRepository(files);
      expect(loaded.problems).toEqual([]);
      const read = await repositoryInventory(files, loaded.state);
      expect(read.found && read.instances.length).toBe(count);
      const world = await openSimWorld({ desired: loaded.state, files, stateFile: null });
      expect(Object.keys(world.state.sources.dc!.vms).length).toBe(count);
      await world.close();
    }
  });

  it('are not kept by the files of a commit once read: a long apply would hold the text for nothing', async () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const heapUsed = () => {
      collectGarbage();
      collectGarbage();
      return process.memoryUsage().heapUsed;
    };
    const dir = repository({ 'sources/dc.yaml': SOURCE, 'inventory/dc.json': inventory });
    const files = await gitRevisionFiles(dir, 'HEAD');
    await files.read('sources/dc.yaml');
    // Read in a function of its own: its frame, which holds what it awaited, is gone when it returns.
    const lengths = async () => [(await files.read('inventory/dc.json', MAX_INVENTORY_BYTES))?.length, (await files.read('inventory/dc.json', MAX_INVENTORY_BYTES))?.length];
    const before = heapUsed();
    expect(await lengths()).toEqual([inventory.length, inventory.length]);
    // The text is ${inventory.length / 1e6} MB: kept, the heap would have grown by that much.
    expect(heapUsed() - before).toBeLessThan(inventory.length / 4);
    expect(await files.read('sources/dc.yaml')).toBe(SOURCE);
  });

  it('do not lift the limit of documents', async () => {
    const padding = `# ${'x'.repeat(MAX_FILE_BYTES)}\n`;
    const dir = repository({ 'sources/dc.yaml': SOURCE, 'targets/incus.yaml': padding + TARGET, 'inventory/dc.json': '[]' });
    const loaded = await loadRepository(directoryFiles(dir));
    expect(loaded.problems.map((p) => [p.file, p.code])).toEqual([['targets/incus.yaml', 'file-too-large']]);
  });
});
