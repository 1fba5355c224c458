// decide on a campaign of DESIGN §6's size — 50,000 instances, 500 batches, 2,000 constraints,
// a scriptlet in every other batch — against two floors measured in the same run: evaluating the
// include expressions until each instance is claimed (the irreducible work of a start), and a
// deep copy of the status (what handing the status to anyone costs).
import { compileDesired, decide } from '../src/engine/index.js';
import type { Observations } from '../src/engine/observations.js';
import { emptyStatus, type StatusState } from '../src/engine/status.js';
import { expressionView } from '../src/expr/index.js';
import { DEFAULT_PROJECT, type Batch, type DesiredState } from '../src/model/desired.js';
import { normalizeInstance } from '../src/model/instance.js';

const INSTANCES = 50_000;
const BATCHES = 500;
const M = 60_000;
const H = 60 * M;
const T0 = Date.UTC(2026, 11, 1);
const origin = { file: 'bench.yaml', line: 1, column: 1 };
const meta = (name: string) => ({ name, origin, apiVersion: 'ferry.dev/v1alpha1', at: {} });

function campaign(): { desired: DesiredState; observations: Observations } {
  const instances = Array.from({ length: INSTANCES }, (_, i) =>
    normalizeInstance({
      uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      source_specific_id: `vm-${i}`,
      location: `/DC1/vm/app-${i % BATCHES}/vm-${i}`,
      name: `vm-${i}`,
      os_type: i % 5 === 0 ? 'windows' : 'linux',
      distribution: 'ubuntu',
      architecture: 'x86_64',
      cpus: 2 + (i % 8),
      memory: (4 + (i % 32)) * 1024 ** 3,
      running: i % 10 !== 0,
      background_import: true,
      source: 'dc1',
      nics: [{ hardware_address: `00:50:56:${(i >> 16) & 255}:${(i >> 8) & 255}:${i & 255}`, location: '/DC1/network/VM-Network', ipv4_address: '10.0.0.1' }],
      disks: [{ name: `[ds] vm-${i}.vmdk`, capacity: 40 * 1024 ** 3, supported: true, background_import_verified: true }],
    }),
  );
  const constraint = (name: string, text: string, max: number, boot: number | null = null) => ({ name, description: '', include_expression: { text, origin }, max_concurrent_instances: max, min_instance_boot_time_ms: boot, origin });
  const batches: Batch[] = Array.from({ length: BATCHES }, (_, b) => {
    const day = T0 + (b % 28) * 24 * H;
    return {
      meta: meta(`wave-${String(b).padStart(3, '0')}`),
      state: 'running',
      include_expression: { text: `location matches '^/DC1/vm/app-${b}/'`, origin },
      migration_windows: [
        { name: 'night-a', start: day + 22 * H, end: day + 26 * H, lockout: day + 25 * H, capacity: 20, origin },
        { name: 'night-b', start: T0 + 40 * 24 * H, end: T0 + 40 * 24 * H + 4 * H, lockout: null, capacity: 0, origin },
      ],
      constraints: [
        constraint('windows', "os_type == 'windows'", 2, 20 * M),
        constraint('big', 'memory > 17179869184', 1),
        constraint('wide', 'cpus > 6', 3),
        constraint('first', `location matches '^/DC1/vm/app-${b}/vm-1'`, 2),
      ],
      defaults: { placement: { target: 'incus', target_project: 'default', storage_pool: 'default' }, migration_network: [], force_conflict_resolution: false },
      config: {
        rerun_scriptlets: false,
        placement_scriptlet: b % 2 === 0 ? { text: 'def placement(instance, batch):\n    if instance.cpus > 4:\n        set_pool(instance.disks[0].name, "ssd")\n', origin } : null,
        placement_scriptlet_file: null,
        post_migration_retries: 3,
        background_sync_interval_ms: 30 * M,
        final_background_sync_limit_ms: 10 * M,
        instance_restriction_overrides: { allow_unknown_os: false, allow_no_ipv4: false, allow_no_background_import: false },
      },
    };
  });
  const desired: DesiredState = {
    project: DEFAULT_PROJECT,
    sources: [{ meta: meta('dc1'), type: 'sim', inventory_file: null, import_limit: 100, connection_timeout_ms: 10 * M, sync_timeout_ms: 10_000, sync_limit: 1, datacenters: [] }],
    targets: [{ meta: meta('incus'), type: 'sim', transfer: 'stream', import_limit: 200, create_limit: 50, connection_timeout_ms: 5 * M }],
    batches,
    instanceOverrides: [],
    networkOverrides: [],
    resolutions: [],
    simulation: null,
  };
  const vms: Observations['vms'] = {};
  for (const instance of instances) vms[instance.uuid] = instance;
  const observations: Observations = {
    inventory: { dc1: { synced_at: T0, instances, networks: [] } },
    sources: { dc1: { reachable: true, message: '', background_import: true } },
    vms,
    targets: { incus: { reachable: true, message: '', projects: { default: { pools: ['default', 'ssd'], networks: ['VM-Network'], instances: {} } } } },
    operations: {},
  };
  return { desired, observations };
}

