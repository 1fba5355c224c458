// transfer: mover on an Incus target (docs/providers/incus.md, "Transfers: stream and mover").
// The instance createInstance makes is the mover VM: the guest's disks as custom block volumes
// attached as `disk<i>` (the boot disk with boot.priority 10), plus the mover image as the ISO
// device `ferry-mover`, booted first, and the Target's virtio-win ISO (virtio_win_image), if any, as
// the ISO device `ferry-virtio-win` (read-only, never booted). It is started at once and the mover
// waits for a job.
//
// A pass is a job in the instance's config (`user.ferry.mover.job`, written with PATCH under the
// ETag of the read whose markers were checked); the mover's report is read through the Incus file
// API (`GET /1.0/instances/{name}/files?path=/run/ferry-mover/report.json`): nothing connects to the
// reconciler. A succeeded warm pass leaves its change ids on the instance
// (`user.ferry.mover.state`) for the final pass's delta. A job naming the virtio-win device finds
// it attached first: a mover VM made before the Target named virtio_win_image gets it then, hot-
// plugged into the running VM (Incus hot-plugs any disk but a 9p share; an ISO volume becomes a
// SCSI CD-ROM added through QEMU's monitor), so nothing restarts. Post-import stops the VM,
// removes the mover devices and both keys; finalize boots the guest from its own disk.
//
// The job holds a live vSphere session. It is written into the instance and nowhere else: no log
// line, error, observation or operation message carries it (a failed PATCH's message is scrubbed
// of it too). Anyone who may read the instance's config in that project can read it until the
// final pass ends (docs/security.md).

import type { Logger } from 'pino';
import { operationMarkers } from '../../engine/operations.js';
import { JOB_KEY, REPORT_PATH, VIRTIO_WIN_DEVICE, type AnyMoverJob, type MoverJob, type MoverReport, type ReadinessReport } from '../../mover/protocol.js';
import { ProviderError, type InstanceRef, type Markers, type MoverPassObservation, type MoverTarget } from '../ports.js';
import { apiPath, type IncusClient } from './client.js';
import type { IncusInstance } from './definition.js';
import { diskDevice, memberQuery, volumeSlot, type IncusVolume } from './disks.js';
import { IncusError, isNotFound } from './errors.js';
import { changeState, instancesOfEntry, patchConfig, updateInstance } from './instances.js';
import {
  ATTEMPT_KEY,
  DISK_INDEX_KEY,
  ENTRY_KEY,
  IMPORT_KEY,
  INSTANCE_KEY,
  MOVER_DEVICE,
  MOVER_STATE_KEY,
  carriesMarkers,
  diskKey,
  markerMismatch,
  placedDisks,
} from './markers.js';
import { MOVER_IMAGE, VIRTIO_WIN_IMAGE, ensureIsoImage, isoImageOnce, type IsoImage } from './iso-image.js';
import type { Device } from './nics.js';

/** The mover image boots before every disk of the guest (whose boot disk has priority 10). */
const MOVER_BOOT_PRIORITY = '20';
/** The largest report read (a report of a VM with hundreds of disks is a few hundred KiB). */
const REPORT_LIMIT = 4 * 1024 * 1024;


export function moverDiskDevice(index: number): string {
  return `disk${index}`;
}

/** One disk of the mover VM: where its volume is and how large it must be. */
export interface MoverDisk {
  index: number;
  name: string;
  pool: string;
  size: number;
  volume: string;
}

/** The disks createInstance placed (from the instance's config), each with its volume. Pure. */
export function moverDisks(instance: Pick<IncusInstance, 'name' | 'config'>): MoverDisk[] {
  return placedDisks(instance.config).map((index) => ({
    index,
    name: instance.config[diskKey(index, 'name')] ?? '',
    pool: instance.config[diskKey(index, 'pool')]!,
    size: Number(instance.config[diskKey(index, 'size')] ?? 0),
    volume: volumeSlot(instance.name, index, null),
  }));
}

/**
 * The devices the mover VM has besides the guest's own: every disk's volume, the image booted
 * first, and the virtio-win ISO when the Target names one (in the image's pool). Pure.
 */
