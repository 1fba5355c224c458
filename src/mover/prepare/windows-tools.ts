// The tools Windows preparation runs (ntfs-3g, losetup, mount, hivex), and a ledger of what it
// attached and mounted, undone in reverse order on every path: a guest's volume must never stay
// mounted when its VM boots. (Tools run through the Linux side's command.ts.)

import { access, mkdtemp, rm, rmdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { run as runTool, type CommandResult } from './command.js';

export { outputTail, type CommandResult } from './command.js';

/** A tool run to its end, with `input` as its standard input (hivexsh reads its commands there). */
export function run(command: string, args: string[], input?: string): Promise<CommandResult> {
  return runTool(command, args, input === undefined ? {} : { input });
}

type Undo = { kind: 'unmount' | 'detach' | 'rmdir' | 'remove'; target: string };

export class Attachments {
  private readonly undo: Undo[] = [];

  /** A new empty directory to mount on, removed by `releaseAll` (only if empty: never a mount left behind). */
  async mountPoint(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-windows-'));
    this.undo.push({ kind: 'rmdir', target: dir });
    return dir;
  }

  /** A new directory for files of our own (extracted drivers), removed with its contents by `releaseAll`. */
  async workDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-windows-work-'));
    this.undo.push({ kind: 'remove', target: dir });
    return dir;
  }

  /** A loop device over a byte range of a disk (partition nodes may not exist: no udev, or a loop-backed disk). */
  async loop(path: string, offset: number, size: number, readOnly: boolean): Promise<string | CommandResult> {
    const result = await run('losetup', ['-f', '--show', ...(readOnly ? ['-r'] : []), '-o', String(offset), '--sizelimit', String(size), path]);
    if (result.code !== 0) return result;
    const device = result.stdout.trim();
    this.undo.push({ kind: 'detach', target: device });
    return device;
  }

  /** Runs a mounting command (`mount …`, `ntfs-3g …`) whose mount point is `target`. */
  async mount(command: string, args: string[], target: string): Promise<CommandResult> {
    const result = await run(command, args);
    if (result.code === 0) this.undo.push({ kind: 'unmount', target });
    return result;
  }

  /** Everything, last first; returns what could not be undone (lazily unmounted or left). */
  async releaseAll(): Promise<string[]> {
    const stuck: string[] = [];
    for (let next = this.undo.pop(); next !== undefined; next = this.undo.pop()) {
      if (next.kind === 'unmount') {
        // ntfs-3g is a FUSE daemon: the unmount returns once it has written everything back.
        if ((await run('umount', [next.target])).code !== 0) {
          await run('umount', ['-l', next.target]);
          stuck.push(next.target);
        }
      } else if (next.kind === 'detach') {
        if ((await run('losetup', ['-d', next.target])).code !== 0 || !(await detached(next.target))) stuck.push(next.target);
      } else if (next.kind === 'rmdir') {
        await rmdir(next.target).catch(() => undefined);
      } else {
        await rm(next.target, { recursive: true, force: true });
      }
    }
    return stuck;
  }
}

/**
 * Waits until the kernel has let go of a detached loop device. FUSE's umount returns before
 * ntfs-3g has closed the device (its last writes may still be on their way), and the kernel
 * detaches a loop device only once nobody holds it: when it is gone, everything is on the disk.
 */
async function detached(device: string): Promise<boolean> {
  const backing = `/sys/block/${basename(device)}/loop/backing_file`;
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (!(await access(backing).then(() => true, () => false))) return true;
    await sleep(100);
  }
  return false;
}
