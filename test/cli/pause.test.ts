import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATUS_FORMAT } from '../../src/engine/status.js';
import { FERRY_VERSION } from '../../src/model/version.js';
import { committedExample, ferry, gitIn } from '../helpers/cli.js';

/** The example campaign (the pilot batch running), committed, with a local status branch and an operator's Git identity. */
function campaign(): string {
  const dir = committedExample({ local: true });
  gitIn(dir, 'config', 'user.name', 'Ana Operator');
  gitIn(dir, 'config', 'user.email', 'ana@example.com');
  return dir;
}

interface StatusJson {
  pauses: { campaign: { by: string; at: string; reason: string } | null; batches: Record<string, { by: string; at: string; reason: string }> };
  batches: { name: string; status: string; message: string; by_status: Record<string, number> }[];
}

async function statusOf(dir: string): Promise<StatusJson> {
  const run = await ferry(['status', '--repo', dir, '--json']);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as StatusJson;
}

const pilot = (status: StatusJson) => status.batches.find((b) => b.name === 'wave-0-pilot')!;
const statusCommits = (dir: string) => gitIn(dir, 'log', '--format=%an <%ae>|%s', 'ferry/status').split('\n');

describe('ferry pause and ferry resume', () => {
  it('pauses a running batch at the next tick, before it acts, and resume lets it go on', async () => {
    const dir = campaign();
    expect((await ferry(['apply', '--once', '--repo', dir])).code).toBe(0);
    expect(pilot(await statusOf(dir))).toMatchObject({ status: 'Running', by_status: { waiting: 5 } });

    const paused = await ferry(['pause', 'wave-0-pilot', '--reason', 'SAN-2 array alarm', '--repo', dir]);
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^paused batch wave-0-pilot by Ana Operator <ana@example\.com> at \d{4}-\d\d-\d\d \d\d:\d\d:[\d.]+Z: SAN-2 array alarm\n/);
    expect(paused.stdout).toContain('recorded on the local branch ferry/status');
    // Git keeps who paused and why: the commit is the operator's.
    expect(statusCommits(dir)[0]).toBe('Ana Operator <ana@example.com>|ferry pause: batch wave-0-pilot');

    const status = await ferry(['status', '--repo', dir]);
    expect(status.stdout).toMatch(/PAUSED: batch wave-0-pilot is paused by Ana Operator <ana@example\.com> at .*: SAN-2 array alarm \("ferry resume wave-0-pilot" lifts it\)/);
    const plan = await ferry(['plan', '--repo', dir]);
    expect(plan.stdout).toMatch(/PAUSED: batch wave-0-pilot is paused by Ana Operator/);
    // A saved plan keeps the pause: ferry show prints what plan printed.
    const saved = join(dir, '.git', 'paused.plan.json');
    const planned = await ferry(['plan', '--repo', dir, '--out', saved]);
    const shown = await ferry(['show', saved, '--repo', dir]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/PAUSED: batch wave-0-pilot is paused by Ana Operator <ana@example\.com> at .*: SAN-2 array alarm/);
    expect(planned.stdout.startsWith(shown.stdout)).toBe(true);
    expect(plan.stdout).toMatch(/\(batch\): Running → Stopped — Paused by Ana Operator <ana@example\.com> at .* UTC: SAN-2 array alarm/);
    expect(JSON.parse((await ferry(['plan', '--repo', dir, '--json'])).stdout).pauses.batches['wave-0-pilot']).toMatchObject({ by: 'Ana Operator <ana@example.com>', reason: 'SAN-2 array alarm' });

    // Unpaused, this tick would create the five target instances (see the resume below): paused, it does nothing new.
    const held = await ferry(['apply', '--once', '--repo', dir]);
    expect(held.code).toBe(0);
    expect(held.stdout).toMatch(/apply: 1 tick, 1 status commit, 0 actions/);
    const stopped = await statusOf(dir);
    expect(pilot(stopped)).toMatchObject({ status: 'Stopped', by_status: { waiting: 5 } });
    expect(pilot(stopped).message).toMatch(/^Paused by Ana Operator <ana@example\.com> at .* UTC: SAN-2 array alarm — nothing new starts/);
    expect(stopped.pauses.batches['wave-0-pilot']).toMatchObject({ by: 'Ana Operator <ana@example.com>', reason: 'SAN-2 array alarm' });
    const explained = await ferry(['explain', 'tools-01', '--repo', dir]);
    expect(explained.stdout).toMatch(/Batch wave-0-pilot is paused by Ana Operator <ana@example\.com> since .* UTC \(SAN-2 array alarm\): nothing new starts until "ferry resume wave-0-pilot"/);
    expect((await ferry(['apply', '--once', '--repo', dir])).stdout).toMatch(/apply: 1 tick, 0 status commits, 0 actions/);
    expect(pilot(await statusOf(dir)).by_status).toEqual({ waiting: 5 });

    const resumed = await ferry(['resume', 'wave-0-pilot', '--reason', 'alarm cleared', '--repo', dir]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^resumed batch wave-0-pilot \(paused by Ana Operator <ana@example\.com> at .*: SAN-2 array alarm\)\n/);
    expect(gitIn(dir, 'log', '-1', '--format=%B', 'ferry/status')).toBe(
      `ferry resume: batch wave-0-pilot\n\nalarm cleared\n\nFerry-Resumed: wave-0-pilot\nFerry-Version: ${FERRY_VERSION}\nFerry-Status-Format: ${STATUS_FORMAT}`,
    );
    const going = await ferry(['apply', '--once', '--repo', dir]);
    expect(going.stdout).toMatch(/apply: 1 tick, 1 status commit, 5 actions/);
    expect(pilot(await statusOf(dir))).toMatchObject({ status: 'Running', message: 'Running', by_status: { creating: 5 } });
    expect((await statusOf(dir)).pauses).toEqual({ campaign: null, batches: {} });
    const finished = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(finished.code).toBe(0);
    expect(pilot(await statusOf(dir))).toMatchObject({ status: 'Finished', by_status: { finished: 5 } });
  });

  it('pauses the whole campaign without a batch: a batch set running does not start until resumed', async () => {
    const dir = campaign();
    const paused = await ferry(['pause', '--reason', 'change freeze\nuntil Monday', '--repo', dir]);
    expect(paused.code).toBe(0);
    // The reason's line break is shown, not sent to the terminal as a new line.
    expect(paused.stdout).toMatch(/^paused the campaign by Ana Operator <ana@example\.com> at .*: change freeze\\u000auntil Monday\n/);
    const applied = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/0 actions; nothing more can progress/);
    const status = await statusOf(dir);
    expect(pilot(status)).toMatchObject({ status: 'Defined', by_status: {} });
    expect(pilot(status).message).toMatch(/^The campaign was paused by Ana Operator <ana@example\.com> at .* UTC: change freeze until Monday — it starts when resumed/);
    expect(status.pauses.campaign).toMatchObject({ reason: 'change freeze\nuntil Monday' });

    // A batch paused on its own stays paused when the campaign resumes, and the resume says so.
    expect((await ferry(['pause', 'wave-0-pilot', '--reason', 'pilot owners asleep', '--repo', dir])).code).toBe(0);
    const resumed = await ferry(['resume', '--repo', dir]);
    expect(resumed.stdout).toContain('resumed the campaign (paused by Ana Operator');
    expect(resumed.stdout).toMatch(/note: batch wave-0-pilot is still paused by .*: pilot owners asleep; "ferry resume wave-0-pilot" lifts it/);
    expect((await ferry(['apply', '--once', '--repo', dir])).code).toBe(0);
    expect(pilot(await statusOf(dir)).status).toBe('Defined');
    expect((await ferry(['resume', 'wave-0-pilot', '--repo', dir])).code).toBe(0);
    expect((await ferry(['apply', '--once', '--repo', dir])).code).toBe(0);
    expect(pilot(await statusOf(dir))).toMatchObject({ status: 'Running', by_status: { waiting: 5 } });
  });

  it('updates the reason when paused twice, says when there is nothing to resume, and writes nothing then', async () => {
    const dir = campaign();
    expect((await ferry(['pause', 'wave-2-db', '--reason', 'first', '--repo', dir])).code).toBe(0);
    const again = await ferry(['pause', 'wave-2-db', '--reason', 'second', '--repo', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^batch wave-2-db was already paused by Ana Operator <ana@example\.com> at .*: first; now paused by Ana Operator <ana@example\.com> at .*: second\n/);
    expect((await statusOf(dir)).pauses.batches['wave-2-db']!.reason).toBe('second');
    expect((await ferry(['resume', 'wave-2-db', '--repo', dir])).code).toBe(0);
    const commits = statusCommits(dir).length;
    const nothing = await ferry(['resume', 'wave-2-db', '--repo', dir]);
    expect(nothing).toEqual({ code: 0, stdout: 'batch wave-2-db is not paused: nothing to resume\n', stderr: '' });
    expect((await ferry(['resume', '--repo', dir])).stdout).toBe('the campaign is not paused: nothing to resume\n');
    expect(statusCommits(dir).length).toBe(commits);
  });

  it.each([
    [['pause', 'wave-0-pilto', '--reason', 'x'], 'ferry pause: error unknown-batch: no batch "wave-0-pilto" in the repository or on the status branch; did you mean "wave-0-pilot"?\n'],
    [['resume', 'nope'], 'ferry resume: error unknown-batch: no batch "nope" in the repository or on the status branch\n'],
    [['pause', 'wave-0-pilot'], 'ferry pause: error pause-needs-reason: say why with --reason TEXT: it is shown to everyone who wonders why nothing moves\n'],
    [['pause', '--reason', '   '], 'ferry pause: error pause-needs-reason: say why with --reason TEXT: it is shown to everyone who wonders why nothing moves\n'],
  ])('refuses %j in one line, writing nothing', async (args, stderr) => {
    const dir = campaign();
    const run = await ferry([...args, '--repo', dir]);
    expect(run).toEqual({ code: 1, stdout: '', stderr });
    expect(() => gitIn(dir, 'rev-parse', '--verify', '--quiet', 'ferry/status')).toThrow();
  });

  it('refuses to pause without knowing who pauses', async () => {
    const dir = committedExample({ local: true });
    const run = await ferry(['pause', '--reason', 'x', '--repo', dir], { env: {} });
    // The test machine may have a global identity; without one the refusal is one coded line.
    if (run.code === 1) expect(run.stderr).toMatch(/^ferry pause: error pause-no-identity: Git does not know who you are, and a pause records who paused: set git config user\.name/);
    else expect(statusCommits(dir)[0]).not.toMatch(/^Ferry </);
  });

  it('keeps a pause and a reconciler\'s tick that race: the tick is decided again on the paused status', async () => {
    const dir = campaign();
    expect((await ferry(['apply', '--once', '--repo', dir])).code).toBe(0);
    // Both start from the same status revision; whichever commits second re-reads and decides again.
    const [tick, pause] = await Promise.all([
      ferry(['apply', '--once', '--repo', dir, '--json']),
      ferry(['pause', '--reason', 'race', '--repo', dir]),
    ]);
    expect(tick.code).toBe(0);
    expect(pause.code).toBe(0);
    const log = statusCommits(dir);
    // Neither commit is lost: the pause is on the branch, and so is the tick's (first or second).
    expect(log.filter((line) => line.endsWith('|ferry pause: the campaign'))).toHaveLength(1);
    expect(log.filter((line) => line.startsWith('Ferry <'))).toHaveLength(2);
    const status = await statusOf(dir);
    expect(status.pauses.campaign?.reason).toBe('race');
    // The tick either acted before the pause (five creations), or decided on the paused status (none).
    const acted = (JSON.parse(tick.stdout.trim().split('\n').find((l) => l.includes('"event":"tick"'))!) as { actions: unknown[] }).actions.length;
    expect([0, 5]).toContain(acted);
    expect(pilot(status).by_status).toEqual(acted === 5 ? { creating: 5 } : { waiting: 5 });
  });
});