export function moverDevices(disks: readonly MoverDisk[], image: { pool: string; volume: string }, virtioWin: string | null): Record<string, Device> {
  const devices: Record<string, Device> = {};
  for (const disk of disks) devices[moverDiskDevice(disk.index)] = diskDevice(disk.pool, disk.volume, disk.index);
  devices[MOVER_DEVICE] = { type: 'disk', pool: image.pool, source: image.volume, 'boot.priority': MOVER_BOOT_PRIORITY };
  if (virtioWin !== null) devices[VIRTIO_WIN_DEVICE] = virtioWinDevice(image.pool, virtioWin);
  return devices;
}

/** The virtio-win ISO volume as a device: read-only, and no boot.priority (the firmware never boots it first). Pure. */
export function virtioWinDevice(pool: string, volume: string): Device {
  return { type: 'disk', pool, source: volume, readonly: 'true' };
}

/** The pool of the mover image: the boot disk's (the first placed disk), else the root device's. */
export function imagePool(instance: Pick<IncusInstance, 'config' | 'devices'>, disks: readonly MoverDisk[]): string {
  const pool = disks[0]?.pool ?? instance.devices.root?.pool;
  if (pool === undefined) throw new ProviderError('placement', 'the instance has no disk in a storage pool to put the mover image in');
  return pool;
}

/** A job as the instance holds it, or null. */
export function parseJob(text: string | undefined): AnyMoverJob | null {
  if (text === undefined || text === '') return null;
  try {
    const job = JSON.parse(text) as AnyMoverJob;
    return typeof job === 'object' && job !== null && typeof job.op === 'string' ? job : null;
  } catch {
    return null;
  }
}

/** A report as the mover wrote it, checked at this boundary; a string says what is wrong with it. */
export function parseReport(text: string): MoverReport | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the report is not JSON';
  }
  const report = value as Partial<MoverReport> | null;
  if (typeof report !== 'object' || report === null || report.version !== 1) return 'the report is not version 1';
  if (typeof report.op !== 'string' || typeof report.message !== 'string') return 'the report has no op or message';
  if (report.state !== 'running' && report.state !== 'succeeded' && report.state !== 'failed') return `the report's state is ${String(report.state)}`;
  const progress = report.progress;
  if (typeof progress !== 'object' || progress === null || typeof progress.done !== 'number' || typeof progress.total !== 'number') return 'the report has no progress';
  if (!Array.isArray(report.disks)) return 'the report has no disks';
  const readiness = report.readiness as Partial<ReadinessReport> | null | undefined;
  if (readiness !== undefined) {
    if (typeof readiness !== 'object' || readiness === null || (readiness.state !== 'ready' && readiness.state !== 'not-ready')) return "the report's readiness has no state ready or not-ready";
    if (!Array.isArray(readiness.details) || !readiness.details.every((detail) => typeof detail === 'string')) return "the report's readiness has no details";
    const failure = readiness.failure;
    if (readiness.state === 'not-ready' && (typeof failure?.code !== 'string' || typeof failure.message !== 'string')) return "the report's readiness is not-ready without a failure code and message";
  }
  return report as MoverReport;
}

/** The vSphere session a job carries (a prepare job carries none). */
export function jobSession(job: AnyMoverJob | null | undefined): string {
  return job !== null && job !== undefined && job.pass !== 'prepare' ? job.vcenter.session : '';
}

/** `text` with every occurrence of `secret` replaced (an error that echoes a request must not carry the session). */
export function scrub(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('[session]');
}

/** The recorded change ids (`user.ferry.mover.state`), by source disk name. */
export function recordedChangeIds(config: Record<string, string | undefined>): Record<string, string> {
  const text = config[MOVER_STATE_KEY];
  if (text === undefined || text === '') return {};
  try {
    const state = JSON.parse(text) as { change_ids?: Record<string, string> };
    return state.change_ids ?? {};
  } catch {
    return {};
  }
}

/** The files of a mover target's Target on this machine (mover_image, virtio_win_image). */
export interface MoverFiles {
  moverImage: string;
  virtioWinImage?: string;
}

export class IncusMover implements MoverTarget {
  private readonly moverImage: () => Promise<IsoImage>;
  private readonly virtioWinImage: (() => Promise<IsoImage>) | null;

