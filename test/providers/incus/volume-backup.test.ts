// The backup tarball around a disk: what Incus's backup import reads (checked against the real
// daemon by the peer suite; here its form, its exact length, and how it fails).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fileHeader, padding } from '../../../src/providers/incus/tar.js';
import { backupIndex, blockVolumeBackup, type BlockVolumeBackup } from '../../../src/providers/incus/volume-backup.js';

const VOLUME: BlockVolumeBackup = {
  name: 'web-1-disk0-a',
  pool: 'fast',
  description: 'Disk 0 of web-1',
  config: { size: '1536', 'user.ferry.entry': 'e', 'user.ferry.attempt': 'e#1', 'user.ferry.op': 'e#1/sync-2: "quoted"' },
  size: 1536,
  createdAt: Date.UTC(2026, 10, 21, 10, 0, 0),
};

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function* bytes(...parts: Buffer[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

/** Lists an archive with GNU tar: `name size` per member. */
function gnuTarList(archive: Buffer): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-tar-'));
  try {
    writeFileSync(join(dir, 'a.tar'), archive);
    return execFileSync('tar', ['--list', '--verbose', '--numeric-owner', '-f', join(dir, 'a.tar')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => {
        const fields = line.split(/\s+/);
        return `${fields[5]} ${fields[2]}`;
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the custom block volume backup', () => {
  it('is backup/index.yaml then backup/volume.img, exactly as long as announced, and GNU tar reads it', async () => {
    const data = Buffer.alloc(VOLUME.size, 7);
    const backup = blockVolumeBackup(VOLUME, bytes(data.subarray(0, 1000), data.subarray(1000)));
    const archive = await collect(backup.stream);
    expect(archive.length).toBe(backup.length);
    expect(archive.length % 512).toBe(0);
    expect(archive.subarray(257, 262).toString()).toBe('ustar');
    const index = backupIndex(VOLUME);
    expect(gnuTarList(archive)).toEqual([`backup/index.yaml ${Buffer.byteLength(index)}`, `backup/volume.img ${VOLUME.size}`]);
    const imageStart = 512 + Buffer.byteLength(index) + padding(Buffer.byteLength(index)) + 512;
    expect(archive.subarray(imageStart, imageStart + VOLUME.size).equals(data)).toBe(true);
    expect(archive.subarray(archive.length - 1024).every((b) => b === 0)).toBe(true);
  });

  it('describes a non-optimized custom block volume with its config, whatever the values hold', () => {
    expect(parse(backupIndex(VOLUME))).toEqual({
      name: 'web-1-disk0-a',
      pool: 'fast',
      optimized: false,
      optimized_header: false,
      type: 'custom',
      config: {
        volume: {
          name: 'web-1-disk0-a',
          description: 'Disk 0 of web-1',
          type: 'custom',
          content_type: 'block',
          created_at: expect.anything(),
          config: VOLUME.config,
        },
      },
    });
    expect(backupIndex(VOLUME)).toContain('    created_at: 2026-11-21T10:00:00.000Z\n');
  });

  it('gives a disk of 8 GiB or more its size in a pax record, which GNU tar reads', () => {
    const size = 20 * 1024 ** 3 + 512;
    const header = Buffer.from(fileHeader({ name: 'backup/volume.img', size, mtime: 0 }));
    expect(header.length).toBe(3 * 512);
    expect(header[156]).toBe('x'.charCodeAt(0));
    expect(header.subarray(512, 512 + 20).toString()).toBe('20 size=21474836992\n');
    // A listing needs only the headers; the data is absent, so tar stops there with an error.
    const listing = (() => {
      const dir = mkdtempSync(join(tmpdir(), 'ferry-tar-'));
      try {
        writeFileSync(join(dir, 'a.tar'), header);
        return execFileSync('sh', ['-c', `tar --list --verbose -f ${join(dir, 'a.tar')} 2>/dev/null; true`], { encoding: 'utf8' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
    expect(listing).toContain(`${size} `);
    expect(listing).toContain('backup/volume.img');
  });

  it('writes a valid ustar checksum', () => {
    const header = Buffer.from(fileHeader({ name: 'backup/index.yaml', size: 10, mtime: 1 }));
    const stored = parseInt(header.subarray(148, 154).toString(), 8);
    header.fill(' ', 148, 156);
    expect(header.reduce((sum, b) => sum + b, 0)).toBe(stored);
  });

  it('fails when the disk yields fewer or more bytes than announced (a short read never becomes a volume)', async () => {
    await expect(collect(blockVolumeBackup(VOLUME, bytes(Buffer.alloc(1000))).stream)).rejects.toMatchObject({ code: 'short-read', message: 'the disk gave 1000 of the 1536 bytes announced' });
    await expect(collect(blockVolumeBackup(VOLUME, bytes(Buffer.alloc(2000))).stream)).rejects.toMatchObject({ code: 'short-read', message: 'the disk gave more than the 1536 bytes announced' });
  });
});
