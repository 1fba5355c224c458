// The mover's loop: read the job, run its pass, keep the report, and watch the job while the
// pass runs. A job whose op already succeeded is answered by the report as it is; a job of a new
// op replaces the pass that runs (it is stopped, its report says so); a job withdrawn (the key
// removed) stops it too. A failed op runs again only when its job changes (a new session).

import type { VimLog } from '../providers/vmware/client.js';
import type { MoverArgs } from './args.js';
import { removeCheckpoints } from './checkpoint.js';
import { findIncusDisk, incusDiskLinks } from './devices.js';
import { describeFailure, MoverError } from './failure.js';
import type { JobInput } from './job-input.js';
import { readJob } from './job.js';
import { formatBytes, runPass } from './pass.js';
import { prepareGuest } from './prepare/guest.js';
import { checkReadiness, readinessCheckFailed } from './prepare/readiness.js';
import type { VirtioWinIso } from './prepare/windows-iso.js';
import type { AnyMoverJob, MoverJob, MoverJobDisk, MoverPrepareJob, MoverReport, ReadinessReport } from './protocol.js';
import { readReport, ReportKeeper } from './report.js';
import { virtioWinIso } from './virtio-win.js';

export interface MoverEnv {
  args: MoverArgs;
  input: JobInput;
  log: VimLog;
  /** A console line (stdout; the serial console in the image). */
  print(line: string): void;
  now(): Date;
}

interface Running {
  op: string;
  text: string;
  controller: AbortController;
  done: Promise<MoverReport>;
}

const RETRY = { attempts: 5, firstDelayMs: 2000 };
/** How long a disk's /dev/disk/by-id link may take to appear after boot. */
const DEVICE_WAIT_MS = 60_000;

export class Mover {
  private running: Running | null = null;
  /** Ops this mover ended, with the job text they ran with (null: read from an earlier run's report). */
  private readonly ended = new Map<string, { state: 'succeeded' | 'failed'; text: string | null }>();
  private lastInvalid: string | null = null;

  constructor(private readonly env: MoverEnv) {
    const previous = readReport(env.args.report);
    if (previous?.state === 'succeeded') this.ended.set(previous.op, { state: 'succeeded', text: null });
  }

  /** The pass that runs, if any (its report once it ends). */
  get current(): Promise<MoverReport> | null {
    return this.running?.done ?? null;
  }

  /**
   * Reads the job once and acts on it, without waiting for a pass it starts. Says what it found:
   * no job, one that does not validate, one whose op already ended (and how), or one that runs.
   */
  async tick(): Promise<'none' | 'invalid' | 'succeeded' | 'failed' | 'running'> {
    let text: string | null;
    try {
      text = await this.env.input.read();
    } catch (error) {
      this.env.log.warn(`cannot read the job from ${this.env.input.where}: ${(error as Error).message}`);
      return 'none';
    }
    if (text === null) {
      if (this.running) await this.stop(new MoverError('job-withdrawn', 'the job was withdrawn (its configuration key was removed): the pass stopped'));
      return 'none';
    }
    const parsed = readJob(text);
    if (!parsed.ok) {
      if (this.lastInvalid !== text) {
        this.lastInvalid = text;
        this.invalid(text, parsed.error);
      }
      return 'invalid';
    }
    const job = parsed.job;
    if (this.running) {
      if (this.running.op === job.op) return 'running';
      await this.stop(new MoverError('job-replaced', `a job of op ${job.op} replaced this one: the pass stopped`));
    }
    const ended = this.ended.get(job.op);
    if (ended && (ended.state === 'succeeded' || ended.text === text)) return ended.state;
    this.start(job, text);
    return 'running';
  }