  constructor(
    private readonly client: IncusClient,
    files: MoverFiles,
    private readonly log: Logger,
  ) {
    this.moverImage = isoImageOnce(MOVER_IMAGE, files.moverImage);
    this.virtioWinImage = files.virtioWinImage !== undefined ? isoImageOnce(VIRTIO_WIN_IMAGE, files.virtioWinImage) : null;
  }

  moverDevice(index: number): string {
    return moverDiskDevice(index);
  }

  virtioWinDevice(): string | null {
    return this.virtioWinImage !== null ? VIRTIO_WIN_DEVICE : null;
  }

  /** The virtio-win ISO's volume in `pool`, imported when absent; null when the Target names none. */
  private async virtioWinVolume(project: string, pool: string, location: string | undefined): Promise<string | null> {
    if (this.virtioWinImage === null) return null;
    return ensureIsoImage(this.client, await this.virtioWinImage(), { project, pool, ...(location !== undefined ? { location } : {}) });
  }

  /**
   * Makes a created instance the mover VM: every placed disk's volume, the image volumes, the
   * devices, and the VM started. Each step is skipped when done, so a createInstance cut anywhere
   * finishes on the next call. Returns what it did, for the operation's message.
   */
  async prepare(ref: InstanceRef, instance: IncusInstance, markers: Markers): Promise<string> {
    const disks = moverDisks(instance);
    for (const disk of disks) await this.ensureVolume(ref.project, instance, disk, markers);
    const pool = imagePool(instance, disks);
    const location = instance.location;
    const volume = await ensureIsoImage(this.client, await this.moverImage(), { project: ref.project, pool, ...(location !== undefined ? { location } : {}) });
    const virtioWin = await this.virtioWinVolume(ref.project, pool, location);
    const devices = moverDevices(disks, { pool, volume }, virtioWin);
    const updated = await updateInstance(this.client, ref, (latest) => {
      if (!carriesMarkers(latest.config, markers)) throw markerMismatch(`instance ${ref.name} in project ${ref.project}`, latest.config, markers);
      let changed = false;
      for (const [name, device] of Object.entries(devices)) {
        if (sameDevice(latest.devices[name], device)) continue;
        latest.devices[name] = device;
        changed = true;
      }
      for (const disk of disks) {
        if (latest.config[diskKey(disk.index, 'volume')] === disk.volume) continue;
        latest.config[diskKey(disk.index, 'volume')] = disk.volume;
        changed = true;
      }
      return changed;
    });
    if (updated.status !== 'Running') await changeState(this.client, ref, 'start');
    this.log.info({ instance: ref.name, project: ref.project, disks: disks.length, image: volume, virtio_win: virtioWin }, 'mover VM prepared and started');
    const isos = virtioWin !== null ? `the mover image ${volume} and the virtio-win image ${virtioWin}` : `the mover image ${volume}`;
    return `${disks.length} disk volume(s) and ${isos} attached; the mover VM is started`;
  }

  /**
   * The virtio-win device a job names, on a mover VM made before the Target named the ISO (or
   * holding an older one): attached now, into the running VM (Incus hot-plugs it). Idempotent.
   */
  private async attachVirtioWin(ref: InstanceRef, markers: Markers): Promise<void> {
    // Jobs name the device after virtioWinDevice(): one naming it without the ISO is a bug.
    if (this.virtioWinImage === null) throw new Error(`a job names the virtio-win device, but target ${this.client.target} has no virtio_win_image`);
    const instance = await this.instance(ref);
    if (instance === null) throw new ProviderError('not-found', `instance ${ref.name} does not exist in project ${ref.project} on target ${this.client.target}`);
    if (!carriesMarkers(instance.config, markers)) throw markerMismatch(`instance ${ref.name} in project ${ref.project}`, instance.config, markers);
    const pool = imagePool(instance, moverDisks(instance));
    const location = instance.location;
    const volume = await ensureIsoImage(this.client, await this.virtioWinImage(), { project: ref.project, pool, ...(location !== undefined ? { location } : {}) });
    const device = virtioWinDevice(pool, volume);
    if (sameDevice(instance.devices[VIRTIO_WIN_DEVICE], device)) return;
    const updated = await updateInstance(this.client, ref, (latest) => {
      if (!carriesMarkers(latest.config, markers)) throw markerMismatch(`instance ${ref.name} in project ${ref.project}`, latest.config, markers);
      if (sameDevice(latest.devices[VIRTIO_WIN_DEVICE], device)) return false;
      latest.devices[VIRTIO_WIN_DEVICE] = device;
      return true;
    });
    this.log.info({ instance: ref.name, project: ref.project, volume, running: updated.status === 'Running' }, 'virtio-win image attached to the mover VM');
  }

