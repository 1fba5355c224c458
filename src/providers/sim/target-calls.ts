// The simulated Incus's calls: create an instance definition, run the post-import steps, finalize
// (final NICs, start), delete. A target instance is only touched when it carries the action's
// markers; deleting one that does not is refused outright.

import type { CreateInstanceAction, DeleteInstanceAction, FinalizeInstanceAction, PostImportAction } from '../../engine/actions.js';
import { preparationFailure, preparationOf, preparedRecord } from './guest-preparation.js';
import { ATTEMPT_KEY, ENTRY_KEY, type InstanceState, type OpState, type TargetDiskState } from './state.js';
import { refuse, type CommandResult, type World } from './world.js';

type TargetAction = CreateInstanceAction | PostImportAction | FinalizeInstanceAction | DeleteInstanceAction;

function carriesMarkers(instance: InstanceState, action: { entry: string; attempt: string }): boolean {
  return instance.config[ENTRY_KEY] === action.entry && instance.config[ATTEMPT_KEY] === action.attempt;
}

function describeMarkers(instance: InstanceState): string {
  const entry = instance.config[ENTRY_KEY];
  return entry === undefined ? 'no Ferry markers' : `the markers of entry ${entry}, attempt ${instance.config[ATTEMPT_KEY] ?? '?'}`;
}

function opBase(action: TargetAction) {
  return { id: action.op, kind: action.kind, owner: action.target, entry: action.entry } as const;
}

function failed(world: World, action: TargetAction, message: string): CommandResult {
  world.startOp({ ...opBase(action), state: 'failed', message });
  return {};
}

export function callCreate(world: World, action: CreateInstanceAction): CommandResult {
  const target = world.target(action.target)!;
  const { project, name } = action;
  if (!target.projects.includes(project)) return failed(world, action, `project "${project}" does not exist on target ${target.name}`);
  for (const [disk, pool] of Object.entries(action.placement.storage_pools)) {
    if (!target.storage_pools.includes(pool)) return failed(world, action, `storage pool "${pool}" (for disk ${disk}) does not exist on target ${target.name}`);
  }
  const migration = action.migration_network?.network ?? null;
  if (migration !== null && !target.networks.includes(migration)) {
    return failed(world, action, `migration network "${migration}" does not exist on target ${target.name}`);
  }
  const existing = world.instance(target.name, project, name);
  if (existing) {
    if (carriesMarkers(existing, action)) {
      world.startOp({ ...opBase(action), state: 'succeeded', message: `instance ${name} already exists with this attempt's markers` });
      return {};
    }
    return failed(world, action, `an instance named ${name} already exists in project ${project} with ${describeMarkers(existing)}; it is not this attempt's, so Ferry does not reuse it`);
  }

  const vm = world.vm(action.source, action.instance.uuid);
  const disks: Record<string, TargetDiskState> = {};
  for (const disk of action.instance.disks) {
    const pool = action.placement.storage_pools[disk.name];
    if (pool !== undefined) disks[disk.name] = { pool, capacity: disk.capacity, content: null };
  }
  const instance: InstanceState = {
    name,
    project,
    config: {
      'limits.cpu': String(action.instance.cpus),
      'limits.memory': String(action.instance.memory),
      [ENTRY_KEY]: action.entry,
      [ATTEMPT_KEY]: action.attempt,
      'user.ferry.batch': action.batch,
    },
    running: false,
    disks,
    nics: [],
    migration_network: migration,
    origin: { source: action.source, vm: vm?.key ?? action.instance.uuid },
    created_at: world.now,
    busy: action.op,
  };
  (target.instances[project] ??= {})[name] = instance;
  world.startOp({
    ...opBase(action),
    instance: { target: target.name, project, name },
    message: `creating instance ${name}`,
    ends_at: world.now + target.create_time_ms + target.agent_start_time_ms,
    doomed: world.takeFault('create', action.source, instance.origin!.vm),
  });
  return {};
}

/** The instance an action may work on, or why not (recorded as the operation's failure). */
function ourInstance(world: World, action: PostImportAction | FinalizeInstanceAction): InstanceState | string {
  const instance = world.instance(action.target, action.project, action.name);
  if (!instance) return `instance ${action.name} does not exist in project ${action.project} on target ${action.target}`;
  if (!carriesMarkers(instance, action)) return `instance ${action.name} carries ${describeMarkers(instance)}, not this attempt's (${action.attempt}); Ferry does not touch it`;
  if (instance.busy !== null) return `instance ${action.name} is busy with operation ${instance.busy}`;
  return instance;
}

