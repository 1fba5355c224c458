// Building the world from the repository, and merging later edits of the repository into a world
// that already exists. The rules (docs/simulator.md, "Editing the repository"):
//
//   - VMs are matched by the UUID the inventory file gives them. A VM new in the file is added as
//     the file describes it; a VM gone from the file is gone from the simulated vCenter; a VM in
//     both keeps the world's state (power, UUID, name, disks, contents — changed by events).
//   - A target's projects, storage pools, networks and foreign instances change by what the
//     repository's lists gained or lost since the last merge; the world's own changes (a network
//     a scripted event deleted) stay.
//   - Speeds, rates and capabilities are taken from the repository as they are now.
//   - Scripted events are matched by name (or, unnamed, by content). An event not yet applied is
//     replaced by its new version or dropped with it; an applied one is history and stays.
//   - The clock never moves back. A changed start is taken while nothing has happened in the world
//     yet and the new start is not before its clock; otherwise it is refused (SimulationDriftError):
//     the operator asked for another start, and only `ferry sim reset` can give it.
//   - What the world adopts or ignores is said in the merge's notes, for the commands to print.

import { createHash } from 'node:crypto';
import type { DesiredState, Origin, SimulationEvent } from '../../model/desired.js';
import type { InstanceRecord } from '../../model/instance.js';
import { MAX_INVENTORY_BYTES, type RepoFiles } from '../../repo/files.js';
import { parseInstances } from '../../repo/instances-file.js';
import { formatProblem } from '../../model/problem.js';
import { parseByteRate } from '../../model/bytes.js';
import { parseDuration } from '../../model/duration.js';
import { formatTimestamp } from '../../model/timestamp.js';
import {
  DEFAULT_AGENT_START_TIME,
  DEFAULT_CREATE_TIME,
  DEFAULT_DIRTY_RATE,
  DEFAULT_IMPORT_RATE,
  DEFAULT_POST_IMPORT_TIME,
} from '../../repo/kinds/simulation.js';
import { findInventoryVm, simulatedTargetLayout, type Inventories } from '../../repo/simulation-layout.js';
import { checkpoint, type EventState, type InstanceState, type SourceState, type TargetState, type WorldState } from './state.js';

/** Where the clock starts when the repository has no Simulation document. */
export const DEFAULT_START = Date.UTC(2025, 0, 1);

/** The VMs of every sim Source's inventory file, by Source name (stamped with it). */
export async function readInventories(desired: DesiredState, files: RepoFiles): Promise<Map<string, InstanceRecord[]>> {
  const inventories = new Map<string, InstanceRecord[]>();
  for (const source of desired.sources) {
    if (source.type !== 'sim') continue;
    if (source.inventory_file === null) {
      inventories.set(source.meta.name, []);
      continue;
    }
    const text = await files.read(source.inventory_file, MAX_INVENTORY_BYTES);
    if (text === undefined) throw new Error(`${source.inventory_file}: no such file (the inventory of sim source ${source.meta.name})`);
    const parsed = parseInstances(text, source.inventory_file);
    if (!parsed.ok) throw new Error(formatProblem(parsed.problem));
    inventories.set(source.meta.name, parsed.instances.map((instance) => ({ ...instance, source: source.meta.name })));
  }
  return inventories;
}

export function emptyWorld(desired: DesiredState): WorldState {
  const start = desired.simulation?.start ?? DEFAULT_START;
  return { start, now: start, seq: 0, sources: {}, targets: {}, ops: {}, ended: {}, sessions: {}, events: [], faults: [], log: [], archived_calls: 0, archived_ops: 0 };
}

/** Something a merge adopted from the repository (`note`) or could not honour (`warning`). */
export interface WorldNote {
  severity: 'note' | 'warning';
  message: string;
}

export interface MergeReport {
  changed: boolean;
  notes: WorldNote[];
}

/** A repository edit the world cannot take without starting again (`ferry sim reset`). */
export class SimulationDriftError extends Error {
  constructor(readonly code: string, readonly origin: Origin | null, message: string, readonly hint: string) {
    super(message);
    this.name = 'SimulationDriftError';
  }
}

export interface MergeOptions {
  /** The world follows the real clock (real sources or targets take part): its start is not its own. */
  realClock?: boolean;
}

