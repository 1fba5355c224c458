// The operator's views, end to end through the CLI on the simulator: the plan's forecast (the
// pull-request comment's model, rendered for a terminal), saved plans shown again, the listings
// (queue, instances, sources, targets, schedule) and what `ferry status` says needs attention.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { committedExample, editFile, ferry, gitIn, PROJECT_ROOT, tempDir } from '../helpers/cli.js';

const ESC = '\u001b';

async function tty(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await runCli(args, { stdout: { write: (t: string) => (stdout += t), isTTY: true, columns: 200 }, stderr: { write: () => true, isTTY: true }, env, cwd: PROJECT_ROOT });
  return { code, stdout };
}

const startWebWave = (dir: string) => editFile(dir, 'batches/wave-1-web.yaml', /^ {2}state: defined$/m, '  state: running');

describe('ferry plan: the forecast', () => {
  it('shows the pull-request comment\'s forecast for the work tree: batches that change, entering instances, predicted cutovers, no room and why', async () => {
    const dir = committedExample({ local: true });
    startWebWave(dir);
    // web-big-01 joins the database wave, whose weekend window holds 3: one more finds no room.
    editFile(dir, 'batches/wave-2-db.yaml', "location matches '^/DC1/vm/db/'", "location matches '^/DC1/vm/db/' or name == 'web-big-01'");
    const run = await ferry(['plan', '--repo', dir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/forecast: 2 batches change against \S+ — 1 entering, 0 leaving/);
    expect(run.stdout).toContain('batch wave-1-web — Defined → Running · 14 instances');
    expect(run.stdout).toMatch(/predicted cutovers \(14\):\n\s+INSTANCE\s+WINDOW\s+STARTS \(UTC\)\s+STATUS\n\s+web-api-01\s+night-1\s+2026-12-02 00:00:00Z\s+Waiting \(predicted\)/);
    expect(run.stdout).toMatch(/batch wave-2-db — Defined · 6 instances · \+1 −0/);
    expect(run.stdout).toMatch(/entering \(1\):\n\s+INSTANCE\s+WOULD BE\s+PLACEMENT\n\s+web-big-01\s+Waiting/);
    expect(run.stdout).toMatch(/no room \(\d+\):\n\s+INSTANCE\s+STATUS\s+WHY\n(\s+\S+\s+\w+\s+.*\n)*\s+\S+\s+Waiting\s+the open migration windows are full \(capacity\)/);
    expect(run.stdout).toContain('unchanged: wave-0-pilot, wave-3-windows');
    // Its tables fit the width (80 when not on a terminal); a problem is a compiler-style line, whole.
    const problem = /^ {4}\S+:\d+:\d+: (error|warning) /;
    for (const line of run.stdout.split('\n').filter((l) => l.startsWith('    ') && !problem.test(l))) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(run.stdout).toMatch(/problems:\n {4}batches\/wave-1-web\.yaml:11:13: warning expr-tag-semantics: /);

    const json = JSON.parse((await ferry(['plan', '--repo', dir, '--json'])).stdout);
    expect(json.format_version).toBe('1.0');
    const db = json.forecast.batches.find((b: { name: string }) => b.name === 'wave-2-db');
    expect(db.entering.map((m: { name: string }) => m.name)).toEqual(['web-big-01']);
    expect(db.assignments.filter((a: { window: string | null }) => a.window === 'weekend')).toHaveLength(3);
    expect(db.assignments.filter((a: { reason: string | null }) => a.reason !== null).length).toBeGreaterThan(0);
  });
});

describe('ferry show PLAN', () => {
  it('prints a saved plan exactly as ferry plan printed it, and its document with --json', async () => {
    const dir = committedExample({ local: true });
    startWebWave(dir);
    gitIn(dir, 'commit', '-qam', 'Start the web wave');
    const file = join(tempDir(), 'plan.json');
    const planned = await ferry(['plan', '--repo', dir, '--out', file]);
    expect(planned.code).toBe(0);
    const shown = await ferry(['show', file]);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    expect(planned.stdout).toBe(`${shown.stdout}saved to ${file}; apply it with "ferry apply ${file}"\n`);
    expect(shown.stdout).toContain('forecast: ');
    const json = JSON.parse((await ferry(['show', file, '--json'])).stdout);
    expect(json).toMatchObject({ format_version: '1.0', kind: 'ferry-plan' });
    expect(json.forecast.batches.map((b: { name: string }) => b.name)).toContain('wave-1-web');
  });

  it('refuses a plan file of a newer format, a damaged one and one that is not JSON, each in one coded line', async () => {
    const dir = tempDir();
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return name;
    };
    const base = { format_version: '1.0', kind: 'ferry-plan', desired_commit: null, status_branch: 'b', status_revision: null, now: '2026-12-01T20:00:00.000Z', changes: [], actions: [], problems: [] };
    const cases: [string, RegExp][] = [
      [write('newer.json', JSON.stringify({ ...base, format_version: '2.0' })), /^ferry show: newer\.json: error plan-newer-format: the plan is in format 2\.0, written by a newer Ferry/],
      [write('damaged.json', JSON.stringify({ ...base, changes: 'all of them' })), /^ferry show: damaged\.json: error plan-invalid: the field "changes" is missing or damaged/],
      [write('forecast.json', JSON.stringify({ ...base, forecast: { batches: 3 } })), /^ferry show: forecast\.json: error plan-invalid: the field "forecast" is damaged/],
      [write('cut.json', '{"kind": "ferry-plan",\n  "now": '), /^ferry show: cut\.json(:\d+:\d+)?: error plan-invalid: not valid JSON/],
      [write('other.json', '{"kind": "something-else"}'), /^ferry show: other\.json:1:1: error plan-invalid: not a plan written by "ferry plan --out"/],
    ];
    for (const [file, message] of cases) {
      const run = await runIn(dir, ['show', file]);
      expect(run.code, file).toBe(1);
      expect(run.stdout, file).toBe('');
      expect(run.stderr, file).toMatch(message);
      expect(run.stderr.trim().split('\n'), file).toHaveLength(1);
    }
    const fine = await runIn(dir, ['show', write('old.json', JSON.stringify(base))]);
    expect(fine.code).toBe(0);
    expect(fine.stdout).toContain('plan: no changes');
  });
});

