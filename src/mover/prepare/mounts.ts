// The mounts preparation makes, undone in reverse order whatever happens: a guest's filesystem
// must never stay mounted when its VM boots.

import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, outputTail } from './command.js';

export class MountStack {
  private readonly mounted: string[] = [];
  private readonly dirs: string[] = [];

  /** A new empty directory to mount on, removed by `releaseAll`. */
  async scratchDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-guest-'));
    this.dirs.push(dir);
    return dir;
  }

  /** `mount [args] source target`; null when it worked, else the tool's sentence. */
  async mount(args: string[], source: string, target: string): Promise<string | null> {
    const result = await run('mount', [...args, source, target]);
    if (result.code !== 0) return outputTail(result, 2);
    this.mounted.push(target);
    return null;
  }

  /** Unmounts the last mount (a probe that found nothing). */
  async unmountLast(): Promise<void> {
    const target = this.mounted.pop();
    if (target !== undefined) await unmount(target);
  }

  /** Everything, last first; what could not be unmounted is returned (and lazily detached). */
  async releaseAll(): Promise<string[]> {
    const stuck: string[] = [];
    while (this.mounted.length > 0) {
      const target = this.mounted.pop()!;
      if (!(await unmount(target))) stuck.push(target);
    }
    for (const dir of this.dirs.splice(0).reverse()) await rmdir(dir).catch(() => undefined);
    return stuck;
  }
}

async function unmount(target: string): Promise<boolean> {
  if ((await run('umount', [target])).code === 0) return true;
  await run('umount', ['-l', target]);
  return false;
}
