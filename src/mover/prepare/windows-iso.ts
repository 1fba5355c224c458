// Reading the operator's virtio-win ISO with xorriso rather than mounting it: the same code runs
// in the mover VM and on machines whose kernel has no iso9660 (containers, this project's CI), and
// only the driver folders Ferry uses are extracted (the ISO is 700 MB; the mover's /tmp is memory).

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WindowsPrepareError } from './windows-failure.js';
import { outputTail, run } from './windows-tools.js';

function unreadable(isoPath: string, why: string): WindowsPrepareError {
  return new WindowsPrepareError('virtio-win-unreadable', `the virtio-win ISO ${isoPath} cannot be read (${why}): check the Target's virtio_win_iso`);
}

/** Every file on the ISO, as absolute paths in the ISO (`/vioscsi/w10/amd64/vioscsi.sys`). */
export async function listIsoFiles(isoPath: string): Promise<string[]> {
  const file = await stat(isoPath).catch(() => null);
  if (file === null || !file.isFile()) throw unreadable(isoPath, 'no such file');
  // -joliet on: an ISO without Rock Ridge is read through its Joliet names, which keep their case.
  const listed = await run('xorriso', ['-joliet', 'on', '-indev', isoPath, '-find', '/', '-type', 'f']);
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
  const extracted = await run('xorriso', ['-joliet', 'on', '-osirrox', 'on', '-indev', isoPath, '-extract', folder, target]);
  if (extracted.code !== 0) throw unreadable(isoPath, outputTail(extracted, 2));
  return target;
}
