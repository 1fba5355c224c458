// Writing into the guest idempotently: a file is written only when its content differs, and the
// caller learns whether anything changed.

import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { PrepareError } from './failure.js';

/**
 * The guest's directory for `path`, made when missing. A guest's absolute symlink (`/etc/udev` →
 * `/elsewhere`) would resolve on the mover, not in the guest: a directory that leads out of the
 * guest is refused.
 */
function guestDir(root: string, path: string): string {
  const dir = dirname(join(root, path));
  const inside = realpathSync(root);
  let existing = dir;
  while (!existsSync(existing)) existing = dirname(existing);
  const real = realpathSync(existing);
  if (real !== inside && !real.startsWith(`${inside}${sep}`)) {
    throw new PrepareError('step-failed', `the guest's ${dirname(path)} is a symlink leading out of the guest's filesystem; fix it on the source`);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes `content` at the guest's `path` (inside `root`); true when the file changed. */
export function writeGuestFile(root: string, path: string, content: string, mode = 0o644): boolean {
  const file = join(root, path);
  guestDir(root, path);
  if (existsSync(file) && !lstatSync(file).isSymbolicLink() && readFileSync(file, 'utf8') === content) {
    if ((lstatSync(file).mode & 0o777) === mode) return false;
    chmodSync(file, mode);
    return true;
  }
  const temporary = `${file}.ferry-tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, content, { mode, flag: 'wx' });
  chmodSync(temporary, mode);
  renameSync(temporary, file);
  return true;
}

/** Makes the guest's `path` a symlink to `target`; true when it changed. */
export function linkGuestFile(root: string, path: string, target: string): boolean {
  guestDir(root, path);
  const file = join(root, path);
  let stat;
  try {
    stat = lstatSync(file);
  } catch {
    stat = null;
  }
  if (stat?.isSymbolicLink() && readlinkSync(file) === target) return false;
  if (stat !== null) unlinkSync(file);
  symlinkSync(target, file);
  return true;
}

export function guestFileExists(root: string, path: string): boolean {
  try {
    lstatSync(join(root, path));
    return true;
  } catch {
    return false;
  }
}