  /** Stops the pass that runs (its report says why) and waits for its cleanup. */
  async stop(reason: MoverError): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.controller.abort(reason);
    await running.done;
  }

  private start(job: AnyMoverJob, text: string): void {
    const controller = new AbortController();
    const done = (job.pass === 'prepare' ? this.prepare(job, controller) : this.execute(job, controller)).then((report) => {
      this.ended.set(job.op, { state: report.state === 'succeeded' ? 'succeeded' : 'failed', text });
      if (this.running?.op === job.op) this.running = null;
      return report;
    });
    this.running = { op: job.op, text, controller, done };
  }

  private async execute(job: MoverJob, controller: AbortController): Promise<MoverReport> {
    const { args, log } = this.env;
    const report = new ReportKeeper(args.report, (line) => this.env.print(line), () => this.env.now(), job.op);
    log.info(`op ${job.op}: ${job.pass} pass of ${job.disks.length} disk(s) of VM ${job.vm.moref}`);
    try {
      const disks = await runPass(job, {
        devicePath: (disk) => this.devicePath(disk, controller.signal),
        stateDir: args.stateDir,
        retry: RETRY,
        maxRate: args.maxRate,
        log,
        report,
        signal: controller.signal,
      });
      const bytes = disks.reduce((sum, d) => sum + d.bytes_written, 0);
      const fallbacks = disks.filter((d) => d.copy === 'full-fallback').length;
      const done = `${job.pass} pass done: ${disks.length} disk(s), ${formatBytes(bytes)} written${fallbacks > 0 ? `, ${fallbacks} copied whole (full-fallback)` : ''}`;
      const readiness = job.guest === undefined ? undefined : await this.readiness(job, job.guest, report, controller.signal);
      const final = readiness === undefined ? report.finish('succeeded', done) : report.finish('succeeded', `${done}; ${describeReadiness(readiness)}`, { readiness });
      await removeCheckpoints(args.stateDir, job.op).catch((error: unknown) => log.warn(`could not remove the checkpoints of op ${job.op}: ${(error as Error).message}`));
      log.info(`op ${job.op}: ${final.message}`);
      return final;
    } catch (error) {
      const reason: unknown = controller.signal.aborted && controller.signal.reason instanceof MoverError ? controller.signal.reason : error;
      const { code, message } = describeFailure(reason);
      log.warn(`op ${job.op}: error ${code}: ${message}`);
      return report.finish('failed', `error ${code}: ${message}`);
    }
  }

  /** A prepare pass: the guest's disks are on this VM's devices; the record goes into the report. */
  private async prepare(job: MoverPrepareJob, controller: AbortController): Promise<MoverReport> {
    const { args, log } = this.env;
    const report = new ReportKeeper(args.report, (line) => this.env.print(line), () => this.env.now(), job.op);
    log.info(`op ${job.op}: preparing the guest (${job.guest.preparation}; the source says ${job.guest.os_type || 'no OS'} ${job.guest.distribution})`);
    try {
      const disks = [];
      for (const disk of job.disks) disks.push({ device: disk.device, path: await this.devicePath(disk, controller.signal) });
      const virtioWin = this.virtioWin(job, controller.signal);
      const preparation = await prepareGuest(disks, {
        preparation: job.guest.preparation,
        nics: job.guest.nics,
        ...(virtioWin !== undefined ? { virtioWin } : {}),
        log: { info: (line) => log.info(line), warn: (line) => log.warn(line) },
      });
      const changed = preparation.steps.filter((step) => step.changed).map((step) => step.step);
      const message =
        preparation.state === 'succeeded'
          ? `guest prepared${preparation.distribution ? ` (${preparation.distribution})` : ''}: ${changed.length === 0 ? 'nothing needed changing' : changed.join(', ')}`
          : `error ${preparation.failure?.code ?? 'prepare-failed'}: ${preparation.failure?.message ?? 'the guest could not be prepared'}`;
      log.info(`op ${job.op}: ${message}`);
      return report.finish(preparation.state, message, { preparation });
    } catch (error) {
      const { code, message } = describeFailure(error);
      log.warn(`op ${job.op}: error ${code}: ${message}`);
      return report.finish('failed', `error ${code}: ${message}`);
    }
  }

  /**
   * The readiness check once the copy is written: read-only, so the next delta pass still finds
   * the source's blocks. Its failure is the report's, never the pass's.
   */
  private async readiness(job: MoverJob, guest: NonNullable<MoverJob['guest']>, report: ReportKeeper, signal: AbortSignal): Promise<ReadinessReport> {
    const { log } = this.env;
    report.progress(report.current.progress.done, report.current.progress.total, 'checking that the guest would boot under Incus');
    let readiness: ReadinessReport;
    try {
      const disks = [];
      for (const disk of job.disks) disks.push({ device: disk.device, path: await this.devicePath(disk, signal) });
      const virtioWin = this.virtioWin(job, signal);
      readiness = await checkReadiness(disks, {
        preparation: guest.preparation,
        ...(virtioWin !== undefined ? { virtioWin } : {}),
        log: { info: (line) => log.info(line), warn: (line) => log.warn(line) },
      });
    } catch (error) {
      readiness = readinessCheckFailed(error);
    }
    log.info(`op ${job.op}: ${describeReadiness(readiness)}${readiness.failure ? `: ${readiness.failure.message}` : ''}`);
    return readiness;
  }

  private virtioWin(job: AnyMoverJob, signal: AbortSignal): VirtioWinIso | undefined {
    return virtioWinIso(this.env.args, job, { waitMs: DEVICE_WAIT_MS, signal });
  }

  private async devicePath(disk: Pick<MoverJobDisk, 'name' | 'device'>, signal: AbortSignal): Promise<string> {
    const { devices } = this.env.args;
    if (devices.size === 0) {
      const found = await findIncusDisk(disk.device, { media: 'disk', waitMs: DEVICE_WAIT_MS, signal });
      if (found !== null) return found;
      throw new MoverError('device-missing', `no block device for Incus disk device ${disk.device} (looked for ${incusDiskLinks(disk.device).join(', ')}): attach the disk to the mover VM`);
    }
    const path = devices.get(disk.device);
    if (path === undefined) throw new MoverError('device-missing', `no --device for Incus disk device ${disk.device} (disk ${disk.name}): add --device ${disk.device}=PATH`);
    return path;
  }

  /** A job that does not validate: a failed report (under its op when one can be read from it). */
  private invalid(text: string, error: string): void {
    let op = '';
    try {
      const value = (JSON.parse(text) as { op?: unknown } | null)?.op;
      if (typeof value === 'string' && value.length <= 128) op = value;
    } catch {
      // The error says it is not JSON.
    }
    this.env.log.warn(`error job-invalid: ${error}`);
    new ReportKeeper(this.env.args.report, (line) => this.env.print(line), () => this.env.now(), op).finish(
      'failed',
      `error job-invalid: ${error}; the reconciler that wrote it and this mover image disagree: update the mover image or Ferry`,
    );
  }
}

/** The readiness in a few words, for the pass's message. */
function describeReadiness(readiness: ReadinessReport): string {
  if (readiness.state === 'ready') return `guest ready to boot on Incus${readiness.distribution ? ` (${readiness.distribution})` : ''}`;
  return `guest not ready to boot on Incus: ${readiness.failure?.code ?? 'not-ready'}`;
}
