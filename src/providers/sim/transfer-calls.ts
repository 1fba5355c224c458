// Disk transfers from a simulated vCenter into a simulated Incus instance, and their cancellation.
//
// A pass snapshots the source disks when it starts. Streamed (the Target's default transfer), it
// moves per disk the whole capacity (first pass, or after a pass broke off) or the bytes written
// since the target's copy; by a mover (`transfer: mover`), what the mover's pass moves
// (./mover-pass.ts). It runs at the target's rate. Streamed offline copies started from one
// source in the same instant share a transfer session (when the source's offline_sessions is
// shared): canceling one of them stops its data but it stays reported as running until the
// session ends; canceling all ends it at once.
// Two transfers of one VM never run together: a pass is refused while another (even a stopping
// one) is in flight — the ordering rule the engine must keep (DESIGN §3.2).

import { stopGuestOperation } from './target-calls.js';
import type { CancelOperationAction, ImportDisksAction } from '../../engine/actions.js';
import { checksReadiness, NOT_READY } from './guest-preparation.js';
import { attachDisks, moverDisks, moverPass, wholeNote } from './mover-pass.js';
import { ATTEMPT_KEY, ENTRY_KEY, writtenAt, type InstanceState, type OpState, type SourceState, type TransferDisk, type VmState } from './state.js';
import { TRANSFERS, type CommandResult, type World } from './world.js';

function failed(world: World, action: ImportDisksAction, message: string): CommandResult {
  world.startOp({ id: action.op, kind: action.kind, owner: TRANSFERS, entry: action.entry, state: 'failed', message });
  return {};
}

export function callImport(world: World, action: ImportDisksAction): CommandResult {
  const source = world.source(action.source)!;
  const target = world.target(action.target)!;
  const vm = world.vm(action.source, action.vm);
  if (!vm) return failed(world, action, `VM ${action.vm} no longer exists on source ${action.source}`);
  const instance = world.instance(action.target, action.project, action.name);
  if (!instance) return failed(world, action, `instance ${action.name} does not exist in project ${action.project} on target ${action.target}`);
  if (instance.config[ENTRY_KEY] !== action.entry || instance.config[ATTEMPT_KEY] !== action.attempt) {
    return failed(world, action, `instance ${action.name} does not carry this attempt's markers (${action.attempt}); Ferry does not write into it`);
  }
  const other = world.transferOf(action.source, vm.key);
  if (other) return failed(world, action, `another transfer of VM ${vm.record.name} is still ${other.transfer!.stopping_since !== null ? 'stopping' : 'running'} (operation ${other.id}); two transfers of one disk never run at once`);
  if (instance.busy !== null) return failed(world, action, `instance ${action.name} is busy with operation ${instance.busy}`);
  const mover = target.transfer === 'mover';
  if (!mover && action.mode === 'background' && !(source.background_import && vm.record.background_import)) {
    return failed(world, action, `background import is not supported for VM ${vm.record.name} on source ${source.name}`);
  }
  if (action.mode !== 'background' && vm.record.running) {
    return failed(world, action, `VM ${vm.record.name} is running; a${action.mode === 'final' ? ' final' : 'n offline'} copy needs it powered off`);
  }
  const onSource = new Set(vm.record.disks.filter((disk) => disk.supported).map((disk) => disk.name));
  for (const name of Object.keys(instance.disks)) {
    if (!onSource.has(name)) return failed(world, action, `disk ${name} of instance ${action.name} no longer exists on VM ${vm.record.name}`);
  }
  let disks: TransferDisk[];
  if (mover) {
    const pass = moverDisks(source, vm, instance, action.mode, world.now);
    if (typeof pass === 'string') return failed(world, action, pass);
    attachDisks(instance, pass.attach);
    disks = pass.disks;
  } else {
    const streamed = streamDisks(world, source, vm, instance, action);
    if (typeof streamed === 'string') return failed(world, action, streamed);
    disks = streamed;
  }

  const total = disks.reduce((sum, disk) => sum + disk.bytes, 0);
  const doomed = world.takeFault('transfer', source.name, vm.key);
  // The mover checks the copy it made of a guest it will prepare; a failed copy is not checked.
  const notReady = mover && doomed === null && checksReadiness(action) && world.takeGuestFault('readiness', source.name, vm.key);
  // Each mover has a session of its own; streamed offline copies may share the source's.
  const session = action.mode === 'offline' && !mover && source.offline_sessions === 'shared' ? `${source.name}@${world.now}` : null;
  const op = world.startOp({
    id: action.op,
    kind: action.kind,
    owner: TRANSFERS,
    entry: action.entry,
    message: mover ? `${moverPass(action.mode)} pass (mover) of VM ${vm.record.name}: starting${wholeNote(disks)}` : `${action.mode} copy of VM ${vm.record.name}: starting`,
    ends_at: world.now + Math.ceil((total / target.import_rate) * 1000),
    doomed,
    ...(notReady ? { guest_not_ready: NOT_READY } : {}),
    instance: { target: action.target, project: action.project, name: action.name },
    transfer: { source: source.name, vm: vm.key, mode: action.mode, ...(mover ? { transport: 'mover' as const } : {}), rate: target.import_rate, total, disks, session, stopping_since: null },
  });
  instance.busy = op.id;
  if (session !== null) {
    const state = (world.state.sessions[session] ??= { id: session, source: source.name, ops: [] });
    state.ops.push(op.id);
  }
  return {};
}

