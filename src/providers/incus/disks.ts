// Disk data into Incus: each source disk becomes a custom block volume, imported through the
// volume backup-import API from a tarball generated around the disk's bytes as they stream in
// (./volume-backup.ts), in the pool the placement chose for that disk.
//
// A disk has two volume slots, `<instance>-disk<i>-a` and `-b`. A pass writes the slot the
// instance does not use, then points the instance at it (a virtual machine gets it attached as
// `disk<i>`, the boot disk with the highest boot priority), then deletes the other. The instance
// therefore always has the last complete copy of every disk, whatever moment a pass is cut at;
// a pass that starts again first removes what an interrupted one left in its slot.
//
// A container cannot use a custom block volume (Incus refuses it), so on a container target the
// volume is written and recorded on the instance (`user.ferry.disk.<i>.volume`) but not attached.

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { ProviderError, type DiskData, type DiskWrite } from '../ports.js';
import { apiPath, type IncusClient } from './client.js';
import { isNotFound } from './errors.js';
import { ourInstance, updateInstance } from './instances.js';
import {
  ATTEMPT_KEY,
  DISK_INDEX_KEY,
  ENTRY_KEY,
  INSTANCE_KEY,
  WRITTEN_BY_KEY,
  carriesMarkers,
  diskKey,
  markerMismatch,
  type Markers,
} from './markers.js';
import { poolNames } from './observe.js';
import { blockVolumeBackup } from './volume-backup.js';

export interface IncusVolume {
  name: string;
  description?: string;
  config: Record<string, string>;
  location?: string;
  content_type?: string;
}

/** The slot a new pass writes: the one the instance does not use now. */
export function volumeSlot(instance: string, index: number, current: string | null): string {
  const a = `${instance}-disk${index}-a`;
  return current === a ? `${instance}-disk${index}-b` : a;
}

/** The device a virtual machine gets for disk `index`; the boot disk boots first. */
export function diskDevice(pool: string, volume: string, index: number): Record<string, string> {
  return { type: 'disk', pool, source: volume, ...(index === 0 ? { 'boot.priority': '10' } : {}) };
}

async function* hashing(stream: AsyncIterable<Uint8Array>, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) {
    hash.update(chunk);
    yield chunk;
  }
}

/** `?target=` for a volume on one member of a cluster (local pools); nothing on a single server. */
export async function memberQuery(client: IncusClient, location: string | undefined): Promise<{ target?: string }> {
  const clustered = (await client.server()).environment?.server_clustered === true;
  return clustered && location !== undefined && location !== '' && location !== 'none' ? { target: location } : {};
}

/** Deletes a volume if it exists and carries the markers; refuses one that does not. */
async function removeVolume(client: IncusClient, pool: string, project: string, name: string, markers: Markers, location?: string): Promise<void> {
  const path = apiPath`/1.0/storage-pools/${pool}/volumes/custom/${name}`;
  let volume: IncusVolume;
  try {
    volume = (await client.get<IncusVolume>(path, { project })).metadata;
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  if (!carriesMarkers(volume.config, markers)) throw markerMismatch(`volume ${name} in pool ${pool}`, volume.config, markers);
  await client.call('DELETE', path, { query: { project, ...(await memberQuery(client, location ?? volume.location)) } });
}

export async function writeDisk(client: IncusClient, log: Logger, write: DiskWrite, data: DiskData, signal: AbortSignal): Promise<void> {
  await client.requireExtension('custom_volume_backup', 'import disks into volumes');
  const ref = { project: write.project, name: write.name };
  const instance = await ourInstance(client, ref, write, signal);
  const pool = instance.config[diskKey(write.index, 'pool')];
  if (pool === undefined) {
    throw new ProviderError('no-pool', `disk ${write.index} (${write.disk}) of instance ${write.name} has no storage pool: its placement did not place it`);
  }
  const placed = instance.config[diskKey(write.index, 'name')];
  if (placed !== write.disk) {
    throw new ProviderError('disk-mismatch', `disk ${write.index} of instance ${write.name} was placed as ${placed ?? '(none)'}, not ${write.disk}: the source's disks changed`);
  }
  const current = instance.config[diskKey(write.index, 'volume')] ?? null;
  const volume = volumeSlot(write.name, write.index, current);
  await removeVolume(client, pool, write.project, volume, write, instance.location);

  const hash = createHash('sha256');
  const backup = blockVolumeBackup(
    {
      name: volume,
      pool,
      description: `Disk ${write.index} (${write.disk}) of ${write.name}, written by Ferry (${write.mode} copy ${write.op})`,
      config: {
        size: String(data.size),
        [ENTRY_KEY]: write.entry,
        [ATTEMPT_KEY]: write.attempt,
        [INSTANCE_KEY]: write.name,
        [DISK_INDEX_KEY]: String(write.index),
        [WRITTEN_BY_KEY]: write.op,
      },
      size: data.size,
      createdAt: Date.now(),
    },
    hashing(data.stream, hash),
  );
  const started = Date.now();
  const query = { project: write.project, ...(await memberQuery(client, instance.location)) };
  await client.upload(apiPath`/1.0/storage-pools/${pool}/volumes/custom`, query, { [await client.header('name')]: volume }, backup.length, backup.stream, signal);
  const sha256 = hash.digest('hex');
  log.info({ op: write.op, instance: write.name, disk: write.index, pool, volume, bytes: data.size, ms: Date.now() - started }, 'disk written');

  const vm = instance.type === 'virtual-machine';
  await updateInstance(
    client,
    ref,
    (latest) => {
      if (!carriesMarkers(latest.config, write)) throw markerMismatch(`instance ${write.name} in project ${write.project}`, latest.config, write);
      latest.config[diskKey(write.index, 'volume')] = volume;
      latest.config[diskKey(write.index, 'sha256')] = sha256;
      latest.config[diskKey(write.index, 'size')] = String(data.size);
      if (vm) latest.devices[`disk${write.index}`] = diskDevice(pool, volume, write.index);
      return true;
    },
    signal,
  );
  if (current !== null && current !== volume) await removeVolume(client, pool, write.project, current, write, instance.location);
}

/** Deletes every volume of an instance that carries its markers, in every pool (after the instance is gone). */
export async function deleteVolumesOf(client: IncusClient, project: string, name: string, markers: Markers): Promise<string[]> {
  const deleted: string[] = [];
  for (const pool of await poolNames(client, project)) {
    const { metadata } = await client.get<IncusVolume[]>(apiPath`/1.0/storage-pools/${pool}/volumes/custom`, { project, recursion: '1' });
    for (const volume of metadata) {
      if (volume.config[INSTANCE_KEY] !== name || !carriesMarkers(volume.config, markers)) continue;
      await removeVolume(client, pool, project, volume.name, markers, volume.location);
      deleted.push(`${pool}/${volume.name}`);
    }
  }
  return deleted;
}
