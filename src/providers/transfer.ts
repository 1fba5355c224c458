// Disk imports between systems of different kinds (a vCenter into an Incus, the simulator into a
// real Incus, a vCenter into the simulator): this process reads each disk from the source and
// streams it into the target, disk after disk, the boot disk first.
//
// A transfer runs in the background of the reconciler process and is known by its operation id.
// When every disk is written, the target records the id on the instance (recordImport), so a
// reconciler that restarts learns from the target that the import completed. A transfer the
// process lost (it died mid-copy) is unknown to everyone: operation() says so (undefined) and the
// engine dispatches it again once the claim allows; the new pass overwrites what the lost one
// wrote. Closing the provider set waits for the transfers in flight (`ferry apply --once` returns
// when its copies are done).

import type { Logger } from 'pino';
import type { CancelOperationAction, ImportDisksAction } from '../engine/actions.js';
import type { OperationObservation } from '../engine/observations.js';
import type { Clock, DiskData, OperationWhere, SourceProvider, TargetProvider, TransferProvider } from './ports.js';
import { ProviderError } from './ports.js';

interface Job {
  observation: OperationObservation;
  controller: AbortController;
  done: Promise<void>;
}

export interface StreamTransfers extends TransferProvider {
  /** Whether this process knows the operation (started or canceled it here). */
  knows(id: string): boolean;
  /** Resolves when every transfer in flight has ended. */
  drain(): Promise<void>;
  /** The number of transfers in flight. */
  readonly inFlight: number;
  /** Resolves when the next transfer in flight ends; undefined when none is in flight. */
  nextEnd(): Promise<void> | undefined;
}

export interface StreamTransferDeps {
  source(name: string): SourceProvider;
  target(name: string): TargetProvider;
  clock: Clock;
  log?: Logger;
}

/** Counts the bytes a stream yields, for progress. */
async function* counted(stream: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) {
    onBytes(chunk.byteLength);
    yield chunk;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function streamTransfers(deps: StreamTransferDeps): StreamTransfers {
  const jobs = new Map<string, Job>();
  const settled = (state: OperationObservation['state'], message: string): Job => ({
    observation: { state, message, ended_at: deps.clock.now() },
    controller: new AbortController(),
    done: Promise.resolve(),
  });

  async function run(action: ImportDisksAction, job: Job): Promise<void> {
    const source = deps.source(action.source);
    const target = deps.target(action.target);
    const signal = job.controller.signal;
    const vm = await source.readVm(action.vm);
    if (vm === null) throw new ProviderError('not-found', `VM ${action.vm} no longer exists on source ${action.source}`);
    const disks = vm.disks.map((disk, index) => ({ disk, index })).filter(({ disk }) => disk.supported);
    const progress = { done: 0, total: disks.reduce((sum, { disk }) => sum + disk.capacity, 0) };
    job.observation.progress = progress;
    for (const { disk, index } of disks) {
      signal.throwIfAborted();
      job.observation.message = `copying disk ${disk.name} (${index + 1} of ${vm.disks.length})`;
      const data = await source.readDisk(action.vm, disk.name, action.mode, signal);
      // The announced size may differ from the inventory's capacity (a disk grown since the sync).
      progress.total += data.size - disk.capacity;
      const stream: DiskData = { size: data.size, stream: counted(data.stream, (n) => (progress.done += n)) };
      await target.writeDisk({ project: action.project, name: action.name, op: action.op, entry: action.entry, attempt: action.attempt, index, disk: disk.name, mode: action.mode }, stream, signal);
    }
    signal.throwIfAborted();
    await target.recordImport({ project: action.project, name: action.name }, action.op);
  }

  return {
    knows: (id) => jobs.has(id),
    get inFlight() {
      let n = 0;
      for (const job of jobs.values()) if (job.observation.state === 'running') n++;
      return n;
    },
    async drain() {
      await Promise.all([...jobs.values()].map((job) => job.done));
    },
    nextEnd() {
      const running = [...jobs.values()].filter((job) => job.observation.state === 'running');
      return running.length === 0 ? undefined : Promise.race(running.map((job) => job.done));
    },

    async importDisks(action) {
      if (jobs.has(action.op)) return;
      // A transfer that completed before this process started (or before a crash) is recorded on
      // the target: doing it again would copy every disk once more for nothing.
      const recorded = await deps.target(action.target).lastImport({ project: action.project, name: action.name });
      if (recorded === action.op) {
        jobs.set(action.op, settled('succeeded', 'every disk was copied (recorded on the target)'));
        return;
      }
      const job: Job = { observation: { state: 'running', message: 'starting the copy' }, controller: new AbortController(), done: Promise.resolve() };
      jobs.set(action.op, job);
      deps.log?.info({ op: action.op, vm: action.vm, mode: action.mode, target: action.target, instance: action.name }, 'disk import started');
      job.done = run(action, job).then(
        () => {
          job.observation = { state: 'succeeded', message: `copied ${job.observation.progress?.done ?? 0} bytes`, ended_at: deps.clock.now(), ...(job.observation.progress ? { progress: job.observation.progress } : {}) };
          deps.log?.info({ op: action.op, bytes: job.observation.progress?.done }, 'disk import done');
        },
        (error: unknown) => {
          const canceled = job.controller.signal.aborted;
          job.observation = {
            state: canceled ? 'canceled' : 'failed',
            message: canceled ? 'canceled' : `disk import failed: ${errorText(error)}`,
            ended_at: deps.clock.now(),
            ...(job.observation.progress ? { progress: job.observation.progress } : {}),
          };
          deps.log?.warn({ op: action.op, state: job.observation.state, error: errorText(error) }, 'disk import ended early');
        },
      );
    },

    async cancel(action: CancelOperationAction) {
      if (jobs.has(action.op)) return;
      const job = jobs.get(action.cancel);
      if (job && job.observation.state === 'running') {
        job.controller.abort(new ProviderError('canceled', 'the transfer was canceled'));
        await job.done;
      }
      // Canceling what this process never ran (it was lost with a previous process) has nothing to stop.
      jobs.set(action.op, settled('succeeded', job ? 'the transfer was stopped' : 'no transfer of that id was running'));
    },

    async operation(id: string, where?: OperationWhere) {
      const job = jobs.get(id);
      if (job) return { ...job.observation, ...(job.observation.progress ? { progress: { ...job.observation.progress } } : {}) };
      if (where === undefined) return undefined;
      const recorded = await deps.target(where.target).lastImport({ project: where.project, name: where.name });
      return recorded === id ? { state: 'succeeded', message: 'every disk was copied (recorded on the target)' } : undefined;
    },
  };
}
