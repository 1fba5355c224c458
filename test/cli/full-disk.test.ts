// A full disk, for real: the simulator's files are pointed at /dev/full, where every write fails
// with ENOSPC. The failure the operator reads is the first one — disk-full where the disk filled,
// not the error a later call or the close after it ran into — and the world is released.

import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedExample, ferry, gitIn } from '../helpers/cli.js';

const FULL = '/dev/full';

/** The example campaign (status branch in the repository) and the folder of its simulated world. */
function campaign(): { dir: string; world: string } {
  const dir = committedExample({ local: true });
  const world = join(dir, '.git/ferry/sim');
  mkdirSync(world, { recursive: true });
  return { dir, world };
}

describe.runIf(existsSync(FULL))('a full disk under the simulated world', () => {
  it('fails apply with disk-full where the journal filled, not with the error of a later call, and releases the world', async () => {
    const { dir, world } = campaign();
    symlinkSync(FULL, join(world, 'world.json.journal'));
    const run = await ferry(['apply', '--until-idle', '--log-level', 'silent', '--repo', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ferry apply: \S+world\.json\.journal: error disk-full: \S+world\.json\.journal: no space left on the device \(write\); free some space, then run again\n$/);
    expect(existsSync(join(world, 'world.json.lock'))).toBe(false);
  });

  it('reports the first failure when the snapshot written at close fails too, and never leaves the world locked', async () => {
    const { dir, world } = campaign();
    // The snapshot is written to a temporary file first (this process's ID in its name), then renamed.
    const snapshot = join(world, `world.json.tmp-${process.pid}`);

    // Opening a new world writes its first snapshot: that fails, and nothing stays locked or half-written.
    symlinkSync(FULL, snapshot);
    const opening = await ferry(['apply', '--once', '--repo', dir]);
    expect(opening.stderr).toMatch(/^ferry apply: \S+world\.json\.tmp-\d+: error disk-full: /);
    expect(existsSync(join(world, 'world.json.lock'))).toBe(false);
    expect(existsSync(snapshot)).toBe(false);
    expect((await ferry(['apply', '--once', '--repo', dir])).code).toBe(0);

    // The status branch breaks, and the disk fills before the close writes its snapshot: the
    // operator reads about the status branch, which failed first.
    gitIn(dir, 'checkout', '-q', 'ferry/status');
    writeFileSync(join(dir, 'status.yaml'), 'format: [unclosed\n');
    gitIn(dir, 'commit', '-qam', 'a hand edit');
    gitIn(dir, 'checkout', '-q', 'main');
    symlinkSync(FULL, snapshot);
    const run = await ferry(['apply', '--once', '--repo', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ferry apply: status\.yaml(:\d+)?: error status-corrupt: [^\n]*\n$/);
    expect(existsSync(join(world, 'world.json.lock'))).toBe(false);
  });
});
