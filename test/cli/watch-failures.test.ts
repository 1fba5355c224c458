// apply --watch and --until-idle meet a status branch they cannot use — an unreachable origin, a
// remote that refuses pushes, a damaged record file, a newer Ferry's format — and say so at the
// default log level in one coded line per change of state (not per attempt, never a stack), act
// on nothing meanwhile, and stop at Ctrl-C; a watch picks up the fix an operator pushes. The CLI
// runs in this process; Ctrl-C reaches apply's handler as the signal would (src/cli/interrupt.ts).
// One-shot rows (--once, and --until-idle on a branch that needs repair): failures.test.ts.

import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { sleep } from '../helpers/campaign-dir.js';
import { committedExample, ferry, gitIn, PROJECT_ROOT, tempDir } from '../helpers/cli.js';

/** What a stack trace looks like in any output: `    at fn (file:line:col)`. */
const STACK = /^\s+at .+[:(]/m;

/** `ferry ARGS` running in this process: its output read while it runs, stopped with Ctrl-C as an operator does. */
class Running {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number>;
  private ended: number | null = null;

  constructor(args: string[]) {
    this.exited = runCli(args, { stdout: { write: (text: string) => (this.stdout += text) }, stderr: { write: (text: string) => (this.stderr += text) }, env: {}, cwd: PROJECT_ROOT });
    void this.exited.then((code) => (this.ended = code));
  }

  /** Waits until stdout matches; fails with what it printed when it does not in time, or when the command ended first. */
  async waitFor(pattern: RegExp, timeoutMs = 300_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stdout)) {
      const why = this.ended !== null ? `it ended (exit code ${this.ended})` : Date.now() > deadline ? 'not in time' : null;
      if (why !== null) throw new Error(`no ${pattern}: ${why}\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`);
      await sleep(50);
    }
  }

  /** Ctrl-C: the handler apply installed hears it as it hears SIGINT. */
  interrupt(): void {
    process.emit('SIGINT');
  }
}

/** The example campaign on a bare origin, applied once from the reconciler's clone (its pilot started: the next tick acts), and an operator's clone beside it. */
async function campaign(): Promise<{ origin: string; clone: string; operator: string }> {
  const root = tempDir('ferry-watch-failure-');
  gitIn(root, 'clone', '-q', '--bare', committedExample(), 'origin.git');
  gitIn(root, 'clone', '-q', join(root, 'origin.git'), 'clone');
  const clone = join(root, 'clone');
  expect((await ferry(['apply', '--repo', clone])).code).toBe(0);
  gitIn(root, 'clone', '-q', join(root, 'origin.git'), 'operator');
  return { origin: join(root, 'origin.git'), clone, operator: join(root, 'operator') };
}

/** The operator commits an edit of `file` on the status branch and pushes it: a hand edit, or the revert that undoes one. */
function pushToStatusBranch(operator: string, change: { file: string; edit: (text: string) => string } | 'revert'): void {
  gitIn(operator, 'fetch', '-q', 'origin');
  gitIn(operator, 'checkout', '-q', '-B', 'ferry/status', 'origin/ferry/status');
  if (change === 'revert') {
    gitIn(operator, 'revert', '--no-edit', 'HEAD');
  } else {
    const path = join(operator, change.file);
    writeFileSync(path, change.edit(readFileSync(path, 'utf8')));
    gitIn(operator, 'commit', '-qam', 'a hand edit');
  }
  gitIn(operator, 'push', '-q', 'origin', 'ferry/status');
}

/** What the simulated systems hold: their target instances and the operations they were asked for. */
async function simulatorWork(dir: string): Promise<string> {
  const world = (JSON.parse((await ferry(['sim', 'show', '--json', '--repo', dir])).stdout) as { world: { instances: unknown[]; operations: unknown[] } }).world;
  return JSON.stringify({ instances: world.instances, operations: world.operations });
}

interface FailureClass {
  name: string;
  code: string;
  /** Where the line says the failure is, as a pattern. */
  place: string;
  /** Breaks the campaign's status branch; returns a check that at least three attempts have failed, when there is a way to count them. */
  inflict(c: { origin: string; operator: string }): (() => boolean) | null;
  /** Whether --until-idle rides it out (an outage) or stops at once on it (a branch that needs repair: failures.test.ts). */
  outage: boolean;
}

const FAILURES: FailureClass[] = [
  {
    name: 'an unreachable origin',
    code: 'remote-unreachable',
    place: '',
    inflict: ({ origin }) => {
      renameSync(origin, `${origin}.away`);
      return null;
    },
    outage: true,
  },
  {
    name: 'a remote that refuses every push',
    code: 'status-push-refused',
    place: '',
    inflict: ({ origin }) => {
      const hook = join(origin, 'hooks', 'pre-receive');
      writeFileSync(hook, '#!/bin/sh\nn=$(cat "$GIT_DIR/pushes" 2>/dev/null || echo 0); echo $((n + 1)) > "$GIT_DIR/pushes"\necho "denied by policy" >&2\nexit 1\n');
      chmodSync(hook, 0o755);
      const pushes = join(origin, 'pushes');
      return () => existsSync(pushes) && Number(readFileSync(pushes, 'utf8')) >= 3;
    },
    outage: true,
  },
  {
    name: 'a damaged record file',
    code: 'status-corrupt',
    place: 'entries/wave-0-pilot/all\\.jsonl:3: ',
    inflict: ({ operator }) => {
      pushToStatusBranch(operator, { file: 'entries/wave-0-pilot/all.jsonl', edit: (text) => text.split('\n').map((line, i) => (i === 2 ? line.slice(0, 40) : line)).join('\n') });
      return null;
    },
    outage: false,
  },
  {
    name: 'a newer Ferry\'s format',
    code: 'status-newer-format',
    place: 'status\\.yaml(:\\d+)?: ',
    inflict: ({ operator }) => {
      pushToStatusBranch(operator, { file: 'status.yaml', edit: (text) => text.replace(/^format: .*$/m, 'format: ferry.dev/status/v99') });
      return null;
    },
    outage: false,
  },
];