  /** A disk's custom block volume, created empty with the markers, or the one a cut call left. */
  private async ensureVolume(project: string, instance: IncusInstance, disk: MoverDisk, markers: Markers): Promise<void> {
    const path = apiPath`/1.0/storage-pools/${disk.pool}/volumes/custom/${disk.volume}`;
    const query = { project, ...(await memberQuery(this.client, instance.location)) };
    const existing = await this.readVolume(path, project);
    if (existing === null) {
      await this.client.call('POST', apiPath`/1.0/storage-pools/${disk.pool}/volumes/custom`, {
        query,
        body: {
          name: disk.volume,
          type: 'custom',
          content_type: 'block',
          description: `Disk ${disk.index} (${disk.name}) of ${instance.name}, written by Ferry's mover`,
          config: {
            size: String(disk.size),
            [ENTRY_KEY]: markers.entry,
            [ATTEMPT_KEY]: markers.attempt,
            [INSTANCE_KEY]: instance.name,
            [DISK_INDEX_KEY]: String(disk.index),
          },
        },
      });
      return;
    }
    if (!carriesMarkers(existing.config, markers)) throw markerMismatch(`volume ${disk.volume} in pool ${disk.pool}`, existing.config, markers);
  }

  private async readVolume(path: string, project: string): Promise<IncusVolume | null> {
    try {
      return (await this.client.get<IncusVolume>(path, { project })).metadata;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async writeMoverJob(ref: InstanceRef & Markers, job: AnyMoverJob): Promise<void> {
    try {
      // Before the job: the mover looks for the device when it takes the job.
      if (job.virtio_win !== undefined) await this.attachVirtioWin(ref, ref);
      const written = await patchConfig(this.client, ref, ref, (instance) => {
        if (parseJob(instance.config[JOB_KEY])?.op === job.op) return null;
        if (job.pass !== 'prepare') checkJobDisks(instance, job);
        return { [JOB_KEY]: JSON.stringify(job) };
      });
      if (written) this.log.info({ op: job.op, pass: job.pass, instance: ref.name, project: ref.project, disks: job.disks.length }, 'mover job written');
    } catch (error) {
      if (error instanceof Error) error.message = scrub(error.message, jobSession(job));
      throw error;
    }
  }

  async moverPass(ref: InstanceRef, op: string): Promise<MoverPassObservation> {
    const instance = await this.instance(ref);
    if (instance === null) return { state: 'absent' };
    const job = parseJob(instance.config[JOB_KEY]);
    const report = await this.readReport(ref, instance);
    // A pass still running whose job is gone was withdrawn: the mover stops it.
    if (typeof report === 'object' && report.op === op && (report.state !== 'running' || job?.op === op)) {
      return { state: 'reported', report: { ...report, message: scrub(report.message, jobSession(job)) } };
    }
    if (job?.op !== op) return { state: 'absent' };
    if (report === 'not-started') return { state: 'waiting', message: 'waiting for the mover to start' };
    return { state: 'waiting', message: 'waiting for the mover to take the job' };
  }

  /** The report, 'not-started' (the VM or its agent is not running yet), or 'none' (no report yet). */
  private async readReport(ref: InstanceRef, instance: IncusInstance): Promise<MoverReport | 'not-started' | 'none'> {
    if (instance.status !== 'Running') return 'not-started';
    let text: string;
    try {
      const response = await this.client.download(apiPath`/1.0/instances/${ref.name}/files`, { project: ref.project, path: REPORT_PATH });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > REPORT_LIMIT) {
          response.destroy();
          throw new ProviderError('bad-report', `the mover's report in instance ${ref.name} is larger than ${REPORT_LIMIT} bytes`);
        }
        chunks.push(chunk);
      }
      text = Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      if (isNotFound(error)) return 'none';
      // A VM whose agent does not run yet (the mover image is still booting) cannot serve files.
      if (error instanceof IncusError && /agent|not running/i.test(error.message)) return 'not-started';
      throw error;
    }
    const report = parseReport(text);
    if (typeof report === 'string') throw new ProviderError('bad-report', `the mover's report in instance ${ref.name} cannot be read: ${report}`);
    return report;
  }

