// Powering source VMs off and on for the engine, idempotent by operation id. An operation is
// remembered in memory from its first call: calling again with the same id does nothing, and
// `operation(id)` reports it. After a restart the id is unknown (undefined): the engine calls
// again, and a VM already in the wanted state makes that call succeed at once.
//
// Power off is a guest shutdown when VMware Tools run in the guest (as migration-manager does),
// with a hard power off when Tools are absent, refuse, or the guest is not off in time.

import type { Logger } from 'pino';
import type { PowerSourceAction } from '../../engine/actions.js';
import type { OperationObservation } from '../../engine/observations.js';
import { ProviderError } from '../ports.js';
import { sleep, type VimClient } from './client.js';
import { isFault, VimFault } from './faults.js';
import { str, type MoRef } from './values.js';

/** How long a guest shutdown may take before the VM is powered off hard. */
export const GUEST_SHUTDOWN_MS = 5 * 60_000;
/** How long a call waits for its operation before returning with it still running. */
const DISPATCH_WAIT_MS = 30_000;

export interface PowerState {
  ref: MoRef;
  name: string;
  /** poweredOn, poweredOff or suspended. */
  state: string;
  toolsRunning: boolean;
}

export interface PowerDeps {
  client: VimClient;
  source: string;
  log: Logger;
  now(): number;
  /** Finds a VM by instance UUID with its power state; null when it no longer exists. */
  locate(uuid: string): Promise<PowerState | null>;
  /** The limit of each task (PowerOffVM_Task, PowerOnVM_Task). */
  taskTimeoutMs: number;
}

/** Reads a VM's power state and whether Tools run in it. */
export async function readPowerState(client: VimClient, ref: MoRef): Promise<PowerState | null> {
  const [found] = await client.retrieve({ propSet: [{ type: 'VirtualMachine', paths: ['name', 'runtime.powerState', 'guest.toolsRunningStatus'] }], objectSet: [{ obj: ref }] });
  if (!found) return null;
  return {
    ref,
    name: str(found.props.get('name')) ?? ref.value,
    state: str(found.props.get('runtime.powerState')) ?? 'poweredOff',
    toolsRunning: str(found.props.get('guest.toolsRunningStatus')) === 'guestToolsRunning',
  };
}

export class PowerOperations {
  private readonly ops = new Map<string, OperationObservation>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: PowerDeps) {}

  /** Starts (once per operation id) and waits for it up to DISPATCH_WAIT_MS. */
  async start(action: PowerSourceAction): Promise<void> {
    if (this.ops.has(action.op)) return;
    const on = action.kind === 'power_on_source';
    const observation: OperationObservation = { state: 'running', message: `powering VM ${action.vm} ${on ? 'on' : 'off'}` };
    this.ops.set(action.op, observation);
    const work = this.change(action.vm, on, observation).then(
      (message) => {
        Object.assign(observation, { state: 'succeeded', message, ended_at: this.deps.now() });
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        Object.assign(observation, { state: 'failed', message, ended_at: this.deps.now() });
        this.deps.log.warn({ op: action.op, vm: action.vm, error: message }, `power ${on ? 'on' : 'off'} failed`);
      },
    );
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, DISPATCH_WAIT_MS)))]);
    clearTimeout(timer);
  }

  operation(id: string): OperationObservation | undefined {
    const found = this.ops.get(id);
    return found === undefined ? undefined : { ...found };
  }

  /** Resolves when no power change is in flight. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async change(uuid: string, on: boolean, observation: OperationObservation): Promise<string> {
    const { client } = this.deps;
    return client.run(async () => {
      const vm = await this.deps.locate(uuid);
      if (vm === null) throw new ProviderError('not-found', `VM ${uuid} no longer exists on source ${this.deps.source}`);
      const wanted = on ? 'poweredOn' : 'poweredOff';
      if (vm.state === wanted) return `VM ${vm.name} was already powered ${on ? 'on' : 'off'}`;
      if (!on && vm.toolsRunning) {
        observation.message = `shutting down the guest of VM ${vm.name}`;
        if (await this.guestShutdown(vm)) return `shut down the guest of VM ${vm.name}`;
        observation.message = `powering VM ${vm.name} off (the guest did not shut down)`;
      }
      const task = on ? await client.powerOnVm(vm.ref) : await client.powerOffVm(vm.ref);
      try {
        await client.waitForTask(task, { timeoutMs: this.deps.taskTimeoutMs });
      } catch (error) {
        // Someone else changed the power state meanwhile: what counts is the state reached.
        if (!isFault(error, 'InvalidPowerState')) throw error;
        const now = await readPowerState(client, vm.ref);
        if (now?.state !== wanted) throw error;
      }
      return `powered VM ${vm.name} ${on ? 'on' : 'off'}`;
    });
  }

  /** Asks Tools to shut the guest down and waits for the VM to be off; false to fall back to a hard power off. */
  private async guestShutdown(vm: PowerState): Promise<boolean> {
    const { client, log } = this.deps;
    try {
      await client.shutdownGuest(vm.ref);
    } catch (error) {
      if (error instanceof VimFault && error.code !== 'not-authenticated') {
        log.info({ vm: vm.name, fault: error.fault }, 'guest shutdown refused; powering off');
        return false;
      }
      throw error;
    }
    const end = this.deps.now() + GUEST_SHUTDOWN_MS;
    let delay = 250;
    while (this.deps.now() < end) {
      const now = await readPowerState(client, vm.ref);
      if (now === null || now.state === 'poweredOff') return true;
      await sleep(delay);
      delay = Math.min(delay * 2, 5_000);
    }
    log.warn({ vm: vm.name }, 'the guest did not shut down in time; powering off');
    return false;
  }
}
