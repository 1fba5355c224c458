// What the engine sees of an Incus target: per project asked about, its pools, networks and every
// instance by name with Ferry's markers. A project that does not exist is absent. Requests: four
// per project (the project, the pools it may use, its networks, its instances with recursion),
// never one per instance.

import type { ProjectObservation, TargetInstanceObservation, TargetObservation } from '../../engine/observations.js';
import { apiPath, type IncusClient } from './client.js';
import type { IncusInstance } from './definition.js';
import { ProviderError } from '../ports.js';
import { IncusError, isNotFound } from './errors.js';
import { ATTEMPT_KEY, ENTRY_KEY } from './markers.js';
import type { TargetNetwork } from './nics.js';

interface IncusNetwork {
  name: string;
  managed: boolean;
  type: string;
  config?: Record<string, string>;
}

/** The last path segment of each URL Incus lists (`/1.0/storage-pools/default` → `default`). */
export function namesOf(urls: readonly string[]): string[] {
  return urls.map((url) => decodeURIComponent(url.split('?')[0]!.split('/').pop()!));
}

/**
 * The storage pools a project may use (a pool the project's limits set to 0 is hidden). Incus
 * before 6.0.6 refuses this list to a restricted certificate ("Certificate is restricted"): that
 * is said plainly rather than reported as a target without pools.
 */
export async function poolNames(client: IncusClient, project: string): Promise<string[]> {
  try {
    return namesOf((await client.get<string[]>('/1.0/storage-pools', { project })).metadata).sort();
  } catch (error) {
    if (error instanceof IncusError && error.message.includes('Certificate is restricted')) {
      throw new ProviderError(
        'restricted-certificate',
        `target ${client.target} does not let Ferry's restricted certificate list storage pools (Incus before 6.0.6 refuses it to restricted certificates): trust Ferry's certificate without --restricted, or upgrade Incus`,
      );
    }
    throw error;
  }
}

/** The networks instances of a project can use: managed ones and the host's interfaces. */
export async function projectNetworks(client: IncusClient, project: string): Promise<TargetNetwork[]> {
  const { metadata } = await client.get<IncusNetwork[]>('/1.0/networks', { project, recursion: '1' });
  return metadata.map((n) => ({ name: n.name, managed: n.managed, type: n.type, ...(n.config?.['ipv4.address'] ? { ipv4: n.config['ipv4.address'] } : {}) }));
}

export async function projectExists(client: IncusClient, project: string): Promise<boolean> {
  try {
    await client.get(apiPath`/1.0/projects/${project}`);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

export function instanceObservation(instance: IncusInstance): TargetInstanceObservation {
  return {
    running: instance.status === 'Running',
    entry: instance.config[ENTRY_KEY] ?? null,
    attempt: instance.config[ATTEMPT_KEY] ?? null,
  };
}

async function observeProject(client: IncusClient, project: string): Promise<ProjectObservation | null> {
  if (!(await projectExists(client, project))) return null;
  const [pools, networks, instances] = await Promise.all([
    poolNames(client, project),
    projectNetworks(client, project),
    client.get<IncusInstance[]>('/1.0/instances', { project, recursion: '1' }),
  ]);
  const byName: Record<string, TargetInstanceObservation> = {};
  for (const instance of instances.metadata) byName[instance.name] = instanceObservation(instance);
  return { pools, networks: networks.map((n) => n.name).sort(), instances: byName };
}

/** Throws when the target cannot be read; the provider turns that into `reachable: false`. */
export async function observeProjects(client: IncusClient, projects: readonly string[]): Promise<TargetObservation> {
  const server = await client.server();
  const observed: TargetObservation = {
    reachable: true,
    message: `connected (${server.environment?.server ?? 'incus'} ${server.environment?.server_version ?? ''})`.replace(' )', ')'),
    projects: {},
  };
  const results = await Promise.all(projects.map(async (project) => [project, await observeProject(client, project)] as const));
  for (const [project, observation] of results) if (observation !== null) observed.projects[project] = observation;
  return observed;
}
