// What tests and demos look at in a simulated world: a VM's power, whether the target's copy of
// its disks equals the source, the target instances with their markers, the operations and the
// execution log (the history's included: these read it whole).

import type { InstanceRecord } from '../../model/instance.js';
import type { SimWorld } from './sim-world.js';
import { ATTEMPT_KEY, ENTRY_KEY, writtenAt, type LogEntry, type NicState, type OpState, type VmState } from './state.js';

/** A VM by its UUID (current or from the inventory), name or location, in any source (or one). */
export function findVm(world: SimWorld, ref: string, source?: string): { source: string; vm: VmState } | undefined {
  for (const state of Object.values(world.state.sources)) {
    if (source !== undefined && state.name !== source) continue;
    const direct = world.vm(state.name, ref);
    if (direct) return { source: state.name, vm: direct };
    for (const vm of Object.values(state.vms)) {
      if (vm.record.name === ref || vm.record.location === ref) return { source: state.name, vm };
    }
  }
  return undefined;
}

/** The VM as the simulated vCenter holds it now (not a copy: do not change it). */
export function vmState(world: SimWorld, ref: string): InstanceRecord | undefined {
  return findVm(world, ref)?.vm.record;
}

export function vmPower(world: SimWorld, ref: string): boolean | undefined {
  return findVm(world, ref)?.vm.record.running;
}

export interface DiskCopy {
  disk: string;
  /** The source disk's content now (bytes ever written). */
  source: number;
  /** What the target disk holds a copy of; null when it holds no complete copy. */
  target: number | null;
  equal: boolean;
}

export interface TargetCopy {
  target: string;
  project: string;
  name: string;
  entry: string | null;
  attempt: string | null;
  disks: DiskCopy[];
  /** Every supported source disk is on the instance with equal content, and nothing else is. */
  equal: boolean;
}

/** Each target instance created for the VM, disk by disk against the source now. */
export function diskCopies(world: SimWorld, ref: string): TargetCopy[] {
  const found = findVm(world, ref);
  if (!found) return [];
  const source = world.state.sources[found.source]!;
  const now = world.now();
  const copies: TargetCopy[] = [];
  for (const target of Object.values(world.state.targets)) {
    for (const project of Object.values(target.instances)) {
      for (const instance of Object.values(project)) {
        if (instance.origin?.source !== found.source || instance.origin.vm !== found.vm.key) continue;
        const disks: DiskCopy[] = [];
        found.vm.record.disks.forEach((disk, i) => {
          if (!disk.supported) return;
          const content = writtenAt(source, found.vm, i, now);
          const held = instance.disks[disk.name]?.content ?? null;
          disks.push({ disk: disk.name, source: content, target: held, equal: held === content });
        });
        const sameSet = Object.keys(instance.disks).length === disks.length;
        copies.push({
          target: target.name,
          project: instance.project,
          name: instance.name,
          entry: instance.config[ENTRY_KEY] ?? null,
          attempt: instance.config[ATTEMPT_KEY] ?? null,
          disks,
          equal: sameSet && disks.length > 0 && disks.every((d) => d.equal),
        });
      }
    }
  }
  return copies;
}

export interface TargetInstanceView {
  target: string;
  project: string;
  name: string;
  running: boolean;
  entry: string | null;
  attempt: string | null;
  config: Record<string, string>;
  nics: NicState[];
  disks: Record<string, { pool: string; capacity: number; content: number | null }>;
}

/** Every instance of the simulated targets (or of one), ours and foreign. */
export function targetInstances(world: SimWorld, target?: string): TargetInstanceView[] {
  const out: TargetInstanceView[] = [];
  for (const state of Object.values(world.state.targets)) {
    if (target !== undefined && state.name !== target) continue;
    for (const project of Object.values(state.instances)) {
      for (const instance of Object.values(project)) {
        out.push({
          target: state.name,
          project: instance.project,
          name: instance.name,
          running: instance.running,
          entry: instance.config[ENTRY_KEY] ?? null,
          attempt: instance.config[ATTEMPT_KEY] ?? null,
          config: { ...instance.config },
          nics: instance.nics.map((nic) => ({ ...nic })),
          disks: structuredClone(instance.disks),
        });
      }
    }
  }
  return out;
}

/** Every call the providers received, in order: the history's, then the live world's. */
export function executionLog(world: SimWorld): LogEntry[] {
  return [...calls(world)].map((entry) => ({ ...entry }));
}

/** Operation ids that did their work more than once (there must be none). */
export function executedTwice(world: SimWorld): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const entry of calls(world)) {
    if (entry.outcome !== 'executed') continue;
    if (seen.has(entry.op)) twice.add(entry.op);
    seen.add(entry.op);
  }
  return [...twice];
}

/** Every operation the world ran, those that left for the history first (not a copy: do not change them). */
export function* operations(world: SimWorld): Generator<OpState> {
  const history = world.history();
  if (history) yield* history.operations();
  yield* Object.values(world.state.ops);
}

/** An operation by id, live or in the history (read newest first: an old id costs a long read). */
export function operation(world: SimWorld, id: string): OpState | undefined {
  const live = world.state.ops[id];
  if (live !== undefined) return live;
  for (const op of world.history()?.operationsNewestFirst() ?? []) if (op.id === id) return op;
  return undefined;
}

function* calls(world: SimWorld): Generator<LogEntry> {
  const history = world.history();
  if (history) yield* history.calls();
  yield* world.state.log;
}
