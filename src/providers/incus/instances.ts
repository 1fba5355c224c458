// Reading and changing instances: by project and name, by Ferry entry across projects, and
// read-modify-write guarded by the instance's ETag.

import { ProviderError, type InstanceRef } from '../ports.js';
import { apiPath, type IncusClient } from './client.js';
import type { IncusInstance } from './definition.js';
import { instancePut } from './definition.js';
import { isEtagMismatch, isNotFound } from './errors.js';
import { ENTRY_KEY, markerMismatch, type Markers, carriesMarkers } from './markers.js';

export function instancePath(name: string): string {
  return apiPath`/1.0/instances/${name}`;
}

/** The instance, or null when the project has none of that name. */
export async function getInstance(client: IncusClient, ref: InstanceRef, signal?: AbortSignal): Promise<IncusInstance | null> {
  try {
    return (await client.get<IncusInstance>(instancePath(ref.name), { project: ref.project }, signal)).metadata;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** The instance when it carries these markers; otherwise a ProviderError 'marker-mismatch' (or 'not-found'). */
export async function ourInstance(client: IncusClient, ref: InstanceRef, markers: Markers, signal?: AbortSignal): Promise<IncusInstance> {
  const instance = await getInstance(client, ref, signal);
  if (instance === null) throw new ProviderError('not-found', `instance ${ref.name} does not exist in project ${ref.project} on target ${client.target}`);
  if (!carriesMarkers(instance.config, markers)) throw markerMismatch(`instance ${ref.name} in project ${ref.project} on target ${client.target}`, instance.config, markers);
  return instance;
}

/**
 * Changes an instance with its ETag: `change` edits a copy of what was read (config, devices) and
 * returns false when nothing needs changing. It runs again on what was re-read when someone else
 * changed the instance in between (412), and may throw to refuse (a marker check on what was read).
 */
export async function updateInstance(
  client: IncusClient,
  ref: InstanceRef,
  change: (instance: IncusInstance) => boolean,
  signal?: AbortSignal,
): Promise<IncusInstance> {
  let updated: IncusInstance | null = null;
  await client.update<IncusInstance>(
    instancePath(ref.name),
    { project: ref.project },
    (current) => {
      const copy: IncusInstance = structuredClone(current);
      if (!change(copy)) {
        updated = current;
        return null;
      }
      updated = copy;
      return instancePut(copy);
    },
    signal,
  );
  return updated!;
}

/** Every instance of a Ferry entry, in every project (one request where the server can filter across projects). */
export async function instancesOfEntry(client: IncusClient, entry: string): Promise<IncusInstance[]> {
  const filter = `config.${ENTRY_KEY} eq ${entry}`;
  const canFilter = await client.hasExtension('api_filtering');
  const keep = (list: IncusInstance[]) => list.filter((instance) => instance.config[ENTRY_KEY] === entry);
  if (await client.hasExtension('instance_all_projects')) {
    const query = { 'all-projects': 'true', recursion: '1', ...(canFilter ? { filter } : {}) };
    return keep((await client.get<IncusInstance[]>('/1.0/instances', query)).metadata);
  }
  const projects = (await client.get<string[]>('/1.0/projects')).metadata.map((url) => decodeURIComponent(url.split('/').pop()!));
  const found: IncusInstance[] = [];
  for (const project of projects) {
    const list = (await client.get<IncusInstance[]>('/1.0/instances', { project, recursion: '1', ...(canFilter ? { filter } : {}) })).metadata;
    found.push(...keep(list).map((instance) => ({ ...instance, project })));
  }
  return found;
}

/** Runs a state change (`start`, `stop`) and waits for it. */
export async function changeState(client: IncusClient, ref: InstanceRef, action: 'start' | 'stop', signal?: AbortSignal): Promise<void> {
  const body = action === 'stop' ? { action, force: true, timeout: -1 } : { action, timeout: -1 };
  await client.call('PUT', apiPath`/1.0/instances/${ref.name}/state`, { query: { project: ref.project }, body, ...(signal ? { signal } : {}) });
}

export async function instanceStatus(client: IncusClient, ref: InstanceRef): Promise<string> {
  const { metadata } = await client.get<{ status: string }>(apiPath`/1.0/instances/${ref.name}/state`, { project: ref.project });
  return metadata.status;
}

/**
 * Sets (or, with '', removes) config keys of an instance with `PATCH`, guarded by the ETag of the
 * read whose markers were checked: `change` sees the config read and returns the keys to set, or
 * null when nothing needs changing. Returns whether it patched.
 */
export async function patchConfig(
  client: IncusClient,
  ref: InstanceRef,
  markers: Markers,
  change: (instance: IncusInstance) => Record<string, string> | null,
  signal?: AbortSignal,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const { metadata, etag } = await client.get<IncusInstance>(instancePath(ref.name), { project: ref.project }, signal);
    if (!carriesMarkers(metadata.config, markers)) throw markerMismatch(`instance ${ref.name} in project ${ref.project} on target ${client.target}`, metadata.config, markers);
    const keys = change(metadata);
    if (keys === null) return false;
    try {
      await client.call('PATCH', instancePath(ref.name), { query: { project: ref.project }, body: { config: keys }, ...(etag !== null ? { etag } : {}), ...(signal ? { signal } : {}) });
      return true;
    } catch (error) {
      if (!isEtagMismatch(error) || attempt >= 8) throw error;
    }
  }
}
