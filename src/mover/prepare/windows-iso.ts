// Reading the operator's virtio-win ISO with xorriso rather than mounting it: the same code runs
// in the mover VM and on machines whose kernel has no iso9660 (containers, this project's CI), and
// only the driver folders Ferry uses are extracted (the ISO is 700 MB; the mover's /tmp is memory).
// In the mover VM the ISO is a block device (Incus attaches the ISO volume as a CD-ROM): xorriso
// is given it as `stdio:` so that it reads its bytes like a file's and sends it no drive commands.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WindowsPrepareError } from './windows-failure.js';
import { outputTail, run } from './windows-tools.js';

/**
 * Where the virtio-win ISO is (an image file, or the block device of the ISO volume attached to
 * the mover VM), found when first needed; rejects with a WindowsPrepareError virtio-win-unreadable
 * when it cannot be found.
 */
export type VirtioWinIso = () => Promise<string>;

function unreadable(isoPath: string, why: string): WindowsPrepareError {
  return new WindowsPrepareError('virtio-win-unreadable', `the virtio-win ISO ${isoPath} cannot be read (${why}): check the Target's virtio_win_image`);
}

/** The ISO as xorriso's -indev: a file as it is, a block device through `stdio:` (read as data, never driven). */
async function inputDrive(isoPath: string): Promise<string> {
  const found = await stat(isoPath).catch(() => null);
  if (found?.isFile()) return isoPath;
  if (found?.isBlockDevice()) return `stdio:${isoPath}`;
  throw unreadable(isoPath, found === null ? 'no such file or device' : 'neither a file nor a block device');
}

/** Every file on the ISO, as absolute paths in the ISO (`/vioscsi/w10/amd64/vioscsi.sys`). */
export async function listIsoFiles(isoPath: string): Promise<string[]> {
  // -joliet on: an ISO without Rock Ridge is read through its Joliet names, which keep their case.
  const listed = await run('xorriso', ['-joliet', 'on', '-indev', await inputDrive(isoPath), '-find', '/', '-type', 'f']);
  if (listed.code !== 0) throw unreadable(isoPath, outputTail(listed, 2));
  const files = listed.stdout
    .split('\n')
    .map((line) => /^'(.*)'$/.exec(line.trim())?.[1])
    .filter((path): path is string => path !== undefined)
    .map((path) => path.replace(/'"'"'/g, "'"));
  if (files.length === 0) throw unreadable(isoPath, 'it holds no files, or is not an ISO 9660 image');
  return files;
}

/** Copies one folder of the ISO into `into` (which must not exist); returns the extracted folder. */
export async function extractIsoFolder(isoPath: string, folder: string, into: string): Promise<string> {
  const target = join(into, folder.replace(/^\/+/, '').replace(/\//g, '_'));
  const extracted = await run('xorriso', ['-joliet', 'on', '-osirrox', 'on', '-indev', await inputDrive(isoPath), '-extract', folder, target]);
  if (extracted.code !== 0) throw unreadable(isoPath, outputTail(extracted, 2));
  return target;
}