/** Merges the repository into the world: what changed, and what the operator should hear about it. */
export function mergeDesired(world: WorldState, desired: DesiredState, inventories: Inventories, options: MergeOptions = {}): MergeReport {
  const notes: WorldNote[] = [];
  let changed = mergeStart(world, desired, notes, options);
  for (const source of desired.sources) {
    if (source.type === 'sim' && mergeSource(world, desired, source.meta.name, inventories.get(source.meta.name) ?? [], source.inventory_file, notes)) changed = true;
  }
  for (const target of desired.targets) {
    if (target.type === 'sim' && mergeTarget(world, desired, target.meta.name, inventories)) changed = true;
  }
  if (mergeEvents(world, desired, inventories, notes)) changed = true;
  return { changed, notes };
}

/** Whether anything has happened in the world: a provider call, or a scripted event applied. */
export function worldUntouched(world: WorldState): boolean {
  return world.log.length === 0 && world.archived_calls === 0 && !world.events.some((e) => e.applied);
}

function mergeStart(world: WorldState, desired: DesiredState, notes: WorldNote[], options: MergeOptions): boolean {
  const simulation = desired.simulation;
  if (!simulation || simulation.start === world.start) return false;
  const from = formatTimestamp(world.start);
  const to = formatTimestamp(simulation.start);
  if (options.realClock) {
    notes.push({ severity: 'warning', message: `the Simulation's start changed from ${from} to ${to}; with real sources or targets the simulated world follows the real clock, and its relative event times still count from ${from}` });
    return false;
  }
  if (worldUntouched(world) && simulation.start >= world.now) {
    // Nothing has happened yet: the world is as if it had been created at the new start.
    world.start = simulation.start;
    world.now = simulation.start;
    for (const source of Object.values(world.sources)) for (const vm of Object.values(source.vms)) vm.since = simulation.start;
    for (const target of Object.values(world.targets)) {
      for (const project of Object.values(target.instances)) for (const instance of Object.values(project)) instance.created_at = simulation.start;
    }
    notes.push({ severity: 'note', message: `the Simulation's start moved from ${from} to ${to} before anything happened in the simulated world: its clock now starts at ${to}` });
    return true;
  }
  const clock = world.now === world.start ? '' : ` and its clock is at ${formatTimestamp(world.now)}`;
  const happened = worldUntouched(world) ? '' : ' (migrations have run in it)';
  throw new SimulationDriftError(
    'simulation-start-changed',
    simulation.meta.at['spec.start'] ?? simulation.meta.origin,
    `the Simulation's start is ${to}, but the simulated world started at ${from}${clock}${happened}, and a simulated clock never goes back`,
    `run "ferry sim reset --yes" to start the simulation again from ${to}, or put spec.start back to ${from}`,
  );
}