export function callPostImport(world: World, action: PostImportAction): CommandResult {
  const instance = ourInstance(world, action);
  if (typeof instance === 'string') return failed(world, action, instance);
  const target = world.target(action.target)!;
  instance.busy = action.op;
  const origin = instance.origin;
  const doomed = origin ? world.takeFault('post_import', origin.source, origin.vm) : null;
  // A mover still in the instance prepares the guest (a stream target has none, as the real one).
  const preparation = target.transfer === 'mover' ? preparationOf(action) : null;
  let prepared: Pick<OpState, 'doomed' | 'conflict' | 'record'> = { doomed };
  if (doomed === null && preparation !== null) {
    prepared = origin && world.takeGuestFault('prepare', origin.source, origin.vm)
      ? { doomed: preparationFailure(preparation), conflict: true }
      : { doomed: null, record: preparedRecord(preparation) };
  }
  world.startOp({
    ...opBase(action),
    instance: { target: action.target, project: action.project, name: action.name },
    message: preparation !== null ? 'running the post-import steps; preparing the guest' : 'running the post-import steps',
    ends_at: world.now + target.post_import_time_ms,
    ...prepared,
  });
  return {};
}

export function callFinalize(world: World, action: FinalizeInstanceAction): CommandResult {
  const instance = ourInstance(world, action);
  if (typeof instance === 'string') return failed(world, action, instance);
  const target = world.target(action.target)!;
  const nics = Object.entries(action.placement.networks).map(([hardware_address, placement]) => ({ hardware_address, ...placement }));
  for (const nic of nics) {
    if (!target.networks.includes(nic.network)) {
      return failed(world, action, `network "${nic.network}" for NIC ${nic.hardware_address} does not exist on target ${target.name}`);
    }
  }
  instance.nics = nics;
  instance.migration_network = null;
  if (!action.start || instance.running) {
    const message = action.start ? `applied ${nics.length} NIC(s); instance ${action.name} was already running` : `applied ${nics.length} NIC(s); instance ${action.name} stays stopped`;
    world.startOp({ ...opBase(action), state: 'succeeded', message });
    return {};
  }
  instance.busy = action.op;
  world.startOp({
    ...opBase(action),
    instance: { target: action.target, project: action.project, name: action.name },
    message: `applied ${nics.length} NIC(s); starting instance ${action.name}`,
    ends_at: world.now + target.agent_start_time_ms,
    doomed: instance.origin ? world.takeFault('start', instance.origin.source, instance.origin.vm) : null,
    start: true,
  });
  return {};
}

export function callDelete(world: World, action: DeleteInstanceAction): CommandResult {
  const target = world.target(action.target)!;
  const instance = world.instance(target.name, action.project, action.name);
  if (!instance) {
    world.startOp({ ...opBase(action), state: 'succeeded', message: `instance ${action.name} does not exist in project ${action.project}; nothing to delete` });
    return {};
  }
  if (!carriesMarkers(instance, action)) {
    world.log(action.op, action.kind, 'refused');
    return refuse('marker-mismatch', `instance ${action.name} in project ${action.project} on target ${target.name} carries ${describeMarkers(instance)}, not entry ${action.entry}, attempt ${action.attempt}; Ferry deletes only its own instances`);
  }
  let stopped = '';
  if (instance.busy !== null) {
    // Deleting force-stops the instance (as Incus does), which ends a guest-side operation with
    // it; a create or a disk copy still writing the instance has to be canceled first.
    const op = world.state.ops[instance.busy];
    if (op === undefined || !stopGuestOperation(world, op, `stopped: instance ${action.name} was deleted`)) {
      return failed(world, action, `instance ${action.name} is busy with operation ${instance.busy}; cancel it first`);
    }
    stopped = ` (its ${op.kind} operation ${op.id} was stopped)`;
  }
  delete target.instances[action.project]![action.name];
  world.startOp({ ...opBase(action), state: 'succeeded', message: `deleted instance ${action.name}${stopped}` });
  return {};
}

/**
 * Stops a running guest-side operation (post-import steps, the final start) the way the real
 * target does when its instance is stopped: it ends canceled and the instance stays stopped.
 * False for any other operation.
 */
export function stopGuestOperation(world: World, op: OpState, message: string): boolean {
  if (op.state !== 'running' || (op.kind !== 'post_import' && op.kind !== 'finalize_instance')) return false;
  const instance = op.instance ? world.instance(op.instance.target, op.instance.project, op.instance.name) : undefined;
  if (instance) instance.running = false;
  world.endOp(op, 'canceled', message);
  return true;
}

/** A target operation reaches its end time. */
export function completeTargetOp(world: World, op: OpState): void {
  const instance = op.instance ? world.instance(op.instance.target, op.instance.project, op.instance.name) : undefined;
  if (op.doomed !== null) {
    if (op.kind === 'create_instance' && instance) delete world.target(op.instance!.target)!.instances[op.instance!.project]![op.instance!.name];
    world.endOp(op, 'failed', op.doomed);
    return;
  }
  switch (op.kind) {
    case 'create_instance':
      world.endOp(op, 'succeeded', `created instance ${op.instance!.name}; its agent is up`);
      return;
    case 'post_import':
      world.endOp(op, 'succeeded', op.record !== undefined ? `post-import steps done; ${op.record}` : 'post-import steps done');
      return;
    case 'finalize_instance':
      if (instance) instance.running = true;
      world.endOp(op, 'succeeded', `started instance ${op.instance!.name}; its agent is up`);
      return;
    default:
      world.endOp(op, 'succeeded', 'done');
  }
}