  async withdrawMoverJob(op: string): Promise<boolean> {
    const markers = operationMarkers(op);
    let found = false;
    for (const instance of await instancesOfEntry(this.client, markers.entry)) {
      if (instance.config[ATTEMPT_KEY] !== markers.attempt || parseJob(instance.config[JOB_KEY])?.op !== op) continue;
      const ref = { project: instance.project ?? 'default', name: instance.name };
      await patchConfig(this.client, ref, markers, (latest) => (parseJob(latest.config[JOB_KEY])?.op === op ? { [JOB_KEY]: '' } : null));
      this.log.info({ op, instance: ref.name, project: ref.project }, 'mover job withdrawn');
      found = true;
    }
    return found;
  }

  async recordMoverPass(ref: InstanceRef & Markers, op: string, changeIds: Record<string, string> | null): Promise<void> {
    const state = changeIds === null ? '' : JSON.stringify({ op, change_ids: changeIds });
    await patchConfig(this.client, ref, ref, (instance) =>
      instance.config[IMPORT_KEY] === op && (instance.config[MOVER_STATE_KEY] ?? '') === state ? null : { [IMPORT_KEY]: op, [MOVER_STATE_KEY]: state },
    );
  }

  async moverChangeIds(ref: InstanceRef): Promise<Record<string, string>> {
    const instance = await this.instance(ref);
    return instance === null ? {} : recordedChangeIds(instance.config);
  }

  private async instance(ref: InstanceRef): Promise<IncusInstance | null> {
    try {
      return (await this.client.get<IncusInstance>(apiPath`/1.0/instances/${ref.name}`, { project: ref.project })).metadata;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }
}

/** Every disk of a job must be one createInstance placed, under the same name, and fit its volume. */
function checkJobDisks(instance: IncusInstance, job: MoverJob): void {
  const placed = new Map(moverDisks(instance).map((disk) => [moverDiskDevice(disk.index), disk]));
  for (const disk of job.disks) {
    const target = placed.get(disk.device);
    if (target === undefined || target.name !== disk.name || instance.devices[disk.device] === undefined) {
      throw new ProviderError('disk-mismatch', `instance ${instance.name} has no disk ${disk.device} placed for ${disk.name}: the source's disks changed since the instance was created`);
    }
    if (disk.capacity > target.size) {
      throw new ProviderError('disk-mismatch', `disk ${disk.name} grew to ${disk.capacity} bytes, larger than its volume on instance ${instance.name} (${target.size} bytes)`);
    }
  }
}

/**
 * After the final pass: the mover VM stops, loses the mover devices (the image and the virtio-win
 * ISO) and its job and state keys, and keeps only the guest's disks (finalize starts it from its
 * own boot disk). Idempotent.
 */
export async function removeMover(client: IncusClient, instance: IncusInstance, ref: InstanceRef, markers: Markers): Promise<boolean> {
  const present = [MOVER_DEVICE, VIRTIO_WIN_DEVICE].some((device) => instance.devices[device] !== undefined) || instance.config[JOB_KEY] !== undefined || instance.config[MOVER_STATE_KEY] !== undefined;
  if (!present) return false;
  if (instance.status !== 'Stopped') await changeState(client, ref, 'stop');
  await updateInstance(client, ref, (latest) => {
    if (!carriesMarkers(latest.config, markers)) throw markerMismatch(`instance ${ref.name} in project ${ref.project}`, latest.config, markers);
    delete latest.devices[MOVER_DEVICE];
    delete latest.devices[VIRTIO_WIN_DEVICE];
    delete latest.config[JOB_KEY];
    delete latest.config[MOVER_STATE_KEY];
    return true;
  });
  return true;
}

function sameDevice(current: Device | undefined, wanted: Device): boolean {
  return current !== undefined && Object.keys(current).length === Object.keys(wanted).length && Object.entries(wanted).every(([key, value]) => current[key] === value);
}
