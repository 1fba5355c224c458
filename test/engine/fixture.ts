// Small campaigns for engine tests: VMs, batches and the desired state built from a few fields,
// and a World that plays the providers (operations run when the test says they end) so a test
// can drive an entry through its life one tick at a time.

import { compileDesired, decide, type Decision } from '../../src/engine/index.js';
import type { Action } from '../../src/engine/actions.js';
import type { Observations, OperationObservation, TargetInstanceObservation } from '../../src/engine/observations.js';
import { emptyStatus, type OperationKind, type QueueEntry, type StatusState } from '../../src/engine/status.js';
import type {
  Batch,
  Constraint,
  DesiredState,
  InstanceOverride,
  MigrationWindow,
  NetworkOverride,
  Resolution,
  Source,
  Target,
} from '../../src/model/desired.js';
import { DEFAULT_PROJECT } from '../../src/model/desired.js';
import { normalizeInstance, type InstanceDocument, type InstanceRecord } from '../../src/model/instance.js';

export const M = 60_000;
export const H = 60 * M;
export const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
export const ME = 'test-reconciler';
const origin = { file: 'batches/b.yaml', line: 1, column: 1 };

function meta(name: string, file = 'batches/b.yaml') {
  return { name, origin: { ...origin, file }, apiVersion: 'ferry.dev/v1alpha1', at: {} as Record<string, typeof origin> };
}

/** A deterministic UUID from a name. */
export function uuidOf(name: string): string {
  let hash = 0;
  for (const c of name) hash = (Math.imul(hash, 31) + c.charCodeAt(0)) >>> 0;
  return `00000000-0000-4000-8000-${hash.toString(16).padStart(12, '0')}`;
}

/** A Linux VM on source dc1 that every blocking rule lets through. */
export function vm(name: string, fields: Partial<InstanceDocument> = {}): InstanceRecord {
  return normalizeInstance({
    uuid: uuidOf(name),
    source_specific_id: `vm-${name}`,
    location: `/DC1/vm/${name}`,
    name,
    os: 'Ubuntu 24.04',
    os_type: 'linux',
    distribution: 'ubuntu',
    distribution_version: '24.04',
    architecture: 'x86_64',
    cpus: 2,
    memory: 4 * 1024 ** 3,
    running: true,
    background_import: true,
    source: 'dc1',
    source_type: 'vmware',
    nics: [{ hardware_address: `00:50:56:00:00:${(name.length % 90) + 10}`, location: '/DC1/network/VM-Network', ipv4_address: '10.0.0.5' }],
    disks: [{ name: `[ds1] ${name}/${name}.vmdk`, capacity: 20 * 1024 ** 3, supported: true, background_import_verified: true }],
    ...fields,
  });
}

export function window(name: string, start: number | null, end: number | null, extra: Partial<MigrationWindow> = {}): MigrationWindow {
  return { name, start, end, lockout: null, capacity: 0, origin: { ...origin, line: 10 }, ...extra };
}

export function constraint(name: string, expression: string, max: number, bootMs: number | null = null): Constraint {
  return { name, description: '', include_expression: { text: expression, origin: { ...origin, line: 20 } }, max_concurrent_instances: max, min_instance_boot_time_ms: bootMs, origin: { ...origin, line: 20 } };
}

export interface BatchFields {
  state?: Batch['state'];
  include?: string;
  windows?: MigrationWindow[];
  constraints?: Constraint[];
  target?: string;
  project?: string;
  pool?: string;
  force?: boolean;
  scriptlet?: string | null;
  rerun?: boolean;
  retries?: number;
  intervalMs?: number;
  finalLimitMs?: number;
  allow?: Partial<Batch['config']['instance_restriction_overrides']>;
  migrationNetwork?: Batch['defaults']['migration_network'];
}

export function batch(name: string, f: BatchFields = {}): Batch {
  const file = `batches/${name}.yaml`;
  return {
    meta: { ...meta(name, file), at: { 'spec.defaults.placement.target': { file, line: 30, column: 15 } } },
    state: f.state ?? 'running',
    include_expression: { text: f.include ?? 'true', origin: { file, line: 5, column: 24 } },
    migration_windows: f.windows ?? [],
    constraints: f.constraints ?? [],
    defaults: {
      placement: { target: f.target ?? 'incus', target_project: f.project ?? 'default', storage_pool: f.pool ?? 'default' },
      migration_network: f.migrationNetwork ?? [],
      force_conflict_resolution: f.force ?? false,
    },
    config: {
      rerun_scriptlets: f.rerun ?? false,
      placement_scriptlet: f.scriptlet ? { text: f.scriptlet, origin: { file, line: 40, column: 5 } } : null,
      placement_scriptlet_file: null,
      post_migration_retries: f.retries ?? 0,
      background_sync_interval_ms: f.intervalMs ?? 10 * M,
      final_background_sync_limit_ms: f.finalLimitMs ?? 10 * M,
      instance_restriction_overrides: { allow_unknown_os: false, allow_no_ipv4: false, allow_no_background_import: false, ...f.allow },
    },
  };
}

