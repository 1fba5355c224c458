// Disk imports into targets with `transfer: mover`: this process moves no data. It asks the source
// for what a mover needs (moverAccess: a session of its own, the VM, its disks), writes that as one
// pass's job into the target instance, and reads the mover's report as the operation's state.
//
//   ImportMode background (the VM runs)        → pass warm  (snapshot export; records change ids)
//   ImportMode final (the VM is off, window)   → pass delta (changed areas since those change ids;
//                                                 a disk without one is copied whole)
//   ImportMode offline (off, no warm copy)     → pass full
//
// A full or warm pass of a guest the mover will prepare as Windows (or whose family it detects)
// also asks for the readiness check (`guest`); a report saying the guest would not boot under Incus
// is a succeeded copy with `guest_not_ready`, which holds the entry before its cutover. A job names
// the Target's virtio-win device (`virtio_win`) whenever the Target has one.
//
// Everything is on the target: a restarted reconciler finds the job, the report and the recorded
// change ids there, so nothing is kept in memory but which instance an operation is on and which
// operations this process canceled.

import type { Logger } from 'pino';
import type { CancelOperationAction, ImportDisksAction } from '../engine/actions.js';
import type { OperationObservation } from '../engine/observations.js';
import type { MoverJob, MoverPass, MoverReport } from '../mover/protocol.js';
import { operationMarkers } from '../engine/operations.js';
import { clipped, excerpt } from '../text/excerpt.js';
import { ProviderError, type ImportMode, type InstanceRef, type MoverAccess, type MoverTarget, type OperationWhere, type SourceProvider, type TargetProvider, type TransferProvider } from './ports.js';

export interface MoverTransfers extends TransferProvider {
  /** Whether this process started or canceled the operation. */
  knows(id: string): boolean;
}

export interface MoverTransferDeps {
  source(name: string): SourceProvider;
  target(name: string): TargetProvider;
  /** The targets whose transfer is `mover` (a cancel after a restart looks for the job in each). */
  moverTargets(): readonly string[];
  now(): number;
  log?: Logger;
}

export function moverPass(mode: ImportMode): MoverPass {
  return mode === 'background' ? 'warm' : mode === 'final' ? 'delta' : 'full';
}

/** The change ids a succeeded report gives, by disk name; null when it gives none (a full or delta pass). */
export function reportedChangeIds(report: MoverReport): Record<string, string> | null {
  const ids = report.disks.filter((disk) => disk.change_id !== null && disk.change_id !== '').map((disk) => [disk.name, disk.change_id!] as const);
  return ids.length === 0 ? null : Object.fromEntries(ids);
}

/** What the target gives a job: the device each source disk is written to, and the virtio-win device (null: none). */
export interface MoverJobDevices {
  disk(index: number): string;
  virtioWin: string | null;
}

/**
 * One pass's job for `action`. `changeIds`: what the last warm pass recorded, by disk name (a delta
 * asks for the areas changed since them). The readiness check is asked of a full or warm pass of a
 * guest prepared as Windows or detected: a delta copies what changed after the check. Pure.
 */
export function moverJob(action: ImportDisksAction, access: MoverAccess, devices: MoverJobDevices, changeIds: Readonly<Record<string, string>>): MoverJob {
  const pass = moverPass(action.mode);
  const preparation = action.guest?.preparation;
  return {
    version: 1,
    op: action.op,
    pass,
    vcenter: access.vcenter,
    datacenter: access.datacenter,
    vm: access.vm,
    disks: access.disks.map((disk) => ({
      name: disk.name,
      key: disk.key,
      capacity: disk.capacity,
      device: devices.disk(disk.index),
      ...(pass === 'delta' && changeIds[disk.name] !== undefined ? { change_id: changeIds[disk.name]! } : {}),
    })),
    ...(pass !== 'delta' && (preparation === 'windows' || preparation === 'detect') ? { guest: { preparation } } : {}),
    ...(devices.virtioWin !== null ? { virtio_win: { device: devices.virtioWin } } : {}),
  };
}

/**
 * What a succeeded pass's readiness check adds to its observation: `code: sentence` when the guest
 * would not boot under Incus, shown as short as a preparation's failure (the text comes from the
 * guest's disk through the mover). Nothing for a ready guest or a pass without the check. Pure.
 */
export function guestReadiness(report: MoverReport): Pick<OperationObservation, 'guest_not_ready'> {
  const readiness = report.readiness;
  // A target reads reports at its boundary, and refuses a not-ready check without its failure.
  if (readiness?.state !== 'not-ready' || readiness.failure === undefined) return {};
  return { guest_not_ready: `${excerpt(readiness.failure.code)}: ${clipped(readiness.failure.message)}` };
}

interface Started {
  target: string;
  ref: InstanceRef;
}

