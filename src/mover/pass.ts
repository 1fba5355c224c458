// One pass of a job: the job's session adopted, the VM checked, a plan made for each disk (its
// checkpoint's, when an earlier run of the same op left one), the disks copied one after the
// other, the session logged out. Returns the disks' reports; throws what failed the pass.

import { statSync } from 'node:fs';
import type { VimLog } from '../providers/vmware/client.js';
import { openFlatDisk } from '../providers/vmware/disk-data.js';
import { checkpointPath, rangesOf, readCheckpoint, type CheckpointHeader, type CheckpointState } from './checkpoint.js';
import { copyDisk, Throttle, type ChunkSource, type Retry } from './copy.js';
import { Device } from './device.js';
import { MoverError } from './failure.js';
import { CHUNK_BYTES, mergeAreas, planBytes, type Range } from './plan.js';
import type { MoverDiskCopy, MoverDiskReport, MoverJob, MoverJobDisk } from './protocol.js';
import type { ReportKeeper } from './report.js';
import { rangedSource } from './sources.js';
import { changedAreas, connect, readVm, refusesChangeId, type Vsphere } from './vsphere.js';
import { warmPass } from './warm.js';

export interface PassOptions {
  /** The device path of a disk (a block device in the VM, a file in process mode). */
  devicePath(disk: MoverJobDisk): Promise<string>;
  stateDir: string;
  retry: Retry;
  /** Bytes per second the pass may read (0: no limit). */
  maxRate: number;
  log: VimLog;
  report: ReportKeeper;
  signal: AbortSignal;
}

/** A disk as the pass copies it. */
export interface DiskPlan {
  disk: MoverJobDisk;
  path: string;
  header: CheckpointHeader;
  plan: Range[];
  previous: CheckpointState | null;
}

