// One ProviderSet for a repository's sources and targets, whatever their kinds: the simulator,
// a vCenter (vmware), an Incus (incus). Disk imports between two simulated systems stay inside the
// simulated world; into a real target whose transfer is `mover`, a mover inside the new instance
// copies the disks and this process only writes its jobs and reads its reports
// (./mover-transfer.ts); any other pair moves real bytes through this process (./transfer.ts).
//
// Which real systems are contacted, and with which document, is the trust layer's decision
// (src/trust/connections.ts): a real Source or Target it does not grant is not opened at all, and
// its secrets are never read.
//
// Time: a repository that is wholly simulated runs on the simulator's virtual clock (apply can
// jump it). As soon as one real system takes part, everything runs on the real clock, and the
// simulated half follows it: before each call it is brought up to the present.

import type { Logger } from 'pino';
import type { DesiredState, Source, Target } from '../model/desired.js';
import type { RepoFiles } from '../repo/files.js';
import type { ConnectionPlan } from '../trust/connections.js';
import { ProviderError, type Clock, type ProviderSet, type SourceProvider, type TargetProvider, type TransferProvider } from './ports.js';
import { createSimProviders, openSimWorld } from './sim/index.js';
import type { SimWorld } from './sim/sim-world.js';
import { moverTransfers } from './mover-transfer.js';
import { streamTransfers } from './transfer.js';

export class ProviderUnavailableError extends Error {}

export type Closable<T> = T & { close(): Promise<void> };

/** How real providers are opened (tests may swap them). Opening never contacts the system. */
export interface RealProviderFactories {
  vmware?: (source: Source, options: { log: Logger; env?: NodeJS.ProcessEnv }) => Promise<Closable<SourceProvider>>;
  incus?: (target: Target, options: { log: Logger; env?: NodeJS.ProcessEnv }) => Promise<Closable<TargetProvider>>;
}

export interface ComposeOptions {
  /** plan: observe only; the simulator's state file is never written. */
  readOnly: boolean;
  log: Logger;
  /** The simulator's state file, or null for an in-memory world. */
  simStateFile: string | null;
  factories: RealProviderFactories;
  env?: NodeJS.ProcessEnv;
  /** The real systems to contact, each with the (trusted) document to contact it with. */
  connections: ConnectionPlan;
}

const REAL_CLOCK: Clock = { virtual: false, now: () => Date.now() };