/** A stream pass: per disk, the whole capacity when the target holds no complete copy, else what was written since. */
function streamDisks(world: World, source: SourceState, vm: VmState, instance: InstanceState, action: ImportDisksAction): TransferDisk[] | string {
  const disks: TransferDisk[] = [];
  for (const [i, disk] of vm.record.disks.entries()) {
    if (!disk.supported) continue;
    const copy = instance.disks[disk.name];
    if (!copy) return `disk ${disk.name} of VM ${vm.record.name} is not on instance ${action.name}`;
    if (disk.capacity > copy.capacity) return `disk ${disk.name} is larger on the source (${disk.capacity} bytes) than on instance ${action.name} (${copy.capacity} bytes)`;
    const content = writtenAt(source, vm, i, world.now);
    const bytes = copy.content === null ? disk.capacity : Math.min(disk.capacity, Math.max(0, content - copy.content));
    disks.push({ name: disk.name, bytes, content });
  }
  return disks;
}

/** Bytes a transfer has moved by `now`. */
export function transferDone(op: OpState, now: number): number {
  const transfer = op.transfer!;
  if (op.state === 'succeeded') return transfer.total;
  const until = transfer.stopping_since ?? op.ended_at ?? now;
  return Math.min(transfer.total, Math.floor((transfer.rate * Math.max(0, until - op.started_at)) / 1000));
}

export function callCancel(world: World, action: CancelOperationAction): CommandResult {
  const base = { id: action.op, kind: action.kind, owner: TRANSFERS, entry: action.entry } as const;
  const op = world.state.ops[action.cancel];
  const ended = op === undefined ? world.state.ended[action.cancel] : undefined;
  if (!op && !ended) {
    // Remember the cancellation, so a late call with that id never starts the transfer.
    world.startOp({ id: action.cancel, kind: 'import_disks', owner: TRANSFERS, entry: action.entry, state: 'canceled', message: 'canceled before it started' }, null);
    world.startOp({ ...base, state: 'succeeded', message: `operation ${action.cancel} had not started; it never will` });
    return {};
  }
  if (!op || op.state !== 'running') {
    world.startOp({ ...base, state: 'succeeded', message: `operation ${action.cancel} had already ended (${(op ?? ended)!.state})` });
    return {};
  }
  if (!op.transfer) {
    if (stopGuestOperation(world, op, `${op.kind} stopped by cancel operation ${action.op}`)) {
      world.startOp({ ...base, state: 'succeeded', message: `canceled operation ${action.cancel}` });
    } else {
      world.startOp({ ...base, state: 'failed', message: `operation ${action.cancel} is a ${op.kind}; only disk copies and guest-side operations (post-import, finalize) can be canceled` });
    }
    return {};
  }
  const session = op.transfer.session !== null ? world.state.sessions[op.transfer.session] : undefined;
  if (!session) {
    cancelNow(world, op);
    world.startOp({ ...base, state: 'succeeded', message: `canceled operation ${action.cancel}` });
    return {};
  }
  if (op.transfer.stopping_since === null) {
    op.transfer.stopping_since = world.now;
    op.ends_at = null;
    op.message = `${op.transfer.mode} copy: stopping; the shared transfer session ends when its other copies finish`;
  }
  world.startOp({ ...base, state: 'succeeded', message: `operation ${action.cancel} is stopping with its shared session` });
  endSessionIfIdle(world, session.id);
  return {};
}

function cancelNow(world: World, op: OpState): void {
  const instance = instanceOf(world, op);
  if (instance) forgetCopies(instance, op.transfer!.disks);
  world.endOp(op, 'canceled', `${op.transfer!.mode} copy canceled after ${transferDone(op, world.now)} of ${op.transfer!.total} bytes`);
}

/** A pass that breaks off leaves the target disks without a complete copy (nor a change id). */
function forgetCopies(instance: InstanceState, disks: readonly TransferDisk[]): void {
  for (const disk of disks) {
    const copy = instance.disks[disk.name];
    if (!copy) continue;
    copy.content = null;
    if (copy.change_id !== undefined) copy.change_id = null;
  }
}

function instanceOf(world: World, op: OpState) {
  return world.instance(op.instance!.target, op.instance!.project, op.instance!.name);
}

/** Ends a shared session once none of its copies is still moving data. */
export function endSessionIfIdle(world: World, id: string): void {
  const session = world.state.sessions[id];
  if (!session) return;
  const moving = session.ops.some((opId) => {
    const op = world.state.ops[opId]!;
    return op.state === 'running' && op.transfer!.stopping_since === null;
  });
  if (moving) return;
  for (const opId of session.ops) {
    const op = world.state.ops[opId]!;
    if (op.state === 'running') cancelNow(world, op);
  }
  delete world.state.sessions[id];
}

/** A transfer reaches its end time. */
export function completeTransfer(world: World, op: OpState): void {
  const transfer = op.transfer!;
  const instance = instanceOf(world, op);
  if (op.doomed !== null) {
    if (instance) forgetCopies(instance, transfer.disks);
    world.endOp(op, 'failed', op.doomed);
  } else {
    if (instance) {
      for (const disk of transfer.disks) {
        const copy = instance.disks[disk.name];
        if (!copy) continue;
        copy.content = disk.content;
        if (transfer.transport === 'mover' || copy.change_id !== undefined) copy.change_id = disk.change_id ?? null;
      }
    }
    const done = transfer.transport === 'mover' ? `${moverPass(transfer.mode)} pass (mover) done: ${transfer.total} bytes${wholeNote(transfer.disks)}` : `${transfer.mode} copy done: ${transfer.total} bytes`;
    world.endOp(op, 'succeeded', op.guest_not_ready !== undefined ? `${done}; the guest is not ready to boot on Incus: ${op.guest_not_ready}` : done);
  }
  if (transfer.session !== null) endSessionIfIdle(world, transfer.session);
}
