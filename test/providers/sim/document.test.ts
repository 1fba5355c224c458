import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Problem } from '../../../src/model/problem.js';
import { simulationDocument } from '../../../src/model/to-document.js';
import { memoryFiles } from '../../../src/repo/files.js';
import { loadRepository } from '../../../src/repo/load.js';
import { simulatedTargetLayout } from '../../../src/repo/simulation-layout.js';
import { MiB, repositoryFiles, SIMULATION, START } from './fixture.js';

async function problemsOf(files: Record<string, string>): Promise<Problem[]> {
  return (await loadRepository(memoryFiles(files))).problems;
}

/** The fixture repository with these lines as the Simulation's events. */
function withEvents(events: string): Record<string, string> {
  return repositoryFiles({ events });
}

function withSimulation(text: string): Record<string, string> {
  return repositoryFiles({ simulation: text });
}

const HEAD = 'apiVersion: ferry.dev/v1alpha1\nkind: Simulation\nmetadata: {name: world}\nspec:\n  start: 2026-01-01T00:00:00Z\n';

/** [what, files, code, line, column]: problems are in simulation.yaml (events start on line 19). */
const CASES: [string, Record<string, string>, string, number, number][] = [
  ['an event at an unknown VM, with a suggestion', withEvents('    - {at: +1h, type: power_off, vm: vm-aa}\n'), 'unknown-vm', 19, 38],
  ['an event before the clock starts', withEvents('    - {at: "2025-12-31 23:00:00", type: power_off, vm: vm-a}\n'), 'event-before-start', 19, 12],
  ['an event time that is neither a time nor an offset', withEvents('    - {at: tomorrow, type: power_off, vm: vm-a}\n'), 'invalid-event-time', 19, 12],
  ['an impossible event date', withEvents('    - {at: "2026-02-30 00:00:00", type: power_off, vm: vm-a}\n'), 'invalid-timestamp', 19, 12],
  ['an unknown event type, with a suggestion', withEvents('    - {at: +1h, type: power_of, vm: vm-a}\n'), 'invalid-value', 19, 23],
  ['an event without its VM', withEvents('    - {at: +1h, type: power_off}\n'), 'missing-field', 19, 7],
  ['a field the event type does not take', withEvents('    - {at: +1h, type: power_off, vm: vm-a, network: x}\n'), 'unexpected-event-field', 19, 44],
  ['an unreachable event naming both sides', withEvents('    - {at: +1h, type: unreachable, source: dc, target: east, for: 1h}\n'), 'unexpected-event-field', 19, 48],
  ['an unreachable event naming neither side', withEvents('    - {at: +1h, type: unreachable, for: 1h}\n'), 'missing-field', 19, 7],
  ['two events of one name', withEvents('    - {name: a, at: +1h, type: power_off, vm: vm-a}\n    - {name: a, at: +2h, type: power_on, vm: vm-a}\n'), 'duplicate-entry', 20, 14],
  ['a disk the VM does not have', withEvents('    - {at: +1h, type: change_disk, vm: vm-a, disk: "[ds] vm-a/vm-a_9.vmdk"}\n'), 'unknown-disk', 19, 52],
  ['a disk removed by an earlier event', withEvents('    - {at: +1h, type: remove_disk, vm: vm-a, disk: "[ds] vm-a/vm-a.vmdk"}\n    - {at: +2h, type: change_disk, vm: vm-a, disk: "[ds] vm-a/vm-a.vmdk"}\n'), 'unknown-disk', 20, 52],
  ['a disk added twice', withEvents('    - {at: +1h, type: add_disk, vm: vm-a, disk: "[ds] vm-a/vm-a.vmdk", capacity: 1GiB}\n'), 'duplicate-disk', 19, 49],
  ['a bad size', withEvents('    - {at: +1h, type: add_disk, vm: vm-a, disk: x, capacity: 1 GB}\n'), 'invalid-size', 19, 62],
  ['deleting a network the target does not have', withEvents('    - {at: +1h, type: delete_network, target: east, network: dmz}\n'), 'unknown-network', 19, 62],
  ['a network deleted twice', withEvents('    - {at: +1h, type: delete_network, target: east, network: migration}\n    - {at: +2h, type: delete_network, target: east, network: migration}\n'), 'unknown-network', 20, 62],
  ['an event naming an unknown target', withEvents('    - {at: +1h, type: add_network, target: west, network: x}\n'), 'unknown-target', 19, 44],
  ['an event naming an unknown source', withEvents('    - {at: +1h, type: unreachable, source: dc2, for: 1h}\n'), 'unknown-source', 19, 44],
  ['a crash step no crash point has', withEvents('    - {at: +1h, type: crash, step: "sim:import_disk:after"}\n'), 'unknown-crash-step', 19, 36],
  ['a zero fault count', withEvents('    - {at: +1h, type: fail, operation: create, count: 0}\n'), 'out-of-range', 19, 55],
  ['a bad rate', withSimulation(SIMULATION.replace('import_rate: 100MiB/s', 'import_rate: fast')), 'invalid-rate', 12, 20],
  ['a zero import rate', withSimulation(SIMULATION.replace('import_rate: 100MiB/s', 'import_rate: 0MiB/s')), 'invalid-rate', 12, 20],
  ['a bad duration', withSimulation(SIMULATION.replace('create_time: 10s', 'create_time: 10 seconds')), 'invalid-duration', 13, 20],
  ['an unknown field, with a suggestion', withSimulation(SIMULATION.replace('import_rate:', 'import_rat:')), 'unknown-field', 12, 7],
  ['a target that does not exist', withSimulation(`${HEAD}  targets:\n    west: {}\n`), 'unknown-target', 7, 5],
  ['a target that is not simulated', { ...withSimulation(`${HEAD}  targets:\n    real: {}\n`), 'targets/real.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: real}\nspec: {type: incus, endpoint: "unix:///run/incus.socket"}\n' }, 'simulation-needs-sim', 7, 5],
  ['a foreign instance in a project the target lacks', withSimulation(SIMULATION.replace('{project: web, name: taken}', '{project: db, name: taken}')), 'unknown-project', 11, 29],
  ['a foreign instance listed twice', withSimulation(SIMULATION.replace('{project: web, name: taken}', '{project: web, name: taken}, {project: web, name: taken}')), 'duplicate-entry', 11, 69],
  ['a start that is not a time', withSimulation(SIMULATION.replace('2026-01-01T00:00:00Z', '2026-01-01T00:00:00')), 'invalid-timestamp', 5, 10],
  ['a second Simulation', { ...repositoryFiles(), 'more.yaml': `${HEAD}` }, 'duplicate-simulation', 2, 1],
];