export async function composeProviders(desired: DesiredState, files: RepoFiles, options: ComposeOptions): Promise<ProviderSet> {
  const { connections } = options;
  const realSources = [...connections.sources.values()];
  const realTargets = [...connections.targets.values()];
  const offline = connections.offline;
  const anySim = desired.sources.some((s) => s.type === 'sim') || desired.targets.some((t) => t.type === 'sim');
  // A campaign with real systems runs on the real clock, whether this command contacts them or not.
  const anyReal = desired.sources.some((s) => s.type !== 'sim') || desired.targets.some((t) => t.type !== 'sim');
  const world = anySim ? await openSimWorld({ desired, files, stateFile: options.simStateFile, readOnly: options.readOnly, realClock: anyReal }) : null;
  const sim = world ? createSimProviders(world, desired) : null;
  if (!anyReal) return sim ?? nothingToContact(offline);
  if (sim === null && realSources.length === 0 && realTargets.length === 0) return nothingToContact(offline);

  const opened: Closable<unknown>[] = [];
  try {
    const sources = new Map<string, SourceProvider>();
    const targets = new Map<string, TargetProvider>();
    for (const source of realSources) {
      const open = options.factories.vmware;
      if (!open) throw new ProviderUnavailableError(`source ${source.meta.name} is of type ${source.type}, which this build of Ferry cannot reach`);
      const provider = await open(source, { log: options.log.child({ source: source.meta.name }), ...(options.env ? { env: options.env } : {}) });
      opened.push(provider);
      sources.set(source.meta.name, provider);
    }
    for (const target of realTargets) {
      const open = options.factories.incus;
      if (!open) throw new ProviderUnavailableError(`target ${target.meta.name} is of type ${target.type}, which this build of Ferry cannot reach`);
      const provider = await open(target, { log: options.log.child({ target: target.meta.name }), ...(options.env ? { env: options.env } : {}) });
      opened.push(provider);
      targets.set(target.meta.name, provider);
    }
    const follow = world && !options.readOnly ? followRealTime(world) : async () => {};
    if (world && sim) {
      if (world.now() > Date.now() + 60_000) {
        throw new ProviderUnavailableError(
          `the Simulation starts at ${new Date(world.now()).toISOString()}, in the future; with real sources or targets the simulated ones run on the real clock: remove spec.start from the Simulation`,
        );
      }
      for (const s of desired.sources) if (s.type === 'sim') sources.set(s.meta.name, following(sim.source(s.meta.name), follow));
      for (const t of desired.targets) if (t.type === 'sim') targets.set(t.meta.name, following(sim.target(t.meta.name), follow));
    }
    const source = (name: string): SourceProvider => {
      const found = sources.get(name);
      if (!found) throw new ProviderError('unknown', `source ${name} is not defined in this repository`);
      return found;
    };
    const target = (name: string): TargetProvider => {
      const found = targets.get(name);
      if (!found) throw new ProviderError('unknown', `target ${name} is not defined in this repository`);
      return found;
    };
    const stream = streamTransfers({ source, target, clock: REAL_CLOCK, log: options.log.child({ component: 'transfer' }) });
    // The trusted documents the targets were opened with decide, not the planned revision's.
    const moverTargetNames = realTargets.filter((t) => t.transfer === 'mover').map((t) => t.meta.name);
    const movers = moverTransfers({ source, target, moverTargets: () => moverTargetNames, now: () => Date.now(), log: options.log.child({ component: 'mover' }) });
    const byMover = (targetName: string) => moverTargetNames.includes(targetName);
    const simulated = (sourceName: string, targetName: string) =>
      sim !== null && desired.sources.some((s) => s.meta.name === sourceName && s.type === 'sim') && desired.targets.some((t) => t.meta.name === targetName && t.type === 'sim');
    const transfers: TransferProvider = {
      async importDisks(action) {
        if (simulated(action.source, action.target)) {
          await follow();
          return sim!.transfers.importDisks(action);
        }
        if (byMover(action.target)) return movers.importDisks(action);
        return stream.importDisks(action);
      },
      async cancel(action) {
        if (!stream.knows(action.cancel) && world !== null && world.knows(action.cancel)) {
          await follow();
          return sim!.transfers.cancel(action);
        }
        // A transfer this process does not stream may be a mover's, started by an earlier process.
        if (movers.knows(action.cancel) || (!stream.knows(action.cancel) && moverTargetNames.length > 0)) return movers.cancel(action);
        return stream.cancel(action);
      },
      async operation(id, where) {
        if (stream.knows(id)) return stream.operation(id, where);
        if (movers.knows(id) || (where !== undefined && byMover(where.target))) return movers.operation(id, where);
        if (where !== undefined && !simulated(where.source, where.target)) return stream.operation(id, where);
        if (sim === null) return undefined;
        await follow();
        return sim.transfers.operation(id, where);
      },
    };
    return {
      clock: REAL_CLOCK,
      source,
      target,
      transfers,
      offline,
      ...(world ? { notes: world.notes } : {}),
      activity: () => stream.nextEnd(),
      async close() {
        if (stream.inFlight > 0) options.log.info({ transfers: stream.inFlight }, 'waiting for the disk imports in flight to end');
        await stream.drain();
        await Promise.all(opened.map((p) => p.close()));
        await sim?.close();
      },
    };
  } catch (error) {
    await Promise.allSettled(opened.map((p) => p.close()));
    await sim?.close();
    throw error;
  }
}

/** The providers of a repository none of whose systems is contacted (a plan from the status branch). */
function nothingToContact(offline: ConnectionPlan['offline']): ProviderSet {
  const refuse = (kind: string, name: string): never => {
    throw new ProviderError('offline', `${kind} ${name} is not contacted by this command`);
  };
  return {
    clock: REAL_CLOCK,
    source: (name) => refuse('source', name),
    target: (name) => refuse('target', name),
    transfers: {
      importDisks: async (action) => refuse('source', action.source),
      cancel: async (action) => refuse('operation', action.cancel),
      operation: async () => undefined,
    },
    offline,
    close: async () => {},
  };
}

/** Brings a simulated world up to the real present (what happened in between is applied). */
function followRealTime(world: SimWorld): () => Promise<void> {
  return async () => {
    world.advanceTo(Date.now());
  };
}

/** A provider whose every call first brings the simulated world up to the present. */
function following<T extends object>(provider: T, follow: () => Promise<void>): T {
  return new Proxy(provider, {
    get(object, key, receiver) {
      const value = Reflect.get(object, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await follow();
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}