export function source(name = 'dc1', importLimit = 0): Source {
  return {
    meta: meta(name, `sources/${name}.yaml`),
    type: 'sim',
    inventory_file: null,
    import_limit: importLimit,
    connection_timeout_ms: 10 * M,
    sync_timeout_ms: 10_000,
    sync_limit: 1,
    datacenters: [],
  };
}

export function target(name = 'incus', limits: { import_limit?: number; create_limit?: number } = {}): Target {
  return { meta: meta(name, `targets/${name}.yaml`), type: 'sim', transfer: 'stream', import_limit: limits.import_limit ?? 0, create_limit: limits.create_limit ?? 0, connection_timeout_ms: 5 * M };
}

export function override(match: InstanceOverride['match'], fields: Partial<InstanceOverride> = {}): InstanceOverride {
  return { meta: meta(`o-${match.uuid ?? match.location}`, 'overrides/o.yaml'), match, comment: '', disable_migration: false, ignore_restrictions: false, started_after_migration: false, stopped_after_migration: false, ...fields };
}

export function resolution(name: string, action: Resolution['action'], batchName: string, instance: string | null, extra: Partial<Resolution> = {}): Resolution {
  return { meta: meta(name, `resolutions/${name}.yaml`), id: `resolutions/${name}.yaml#${name}`, hash: `h-${name}`, batch: batchName, instance, action, cleanup: false, force: false, comment: '', ...extra };
}

export interface DesiredFields {
  batches: Batch[];
  sources?: Source[];
  targets?: Target[];
  overrides?: InstanceOverride[];
  networkOverrides?: NetworkOverride[];
  resolutions?: Resolution[];
}

export function desired(f: DesiredFields): DesiredState {
  return {
    project: DEFAULT_PROJECT,
    sources: f.sources ?? [source()],
    targets: f.targets ?? [target()],
    batches: f.batches,
    instanceOverrides: f.overrides ?? [],
    networkOverrides: f.networkOverrides ?? [],
    resolutions: f.resolutions ?? [],
    simulation: null,
  };
}

export interface TargetProject {
  pools: string[];
  networks: string[];
  instances: Record<string, TargetInstanceObservation>;
}

/**
 * The providers, played by the test: source VMs (power state), target projects, and the
 * operations dispatched so far — running until the test ends them.
 */
export class World {
  desired: DesiredState;
  status: StatusState = emptyStatus();
  now = T0;
  reconciler = ME;
  vms: Record<string, InstanceRecord> = {};
  /** The inventory snapshot the engine sees (defaults to the VMs). */
  inventory: InstanceRecord[] | null = null;
  projects: Record<string, TargetProject> = { default: { pools: ['default', 'ssd'], networks: ['VM-Network', 'migration'], instances: {} } };
  ops: Record<string, OperationObservation> = {};
  dispatched: Action[] = [];
  sourceReachable = true;
  sourceBackgroundImport = true;
  targetReachable = true;
  /** false: observations carry no sources, targets, VMs or operations (a plan without credentials). */
  credentials = true;
  last: Decision | null = null;

  constructor(desiredState: DesiredState, vms: InstanceRecord[]) {
    this.desired = desiredState;
    for (const v of vms) this.vms[v.uuid] = v;
  }

  observations(): Observations {
    const instances = this.inventory ?? Object.values(this.vms);
    const inventory = { dc1: { synced_at: this.now, instances, networks: [] } };
    if (!this.credentials) return { inventory, sources: {}, vms: {}, targets: {}, operations: {} };
    const vms: Observations['vms'] = {};
    for (const uuid in this.status.entries) vms[uuid] = this.vms[uuid] ?? null;
    const operations: Observations['operations'] = {};
    for (const id in this.ops) operations[id] = this.ops[id]!;
    return {
      inventory,
      sources: { dc1: { reachable: this.sourceReachable, message: this.sourceReachable ? '' : 'connection refused', background_import: this.sourceBackgroundImport } },
      vms,
      targets: { incus: { reachable: this.targetReachable, message: this.targetReachable ? '' : 'timeout', projects: structuredClone(this.projects) } },
      operations,
    };
  }

