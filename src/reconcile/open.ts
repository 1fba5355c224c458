// Opening a reconciler for a repository: its status store and the providers of its sources and
// targets. The simulator keeps its world beside the repository's Git data (never in its history).

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { DesiredState } from '../model/desired.js';
import type { ProviderSet } from '../providers/ports.js';
import { createSimProviders, openSimWorld } from '../providers/sim/index.js';
import type { RepoFiles } from '../repo/files.js';
import type { StatusStore } from '../store/index.js';
import { gitLocation } from './desired.js';
import { reconcilerIdentity } from './identity.js';
import type { ReconcilerSetup } from './reconciler.js';
import { openRepositoryStore } from './store.js';

export class ProviderUnavailableError extends Error {}

/** Where the simulator keeps its world for a repository: inside the Git directory. */
export async function simStateFile(repoDir: string): Promise<string | null> {
  const git = await gitLocation(repoDir);
  return git === null ? null : join(git.gitDir, 'ferry', 'sim', 'world.json');
}

export interface OpenOptions {
  /** plan: observe without changing anything, the simulator's state file included. */
  readOnly: boolean;
  log: Logger;
  crashPoint?: (step: string) => void;
}

export async function openProviders(repoDir: string, desired: DesiredState, files: RepoFiles, options: Pick<OpenOptions, 'readOnly'>): Promise<ProviderSet> {
  const real = [...desired.sources.filter((s) => s.type !== 'sim').map((s) => `source ${s.meta.name} (${s.type})`), ...desired.targets.filter((t) => t.type !== 'sim').map((t) => `target ${t.meta.name} (${t.type})`)];
  if (real.length > 0) {
    throw new ProviderUnavailableError(`this Ferry can only reconcile against the built-in simulator so far; ${real.join(', ')} need${real.length === 1 ? 's' : ''} a provider that is not built in yet`);
  }
  const stateFile = await simStateFile(repoDir);
  if (stateFile !== null && !options.readOnly) await mkdir(join(stateFile, '..'), { recursive: true });
  const world = await openSimWorld({ desired, files, stateFile, readOnly: options.readOnly });
  return createSimProviders(world, desired);
}

export interface OpenedReconciler {
  setup: ReconcilerSetup;
  store: StatusStore;
  close(): Promise<void>;
}

export async function openReconciler(repoDir: string, desired: DesiredState, files: RepoFiles, options: OpenOptions): Promise<OpenedReconciler> {
  const store = await openRepositoryStore(repoDir, desired);
  const providers = await openProviders(repoDir, desired, files, options);
  const setup: ReconcilerSetup = { store, providers, reconciler: reconcilerIdentity(), log: options.log, syncedAt: new Map(), ...(options.crashPoint ? { crashPoint: options.crashPoint } : {}) };
  return { setup, store, close: () => providers.close() };
}