function mergeSource(world: WorldState, desired: DesiredState, name: string, inventory: readonly InstanceRecord[], file: string | null, notes: WorldNote[]): boolean {
  const written = desired.simulation?.sources.find((s) => s.name === name);
  const settings = {
    dirty_rate: written?.dirty_rate ?? parseByteRate(DEFAULT_DIRTY_RATE)!,
    background_import: written?.background_import ?? true,
    offline_sessions: written?.offline_sessions ?? 'shared',
  };
  let changed = false;
  let source: SourceState | undefined = world.sources[name];
  const isNew = !source;
  if (!source) {
    source = world.sources[name] = { name, ...settings, unreachable_until: null, vms: {} };
    changed = true;
  }
  if (source.dirty_rate !== settings.dirty_rate) {
    // What was written so far was written at the old rate.
    for (const vm of Object.values(source.vms)) checkpoint(source, vm, world.now);
  }
  if (source.dirty_rate !== settings.dirty_rate || source.background_import !== settings.background_import || source.offline_sessions !== settings.offline_sessions) {
    Object.assign(source, settings);
    changed = true;
  }
  const keys = new Set<string>();
  const added: string[] = [];
  const edited: string[] = [];
  const removed: string[] = [];
  for (const instance of inventory) {
    keys.add(instance.uuid);
    const seeded = recordDigest(instance);
    const vm = source.vms[instance.uuid];
    if (vm) {
      // A VM the world has keeps the world's state; an edit of its record in the file is not taken.
      if (vm.seeded !== undefined && vm.seeded !== seeded) edited.push(instance.name);
      if (vm.seeded !== seeded) {
        vm.seeded = seeded;
        changed = true;
      }
      continue;
    }
    source.vms[instance.uuid] = { key: instance.uuid, record: structuredClone(instance), since: world.now, written: instance.disks.map(() => 0), seeded };
    added.push(instance.name);
    changed = true;
  }
  for (const key of Object.keys(source.vms)) {
    if (keys.has(key)) continue;
    removed.push(source.vms[key]!.record.name);
    delete source.vms[key];
    changed = true;
  }
  const where = file ?? `sim source ${name}`;
  if (!isNew && added.length > 0) {
    notes.push({ severity: 'note', message: `${where}: ${countOf(added.length, 'VM')} new in the inventory joined the simulated vCenter of source ${name} (${names(added)})` });
  }
  if (removed.length > 0) {
    notes.push({ severity: 'warning', message: `${where}: ${countOf(removed.length, 'VM')} no longer in the inventory left the simulated vCenter of source ${name}, as if deleted (${names(removed)})` });
  }
  if (edited.length > 0) {
    notes.push({
      severity: 'warning',
      message: `${where}: ${countOf(edited.length, 'VM')} changed in the inventory (${names(edited)}), but the simulated vCenter keeps the state the simulation gave ${edited.length === 1 ? 'it' : 'them'}: ` +
        'change a VM with a Simulation event (power_off, add_disk, set_config…), or run "ferry sim reset --yes" to start again from the file',
    });
  }
  return changed;
}

/** A digest of a VM as the inventory file describes it, to notice an edit of the file. */
function recordDigest(instance: InstanceRecord): string {
  return createHash('sha256').update(JSON.stringify(instance)).digest('hex').slice(0, 16);
}