export function moverTransfers(deps: MoverTransferDeps): MoverTransfers {
  const started = new Map<string, Started>();
  const canceled = new Map<string, OperationObservation>();
  /** Cancel operations this process ran, by their own id. */
  const cancels = new Map<string, OperationObservation>();

  const moverOf = (target: string): MoverTarget => {
    const mover = deps.target(target).mover;
    if (mover === undefined) throw new ProviderError('not-supported', `target ${target} does not run movers (its transfer is not mover)`);
    return mover;
  };

  return {
    knows: (id) => started.has(id) || canceled.has(id) || cancels.has(id),

    async importDisks(action: ImportDisksAction) {
      const ref = { project: action.project, name: action.name };
      started.set(action.op, { target: action.target, ref });
      const target = deps.target(action.target);
      const mover = moverOf(action.target);
      if ((await target.lastImport(ref)) === action.op) return;
      if ((await mover.moverPass(ref, action.op)).state !== 'absent') return;
      const source = deps.source(action.source);
      if (source.moverAccess === undefined) throw new ProviderError('not-supported', `source ${action.source} cannot serve movers`);
      const pass = moverPass(action.mode);
      const changeIds = pass === 'delta' ? await mover.moverChangeIds(ref) : {};
      const access = await source.moverAccess(action.vm);
      // A delta or a full copy reads the disks by range: the VM must be off, as for a stream.
      if (pass !== 'warm' && access.running) throw new ProviderError('vm-running', `VM ${action.vm} is running; a ${pass} pass copies its disks with the VM off`);
      const job = moverJob(action, access, { disk: (index) => mover.moverDevice(index), virtioWin: mover.virtioWinDevice() }, changeIds);
      await mover.writeMoverJob({ ...ref, entry: action.entry, attempt: action.attempt }, job);
      const fallback = pass === 'delta' ? job.disks.filter((disk) => disk.change_id === undefined).length : 0;
      deps.log?.info(
        { op: action.op, vm: action.vm, pass, target: action.target, instance: action.name, disks: job.disks.length, full_fallback: fallback, readiness_check: job.guest !== undefined, virtio_win: job.virtio_win !== undefined },
        'mover pass requested',
      );
    },

    async cancel(action: CancelOperationAction) {
      if (cancels.has(action.op)) return;
      const known = started.get(action.cancel);
      const targets = known !== undefined ? [known.target] : deps.moverTargets();
      let withdrawn = false;
      for (const target of targets) withdrawn = (await moverOf(target).withdrawMoverJob(action.cancel)) || withdrawn;
      canceled.set(action.cancel, { state: 'canceled', message: 'canceled (the mover job was withdrawn)', ended_at: deps.now() });
      cancels.set(action.op, { state: 'succeeded', message: withdrawn ? 'the mover job was withdrawn' : 'no mover job of that id was pending', ended_at: deps.now() });
    },

    async operation(id: string, where?: OperationWhere) {
      const cancel = cancels.get(id);
      if (cancel !== undefined) return { ...cancel };
      const known = started.get(id) ?? (where !== undefined ? { target: where.target, ref: { project: where.project, name: where.name } } : undefined);
      if (known === undefined) return canceled.get(id);
      const target = deps.target(known.target);
      if ((await target.lastImport(known.ref)) === id) {
        // Recorded by an earlier call whose observation may never have reached the status: the
        // report, still in the mover VM until its next job, says again whether the guest is ready.
        const readiness = target.mover !== undefined ? await recordedReadiness(target.mover, known.ref, id) : {};
        return { state: 'succeeded', message: 'every disk was copied (recorded on the target)', ...readiness };
      }
      const mover = moverOf(known.target);
      let pass;
      try {
        pass = await mover.moverPass(known.ref, id);
      } catch (error) {
        if (error instanceof ProviderError && error.code === 'bad-report') return { state: 'failed', message: error.message, ended_at: deps.now() };
        throw error;
      }
      if (pass.state === 'absent') return canceled.get(id);
      if (pass.state === 'waiting') return { state: 'running', message: pass.message };
      const report = pass.report;
      const progress = { done: report.progress.done, total: report.progress.total };
      switch (report.state) {
        case 'running':
          return { state: 'running', message: report.message, progress };
        case 'failed':
          return { state: 'failed', message: `the mover failed: ${report.message}`, progress, ended_at: deps.now() };
        case 'succeeded': {
          await mover.recordMoverPass({ ...known.ref, ...operationMarkers(id) }, id, reportedChangeIds(report));
          const fallbacks = report.disks.filter((disk) => disk.copy === 'full-fallback').map((disk) => `${disk.name} (${disk.fallback_reason ?? 'no change id'})`);
          const message = fallbacks.length > 0 ? `${report.message}; copied whole instead of a delta: ${fallbacks.join(', ')}` : report.message;
          const readiness = report.readiness;
          if (readiness?.state === 'ready') {
            // What the check found comes from the guest's disk: logged as short as any value from outside.
            deps.log?.info({ op: id, family: readiness.family, distribution: excerpt(readiness.distribution ?? ''), details: readiness.details.map(clipped) }, 'the guest is ready to boot on Incus');
          }
          return { state: 'succeeded', message, progress, ended_at: deps.now(), ...guestReadiness(report) };
        }
      }
    },
  };
}

/** The readiness a recorded pass's report gives, while the mover VM still holds that report. */
async function recordedReadiness(mover: MoverTarget, ref: InstanceRef, op: string): Promise<Pick<OperationObservation, 'guest_not_ready'>> {
  try {
    const pass = await mover.moverPass(ref, op);
    return pass.state === 'reported' && pass.report.state === 'succeeded' ? guestReadiness(pass.report) : {};
  } catch (error) {
    // The copy is recorded as done: a report that cannot be read any more does not undo that.
    if (error instanceof ProviderError && error.code === 'bad-report') return {};
    throw error;
  }
}