const MIB = 1024 * 1024;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(1)} GiB`;
  return `${(bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0)} MiB`;
}

/** A checkpoint left by an earlier run of this op for this disk and source, or null. */
async function previousRun(path: string, job: MoverJob, disk: MoverJobDisk, source: string): Promise<CheckpointState | null> {
  const state = await readCheckpoint(path);
  const header = state?.header;
  if (!header || header.op !== job.op || header.pass !== job.pass || header.disk !== disk.name || header.device !== disk.device) return null;
  if (header.capacity !== disk.capacity || header.chunk_bytes !== CHUNK_BYTES || header.source !== source) return null;
  return state;
}

/** Plans a disk: its checkpoint's plan when there is one, else `make()`'s. */
export async function planDisk(
  options: PassOptions,
  job: MoverJob,
  disk: MoverJobDisk,
  source: string,
  make: () => Promise<{ copy: MoverDiskCopy; plan: Range[]; change_id: string | null; fallback_reason?: string }>,
): Promise<DiskPlan> {
  const path = checkpointPath(options.stateDir, job.op, disk.device);
  const previous = await previousRun(path, job, disk, source);
  if (previous) {
    return { disk, path, header: previous.header, plan: previous.header.ranges.map(([start, length]) => ({ start, length })), previous };
  }
  const made = await make();
  const header: CheckpointHeader = {
    version: 1,
    op: job.op,
    pass: job.pass,
    disk: disk.name,
    device: disk.device,
    capacity: disk.capacity,
    chunk_bytes: CHUNK_BYTES,
    source,
    copy: made.copy,
    change_id: made.change_id,
    ...(made.fallback_reason !== undefined ? { fallback_reason: made.fallback_reason } : {}),
    ranges: rangesOf(made.plan),
  };
  return { disk, path, header, plan: made.plan, previous: null };
}

/** Copies the planned disks one after the other, reporting progress over all of them. */
export async function copyPlanned(options: PassOptions, plans: DiskPlan[], sourceOf: (plan: DiskPlan) => ChunkSource, onProgress?: (done: number, total: number) => void): Promise<MoverDiskReport[]> {
  const total = plans.reduce((sum, p) => sum + planBytes(p.plan), 0);
  const throttle = new Throttle(options.maxRate);
  const reports: MoverDiskReport[] = [];
  let before = 0;
  for (const [i, planned] of plans.entries()) {
    const label = `disk ${i + 1} of ${plans.length} (${planned.disk.name}, ${planned.header.copy})`;
    const device = await Device.open(await options.devicePath(planned.disk), planned.disk.capacity);
    try {
      const result = await copyDisk({
        device,
        plan: planned.plan,
        header: planned.header,
        checkpointPath: planned.path,
        previous: planned.previous,
        source: sourceOf(planned),
        signal: options.signal,
        retry: options.retry,
        throttle,
        onProgress: (bytes) => {
          options.report.progress(before + bytes, total, `copying ${label}: ${formatBytes(bytes)} of ${formatBytes(planBytes(planned.plan))}`);
          onProgress?.(before + bytes, total);
        },
        onNotice: (message) => options.log.warn(`${label}: ${message}`),
      });
      const report: MoverDiskReport = {
        name: planned.disk.name,
        device: planned.disk.device,
        copy: planned.header.copy,
        bytes_written: result.bytes,
        change_id: planned.header.change_id,
        sha256: result.sha256,
        ...(planned.header.fallback_reason !== undefined ? { fallback_reason: planned.header.fallback_reason } : {}),
      };
      options.report.disk(report);
      reports.push(report);
    } finally {
      await device.close();
    }
    before += planBytes(planned.plan);
  }
  return reports;
}

/** full and delta: the VM is off; each disk's flat extents are read by range. */
async function coldPass(vs: Vsphere, job: MoverJob, options: PassOptions): Promise<MoverDiskReport[]> {
  const { signal } = options;
  const vm = await readVm(vs, job, signal);
  if (vm.poweredOn) {
    throw new MoverError('vm-running', `VM ${job.vm.moref} is powered on: a ${job.pass} pass reads its disk files and needs it off (the reconciler powers it off in its window)`);
  }
  const plans: DiskPlan[] = [];
  const flats = new Map<string, Awaited<ReturnType<typeof openFlatDisk>>>();
  for (const disk of job.disks) {
    const current = vm.disks.find((d) => d.key === disk.key);
    if (!current) throw new MoverError('source-changed', `VM ${job.vm.moref} has no disk with key ${disk.key} any more: the reconciler writes a new job after its next sync`);
    if (current.fileName !== disk.name) {
      throw new MoverError('source-changed', `disk ${disk.name} of VM ${job.vm.moref} is now backed by ${current.fileName} (a snapshot?): delete or consolidate the VM's snapshots`);
    }
    const flat = await vs.call(`reading the descriptor of ${disk.name}`, () => openFlatDisk(vs.datastore, job.datacenter, disk.name, signal), signal);
    if (flat.size !== disk.capacity) {
      throw new MoverError('source-changed', `disk ${disk.name} holds ${flat.size} bytes, not the ${disk.capacity} of the job (resized?): the reconciler writes a new job after its next sync`);
    }
    flats.set(disk.device, flat);
    plans.push(
      await planDisk(options, job, disk, '', async () => {
        const whole = { copy: 'full' as const, plan: [{ start: 0, length: disk.capacity }], change_id: null };
        if (job.pass === 'full') return whole;
        if (disk.change_id === undefined) {
          return { ...whole, copy: 'full-fallback' as const, fallback_reason: 'no change id was recorded for this disk (no warm copy, or change tracking was off)' };
        }
        try {
          const areas = await changedAreas(vs, disk.key, disk.change_id, disk.capacity, signal);
          return { copy: 'delta' as const, plan: mergeAreas(areas, disk.capacity), change_id: null };
        } catch (error) {
          if (!refusesChangeId(error)) throw error;
          return { ...whole, copy: 'full-fallback' as const, fallback_reason: `vCenter refused the change id (${error.message})` };
        }
      }),
    );
  }
  return copyPlanned(options, plans, (planned) => rangedSource(vs.datastore, flats.get(planned.disk.device)!, planned.plan, CHUNK_BYTES));
}

/** Runs a job's pass; the session is logged out whatever happens. */
export async function runPass(job: MoverJob, options: PassOptions): Promise<MoverDiskReport[]> {
  for (const disk of job.disks) statSync(await options.devicePath(disk));
  const vs = await connect(job, options.log, options.retry, (message) => options.log.warn(message));
  try {
    options.report.progress(0, 0, 'checking the session and the VM');
    if (!(await vs.call('checking the session', () => vs.client.sessionAlive(), options.signal))) {
      throw new MoverError('session-ended', "the job's vSphere session has ended (logged out or idle too long): the reconciler writes a new job with a new session");
    }
    return job.pass === 'warm' ? await warmPass(vs, job, options) : await coldPass(vs, job, options);
  } finally {
    await vs.close().catch((error: unknown) => options.log.warn(`could not log the session out: ${(error as Error).message}`));
  }
}
