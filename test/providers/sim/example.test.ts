import { describe, expect, it } from 'vitest';
import { compileHooks } from '../../../src/reconcile/compile-hooks.js';
import { directoryFiles } from '../../../src/repo/files.js';
import { loadRepository } from '../../../src/repo/load.js';
import { simulatedTargetLayout } from '../../../src/repo/simulation-layout.js';
import { createSimProviders, openSimWorld } from '../../../src/providers/sim/index.js';
import { readInventories } from '../../../src/providers/sim/seed.js';
import { EXAMPLE_REPO } from '../../helpers/cli.js';

describe('the example campaign runs on its Simulation', () => {
  it('its target has every project, pool and network the batches, scriptlets and overrides place on', async () => {
    const files = directoryFiles(EXAMPLE_REPO);
    const { state, problems } = await loadRepository(files, { hooks: compileHooks() });
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const inventories = await readInventories(state, files);
    const needed = simulatedTargetLayout({ ...state, simulation: null }, inventories, 'incus-east');
    const world = await openSimWorld({ desired: state, files });
    const observed = await createSimProviders(world, state).target('incus-east').observe(['default', 'web', 'pci', 'data', 'apps']);
    const project = observed.projects.default!;
    expect(Object.keys(observed.projects).sort()).toEqual([...new Set([...needed.projects, 'pci'])].sort());
    expect(project.pools).toEqual(expect.arrayContaining([...needed.storage_pools, 'hdd', 'pool02']));
    expect(project.networks).toEqual(expect.arrayContaining(needed.networks));
    expect(project.instances).toEqual({ grafana: { running: true, entry: null, attempt: null } });
  });

  it('replaces the DMZ network an hour before wave-1-web\'s first night', async () => {
    const files = directoryFiles(EXAMPLE_REPO);
    const { state } = await loadRepository(files);
    const world = await openSimWorld({ desired: state, files });
    const nightOne = state.batches.find((b) => b.meta.name === 'wave-1-web')!.migration_windows[0]!.start!;
    await world.clock.advanceTo(nightOne - 60 * 60_000);
    const observed = await createSimProviders(world, state).target('incus-east').observe(['web']);
    expect(observed.projects.web!.networks).toEqual(['VM-Network', 'dmz-v2', 'migration', 'storage']);
    expect(world.state.start).toBeLessThan(Math.min(...state.batches.flatMap((b) => b.migration_windows.map((w) => w.start ?? Infinity))));
  });
});
