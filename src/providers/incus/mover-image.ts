// The mover image in Incus (transfer: mover): the ISO that scripts/build-mover-image.sh builds,
// imported as a custom ISO volume `ferry-mover-<first 12 hex of its SHA-256>` once per storage pool
// (and project, and cluster member for a local pool), and reused by every mover VM there. The name
// says which image it holds: a new image is a new volume, an old one is never overwritten. Ferry
// never deletes these volumes (they are shared; docs/providers/incus.md says how to clean up).

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ProviderError } from '../ports.js';
import { apiPath, type IncusClient } from './client.js';
import { memberQuery, type IncusVolume } from './disks.js';
import { IncusError, isNotFound } from './errors.js';

export interface MoverImage {
  path: string;
  size: number;
  /** SHA-256, hex. */
  sha256: string;
  /** The volume name in every pool: `ferry-mover-<sha256[0:12]>`. */
  volume: string;
}

/** Reads the image once to name it; a missing or unreadable file is an operator's error. */
export async function readMoverImage(path: string): Promise<MoverImage> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    throw new ProviderError('mover-image', `the mover image ${path} (mover_image) is not a readable file on this machine: build it with scripts/build-mover-image.sh`);
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  return { path, size, sha256, volume: moverImageVolume(sha256) };
}

export function moverImageVolume(sha256: string): string {
  return `ferry-mover-${sha256.slice(0, 12)}`;
}

/**
 * Incus refuses any change to an ISO volume's config, so the image's full SHA-256 is recorded in
 * the volume's description.
 */
export function imageDescription(sha256: string): string {
  return `Ferry's mover image, SHA-256 ${sha256}`;
}

function recordedHash(description: string | undefined): string | null {
  return /SHA-256 ([0-9a-f]{64})/.exec(description ?? '')?.[1] ?? null;
}

/** Why an existing volume of the image's name is not this image, or null when it is. */
export function imageMismatch(volume: IncusVolume, image: MoverImage): string | null {
  if (volume.content_type !== undefined && volume.content_type !== 'iso') return `it is a ${volume.content_type} volume, not an ISO`;
  if (volume.config.size !== undefined && Number(volume.config.size) !== image.size) return `it holds ${volume.config.size} bytes, the image ${image.size}`;
  const recorded = recordedHash(volume.description);
  if (recorded !== null && recorded !== image.sha256) return `it was imported from an image with SHA-256 ${recorded}`;
  return null;
}

/**
 * The image's volume in `pool` (on `location` for a local pool of a cluster): imported when
 * absent, reused when present and the same image (size and the SHA-256 its description records). Two reconcilers
 * importing at once: the second sees Incus refuse the name and reuses the first's volume.
 */
export async function ensureMoverImage(client: IncusClient, image: MoverImage, place: { project: string; pool: string; location?: string }): Promise<string> {
  await client.requireExtension('custom_volume_iso', 'import the mover image as an ISO volume');
  const path = apiPath`/1.0/storage-pools/${place.pool}/volumes/custom/${image.volume}`;
  const query = { project: place.project, ...(await memberQuery(client, place.location)) };
  const existing = await readVolume(client, path, query);
  if (existing !== null) return adopt(client, path, query, existing, image, place.pool);
  const headers = { [await client.header('name')]: image.volume, [await client.header('type')]: 'iso' };
  try {
    await client.upload(apiPath`/1.0/storage-pools/${place.pool}/volumes/custom`, query, headers, image.size, createReadStream(image.path));
  } catch (error) {
    const now = error instanceof IncusError ? await readVolume(client, path, query) : null;
    if (now === null) throw error;
    return adopt(client, path, query, now, image, place.pool);
  }
  const imported = await readVolume(client, path, query);
  if (imported === null) throw new ProviderError('mover-image', `the mover image volume ${image.volume} vanished from pool ${place.pool} right after its import`);
  return adopt(client, path, query, imported, image, place.pool);
}

async function readVolume(client: IncusClient, path: string, query: Record<string, string | undefined>): Promise<IncusVolume | null> {
  try {
    return (await client.get<IncusVolume>(path, query)).metadata;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Checks the volume is the image, recording its full SHA-256 in its description the first time. */
async function adopt(client: IncusClient, path: string, query: Record<string, string | undefined>, volume: IncusVolume, image: MoverImage, pool: string): Promise<string> {
  const mismatch = imageMismatch(volume, image);
  if (mismatch !== null) {
    throw new ProviderError('mover-image', `volume ${image.volume} in pool ${pool} is not the mover image ${image.path}: ${mismatch}; delete the volume and Ferry imports the image again`);
  }
  if (recordedHash(volume.description) === null) {
    await client.update<IncusVolume>(path, query, (current) =>
      recordedHash(current.description) !== null ? null : { config: current.config, description: imageDescription(image.sha256) },
    );
  }
  return image.volume;
}
