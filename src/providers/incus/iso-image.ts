// The ISO files a `transfer: mover` Target names on the reconciler's machine, in Incus: the mover
// image (mover_image, what scripts/build-mover-image.sh builds) and the operator's virtio-win ISO
// (virtio_win_image). Each is imported as a custom ISO volume `<prefix>-<first 12 hex of its
// SHA-256>` once per storage pool (and project, and cluster member for a local pool), and reused by
// every mover VM there. The name says which file it holds: a new file is a new volume, an old one is
// never overwritten. Ferry never deletes these volumes (they are shared; docs/providers/incus.md
// says how to clean up).

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ProviderError } from '../ports.js';
import { apiPath, type IncusClient } from './client.js';
import { memberQuery, type IncusVolume } from './disks.js';
import { IncusError, isNotFound } from './errors.js';

/** One Target field naming an ISO file: how its volume is named and described, and how its failures read. */
export interface IsoKind {
  /** The Target field that names the file. */
  field: 'mover_image' | 'virtio_win_image';
  /** The ProviderError code of its failures (docs/providers/incus.md, "Errors"). */
  code: 'mover-image' | 'virtio-win-image';
  /** The volume's name without `-<sha12>`. */
  prefix: string;
  /** What it is, in a sentence. */
  what: string;
  /** What the operator does about a file that is not there. */
  remedy: string;
  /** The volume's description, before `, SHA-256 <hex>`. */
  label: string;
}

export const MOVER_IMAGE: IsoKind = {
  field: 'mover_image',
  code: 'mover-image',
  prefix: 'ferry-mover',
  what: 'the mover image',
  remedy: 'build it with scripts/build-mover-image.sh',
  label: "Ferry's mover image",
};

export const VIRTIO_WIN_IMAGE: IsoKind = {
  field: 'virtio_win_image',
  code: 'virtio-win-image',
  prefix: 'ferry-virtio-win',
  what: 'the virtio-win image',
  remedy: 'download virtio-win.iso there (docs/providers/incus.md, "Windows guests: the virtio-win ISO"), or remove virtio_win_image from the Target',
  label: "The virtio-win ISO of Ferry's movers",
};

export interface IsoImage {
  kind: IsoKind;
  path: string;
  size: number;
  /** SHA-256, hex. */
  sha256: string;
  /** The volume name in every pool: `<prefix>-<sha256[0:12]>`. */
  volume: string;
}

/** Reads the file once to name it; a missing or unreadable file is an operator's error. */
export async function readIsoImage(kind: IsoKind, path: string): Promise<IsoImage> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    throw new ProviderError(kind.code, `${kind.what} ${path} (${kind.field}) is not a readable file on this machine: ${kind.remedy}`);
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  return { kind, path, size, sha256, volume: isoVolume(kind, sha256) };
}

/** The file read (hashed) once per process; a failed read is tried again on the next call. */
export function isoImageOnce(kind: IsoKind, path: string): () => Promise<IsoImage> {
  let read: Promise<IsoImage> | null = null;
  return () => {
    read ??= readIsoImage(kind, path).catch((error: unknown) => {
      read = null;
      throw error;
    });
    return read;
  };
}

export function isoVolume(kind: IsoKind, sha256: string): string {
  return `${kind.prefix}-${sha256.slice(0, 12)}`;
}

/**
 * Incus refuses any change to an ISO volume's config, so the file's full SHA-256 is recorded in
 * the volume's description.
 */
export function isoDescription(kind: IsoKind, sha256: string): string {
  return `${kind.label}, SHA-256 ${sha256}`;
}

function recordedHash(description: string | undefined): string | null {
  return /SHA-256 ([0-9a-f]{64})/.exec(description ?? '')?.[1] ?? null;
}

/** Why an existing volume of the image's name is not this image, or null when it is. */
export function imageMismatch(volume: IncusVolume, image: IsoImage): string | null {
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
export async function ensureIsoImage(client: IncusClient, image: IsoImage, place: { project: string; pool: string; location?: string }): Promise<string> {
  await client.requireExtension('custom_volume_iso', `import ${image.kind.what} as an ISO volume`);
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
  if (imported === null) throw new ProviderError(image.kind.code, `${image.kind.what} volume ${image.volume} vanished from pool ${place.pool} right after its import`);
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
async function adopt(client: IncusClient, path: string, query: Record<string, string | undefined>, volume: IncusVolume, image: IsoImage, pool: string): Promise<string> {
  const mismatch = imageMismatch(volume, image);
  if (mismatch !== null) {
    throw new ProviderError(image.kind.code, `volume ${image.volume} in pool ${pool} is not ${image.kind.what} ${image.path} (${image.kind.field}): ${mismatch}; delete the volume and Ferry imports the image again`);
  }
  if (recordedHash(volume.description) === null) {
    await client.update<IncusVolume>(path, query, (current) =>
      recordedHash(current.description) !== null ? null : { config: current.config, description: isoDescription(image.kind, image.sha256) },
    );
  }
  return image.volume;
}
