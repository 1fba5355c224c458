// A custom block volume backup, generated on the fly around a disk's bytes, in the layout Incus
// reads on `POST /1.0/storage-pools/{pool}/volumes/custom` with `application/octet-stream`
// (lxc/incus v6.0.4: cmd/incusd/storage_volumes.go createStoragePoolVolumeFromBackup,
// internal/server/backup/backup_info.go GetInfo, internal/server/storage/drivers/generic_vfs.go
// genericVFSBackupUnpack):
//
//   backup/index.yaml   the backup's Info: name, pool, optimized: false, type: custom, and the
//                       volume's own record under config.volume (content_type: block, config keys)
//   backup/volume.img   the raw disk; its tar size becomes the volume's size
//
// An uncompressed tar is accepted (the server sniffs "ustar" at offset 257). A non-optimized
// backup works on every storage driver. The server spools the upload to a file before unpacking
// it, so the target needs room for the disk twice while it imports.

import { ProviderError } from '../ports.js';
import { endOfArchive, fileHeader, padding } from './tar.js';

export interface BlockVolumeBackup {
  /** The volume's name (the server takes the `X-Incus-name` header over it when given). */
  name: string;
  pool: string;
  description: string;
  /** The volume's config keys (Ferry's `user.ferry.*` markers). */
  config: Record<string, string>;
  /** The disk's size in bytes: exactly what the data stream yields. */
  size: number;
  /** Epoch milliseconds: the members' times and the volume's creation date. */
  createdAt: number;
}

const INDEX = 'backup/index.yaml';
const IMAGE = 'backup/volume.img';

/** YAML (a JSON string is a YAML double-quoted scalar): every value quoted, keys too. */
function quoted(value: string): string {
  return JSON.stringify(value);
}

/** `backup/index.yaml` for a non-optimized custom block volume backup without snapshots. */
export function backupIndex(volume: BlockVolumeBackup): string {
  const created = new Date(volume.createdAt).toISOString();
  const lines = [
    `name: ${quoted(volume.name)}`,
    `pool: ${quoted(volume.pool)}`,
    'optimized: false',
    'optimized_header: false',
    'type: custom',
    'config:',
    '  volume:',
    `    name: ${quoted(volume.name)}`,
    `    description: ${quoted(volume.description)}`,
    '    type: custom',
    '    content_type: block',
    `    created_at: ${created}`,
    '    config:',
    ...Object.keys(volume.config)
      .sort()
      .map((key) => `      ${quoted(key)}: ${quoted(volume.config[key]!)}`),
  ];
  if (Object.keys(volume.config).length === 0) lines[lines.length - 1] = '    config: {}';
  return lines.join('\n') + '\n';
}

export interface BackupStream {
  /** The exact number of bytes `stream` yields (the request's Content-Length). */
  length: number;
  stream: AsyncGenerator<Uint8Array>;
}

/**
 * The backup tarball around a disk's data. The stream fails when the data yields more or fewer
 * bytes than `volume.size`, so a short read never becomes a volume.
 */
export function blockVolumeBackup(volume: BlockVolumeBackup, data: AsyncIterable<Uint8Array>): BackupStream {
  const mtime = Math.floor(volume.createdAt / 1000);
  const index = Buffer.from(backupIndex(volume));
  const head = Buffer.concat([
    fileHeader({ name: INDEX, size: index.length, mtime }),
    index,
    Buffer.alloc(padding(index.length)),
    fileHeader({ name: IMAGE, size: volume.size, mtime }),
  ]);
  const tail = Buffer.concat([Buffer.alloc(padding(volume.size)), endOfArchive()]);
  const length = head.length + volume.size + tail.length;
  async function* stream(): AsyncGenerator<Uint8Array> {
    yield head;
    let written = 0;
    for await (const chunk of data) {
      written += chunk.byteLength;
      if (written > volume.size) throw new ProviderError('short-read', `the disk gave more than the ${volume.size} bytes announced`);
      yield chunk;
    }
    if (written !== volume.size) throw new ProviderError('short-read', `the disk gave ${written} of the ${volume.size} bytes announced`);
    yield tail;
  }
  return { length, stream: stream() };
}
