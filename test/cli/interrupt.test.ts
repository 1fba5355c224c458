// Ctrl-C and `ferry pause` against a running `ferry apply`, as an operator does it: the CLI in a
// child process, real signals, a pause committed from another process while apply --watch runs.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../reconcile/crash-harness.js';
import { committedExample, editFile, ferry, gitIn } from '../helpers/cli.js';
import { sleep } from '../helpers/campaign-dir.js';

const IDENTITY = { GIT_AUTHOR_NAME: 'Ana Operator', GIT_AUTHOR_EMAIL: 'ana@example.com', GIT_COMMITTER_NAME: 'Ana Operator', GIT_COMMITTER_EMAIL: 'ana@example.com' };

class Child {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly process: ChildProcessWithoutNullStreams;

  constructor(cli: string, args: string[]) {
    this.process = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...IDENTITY } });
    this.process.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.process.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.process.on('close', (code, signal) => resolve({ code, signal })));
  }

  signal(name: NodeJS.Signals): void {
    this.process.kill(name);
  }

  /** Waits until stdout matches; fails with what the child printed when it does not in time. */
  async waitFor(pattern: RegExp, timeoutMs = 300_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stdout)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in time\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`);
      await sleep(50);
    }
  }
}

/** Polls `check` until it holds. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not in time`);
    await sleep(200);
  }
}

async function batchOf(dir: string, name: string): Promise<{ status: string; message: string; by_status: Record<string, number> }> {
  const run = await ferry(['status', '--repo', dir, '--json']);
  const status = JSON.parse(run.stdout) as { batches: { name: string; status: string; message: string; by_status: Record<string, number> }[] };
  return status.batches.find((b) => b.name === name)!;
}

const commits = (dir: string): number => Number(gitIn(dir, 'rev-list', '--count', 'ferry/status'));
const temporaryRefs = (dir: string): string => gitIn(dir, 'for-each-ref', 'refs/ferry/tmp');

describe('a running ferry apply', () => {
  let cli: string;
  beforeAll(() => {
    cli = buildCli();
  });

  it('finishes the tick under way at the first Ctrl-C, prints its summary and exits 130', async () => {
    const dir = committedExample({ local: true });
    const child = new Child(cli, ['apply', '--until-idle', '--repo', dir]);
    await child.waitFor(/tick \d+ [\s\S]*tick \d+ /);
    child.signal('SIGINT');
    const { code, signal } = await child.exited;
    expect({ code, signal }, child.stderr).toEqual({ code: 130, signal: null });
    expect(child.stderr).toMatch(/ferry apply: interrupted: (finishing the tick under way \(its status commit and the operations it recorded\), then stopping|stopping before the next tick); press Ctrl-C again to stop at once/);
    const summary = /apply: (\d+) ticks?, (\d+) status commits?, \d+ actions?; stopped\n/.exec(child.stdout);
    expect(summary, child.stdout).not.toBeNull();
    expect(child.stdout).toContain('apply: interrupted (SIGINT); every tick it began was finished and recorded on the status branch');
    // Every tick it began is on the branch, whole: as many commits as the summary says, nothing half-written.
    expect(commits(dir)).toBe(Number(summary![2]));
    expect(temporaryRefs(dir)).toBe('');
    expect(await batchOf(dir, 'wave-0-pilot')).toMatchObject({ status: 'Running' });
    // The next apply goes on from there.
    const rest = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(rest.code).toBe(0);
    expect(await batchOf(dir, 'wave-0-pilot')).toMatchObject({ status: 'Finished', by_status: { finished: 5 } });
  });

  it('stops at once at a second Ctrl-C, saying what may be left, and the next apply converges', async () => {
    const dir = committedExample({ local: true });
    const child = new Child(cli, ['apply', '--until-idle', '--repo', dir]);
    await child.waitFor(/tick \d+ [\s\S]*tick \d+ /);
    child.signal('SIGINT');
    await sleep(20);
    child.signal('SIGINT');
    const { code, signal } = await child.exited;
    // Either the second signal came while the process still ran — it ends by the signal, as it always did — or the first had already let it finish.
    if (signal === 'SIGINT' && /apply: interrupted \(SIGINT\); every tick it began was finished/.test(child.stdout)) {
      // The second came after Ferry had finished and said so, while the process was ending: the default action ended it, with nothing left to say.
      expect(child.stderr).not.toMatch(/stopped at once/);
    } else if (signal === 'SIGINT') {
      expect(child.stderr).toMatch(/ferry apply: stopped at once (between two ticks|while the tick was deciding|while the tick's status was being committed|while the tick was acting|while closing)/);
      if (/while the tick was acting/.test(child.stderr)) expect(child.stderr).toMatch(/\d+ of its recorded operations had been sent and \d+ answered; .*the next "ferry apply" re-observes every recorded operation/);
    } else {
      expect(code).toBe(130);
    }
    // Nothing on the branch is damaged: it reads, and the campaign converges.
    expect((await ferry(['status', '--repo', dir])).code).toBe(0);
    const rest = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(rest.code, rest.stderr).toBe(0);
    expect(await batchOf(dir, 'wave-0-pilot')).toMatchObject({ status: 'Finished', by_status: { finished: 5 } });
  });

  it('under --watch, honours a pause made from another process at its next tick, goes on when resumed, and exits 130 at Ctrl-C', async () => {
    const dir = committedExample({ local: true });
    // Nothing runs yet: the watch reconciles once, then waits for a change.
    editFile(dir, 'batches/wave-0-pilot.yaml', '  state: running', '  state: defined');
    gitIn(dir, 'commit', '-qam', 'hold the pilot');
    const child = new Child(cli, ['apply', '--watch', '--repo', dir]);
    await child.waitFor(/idle; waiting for a change to the repository/);

    const paused = await ferry(['pause', '--reason', 'SAN-2 alarm', '--repo', dir], { env: IDENTITY });
    expect(paused.code, paused.stderr).toBe(0);
    editFile(dir, 'batches/wave-0-pilot.yaml', '  state: defined', '  state: running');
    gitIn(dir, 'commit', '-qam', 'start the pilot');
    // The watch's next tick sees the merge and the pause together: the pilot does not start.
    await eventually(async () => /^The campaign was paused by Ana Operator <ana@example\.com> at .*: SAN-2 alarm — it starts when resumed/.test((await batchOf(dir, 'wave-0-pilot')).message), 'the pause honoured');
    expect(await batchOf(dir, 'wave-0-pilot')).toMatchObject({ status: 'Defined', by_status: {} });

    expect((await ferry(['resume', '--repo', dir], { env: IDENTITY })).code).toBe(0);
    await eventually(async () => (await batchOf(dir, 'wave-0-pilot')).status === 'Finished', 'the pilot finished after the resume');

    child.signal('SIGINT');
    const { code } = await child.exited;
    expect(code, child.stderr).toBe(130);
    expect(child.stderr).toContain('ferry apply: interrupted');
    expect(child.stdout).toMatch(/apply: \d+ ticks, \d+ status commits, \d+ actions; stopped\n/);
    expect(child.stdout).toContain('apply: interrupted (SIGINT); every tick it began was finished and recorded on the status branch');
  });
});