describe('every problem of a Simulation document is reported at its position with a code', () => {
  it.each(CASES)('%s', async (_what, files, code, line, column) => {
    const problems = await problemsOf(files);
    const found = problems.find((p) => p.code === code);
    expect(found, JSON.stringify(problems, null, 1)).toBeDefined();
    expect(found).toMatchObject({ file: 'simulation.yaml', line, column, severity: 'error' });
  });

  it('an unknown crash step is refused with the step meant, so the event cannot lie armed forever', async () => {
    const problems = await problemsOf(withEvents('    - {at: +1h, type: crash, step: "sim:import_disk:after"}\n    - {at: +2h, type: crash, step: nowhere}\n'));
    expect(problems.map((p) => `${p.line}:${p.column} ${p.code}: ${p.message}`)).toEqual([
      '19:36 unknown-crash-step: no crash point is named "sim:import_disk:after" (docs/simulator.md, "Crash points"), so the event would never fire; did you mean "sim:import_disks:after"?',
      '20:36 unknown-crash-step: no crash point is named "nowhere" (docs/simulator.md, "Crash points"), so the event would never fire',
    ]);
  });

  it('an ambiguous VM name asks for its location, UUID or source', async () => {
    const twin = { ...JSON.parse(repositoryFiles()['inventory/dc.json']!)[0], uuid: 'twin' };
    const files: Record<string, string> = {
      ...withEvents('    - {at: +1h, type: power_off, vm: vm-a}\n'),
      'sources/dc2.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: dc2}\nspec: {type: sim, inventory_file: ../inventory/dc2.json}\n',
      'inventory/dc2.json': JSON.stringify([twin]),
    };
    expect((await problemsOf(files)).map((p) => [p.code, p.line, p.column])).toEqual([['ambiguous-vm', 19, 38]]);
    files['simulation.yaml'] = files['simulation.yaml']!.replace('vm: vm-a}', 'vm: vm-a, source: dc2}');
    expect(await problemsOf(files)).toEqual([]);
  });
});