function timed<T>(work: () => T): { ms: number; result: T } {
  const started = performance.now();
  const result = work();
  return { ms: performance.now() - started, result };
}

export default function bench(): void {
  const { desired, observations } = campaign();
  const compile = timed(() => compileDesired(desired));
  const compiled = compile.result;

  const claimFloor = timed(() => {
    const includes = compiled.batchNames.map((name) => compiled.batches.get(name)!.include);
    let claimed = 0;
    for (const instance of observations.inventory.dc1!.instances) {
      const view = expressionView(instance);
      for (const include of includes) {
        const result = include.matches(view);
        if (result.ok && result.value) {
          claimed++;
          break;
        }
      }
    }
    return claimed;
  });

  const rows: string[][] = [];
  let status: StatusState = emptyStatus();
  const names = ['start: 500 batches claim 50,000 instances', 'placement checks, creations start', 'creations done, imports start', 'steady state'];
  for (let tick = 0; tick < names.length; tick++) {
    const run = timed(() => decide({ desired, compiled, status, observations, now: T0 + tick * M, reconciler: 'bench', desiredCommit: null }));
    const copy = timed(() => structuredClone(run.result.status));
    const floor = tick === 0 ? claimFloor.ms : copy.ms;
    rows.push([names[tick]!, `${run.ms.toFixed(0)} ms`, tick === 0 ? `claim loop ${floor.toFixed(0)} ms` : `status copy ${floor.toFixed(0)} ms`, `${(run.ms / floor).toFixed(2)}×`, String(run.result.actions.length)]);
    status = run.result.status;
    for (const action of run.result.actions) {
      observations.operations[action.op] = { state: 'succeeded', message: '' };
      if (action.kind === 'create_instance') {
        observations.targets.incus!.projects.default!.instances[action.name] = { running: false, entry: action.entry, attempt: action.attempt };
      }
    }
  }
  if (claimFloor.result !== INSTANCES || Object.keys(status.entries).length !== INSTANCES) throw new Error('the generated campaign did not claim every instance');

  // The same campaign before it starts: 500 Defined batches see the inventory for the first time
  // and each records what its expression matches (migration-manager's assignment), then a sync
  // changes 500 instances. The floor: evaluating every include against every instance once.
  const definedDesired: DesiredState = { ...desired, batches: desired.batches.map((b) => ({ ...b, state: 'defined' as const })) };
  const definedCompiled = compileDesired(definedDesired);
  const crossFloor = timed(() => {
    const includes = definedCompiled.batchNames.map((name) => definedCompiled.batches.get(name)!.include);
    let matched = 0;
    for (const instance of observations.inventory.dc1!.instances) {
      const view = expressionView(instance);
      for (const include of includes) {
        const result = include.matches(view);
        if (result.ok && result.value) matched++;
      }
    }
    return matched;
  });
  const definedInput = { desired: definedDesired, compiled: definedCompiled, reconciler: 'bench', desiredCommit: null };
  const first = timed(() => decide({ ...definedInput, status: emptyStatus(), observations, now: T0 }));
  const held = Object.values(first.result.status.assignments).reduce((n, a) => n + a.instances.length, 0);
  if (held !== INSTANCES || crossFloor.result !== INSTANCES) throw new Error(`the Defined batches hold ${held} instances, not ${INSTANCES}`);
  const synced = observations.inventory.dc1!.instances.map((instance, i) => (i % 100 === 0 ? { ...instance, cpus: instance.cpus + 1 } : instance));
  const resynced = { ...observations, inventory: { dc1: { synced_at: T0 + M, instances: synced, networks: [] } } };
  const sync = timed(() => decide({ ...definedInput, status: first.result.status, observations: resynced, now: T0 + M }));
  const syncCopy = timed(() => structuredClone(sync.result.status));
  rows.push(['Defined: 500 batches first see 50,000 instances', `${first.ms.toFixed(0)} ms`, `every include × every instance ${crossFloor.ms.toFixed(0)} ms`, `${(first.ms / crossFloor.ms).toFixed(2)}×`, String(first.result.actions.length)]);
  rows.push(['Defined: a sync changes 500 instances', `${sync.ms.toFixed(0)} ms`, `status copy ${syncCopy.ms.toFixed(0)} ms`, `${(sync.ms / syncCopy.ms).toFixed(2)}×`, String(sync.result.actions.length)]);

  console.log(`compileDesired (500 includes, 2,000 constraints, 250 scriptlets): ${compile.ms.toFixed(0)} ms`);
  const header = ['tick', 'decide', 'floor', 'ratio', 'actions'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log('Target (DESIGN §6): a tick of this campaign decides in a few seconds on two cores.');
}
