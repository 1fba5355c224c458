// Opening a reconciler for a repository: its status store and the providers of its sources and
// targets. The simulator keeps its world beside the repository's Git data (never in its history).

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { DesiredState } from '../model/desired.js';
import type { CrashStep } from '../model/crash-steps.js';
import type { ProviderSet } from '../providers/ports.js';
import { composeProviders, ProviderUnavailableError, type RealProviderFactories } from '../providers/compose.js';
import { openIncusTarget } from '../providers/incus/index.js';
import { openVmwareSource } from '../providers/vmware/index.js';
import type { RepoFiles } from '../repo/files.js';
import type { ConnectionPlan } from '../trust/connections.js';
import type { StatusStore } from '../store/index.js';
import { gitLocation } from './desired.js';
import { reconcilerIdentity } from './identity.js';
import type { ReconcilerSetup } from './reconciler.js';
import { openRepositoryStore } from './store.js';

export { ProviderUnavailableError };

/** Where the simulator keeps its world for a repository: inside the Git directory. */
export async function simStateFile(repoDir: string): Promise<string | null> {
  const git = await gitLocation(repoDir);
  return git === null ? null : join(git.gitDir, 'ferry', 'sim', 'world.json');
}

export interface OpenOptions {
  /** plan: observe without changing anything, the simulator's state file included. */
  readOnly: boolean;
  log: Logger;
  crashPoint?: (step: CrashStep) => void;
  /** Where secrets by reference (`env:`) are read from; the process environment by default. */
  env?: NodeJS.ProcessEnv;
  /** The real systems that may be contacted, and with which documents (src/trust). */
  connections: ConnectionPlan;
}

/** The real providers built into Ferry: vCenter/ESXi sources and Incus (or LXD) targets. */
export const BUILT_IN_PROVIDERS: RealProviderFactories = {
  vmware: (source, options) => openVmwareSource(source, options),
  incus: (target, options) => openIncusTarget(target, options),
};

export async function openProviders(repoDir: string, desired: DesiredState, files: RepoFiles, options: Pick<OpenOptions, 'readOnly' | 'env' | 'connections'> & { log?: Logger }): Promise<ProviderSet> {
  const stateFile = desired.sources.some((s) => s.type === 'sim') || desired.targets.some((t) => t.type === 'sim') ? await simStateFile(repoDir) : null;
  if (stateFile !== null && !options.readOnly) await mkdir(join(stateFile, '..'), { recursive: true });
  return composeProviders(desired, files, {
    readOnly: options.readOnly,
    log: options.log ?? pino({ level: 'silent' }),
    simStateFile: stateFile,
    factories: BUILT_IN_PROVIDERS,
    connections: options.connections,
    ...(options.env ? { env: options.env } : {}),
  });
}

export interface OpenedReconciler {
  setup: ReconcilerSetup;
  store: StatusStore;
  close(): Promise<void>;
}

export async function openReconciler(repoDir: string, desired: DesiredState, files: RepoFiles, options: OpenOptions): Promise<OpenedReconciler> {
  const store = await openRepositoryStore(repoDir, desired, (code, notice) => options.log.warn({ code }, notice));
  const providers = await openProviders(repoDir, desired, files, { readOnly: options.readOnly, log: options.log, connections: options.connections, ...(options.env ? { env: options.env } : {}) });
  const setup: ReconcilerSetup = { store, providers, reconciler: reconcilerIdentity(), log: options.log, syncedAt: new Map(), ...(options.crashPoint ? { crashPoint: options.crashPoint } : {}) };
  return { setup, store, close: () => providers.close() };
}