describe('the Simulation document in the model', () => {
  it('reads every field, with defaults and times in milliseconds', async () => {
    const { state, problems } = await loadRepository(memoryFiles(withEvents([
      '    - {name: off, at: +90m, type: power_off, vm: vm-a}',
      '    - {at: "2026-01-01 03:00:00", type: change_disk, vm: vm-b, disk: "[ds] vm-b/vm-b.vmdk"}',
      '    - {at: +1h, type: fail, operation: transfer}',
      '    - {at: +1h, type: unreachable, target: east, for: 15m}',
      '    - {at: +2h, type: crash, step: tick:observe}',
      '',
    ].join('\n'))));
    expect(problems).toEqual([]);
    const simulation = state.simulation!;
    expect(simulation.start).toBe(START);
    expect(simulation.targets).toEqual([{
      name: 'east', projects: ['default', 'web'], storage_pools: ['default', 'ssd'], networks: ['VM-Network', 'migration'],
      instances: [{ project: 'web', name: 'taken', running: true }],
      import_rate: 100 * MiB, create_time_ms: 10_000, post_import_time_ms: 60_000, agent_start_time_ms: 5_000,
    }]);
    expect(simulation.sources).toEqual([{ name: 'dc', dirty_rate: MiB, background_import: true, offline_sessions: 'shared' }]);
    expect(simulation.events.map(({ origin: _origin, ...event }) => event)).toEqual([
      { name: 'off', at: START + 90 * 60_000, relative: true, type: 'power_off', vm: 'vm-a', source: null },
      { name: null, at: START + 3 * 3_600_000, relative: false, type: 'change_disk', vm: 'vm-b', source: null, disk: '[ds] vm-b/vm-b.vmdk', bytes: null },
      { name: null, at: START + 3_600_000, relative: true, type: 'fail', operation: 'transfer', count: 1, vm: null, source: null },
      { name: null, at: START + 3_600_000, relative: true, type: 'unreachable', source: null, target: 'east', duration_ms: 15 * 60_000 },
      { name: null, at: START + 2 * 3_600_000, relative: true, type: 'crash', step: 'tick:observe' },
    ]);
  });

  it('writes back to a document that reads as the same model', async () => {
    const files = withEvents([
      '    - {name: off, at: +90m, type: power_off, vm: vm-a}',
      '    - {at: "2026-01-01 03:00:00", type: add_disk, vm: vm-b, disk: extra, capacity: 1.5GiB, supported: false}',
      '    - {at: +1h, type: set_config, vm: vm-c, config: {a: b}}',
      '    - {at: +1h, type: fail, operation: start, vm: vm-a, count: 3}',
      '    - {at: +3h, type: change_uuid, vm: vm-c, source: dc, new_uuid: x}',
      '',
    ].join('\n'));
    const first = await loadRepository(memoryFiles(files));
    const written = stringify(simulationDocument(first.state.simulation!));
    const second = await loadRepository(memoryFiles({ ...files, 'simulation.yaml': written }));
    expect(second.problems).toEqual([]);
    const strip = (value: unknown) => JSON.parse(JSON.stringify(value, (key, v) => (key === 'origin' || key === 'at' && typeof v === 'object' ? undefined : v)));
    expect(strip(second.state.simulation)).toEqual(strip(first.state.simulation));
    expect(written).toContain('at: +1h30m');
    expect(written).toContain('capacity: 1610612736');
  });

  it('a target the document does not list, or lists without projects, pools or networks, gets what the repository needs', async () => {
    const files: Record<string, string> = {
      ...repositoryFiles({ simulation: `${HEAD}  targets:\n    east: {storage_pools: [fast]}\n` }),
      'batches/b.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: b}\nspec:\n  include_expression: "true"\n  defaults:\n    placement: {target: east, target_project: web, storage_pool: ssd}\n    migration_network: [{network: mig, nictype: managed}]\n',
      'overrides/n.yaml': 'apiVersion: ferry.dev/v1alpha1\nkind: NetworkOverride\nmetadata: {name: n}\nspec: {match: {location: /DC/network/VM Network}, network: lan}\n',
    };
    const { state, problems } = await loadRepository(memoryFiles(files));
    expect(problems).toEqual([]);
    const inventory = JSON.parse(files['inventory/dc.json']!);
    const layout = simulatedTargetLayout(state, new Map([['dc', inventory]]), 'east');
    expect(layout).toEqual({ projects: ['default', 'web'], storage_pools: ['fast'], networks: ['lan', 'mig'] });
  });
});