function runIn(cwd: string, args: string[]) {
  return ferry(args, { cwd });
}

describe('after a night of the example campaign', () => {
  let dir: string;
  beforeAll(async () => {
    dir = committedExample({ local: true });
    startWebWave(dir);
    gitIn(dir, 'commit', '-qam', 'Start the web wave');
    const applied = await ferry(['apply', '--until-idle', '--repo', dir]);
    expect(applied.code, applied.stderr).toBe(0);
  }, 120_000);

  it('ferry status says what needs attention and the next commands, in colour only on a terminal', async () => {
    const run = await ferry(['status', '--repo', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('needs attention:\n  2 Conflict: web-fe-01, web-fe-02\n    next: ferry explain web-fe-01\n    next: fix what it names, then ferry resolve wave-1-web web-fe-01 --action resolve\n');
    expect(run.stdout).not.toContain(ESC);
    const json = JSON.parse((await ferry(['status', '--repo', dir, '--json'])).stdout);
    expect(json.attention).toEqual([{ status: 'Conflict', count: 2, instances: [expect.objectContaining({ name: 'web-fe-01', batch: 'wave-1-web' }), expect.objectContaining({ name: 'web-fe-02' })], next: expect.arrayContaining(['ferry explain web-fe-01']) }]);
    // The next command works as printed.
    const explained = await ferry(['explain', 'web-fe-01', '--repo', dir]);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('status: Conflict');

    const coloured = await tty(['status', '--repo', dir, '--batch', 'wave-1-web']);
    expect(coloured.stdout).toContain(`${ESC}[31mConflict${ESC}[39m`);
    expect(coloured.stdout).toContain(`${ESC}[32mFinished${ESC}[39m`);
    expect((await tty(['status', '--repo', dir], { NO_COLOR: '1' })).stdout).not.toContain(ESC);
  });

  it('ferry queue lists entries across batches with filters, fits the width, and prints JSON', async () => {
    const all = await ferry(['queue', '--repo', dir]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^BATCH\s+INSTANCE\s+STATUS\s+STAGE\s+WINDOW\s+TARGET\s+MESSAGE\n/);
    expect(all.stdout).toMatch(/wave-0-pilot\s+tools-01\s+Finished/);
    expect(all.stdout).toContain('19 of 19 entries\n');
    for (const line of all.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);

    const conflicts = await ferry(['queue', '--repo', dir, '--status', 'Conflict'], { env: { COLUMNS: '70' } });
    const rows = conflicts.stdout.trim().split('\n');
    expect(rows.slice(1, -1).map((r) => r.split(/\s+/)[1])).toEqual(['web-fe-01', 'web-fe-02']);
    for (const line of rows) expect(line.length, line).toBeLessThanOrEqual(70);
    expect(rows[1]).toMatch(/Instance.*…$/);
    const wide = await ferry(['queue', '--repo', dir, '--status', 'conflict', '--wide'], { env: { COLUMNS: '70' } });
    expect(wide.stdout).toContain('network "dmz" (for NIC');

    const json = JSON.parse((await ferry(['queue', '--repo', dir, '--batch', 'wave-0-pilot', '--status', 'finished,conflict', '--json'])).stdout);
    expect(json).toMatchObject({ format_version: '1.0', total: 19, matched: 5 });
    expect(json.entries.every((e: { batch: string; status: string }) => e.batch === 'wave-0-pilot' && e.status === 'finished')).toBe(true);

    const wrong = await ferry(['queue', '--repo', dir, '--status', 'conflcit']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^ferry queue: --status: no status "conflcit"; did you mean "conflict"\?/);
    const noBatch = await ferry(['queue', '--repo', dir, '--batch', 'wave-9']);
    expect(noBatch.stderr).toMatch(/^ferry queue: no batch "wave-9"/);
  });

  it('ferry instances lists fields, batch and status, filtered by an include expression within its budget', async () => {
    const run = await ferry(['instances', '--repo', dir, '--where', 'cpus >= 16']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^NAME\s+SOURCE\s+CPUS\s+MEMORY\s+OS\s+POWER\s+BATCH\s+STATUS\s+LOCATION\n/);
    expect(run.stdout).toMatch(/build-01\s+dc1\s+16\s+32\.0 GiB\s+\S+.*\s+off\s+—\s+not queued/);
    expect(run.stdout).toMatch(/web-big-01\s+dc1\s+16\s+64\.0 GiB/);
    expect(run.stdout).toContain('2 of 33 instances match\n');

    const json = JSON.parse((await ferry(['instances', '--repo', dir, '--batch', 'wave-1-web', '--status', 'conflict', '--json'])).stdout);
    expect(json.format_version).toBe('1.0');
    expect(json.instances.map((i: { name: string }) => i.name)).toEqual(['web-fe-01', 'web-fe-02']);
    expect(json.instances[0]).toMatchObject({ source: 'dc1', cpus: 4, batch: 'wave-1-web', status: 'conflict', running: true });

    const bad = await ferry(['instances', '--repo', dir, '--where', 'cpus >=']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ferry instances: --where: the expression is not valid:/);
    // The trusted revision's expression budget applies: a budget of one step stops the evaluation.
    const tight = committedExample({ local: true });
    editFile(tight, 'ferry.yaml', /^spec:\n/m, 'spec:\n  budgets:\n    expression: {work: 1000}\n');
    gitIn(tight, 'commit', '-qam', 'tight budget');
    const costly = Array.from({ length: 60 }, (_, i) => `name matches '^zz${i}'`).join(' or ');
    expect((await ferry(['instances', '--repo', dir, '--where', costly])).code).toBe(0);
    const breached = await ferry(['instances', '--repo', tight, '--where', costly]);
    expect(breached.code, breached.stdout).toBe(1);
    expect(breached.stderr).toMatch(/ran out of budget on instance/);
  });

  it('ferry sources and ferry targets say whether each answers, its last sync, limits and work in flight', async () => {
    const sources = await ferry(['sources', '--repo', dir]);
    expect(sources.code, sources.stderr).toBe(0);
    expect(sources.stdout).toMatch(/^SOURCE\s+TYPE\s+LAST SYNC\s+VMS\s+BACKGROUND IMPORT\s+IMPORTS\s+REACHABLE\n/);
    expect(sources.stdout).toMatch(/dc1\s+sim\s+2026-12-0\d \S+\s.*33\s+yes\s+0\/20\s+yes/);
    const targets = JSON.parse((await ferry(['targets', '--repo', dir, '--json'])).stdout);
    expect(targets.format_version).toBe('1.0');
    expect(targets.targets[0]).toMatchObject({ name: 'incus-east', reachable: true, contacted: true, entries: 19, creating: 0, importing: 0, create_limit: 10 });
    expect(targets.targets[0].projects).toContain('web');
  });

  it('ferry schedule lists the coming windows with the entries predicted in each, and what finds no room', async () => {
    const run = await ferry(['schedule', '--repo', dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/night-2 \(wave-1-web\): 2026-12-03 00:00:00Z → 2026-12-03 04:00:00Z, in 20h · 0 of 25 entries/);
    expect(run.stdout).toMatch(/weekend \(wave-2-db\): .* · 3 of 3 entries\n\s+INSTANCE\s+STATUS\n\s+cache-01\s+Waiting \(predicted\)/);
    expect(run.stdout).toMatch(/no room \(5\):[\s\S]*wave-2-db\s+db-03\s+Waiting\s+the open migration windows are full/);
    expect(run.stdout).toMatch(/wave-1-web\s+web-fe-01\s+Conflict\s+Instance can no longer/);
    expect(run.stdout.indexOf('night-2')).toBeLessThan(run.stdout.indexOf('weekend'));

    const tonight = await ferry(['schedule', '--repo', dir, '--within', '21h']);
    expect(tonight.stdout).toContain('night-2 (wave-1-web)');
    expect(tonight.stdout).not.toContain('weekend');
    const json = JSON.parse((await ferry(['schedule', '--repo', dir, '--batch', 'wave-2-db', '--json'])).stdout);
    expect(json.format_version).toBe('1.0');
    expect(json.windows).toEqual([expect.objectContaining({ batch: 'wave-2-db', window: 'weekend', capacity: 3, entries: expect.any(Array) })]);
    expect(json.no_room.map((r: { name: string }) => r.name)).toEqual(['db-03', 'db-04']);
    expect((await ferry(['schedule', '--repo', dir, '--within', 'tonight'])).stderr).toMatch(/^ferry schedule: --within: "tonight" is not a duration/);
  });
});

describe('a source that does not answer', () => {
  it('is listed as not reachable with the reason, and as not contacted with --offline', async () => {
    const dir = committedExample({ local: true });
    writeFileSync(join(dir, 'sources/dc2.yaml'), [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Source',
      'metadata: {name: dc2}',
      'spec:',
      '  type: vmware',
      '  endpoint: https://127.0.0.1:9',
      '  username: svc-ferry@vsphere.local',
      '  password_from: {env: FERRY_TEST_VC_PASSWORD}',
      '  connection_timeout: 5s',
      '',
    ].join('\n'));
    gitIn(dir, 'add', '-A');
    gitIn(dir, 'commit', '-qm', 'a second vCenter');
    const env = { FERRY_TEST_VC_PASSWORD: 'correct horse battery staple' };
    const run = await ferry(['sources', '--repo', dir], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/dc1\s+sim\s+.*\s+yes\n/);
    expect(run.stdout).toMatch(/dc2\s+vmware\s+never\s+—\s+no\s+0\s+NO: /);
    expect(run.stdout).toMatch(/note: source dc2: not reachable: .*127\.0\.0\.1:9/);
    expect((await ferry(['sources', '--repo', dir, '--wide'], { env })).stdout).toMatch(/NO: .*127\.0\.0\.1:9 \(ECONNREFUSED\)/);
    expect(run.stdout).not.toContain(env.FERRY_TEST_VC_PASSWORD);
    const offline = JSON.parse((await ferry(['sources', '--repo', dir, '--offline', '--json'], { env })).stdout);
    expect(offline.sources.find((s: { name: string }) => s.name === 'dc2')).toMatchObject({ contacted: false, reachable: null, last_sync: null });
    expect(offline.notes.join('\n')).toMatch(/source dc2 not contacted|planned offline/);
  });
});
