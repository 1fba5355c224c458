// The TargetProvider port over one Incus (or LXD) server or cluster. Every call runs to completion
// (Incus operations awaited) and is idempotent by its operation id: the ledger remembers outcomes
// in this process, and the ids of completed calls are recorded on the instance (user.ferry.ops),
// so a restarted Ferry learns from the target what already happened.
//
// Nothing is changed or deleted on an instance (or volume) without this entry's and attempt's
// markers. A call Incus refused is recorded as a failed operation with Incus's reason; a call that
// could not reach Incus is not (the engine dispatches it again).

import type { Logger } from 'pino';
import type { CreateInstanceAction, DeleteInstanceAction, FinalizeInstanceAction, PostImportAction } from '../../engine/actions.js';
import type { OperationObservation, TargetObservation } from '../../engine/observations.js';
import { operationAttempt } from '../../engine/operations.js';
import { ProviderError, type DiskData, type DiskWrite, type InstanceRef, type TargetProvider } from '../ports.js';
import { apiPath, type IncusClient } from './client.js';
import { instanceDefinition, type IncusInstance, type InstanceType } from './definition.js';
import { deleteVolumesOf, writeDisk } from './disks.js';
import { IncusError } from './errors.js';
import { changeState, getInstance, instanceStatus, instancesOfEntry, instancePath, ourInstance, updateInstance } from './instances.js';
import { OperationLedger } from './ledger.js';
import { IncusMover, moverDiskDevice, moverDisks, parseJob, removeMover } from './mover.js';
import { JOB_KEY, type MoverPrepareJob, type PrepareReport } from '../../mover/protocol.js';
import { clipped, excerpt } from '../../text/excerpt.js';
import {
  ATTEMPT_KEY,
  IMPORT_KEY,
  MOVER_DEVICE,
  OPS_KEY,
  carriesMarkers,
  describeMarkers,
  diskKey,
  markerMismatch,
  placedDisks,
  recordedNics,
  recordedOps,
  withOp,
} from './markers.js';
import { nicDevice, type Device, type TargetNetwork } from './nics.js';
import { observeProjects, projectExists, projectNetworks } from './observe.js';
import { ensureTrusted, type TrustOptions } from './trust.js';

