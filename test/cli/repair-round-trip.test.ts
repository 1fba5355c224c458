// The way back from a status branch that does not read, end to end: a campaign on the simulator is
// broken by a hand commit in the middle of its migrations, found by `ferry doctor`, repaired by
// `ferry repair`, and must end where an undamaged run ends (two campaigns: npm run test:slow).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATUS_FORMAT } from '../../src/engine/status.js';
import { FERRY_VERSION } from '../../src/model/version.js';
import { committedExample, ferry, tempDir } from '../helpers/cli.js';
import { BRANCH, OPERATOR, entryStatuses, expectRefusal, git, simulatedWorld, tipOf } from '../helpers/status-branch.js';

describe('a campaign whose status branch a hand commit broke in the middle of its migrations', () => {
  it('is found by ferry doctor, repaired by ferry repair, and then ends where an undamaged run ends', async () => {
    const undamaged = committedExample({ local: true });
    expect((await ferry(['apply', '--until-idle', '--repo', undamaged])).code).toBe(0);
    const expected = await entryStatuses(undamaged);
    expect(Object.values(expected)).toEqual(['finished', 'finished', 'finished', 'finished', 'finished']);

    const dir = committedExample({ local: true });
    for (let tick = 0; tick < 2; tick++) expect((await ferry(['apply', '--once', '--repo', dir])).code).toBe(0);
    // The second tick committed the creation of the five target instances and made it.
    expect(Object.values(await entryStatuses(dir))).toEqual(['creating', 'creating', 'creating', 'creating', 'creating']);
    const readable = tipOf(dir);
    expect(git(dir, ['log', '-1', '--format=%(trailers:key=Ferry-Version,valueonly,separator=)', readable])).toBe(FERRY_VERSION);

    // Someone "fixes" an entry by hand in a checkout of the status branch, and breaks its JSON.
    const checkout = join(tempDir('ferry-hand-'), 'status');
    git(dir, ['worktree', 'add', '-q', checkout, BRANCH]);
    const shard = join(checkout, 'entries/wave-0-pilot/all.jsonl');
    const lines = readFileSync(shard, 'utf8').split('\n');
    const at = lines.findIndex((line) => line.includes('"name":"tools-03"'));
    lines[at] = lines[at]!.replace('"status":"creating"', '"status":"finished",');
    writeFileSync(shard, lines.join('\n'));
    const place = `entries/wave-0-pilot/all.jsonl:${at + 1}`;
    git(checkout, ['commit', '-qam', 'Mark tools-03 finished, it is done']);
    git(dir, ['worktree', 'remove', checkout]);
    const damaged = tipOf(dir);

    // Nothing reads it any more, and the error says what to run.
    for (const command of ['status', 'apply']) {
      const run = await ferry([command, '--repo', dir]);
      expect(run.code).toBe(1);
      expect(run.stderr.startsWith(`ferry ${command}: ${place}: error status-corrupt: not a JSON record: `)).toBe(true);
      expect(run.stderr).toContain('; run `ferry doctor` to find the damage and `ferry repair` to write a readable status on top of it');
    }
    expect(tipOf(dir)).toBe(damaged);

    const doctor = await ferry(['doctor', '--repo', dir], { env: { COLUMNS: '100' } });
    expect(doctor.code).toBe(1);
    expect(doctor.stderr).toBe('');
    // Sentences are wrapped to the width: read them with their line breaks as spaces.
    const sentences = doctor.stdout.replace(/\n */g, ' ');
    expect(doctor.stdout).toMatch(/^damaged: /);
    expect(sentences).toContain(`damaged: the local branch ferry/status in ${dir} does not read at its tip ${damaged.slice(0, 12)}`);
    expect(doctor.stdout).toMatch(new RegExp(`last readable commit:\\n  ${readable.slice(0, 12)}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ  Ferry <ferry@localhost>  ferry: `));
    expect(doctor.stdout).toMatch(new RegExp(`1 commit after it does not read \\(newest first\\):\\n  ${damaged.slice(0, 12)}  \\S+ \\S+  Dev <dev@example\\.com>  Mark tools-03 finished, it is done\\n    ${place}: status-corrupt: not a JSON record:`));
    expect(sentences).toContain(`next: "ferry repair" writes the status of ${readable.slice(0, 12)} again as one new commit on top of the tip`);
    for (const line of doctor.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    const report = JSON.parse((await ferry(['doctor', '--repo', dir, '--json'])).stdout);
    expect(report).toMatchObject({
      format_version: '1.0',
      health: 'damaged',
      tip: damaged,
      readable: { id: readable, author: 'Ferry <ferry@localhost>', ferry_version: FERRY_VERSION, status_format: STATUS_FORMAT, written_by_ferry: true },
      damaged: [{ id: damaged, parents: [readable], author: 'Dev <dev@example.com>', written_by_ferry: false, problem: { code: 'status-corrupt', file: 'entries/wave-0-pilot/all.jsonl', line: at + 1 } }],
      walk: { commits: 2, limit: 1000, stopped: null },
      repair: { refused: false },
    });

    const repair = await ferry(['repair', '--wide', '--repo', dir], { env: OPERATOR });
    expect(repair.stderr).toBe('');
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain(`going back to ${readable.slice(0, 12)}`);
    expect(repair.stdout).toContain(`writing the status of ${readable.slice(0, 12)} again as one new commit on top of ${damaged.slice(0, 12)}, authored by Ana Operator <ana@example.com>`);
    // One commit on top of the damage, nothing rewritten; its tree is the readable one's; the operator's; its message says what it went over.
    const repaired = tipOf(dir);
    expect(repair.stdout).toContain(`repaired: the local branch ferry/status in ${dir} @ ${repaired.slice(0, 12)}`);
    expect(git(dir, ['rev-parse', `${repaired}^`])).toBe(damaged);
    expect(git(dir, ['rev-parse', `${repaired}^{tree}`])).toBe(git(dir, ['rev-parse', `${readable}^{tree}`]));
    expect(git(dir, ['log', '-1', '--format=%an <%ae>|%cn <%ce>|%s', repaired])).toBe(`Ana Operator <ana@example.com>|Ana Operator <ana@example.com>|ferry repair: the status of ${readable.slice(0, 12)} again, over 1 commit`);
    const message = git(dir, ['log', '-1', '--format=%B', repaired]);
    expect(message).toContain(`- ${damaged.slice(0, 12)} `);
    expect(message).toContain(`"Mark tools-03 finished, it is done": ${place}: status-corrupt: not a JSON record`);
    expect(message).toMatch(new RegExp(`\\n\\nFerry-Repaired-From: ${readable}\\nFerry-Repaired-Tip: ${damaged}\\nFerry-Version: ${FERRY_VERSION}\\nFerry-Status-Format: ${STATUS_FORMAT.replace(/[./]/g, '\\$&')}$`));

    expect((await ferry(['doctor', '--repo', dir])).stdout).toMatch(/^healthy: /);
    expectRefusal(await ferry(['repair', '--repo', dir], { env: OPERATOR }), 'repair', 'status-healthy');
    expect(Object.values(await entryStatuses(dir))).toEqual(['creating', 'creating', 'creating', 'creating', 'creating']);
    expect((await ferry(['plan', '--repo', dir])).code).toBe(0);

    // The reconciler re-observes the instances it had created and carries on to the same end.
    const apply = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    expect(await entryStatuses(dir)).toEqual(expected);
    // One target instance per entry (and the simulation's foreign one), as in the undamaged run; no operation did its work twice.
    const world = await simulatedWorld(dir);
    expect(world).toEqual(await simulatedWorld(undamaged));
    expect(world.instancesPerEntry).toMatchObject({ unmarked: 1 });
    expect(Object.values(world.instancesPerEntry)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(world.twice).toEqual([]);
    // The damaged commit stays in the history.
    expect(git(dir, ['merge-base', '--is-ancestor', damaged, BRANCH])).toBe('');
  });
});