/**
 * Lets the loop fail at least three times (attempts at 0, 1 and 3 s; the next at 7 s): counted where
 * the remote counts them, then 2 s for the third to end, so that Ctrl-C lands in a back-off;
 * otherwise the back-offs and a second to spare.
 */
async function severalAttempts(counted: (() => boolean) | null): Promise<void> {
  if (counted === null) return sleep(4_000);
  while (!counted()) await sleep(100);
  await sleep(2_000);
}

const WARNING = /^(\S+: )?warning \S+: /;

describe('a status branch the loop cannot use', () => {
  for (const failure of FAILURES) {
    for (const mode of failure.outage ? ['--watch', '--until-idle'] : ['--watch']) {
      it(`apply ${mode} meets ${failure.name}: one ${failure.code} line however many attempts, nothing acted on, stopped by Ctrl-C`, async () => {
        const c = await campaign();
        const work = await simulatorWork(c.clone);
        const counted = failure.inflict(c);
        const originNow = existsSync(c.origin) ? c.origin : `${c.origin}.away`;
        const tip = gitIn(originNow, 'rev-parse', 'ferry/status');
        const run = new Running(['apply', mode, '--repo', c.clone]);
        await run.waitFor(new RegExp(`warning ${failure.code}: `));
        await severalAttempts(counted);
        run.interrupt();
        expect(await run.exited, run.stderr).toBe(130);

        const warnings = run.stdout.split('\n').filter((line) => WARNING.test(line));
        expect(warnings, run.stdout).toHaveLength(1);
        expect(warnings[0]).toMatch(new RegExp(`^${failure.place}warning ${failure.code}: [^\\n]+; trying again in 1 s, then with a growing pause, without acting meanwhile$`));
        if (failure.code === 'status-push-refused') expect(warnings[0]).toContain('the remote said: denied by policy');
        // No tick got through; Ctrl-C came between two attempts.
        expect(run.stdout).not.toMatch(/\btick \d+/);
        expect(run.stdout).toContain('apply: 0 ticks, 0 status commits, 0 actions; stopped\n');
        expect(run.stderr).toBe('ferry apply: interrupted: stopping before the next tick; press Ctrl-C again to stop at once\n');
        expect(run.stdout + run.stderr).not.toMatch(STACK);
        expect(run.stdout + run.stderr).not.toContain('internal error');
        // Nothing written, nothing acted on.
        expect(gitIn(originNow, 'rev-parse', 'ferry/status')).toBe(tip);
        expect(await simulatorWork(c.clone)).toBe(work);
      });
    }
  }

  it('apply --watch picks up the revert an operator pushes, says once that the branch answers again, and carries on', async () => {
    const c = await campaign();
    FAILURES.find((f) => f.code === 'status-corrupt')!.inflict(c);
    const run = new Running(['apply', '--watch', '--repo', c.clone]);
    await run.waitFor(/warning status-corrupt: /);
    pushToStatusBranch(c.operator, 'revert');
    const reverted = gitIn(c.operator, 'rev-parse', 'HEAD');
    await run.waitFor(/the status branch answers again; carrying on\n[\s\S]*\btick \d+ /);
    run.interrupt();
    expect(await run.exited, run.stderr).toBe(130);
    expect(run.stdout.split('\n').filter((line) => WARNING.test(line))).toHaveLength(1);
    expect(run.stdout.match(/the status branch answers again/g)).toHaveLength(1);
    expect(run.stdout + run.stderr).not.toMatch(STACK);
    // The watch committed on top of the operator's revert: it went on from the repaired branch.
    expect(Number(gitIn(c.origin, 'rev-list', '--count', `${reverted}..ferry/status`))).toBeGreaterThan(0);
  });

  it('apply --watch --json reports the failure as one outage event with the error document, and nothing else is printed', async () => {
    const c = await campaign();
    FAILURES.find((f) => f.code === 'status-newer-format')!.inflict(c);
    const run = new Running(['apply', '--watch', '--json', '--repo', c.clone]);
    await run.waitFor(/"event":"outage"/);
    await severalAttempts(null);
    run.interrupt();
    expect(await run.exited, run.stderr).toBe(130);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { format_version: string; event: string; error?: Record<string, unknown> | null });
    for (const event of events) expect(event.format_version).toBe('1.0');
    const outages = events.filter((event) => event.event === 'outage');
    expect(outages).toHaveLength(1);
    expect(outages[0]).toMatchObject({ error: { code: 'status-newer-format', file: 'status.yaml' }, attempts: 1, retry_in_ms: 1000 });
    expect(outages[0]!.error!.message).toMatch(/ferry\.dev\/status\/v99/);
    expect(events.at(-1)).toMatchObject({ event: 'done', reason: 'aborted', ticks: 0 });
    expect(run.stderr).toBe('ferry apply: interrupted: stopping before the next tick; press Ctrl-C again to stop at once\n');
  });
});