export interface IncusTargetSettings {
  instanceType: InstanceType;
  /** Containers: the image alias they are created from. */
  image: string | null;
  trust: TrustOptions;
  /** How long finalize waits for a started instance to report Running. */
  runningCheckMs?: number;
  /** transfer: mover — the mover image (an ISO on this machine); absent: transfer: stream. */
  moverImage?: string;
  /** transfer: mover — the operator's virtio-win ISO on this machine, attached to every mover VM; absent: none. */
  virtioWinImage?: string;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class IncusTarget implements TargetProvider {
  private readonly ledger = new OperationLedger();
  readonly mover?: IncusMover;

  constructor(
    readonly name: string,
    private readonly client: IncusClient,
    private readonly settings: IncusTargetSettings,
    private readonly log: Logger,
  ) {
    if (settings.moverImage !== undefined) {
      const files = { moverImage: settings.moverImage, ...(settings.virtioWinImage !== undefined ? { virtioWinImage: settings.virtioWinImage } : {}) };
      this.mover = new IncusMover(client, files, log);
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private trusted(): Promise<void> {
    return ensureTrusted(this.client, this.settings.trust);
  }

  async observe(projects: readonly string[]): Promise<TargetObservation> {
    try {
      await this.trusted();
      return await observeProjects(this.client, projects);
    } catch (error) {
      return { reachable: false, message: errorText(error), projects: {} };
    }
  }

  async createInstance(action: CreateInstanceAction): Promise<void> {
    await this.ledger.run(action.op, async () => {
      await this.trusted();
      const ref = { project: action.project, name: action.name };
      const existing = await getInstance(this.client, ref);
      if (existing !== null) return this.adopt(existing, action);
      await this.checkPlacement(action);
      const extensions = new Set((await this.client.server()).api_extensions);
      const body = instanceDefinition(action, { type: this.settings.instanceType, image: this.settings.image, extensions });
      // A mover VM is created only once it is prepared too: a crash in between must not read as done.
      if (this.mover !== undefined) delete (body.config as Record<string, string>)[OPS_KEY];
      try {
        await this.client.call('POST', '/1.0/instances', { query: { project: action.project }, body });
      } catch (error) {
        // Someone created it in between (another reconciler running the same operation): Incus
        // 6.0.4 and LXD then fail the operation instead of answering 409, so look again.
        const now = error instanceof IncusError ? await getInstance(this.client, ref) : null;
        if (now !== null) return this.adopt(now, action);
        throw error;
      }
      this.log.info({ op: action.op, project: action.project, instance: action.name, type: this.settings.instanceType }, 'instance created');
      const created = `created ${this.settings.instanceType} ${action.name} in project ${action.project}`;
      if (this.mover === undefined) return created;
      const instance = await getInstance(this.client, ref);
      if (instance === null) throw new ProviderError('not-found', `instance ${action.name} vanished from project ${action.project} right after it was created`);
      const prepared = await this.mover.prepare(ref, instance, action);
      await this.recordOp(ref, action, action.op);
      return `${created}; ${prepared}`;
    });
  }

  /** An instance of the name exists: it is this attempt's (done already) or it blocks the name. */
  private async adopt(existing: IncusInstance, action: CreateInstanceAction): Promise<string> {
    const ref = { project: action.project, name: action.name };
    if (!carriesMarkers(existing.config, action)) {
      throw new ProviderError(
        'name-taken',
        `an instance named ${action.name} already exists in project ${action.project} on target ${this.name} with ${describeMarkers(existing.config)}; it is not this attempt's, so Ferry does not reuse it`,
      );
    }
    const prepared = this.mover !== undefined ? `; ${await this.mover.prepare(ref, existing, action)}` : '';
    await this.recordOp(ref, action, action.op);
    return `instance ${action.name} already exists with this attempt's markers${prepared}`;
  }

  /** The project, the pools and the migration network must exist (Incus's own errors are less clear). */
  private async checkPlacement(action: CreateInstanceAction): Promise<void> {
    if (!(await projectExists(this.client, action.project))) {
      throw new ProviderError('placement', `project "${action.project}" does not exist on target ${this.name}`);
    }
    const pools = new Set(Object.values(action.placement.storage_pools));
    for (const pool of pools) {
      try {
        await this.client.get(apiPath`/1.0/storage-pools/${pool}`);
      } catch (error) {
        if (error instanceof IncusError && error.status === 404) {
          throw new ProviderError('placement', `storage pool "${pool}" does not exist on target ${this.name}`);
        }
        throw error;
      }
    }
    const migration = action.migration_network?.network;
    if (migration !== undefined) {
      const networks = await projectNetworks(this.client, action.project);
      if (!networks.some((n) => n.name === migration)) {
        throw new ProviderError('placement', `migration network "${migration}" does not exist in project ${action.project} on target ${this.name}`);
      }
    }
  }

  /** Appends a completed operation to the instance's record (it must still carry the markers). */
  private async recordOp(ref: InstanceRef, markers: { entry: string; attempt: string }, op: string): Promise<void> {
    await updateInstance(this.client, ref, (instance) => {
      if (!carriesMarkers(instance.config, markers)) throw markerMismatch(`instance ${ref.name} in project ${ref.project}`, instance.config, markers);
      if (recordedOps(instance.config).at(-1) === op) return false;
      instance.config[OPS_KEY] = withOp(instance.config, op);
      return true;
    });
  }

  async postImport(action: PostImportAction): Promise<void> {
    if (await this.requestPreparation(action)) return;
    await this.ledger.run(action.op, async () => {
      await this.trusted();
      const ref = { project: action.project, name: action.name };
      const instance = await ourInstance(this.client, ref, action);
      const disks = placedDisks(instance.config);
      if (this.mover !== undefined || instance.devices[MOVER_DEVICE] !== undefined) {
        if (instance.config[IMPORT_KEY] === undefined) throw new ProviderError('import-incomplete', `instance ${action.name}: no mover pass has copied its disks`);
        const removed = await removeMover(this.client, instance, ref, action);
        await this.recordOp(ref, action, action.op);
        return removed ? `the mover is removed from instance ${action.name} (stopped; it boots from its own disk at finalize)` : `instance ${action.name} has no mover left`;
      }
      const missing = disks.filter((index) => instance.config[diskKey(index, 'volume')] === undefined);
      if (missing.length > 0) {
        const names = missing.map((index) => instance.config[diskKey(index, 'name')] ?? `#${index}`).join(', ');
        throw new ProviderError('import-incomplete', `instance ${action.name}: disk(s) ${names} were never imported`);
      }
      await this.recordOp(ref, action, action.op);
      return `post-import checks done: ${disks.length} disk(s) imported`;
    });
  }

  /**
   * Guest preparation (issue #20): when the mover is still attached and the guest is one to
   * prepare, post-import is a prepare pass of the mover — its job written here, its outcome read
   * from the mover's report by operation(). False: nothing to prepare (the ledger's post-import runs).
   */
  private async requestPreparation(action: PostImportAction): Promise<boolean> {
    const guest = action.guest;
    if (this.mover === undefined || guest === undefined || guest.preparation === 'none') return false;
    await this.trusted();
    const ref = { project: action.project, name: action.name };
    const instance = await ourInstance(this.client, ref, action);
    if (instance.devices[MOVER_DEVICE] === undefined) return false;
    if (instance.config[IMPORT_KEY] === undefined) throw new ProviderError('import-incomplete', `instance ${action.name}: no mover pass has copied its disks`);
    const job: MoverPrepareJob = {
      version: 1,
      op: action.op,
      pass: 'prepare',
      disks: moverDisks(instance).map((disk) => ({ name: disk.name, device: moverDiskDevice(disk.index) })),
      guest: {
        preparation: guest.preparation,
        os_type: guest.os_type,
        distribution: guest.distribution,
        nics: recordedNics(instance.config).map((nic) => ({ mac: nic.hwaddr.toLowerCase() })).filter((nic) => nic.mac !== ''),
      },
    };
    const virtioWin = this.mover.virtioWinDevice();
    if (virtioWin !== null) job.virtio_win = { device: virtioWin };
    await this.mover.writeMoverJob({ ...ref, entry: action.entry, attempt: action.attempt }, job);
    return true;
  }

  /** A prepare pass's outcome, from the mover's report (undefined: no instance of the entry holds that job). */
  private async preparationOutcome(id: string): Promise<OperationObservation | undefined> {
    if (this.mover === undefined) return undefined;
    const entry = id.split('#')[0]!;
    for (const instance of await instancesOfEntry(this.client, entry)) {
      if (parseJob(instance.config[JOB_KEY])?.op !== id) continue;
      const pass = await this.mover.moverPass({ project: instance.project ?? 'default', name: instance.name }, id);
      if (pass.state === 'absent') return undefined;
      if (pass.state === 'waiting') return { state: 'running', message: `preparing the guest: ${pass.message}` };
      const report = pass.report;
      const preparation = report.preparation;
      if (report.state === 'running') return { state: 'running', message: `preparing the guest: ${report.message}` };
      if (report.state === 'succeeded') {
        const summary = preparationSummary(preparation) ?? report.message;
        return { state: 'succeeded', message: summary, record: summary, ended_at: Date.now() };
      }
      const failure = preparation?.failure;
      const message = failure !== undefined ? `${excerpt(failure.code)}: ${clipped(failure.message)}` : clipped(report.message);
      return { state: 'failed', message, conflict: preparation !== undefined, ended_at: Date.now() };
    }
    return undefined;
  }

  async finalizeInstance(action: FinalizeInstanceAction): Promise<void> {
    await this.ledger.run(action.op, async () => {
      await this.trusted();
      const ref = { project: action.project, name: action.name };
      // A prepared guest's mover VM still has the mover: it goes before the guest boots.
      const withMover = await ourInstance(this.client, ref, action);
      if (await removeMover(this.client, withMover, ref, action)) this.log.info({ instance: action.name, project: action.project }, 'mover removed before the guest boots');
      const instance = await ourInstance(this.client, ref, action);
      const networks = new Map<string, TargetNetwork>((await projectNetworks(this.client, action.project)).map((n) => [n.name, n]));
      const nics = this.finalNics(instance, action, networks);
      const changed = !sameNics(instance.devices, nics);
      let running = instance.status === 'Running';
      if (changed) {
        // Incus cannot swap every kind of NIC on a running instance; migration-manager stops it too.
        if (running) await changeState(this.client, ref, 'stop');
        running = false;
        await updateInstance(this.client, ref, (latest) => {
          if (!carriesMarkers(latest.config, action)) throw markerMismatch(`instance ${action.name} in project ${action.project}`, latest.config, action);
          for (const [device, config] of Object.entries(latest.devices)) if (config.type === 'nic') delete latest.devices[device];
          Object.assign(latest.devices, nics);
          return true;
        });
      }
      let outcome = `applied ${Object.keys(nics).length} NIC(s)`;
      if (action.start) {
        if (!running) await changeState(this.client, ref, 'start');
        await this.checkRunning(ref);
        outcome += running ? `; instance ${action.name} was already running` : `; started instance ${action.name}, it is running`;
      } else {
        outcome += `; instance ${action.name} stays ${running ? 'running' : 'stopped'}`;
      }
      await this.recordOp(ref, action, action.op);
      this.log.info({ op: action.op, project: action.project, instance: action.name, nics: Object.keys(nics).length, start: action.start }, 'instance finalized');
      return outcome;
    });
  }

  /** The source's NICs in their order (`eth0`…), each on its placement; a NIC without one is an error. */
  private finalNics(instance: IncusInstance, action: FinalizeInstanceAction, networks: ReadonlyMap<string, TargetNetwork>): Record<string, Device> {
    const recorded = recordedNics(instance.config);
    const order = [...recorded.map((nic) => nic.hwaddr), ...Object.keys(action.placement.networks).filter((mac) => !recorded.some((nic) => nic.hwaddr === mac))];
    const devices: Record<string, Device> = {};
    order.forEach((mac, index) => {
      const placement = action.placement.networks[mac];
      if (placement === undefined) throw new ProviderError('network-missing', `no network placement for NIC ${mac} of instance ${action.name}`);
      const network = networks.get(placement.network);
      if (network === undefined) {
        throw new ProviderError('network-missing', `network "${placement.network}" for NIC ${mac} does not exist in project ${action.project} on target ${this.name}`);
      }
      const ipv4 = recorded.find((nic) => nic.hwaddr === mac)?.ipv4;
      devices[`eth${index}`] = nicDevice(placement, { name: `eth${index}`, hwaddr: mac, network, ...(ipv4 ? { ipv4 } : {}) });
    });
    return devices;
  }

  /** The instance must report Running, and still do a moment later (a guest that dies at once fails here). */
  private async checkRunning(ref: InstanceRef): Promise<void> {
    const limit = Date.now() + (this.settings.runningCheckMs ?? 10_000);
    let seen = 0;
    for (;;) {
      const status = await instanceStatus(this.client, ref);
      seen = status === 'Running' ? seen + 1 : 0;
      if (seen >= 2) return;
      if (Date.now() > limit) throw new ProviderError('not-running', `instance ${ref.name} in project ${ref.project} was started but is ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async deleteInstance(action: DeleteInstanceAction): Promise<void> {
    await this.ledger.run(
      action.op,
      async () => {
        await this.trusted();
        const ref = { project: action.project, name: action.name };
        const instance = await getInstance(this.client, ref);
        if (instance !== null) {
          if (!carriesMarkers(instance.config, action)) {
            throw new ProviderError(
              'marker-mismatch',
              `instance ${action.name} in project ${action.project} on target ${this.name} carries ${describeMarkers(instance.config)}, not entry ${action.entry}, attempt ${action.attempt}; Ferry deletes only its own instances`,
            );
          }
          if (instance.status !== 'Stopped') await changeState(this.client, ref, 'stop');
          await this.client.call('DELETE', instancePath(action.name), { query: { project: action.project } });
        }
        const volumes = await deleteVolumesOf(this.client, action.project, action.name, action);
        this.log.info({ op: action.op, project: action.project, instance: action.name, existed: instance !== null, volumes }, 'instance deleted');
        const what = instance !== null ? `deleted instance ${action.name}` : `instance ${action.name} does not exist in project ${action.project}; nothing to delete`;
        return volumes.length > 0 ? `${what} and its volume(s) ${volumes.join(', ')}` : what;
      },
      ['marker-mismatch'],
    );
  }

  async operation(id: string): Promise<OperationObservation | undefined> {
    const known = this.ledger.observe(id);
    if (known !== undefined) return known;
    await this.trusted();
    const entry = id.split('#')[0]!;
    for (const instance of await instancesOfEntry(this.client, entry)) {
      if (recordedOps(instance.config).includes(id)) {
        return { state: 'succeeded', message: `recorded on instance ${instance.name}${instance.project ? ` in project ${instance.project}` : ''}` };
      }
    }
    return this.preparationOutcome(id);
  }

  async writeDisk(write: DiskWrite, data: DiskData, signal: AbortSignal): Promise<void> {
    await this.trusted();
    await writeDisk(this.client, this.log, write, data, signal);
  }

  async recordImport(ref: InstanceRef, op: string): Promise<void> {
    await this.trusted();
    await updateInstance(this.client, ref, (instance) => {
      if (instance.config[ATTEMPT_KEY] !== operationAttempt(op)) {
        throw new ProviderError('marker-mismatch', `instance ${ref.name} in project ${ref.project} carries ${describeMarkers(instance.config)}, not the attempt of import ${op}`);
      }
      if (instance.config[IMPORT_KEY] === op) return false;
      instance.config[IMPORT_KEY] = op;
      return true;
    });
  }

  async lastImport(ref: InstanceRef): Promise<string | null> {
    await this.trusted();
    const instance = await getInstance(this.client, ref);
    return instance?.config[IMPORT_KEY] ?? null;
  }
}

/** Whether the instance's own NIC devices are exactly these. */
function sameNics(current: Record<string, Device>, wanted: Record<string, Device>): boolean {
  const nics = Object.entries(current).filter(([, device]) => device.type === 'nic');
  if (nics.length !== Object.keys(wanted).length) return false;
  return nics.every(([name, device]) => {
    const other = wanted[name];
    return other !== undefined && Object.keys(device).length === Object.keys(other).length && Object.entries(device).every(([key, value]) => other[key] === value);
  });
}

/** What a prepare pass changed, in one line for the entry's message; undefined without a record. */
export function preparationSummary(preparation: PrepareReport | undefined): string | undefined {
  if (preparation === undefined) return undefined;
  // The names come from the guest's disk (its os-release): shown short, as any value from outside.
  const changed = preparation.steps.filter((step) => step.changed).map((step) => excerpt(step.step));
  const what = excerpt(preparation.distribution ?? preparation.family ?? 'the guest');
  return clipped(changed.length === 0 ? `guest prepared: ${what} needed no change` : `guest prepared (${what}): ${changed.join(', ')}`);
}
