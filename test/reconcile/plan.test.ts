// planOnce observes the target projects a decision placed entries in that nobody had asked about,
// and decides again only when that can change the decision: when an entry the status already had
// was placed anew. Entries a batch start creates are judged from the next tick on, so a batch start
// decides once (at 50,000 instances the second decide was half the plan).

import { describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import { compileHooks } from '../../src/reconcile/compile-hooks.js';
import { compileDesired, decide } from '../../src/engine/index.js';
import { emptyStatus, type StatusState } from '../../src/engine/status.js';
import { createSimProviders, openSimWorld } from '../../src/providers/sim/index.js';
import type { DesiredAt } from '../../src/reconcile/desired.js';
import { planOnce } from '../../src/reconcile/reconciler.js';
import { memoryFiles } from '../../src/repo/files.js';
import { loadRepository } from '../../src/repo/load.js';
import type { StatusSnapshot, StatusStore } from '../../src/store/index.js';

const GiB = 1024 ** 3;

function vm(i: number, name: string): Record<string, unknown> {
  return {
    uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    source_specific_id: `vm-${i}`,
    location: `/DC/vm/app/${name}`,
    name,
    architecture: 'x86_64',
    cpus: 2,
    memory: 4 * GiB,
    running: true,
    background_import: true,
    os: 'Ubuntu Linux (64-bit)',
    os_type: 'linux',
    distribution: 'ubuntu',
    distribution_version: '22.04',
    nics: [{ hardware_address: `00:50:56:00:00:0${i}`, location: '/DC/network/VM Network', ipv4_address: `10.0.0.${i}` }],
    disks: [{ name: `[ds] ${name}/${name}.vmdk`, capacity: 10 * GiB, supported: true, background_import_verified: true }],
  };
}

const FILES = {
  'sources/dc.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: dc}\nspec: {type: sim, inventory_file: ../inventory/dc.json}\n',
  'inventory/dc.json': JSON.stringify([vm(1, 'web-1'), vm(2, 'web-2'), vm(3, 'db-1-gold'), vm(4, 'db-2-gold')]),
  'targets/incus.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: incus}\nspec: {type: sim}\n',
  'simulation.yaml': `apiVersion: ferry.dev/v1alpha1
kind: Simulation
metadata: {name: world}
spec:
  start: 2027-03-01T20:00:00Z
  targets:
    incus: {projects: [default, gold], storage_pools: [ssd], networks: [VM-Network]}
`,
  'batches/placement.star': 'def placement(instance, batch):\n    if instance.name.endswith("-gold"):\n        set_project("gold")\n',
  'batches/app.yaml': `apiVersion: ferry.dev/v1alpha1
kind: Batch
metadata: {name: app}
spec:
  state: running
  include_expression: location matches '^/DC/vm/app/'
  migration_windows:
    - {name: night, start: 2027-03-01T22:00:00Z, end: 2027-03-02T04:00:00Z}
  defaults:
    placement: {target: incus, target_project: default, storage_pool: ssd}
  config: {placement_scriptlet_file: placement.star}
`,
};

async function setUp() {
  const files = memoryFiles(FILES);
  const loaded = await loadRepository(files, { hooks: compileHooks() });
  expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
  const desired: DesiredAt = { state: loaded.state, problems: loaded.problems, files, commit: null, describe: 'memory' };
  const world = await openSimWorld({ desired: loaded.state, files, stateFile: null });
  const providers = createSimProviders(world, loaded.state);
  const traces: Record<string, number>[] = [];
  const log = { trace: (fields: Record<string, number>) => traces.push(fields) } as unknown as Logger;
  const plan = async (status: StatusState) => {
    const snapshot: StatusSnapshot = { revision: null, status };
    const store: StatusStore = { description: 'memory', read: async () => snapshot, write: async () => ({ ok: true, revision: 'x' }) };
    return planOnce({ store, providers, reconciler: 'test', log }, desired, compileDesired(loaded.state), snapshot);
  };
  return { desired, plan, traces, close: () => providers.close() };
}

describe('planOnce and target projects placed this tick', () => {
  it('observes the projects of entries a batch start created, and decides once', async () => {
    const t = await setUp();
    const result = await t.plan(emptyStatus());
    const entries = Object.values(result.decision.status.entries);
    expect(entries.map((e) => [e.name, e.status, e.placement.target_project]).sort()).toEqual([
      ['db-1-gold', 'waiting', 'gold'],
      ['db-2-gold', 'waiting', 'gold'],
      ['web-1', 'waiting', 'default'],
      ['web-2', 'waiting', 'default'],
    ]);
    expect(Object.keys(result.observations.targets.incus!.projects).sort()).toEqual(['default', 'gold']);
    expect(t.traces.map((trace) => trace.decides)).toEqual([1]);
    // Deciding again with the project observed changes nothing.
    const again = decide({ desired: t.desired.state, compiled: compileDesired(t.desired.state), status: emptyStatus(), observations: result.observations, now: result.now, reconciler: 'test', desiredCommit: null });
    expect(again.status).toEqual(result.decision.status);
    expect(again.actions).toEqual(result.decision.actions);
    expect(again.changes).toEqual(result.decision.changes);
    await t.close();
  });

  it('decides again when an entry the status had is placed in a project not observed', async () => {
    const t = await setUp();
    const started = (await t.plan(emptyStatus())).decision.status;
    // The gold entries were blocked and placed in the default project; now the scriptlet moves them.
    const entries = { ...started.entries };
    for (const [uuid, entry] of Object.entries(entries)) {
      if (entry.name.endsWith('-gold')) entries[uuid] = { ...entry, status: 'blocked', message: 'blocked', placement: { ...entry.placement, target_project: 'default' } };
    }
    t.traces.length = 0;
    const result = await t.plan({ ...started, entries });
    expect(t.traces.map((trace) => trace.decides)).toEqual([2]);
    const gold = Object.values(result.decision.status.entries).filter((e) => e.name.endsWith('-gold'));
    // Judged with the gold project observed: unblocked and on to creation, not left blocked for want of an observation.
    expect(gold.map((e) => [e.status, e.placement.target_project])).toEqual([
      ['creating', 'gold'],
      ['creating', 'gold'],
    ]);
    await t.close();
  });
});

describe('duplicate VMs across sources', () => {
  it('are noted once per sync, the later source (by name) skipped as decide does', async () => {
    const { duplicateNotes } = await import('../../src/reconcile/observe.js');
    const vm = (uuid: string, name: string) => ({ uuid, name } as never);
    const inventory = {
      'dc-b': { synced_at: 1, instances: [vm('u1', 'web-01'), vm('u2', 'db-01')], networks: [] },
      'dc-a': { synced_at: 1, instances: [vm('u1', 'web-01')], networks: [] },
    };
    expect(duplicateNotes(inventory, ['dc-b'])).toEqual(['VM web-01 (u1) is in the inventory of source dc-a and of source dc-b: the one of dc-b is skipped']);
    expect(duplicateNotes(inventory, [])).toEqual([]);
  });
});