function countOf(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The first few names of a list, for a note. */
function names(list: string[]): string {
  return list.length <= 5 ? list.join(', ') : `${list.slice(0, 5).join(', ')} and ${list.length - 5} more`;
}

function targetSettings(desired: DesiredState, name: string) {
  const written = desired.simulation?.targets.find((t) => t.name === name);
  const mover = desired.targets.find((t) => t.meta.name === name)?.transfer === 'mover';
  return {
    // Absent for a stream, so that a world made before transports existed merges unchanged.
    transfer: mover ? ('mover' as const) : undefined,
    import_rate: written?.import_rate ?? parseByteRate(DEFAULT_IMPORT_RATE)!,
    create_time_ms: written?.create_time_ms ?? parseDuration(DEFAULT_CREATE_TIME)!,
    post_import_time_ms: written?.post_import_time_ms ?? parseDuration(DEFAULT_POST_IMPORT_TIME)!,
    agent_start_time_ms: written?.agent_start_time_ms ?? parseDuration(DEFAULT_AGENT_START_TIME)!,
  };
}

function mergeTarget(world: WorldState, desired: DesiredState, name: string, inventories: Inventories): boolean {
  const layout = simulatedTargetLayout(desired, inventories, name);
  const foreign = desired.simulation?.targets.find((t) => t.name === name)?.instances ?? [];
  const foreignKeys = foreign.map((i) => `${i.project}/${i.name}`);
  const settings = targetSettings(desired, name);
  let changed = false;
  let target: TargetState | undefined = world.targets[name];
  if (!target) {
    target = world.targets[name] = {
      name,
      ...settings,
      unreachable_until: null,
      projects: [],
      storage_pools: [],
      networks: [],
      seeded: { projects: [], storage_pools: [], networks: [], instances: [] },
      instances: {},
    };
    changed = true;
  }
  if ((Object.keys(settings) as (keyof typeof settings)[]).some((key) => target[key] !== settings[key])) {
    Object.assign(target, settings);
    changed = true;
  }
  for (const list of ['projects', 'storage_pools', 'networks'] as const) {
    const next = applyDifference(target[list], target.seeded[list], layout[list]);
    if (next.join('\n') !== target[list].join('\n') || target.seeded[list].join('\n') !== layout[list].join('\n')) changed = true;
    target[list] = list === 'projects' && !next.includes('default') ? ['default', ...next].sort() : next;
    target.seeded[list] = [...layout[list]];
  }
  for (const project of target.projects) target.instances[project] ??= {};
  const before = new Set(target.seeded.instances);
  for (const instance of foreign) {
    const key = `${instance.project}/${instance.name}`;
    if (before.has(key) || target.instances[instance.project]?.[instance.name]) continue;
    (target.instances[instance.project] ??= {})[instance.name] = foreignInstance(instance.project, instance.name, instance.running, world.now);
    changed = true;
  }
  for (const key of before) {
    if (foreignKeys.includes(key)) continue;
    const [project, instanceName] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    if (target.instances[project]?.[instanceName]?.origin === null) {
      delete target.instances[project]![instanceName];
      changed = true;
    }
  }
  if (target.seeded.instances.join('\n') !== foreignKeys.join('\n')) changed = true;
  target.seeded.instances = foreignKeys;
  return changed;
}

/** The world's list with what the repository's list gained since `seeded` added and what it lost removed. */
function applyDifference(current: string[], seeded: string[], wanted: string[]): string[] {
  const out = new Set(current);
  const was = new Set(seeded);
  const now = new Set(wanted);
  for (const name of wanted) if (!was.has(name)) out.add(name);
  for (const name of seeded) if (!now.has(name)) out.delete(name);
  return [...out].sort();
}

function foreignInstance(project: string, name: string, running: boolean, now: number): InstanceState {
  return { name, project, config: {}, running, disks: {}, nics: [], migration_network: null, origin: null, created_at: now, busy: null };
}

function mergeEvents(world: WorldState, desired: DesiredState, inventories: Inventories, notes: WorldNote[]): boolean {
  const simulation = desired.simulation;
  const wanted: EventState[] = [];
  const seen = new Map<string, number>();
  for (const event of simulation?.events ?? []) {
    // Relative times count from the world's start, even if the document's start was edited since.
    const at = event.relative ? world.start + (event.at - simulation!.start) : event.at;
    const rebased = { ...event, at } as SimulationEvent;
    let id = event.name ?? contentId(event, simulation!.start);
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    if (count > 1) id = `${id}#${count}`;
    wanted.push({ id, event: rebased, vm: resolveVm(inventories, rebased), applied: false, outcome: '' });
  }
  const existing = new Map(world.events.map((e) => [e.id, e]));
  const next: EventState[] = [];
  const kept = new Set<string>();
  for (const event of wanted) {
    const old = existing.get(event.id);
    const edited = old !== undefined && JSON.stringify(old.event) !== JSON.stringify(event.event);
    const label = event.event.name ?? event.event.type;
    if (old?.applied) {
      if (edited) notes.push({ severity: 'warning', message: `Simulation event ${label} already happened at ${formatTimestamp(old.event.at)}; editing it changes nothing (run "ferry sim reset --yes" to rehearse again)` });
    } else if ((old === undefined || edited) && event.event.at < world.now) {
      notes.push({ severity: 'warning', message: `Simulation event ${label} is at ${formatTimestamp(event.event.at)}, before the simulated clock (${formatTimestamp(world.now)}): it happens at once, at ${formatTimestamp(world.now)}` });
    }
    next.push(old && old.applied ? old : event);
    kept.add(event.id);
  }
  for (const old of world.events) if (old.applied && !kept.has(old.id)) next.push(old);
  const order = new Map(next.map((e, i) => [e, i]));
  next.sort((a, b) => a.event.at - b.event.at || order.get(a)! - order.get(b)!);
  const changed = JSON.stringify(next) !== JSON.stringify(world.events);
  world.events = next;
  return changed;
}

function contentId(event: SimulationEvent, start: number): string {
  const { origin: _origin, name: _name, ...content } = event;
  const when = event.relative ? `+${event.at - start}` : String(event.at);
  return createHash('sha256').update(JSON.stringify({ ...content, at: when })).digest('hex').slice(0, 16);
}

function resolveVm(inventories: Inventories, event: SimulationEvent): EventState['vm'] {
  if (!('vm' in event) || event.vm === null) return null;
  const found = findInventoryVm(inventories, event.vm, event.source);
  return found.found ? { source: found.source, key: found.instance.uuid } : null;
}
