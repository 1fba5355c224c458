// The simulator alone at the size where one string no longer holds its world: a persisted world of
// FERRY_BENCH_VMS (200,000) VMs, every VM given a target instance, then a background copy, both
// completed by the clock; the world closed, opened again and closed. The world file was one
// JSON.stringify until format v2: closing a world this size failed with `RangeError: Invalid
// string length`, and every later open with it (docs/performance.md).
//
//   node --import tsx bench/sim-scale.ts
//   FERRY_BENCH_VMS=100000 node --import tsx bench/sim-scale.ts

import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportDisksAction } from '../src/engine/actions.js';
import { createSimProviders, openSimWorld, type SimWorld } from '../src/providers/sim/index.js';
import { createAll, desiredState, inventory } from './sim.bench.js';

const VMS = Number(process.env.FERRY_BENCH_VMS ?? 200_000);

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function filesOf(stateFile: string): string {
  const history = `${stateFile}.history`;
  const historyBytes = existsSync(history) ? readdirSync(history).reduce((sum, name) => sum + statSync(join(history, name)).size, 0) : 0;
  return `state file ${mib(statSync(stateFile).size)}, journal ${mib(statSync(`${stateFile}.journal`).size)}, history ${mib(historyBytes)}`;
}

async function settle(world: SimWorld): Promise<void> {
  for (let next = world.nextEventAt(); next !== null; next = world.nextEventAt()) world.advanceTo(next);
}

const vms = inventory(VMS);
const { desired, files } = await desiredState(vms);
const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-sim-scale-'));
const stateFile = join(dir, 'world.json');
const rss = () => `peak RSS ${mib(process.resourceUsage().maxRSS * 1024)}`;
try {
  let started = performance.now();
  const world = await openSimWorld({ desired, files, stateFile });
  console.log(`${VMS.toLocaleString('en')} VMs: world created in ${seconds(started)} (${filesOf(stateFile)})`);
  started = performance.now();
  await createAll(world, desired, vms);
  await settle(world);
  console.log(`every VM given a target instance in ${seconds(started)} (${filesOf(stateFile)}; ${rss()})`);
  started = performance.now();
  const transfers = createSimProviders(world, desired).transfers;
  for (const vm of vms) {
    const action: ImportDisksAction = {
      op: `${vm.uuid}#1/sync-2`, entry: vm.uuid, attempt: `${vm.uuid}#1`, batch: 'b', kind: 'import_disks',
      target: 'incus', project: 'default', name: vm.name, source: 'dc1', vm: vm.uuid, mode: 'background',
    };
    await transfers.importDisks(action);
  }
  await settle(world);
  console.log(`every VM copied in the background in ${seconds(started)} (${filesOf(stateFile)}; ${rss()})`);
  started = performance.now();
  await world.close();
  console.log(`closed in ${seconds(started)} (${filesOf(stateFile)})`);
  started = performance.now();
  const again = await openSimWorld({ desired, files, stateFile });
  console.log(`opened again in ${seconds(started)}: ${Object.keys(again.state.ops).length} operations live, ${Object.keys(again.state.ended ?? {}).length} ended`);
  started = performance.now();
  await again.close();
  console.log(`closed again in ${seconds(started)} (${filesOf(stateFile)}; ${rss()})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