  /** One tick: decide, adopt the new status, and start every action (its operation runs). */
  tick(advanceMs = 0): Decision {
    this.now += advanceMs;
    const decision = decide({
      desired: this.desired,
      compiled: compileDesired(this.desired),
      status: this.status,
      observations: this.observations(),
      now: this.now,
      reconciler: this.reconciler,
      desiredCommit: 'c0ffee',
    });
    this.status = decision.status;
    for (const action of decision.actions) {
      this.dispatched.push(action);
      if (this.ops[action.op] === undefined) this.ops[action.op] = { state: 'running', message: '' };
    }
    this.last = decision;
    return decision;
  }

  entry(name: string): QueueEntry {
    const found = Object.values(this.status.entries).find((e) => e.name === name);
    if (!found) throw new Error(`no entry named ${name}`);
    return found;
  }

  /** Ends the running operations whose id contains `part` (all when omitted), with their effects. */
  end(part = '', state: OperationObservation['state'] = 'succeeded', message = ''): string[] {
    const ended: string[] = [];
    for (const action of this.dispatched) {
      if (!action.op.includes(part) || this.ops[action.op]?.state !== 'running') continue;
      this.ops[action.op] = { state, message, ended_at: this.now };
      ended.push(action.op);
      if (state !== 'succeeded') continue;
      const project = 'project' in action ? this.projects[action.project] : undefined;
      switch (action.kind) {
        case 'create_instance':
          project!.instances[action.name] = { running: false, entry: action.entry, attempt: action.attempt };
          break;
        case 'delete_instance':
          delete project!.instances[action.name];
          break;
        case 'power_off_source':
          this.vms[action.vm] = { ...this.vms[action.vm]!, running: false };
          break;
        case 'power_on_source':
          this.vms[action.vm] = { ...this.vms[action.vm]!, running: true };
          break;
        case 'cancel_operation':
          if (this.ops[action.cancel]?.state === 'running') this.ops[action.cancel] = { state: 'canceled', message: 'canceled', ended_at: this.now };
          break;
        case 'finalize_instance':
          if (action.start) project!.instances[action.name] = { ...project!.instances[action.name]!, running: true };
          break;
        default:
          break;
      }
    }
    return ended;
  }

  /** Ticks, ending every operation after each tick, until the entry reaches `status` (or gives up). */
  runUntil(name: string, status: QueueEntry['status'], maxTicks = 30, stepMs = M): void {
    for (let i = 0; i < maxTicks; i++) {
      this.tick(stepMs);
      if (this.entry(name).status === status) return;
      this.end();
    }
    throw new Error(`${name} did not reach ${status}: it is ${this.entry(name).status} (${this.entry(name).message})`);
  }

  power(name: string, running: boolean): void {
    const found = Object.values(this.vms).find((v) => v.name === name)!;
    this.vms[found.uuid] = { ...found, running };
  }

  /** The kinds of the actions of the last decision. */
  kinds(): string[] {
    return (this.last?.actions ?? []).map((a) => a.kind + ('mode' in a ? `:${a.mode}` : ''));
  }
}

export interface SeedOptions {
  batch?: BatchFields;
  vms?: InstanceRecord[];
  /** Fields of web-01's entry after the batch started. */
  entry?: Partial<QueueEntry>;
  /** Whether web-01's target instance exists (of the current attempt). */
  created?: boolean;
  /** An operation in flight for web-01, as the provider reports it (absent: never ran). */
  op?: { kind: OperationKind; mode?: 'background' | 'final' | 'offline'; observed?: OperationObservation; id?: string; claimedBy?: string; claimedAt?: number };
  desired?: Partial<DesiredFields>;
}

/** A world whose batch wave-1 has started, with web-01's entry set up as `options` say. */
export function seeded(options: SeedOptions = {}): World {
  const vms = options.vms ?? [vm('web-01')];
  const world = new World(desired({ batches: [batch('wave-1', options.batch)], ...options.desired }), vms);
  world.tick();
  const first = world.entry('web-01');
  if (options.created) world.projects.default!.instances[first.name] = { running: false, entry: first.uuid, attempt: first.attempt_id };
  let entry: QueueEntry = { ...first, ...options.entry };
  if (options.op) {
    const id = options.op.id ?? `${entry.attempt_id}/${options.op.kind}-9`;
    entry = {
      ...entry,
      operation: {
        id,
        kind: options.op.kind,
        ...(options.op.mode ? { mode: options.op.mode } : {}),
        decided_at: world.now,
        claimed_by: options.op.claimedBy ?? ME,
        claimed_at: options.op.claimedAt ?? world.now,
      },
    };
    if (options.op.observed) world.ops[id] = options.op.observed;
  }
  world.status = { ...world.status, entries: { ...world.status.entries, [entry.uuid]: entry } };
  return world;
}

export const running = (message = ''): OperationObservation => ({ state: 'running', message });
export const succeeded = (message = ''): OperationObservation => ({ state: 'succeeded', message });
export const failed = (message: string): OperationObservation => ({ state: 'failed', message });
