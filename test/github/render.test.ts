import { describe, expect, it } from 'vitest';
import { diffPredictions, planHash, summarize, type BatchDiff, type PrPlan } from '../../src/github/pr-plan.js';
import { COMMENT_LIMIT, gantt, markerLine, parseMarker, renderPlanMarkdown, summaryLine } from '../../src/github/render.js';
import type { BatchPrediction, PredictedMember } from '../../src/engine/predict.js';

const H = 3600_000;
const T0 = Date.UTC(2026, 11, 2, 0, 0);

function member(name: string, fields: Partial<PredictedMember> = {}): PredictedMember {
  return {
    uuid: `uuid-${name}`,
    name,
    location: `/DC/vm/${name}`,
    status: 'Waiting',
    message: 'would wait for its migration window',
    predicted: true,
    placement: { target_name: 'east', target_project: 'web', storage_pools: { [`[ds] ${name}.vmdk`]: 'ssd' }, networks: { '00:50:56:00:00:01': { network: 'dmz', nictype: 'managed', vlan_id: '' } }, running: true },
    window: null,
    ...fields,
  };
}

function batch(name: string, members: PredictedMember[], fields: Partial<BatchPrediction> = {}): BatchPrediction {
  return {
    name,
    status: 'Defined',
    state: 'defined',
    members,
    windows: [
      { name: 'night-1', start: T0, end: T0 + 4 * H, lockout: T0 + 3 * H, capacity: 2, ended: false },
      { name: 'night-2', start: T0 + 24 * H, end: T0 + 28 * H, lockout: null, capacity: 0, ended: false },
    ],
    ...fields,
  };
}

function planOf(batches: BatchDiff[]): PrPlan {
  const body = {
    format_version: '1',
    kind: 'ferry-pr-plan' as const,
    base: { ref: 'origin/main', commit: 'a'.repeat(40) },
    head: { ref: 'HEAD', commit: 'b'.repeat(40) },
    status_revision: 'c'.repeat(40),
    pauses: { campaign: null, batches: {} },
    now: T0 - 2 * H,
    virtual_clock: true,
    valid: true,
    problems: [],
    batches,
    summary: summarize(batches, []),
    notes: [],
    trusted: null,
    connection_changes: [],
  };
  return { ...body, hash: planHash(body) };
}

describe('comparing base and head', () => {
  it('finds instances entering and leaving, placement changes, conflicts caused and resolved', () => {
    const base = [batch('web', [member('a'), member('b'), member('c', { status: 'Conflict', message: 'network "dmz" does not exist' })])];
    const moved = member('b');
    moved.placement = { ...moved.placement!, networks: { '00:50:56:00:00:01': { network: 'dmz-v2', nictype: 'managed', vlan_id: '' } } };
    const head = [batch('web', [moved, member('c'), member('d', { status: 'Conflict', message: 'storage pool "x" does not exist' })], { status: 'Running', state: 'running' })];
    const [diff] = diffPredictions(base, head, [], new Map());
    expect(diff!.entering.map((m) => m.name)).toEqual(['d']);
    expect(diff!.leaving.map((m) => m.name)).toEqual(['a']);
    expect(diff!.placement_changes).toEqual([{ name: 'b', uuid: 'uuid-b', before: expect.stringContaining('→dmz'), after: expect.stringContaining('→dmz-v2') }]);
    expect(diff!.conflicts_caused.map((c) => c.name)).toEqual(['d']);
    expect(diff!.conflicts_resolved.map((c) => c.name)).toEqual(['c']);
    expect(diff!.changed).toBe(true);
    expect(summarize([diff!], [])).toMatchObject({ entering: 1, leaving: 1, placement_changes: 1, conflicts_caused: 1, conflicts_resolved: 1, conflicts: 1, batches_changed: 1 });
  });

  it('an identical batch is unchanged and the summary says so', () => {
    const same = [batch('web', [member('a')])];
    const diffs = diffPredictions(same, structuredClone(same), [], new Map());
    expect(diffs[0]!.changed).toBe(false);
    expect(summaryLine(planOf(diffs))).toContain('No changes');
  });
});

describe('the comment', () => {
  it('starts with a parseable marker and keeps every text from the repository inert', () => {
    const evil = member('x|<script>@admin`', { status: 'Conflict', message: '</details> ``` @team <img src=x>' });
    const diffs = diffPredictions([], [batch('web</summary>', [evil])], [], new Map());
    const plan = planOf(diffs);
    const body = renderPlanMarkdown(plan, { marker: { v: 1, pr: 7, sha: 'b'.repeat(40), plan: plan.hash }, limit: COMMENT_LIMIT, rowCap: 50 });
    expect(parseMarker(body)).toEqual({ v: 1, pr: 7, sha: 'b'.repeat(40), plan: plan.hash });
    expect(body).not.toContain('<script>');
    expect(body).not.toContain('<img');
    expect(body).not.toContain('web</summary>');
    expect(body).not.toMatch(/(^|[^\u200b])@team/);
    expect(body.split('\n').filter((l) => l === '</details>').length).toBe(body.split('\n').filter((l) => l === '<details>').length);
  });

  it('says who paused the campaign and which batches, when and why, before anything else, with the reasons inert', () => {
    const plan = planOf(diffPredictions([], [batch('web', [member('a')])], [], new Map()));
    plan.pauses = {
      campaign: { by: 'Ana <ana@example.com>', at: Date.UTC(2026, 11, 7, 4, 50), reason: 'SAN-2 alarm\n## Owned <img src=x> @oncall see #12' },
      batches: { 'wave-2-db': { by: 'Bob <bob@example.com>', at: Date.UTC(2026, 11, 6, 22, 0), reason: 'DBA freeze' } },
    };
    const body = renderPlanMarkdown(plan, { limit: COMMENT_LIMIT, rowCap: 50 });
    const caution = body.split('\n').filter((line) => line.startsWith('>'));
    expect(caution[0]).toBe('> [!CAUTION]');
    expect(caution[1]).toBe('> **The campaign is paused** by Ana &lt;ana@\u200bexample.com&gt; at 2026-12-07 04:50 UTC: SAN-2 alarm \\#\\# Owned &lt;img src=x&gt; @\u200boncall see \\#\u200b12. Nothing new starts in any batch until `ferry resume`; this plan shows what the reconciler does while paused.');
    expect(caution).toContain('> - `wave-2-db` by Bob &lt;bob@\u200bexample.com&gt; at 2026-12-06 22:00 UTC: DBA freeze');
    expect(body.indexOf('[!CAUTION]')).toBeLessThan(body.indexOf('<details>'));
    plan.pauses = { campaign: null, batches: {} };
    expect(renderPlanMarkdown(plan, { limit: COMMENT_LIMIT, rowCap: 50 })).not.toContain('CAUTION');
  });

  it('keeps a name with a lone carriage return inside its summary and its table row', () => {
    const evil = member('vm\r| x |\r## Owned\r![i](https://evil.example/p.png)', { status: 'Blocked', message: 'm\u2028<img src=x>\u0085[a](https://evil.example)' });
    const diffs = diffPredictions([], [batch('web\r</summary>\r\r# Heading\r[link](https://evil.example)', [evil])], [], new Map());
    const body = renderPlanMarkdown(planOf(diffs), { limit: COMMENT_LIMIT, rowCap: 50 });
    expect(body).not.toMatch(/[\r\u2028\u0085]/);
    expect(body).toContain('<summary><b>web &lt;/summary&gt; &#35; Heading &#91;link&#93;(https:\u200b//evil.example)</b>');
    expect(body).toContain('| vm \\| x \\| \\#\\# Owned \\!\\[i\\](https:\u200b//evil.example/p.png) | Blocked: m &lt;img src=x&gt; \\[a\\](https:\u200b//evil.example) |');
  });

  it('draws the windows as a Mermaid gantt in UTC with predicted assignments, and a table beside it', () => {
    const head = [batch('web', [member('a'), member('b'), member('c')].map((m, i) => ({ ...m, window: i < 2 ? 'night-1' : 'night-2' })), { status: 'Running' })];
    const diffs = diffPredictions([], head, [], new Map());
    const body = renderPlanMarkdown(planOf(diffs), { limit: COMMENT_LIMIT, rowCap: 50 });
    expect(body).toContain('```mermaid\ngantt\n    dateFormat YYYY-MM-DDTHH:mm');
    expect(body).toContain('night-1 (2/2) :crit, w0, 2026-12-02T00:00, 2026-12-02T04:00');
    expect(body).toContain('| night-1 | 2026-12-02 00:00 | 2026-12-02 04:00 | 2026-12-02 03:00 | 2 | 2 |');
    expect(body).toContain('| night-2 | 2026-12-03 00:00 | 2026-12-03 04:00 | — | unlimited | 1 |');
  });

  it('caps the gantt tasks and says how many it left out', () => {
    const many = Array.from({ length: 30 }, (_, i) => batch(`b${i}`, [member(`m${i}`)]));
    const diffs = diffPredictions([], many, [], new Map());
    const chart = gantt(diffs, 10);
    expect(chart.filter((l) => l.includes(':')).length).toBeGreaterThanOrEqual(10);
    expect(chart.join('\n')).toContain('The chart shows 10 of 60 windows');
  });

  it('stays within GitHub\'s limit with thousands of instances, pointing to the job summary', () => {
    const big = Array.from({ length: 40 }, (_, b) => batch(`wave-${b}`, Array.from({ length: 400 }, (_, i) => member(`vm-${b}-${i}-${'x'.repeat(40)}`))));
    const diffs = diffPredictions([], big, [], new Map());
    const body = renderPlanMarkdown(planOf(diffs), { marker: { v: 1, pr: 1, sha: 'b'.repeat(40), plan: 'h' }, summaryUrl: 'https://github.com/o/r/actions/runs/1', limit: COMMENT_LIMIT, rowCap: 50 });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain('do not fit in a comment: see [the job summary](https://github.com/o/r/actions/runs/1)');
    expect(parseMarker(body)?.pr).toBe(1);
    const full = renderPlanMarkdown(planOf(diffs), { limit: 1024 * 1024, rowCap: 5000 });
    expect(full.length).toBeGreaterThan(COMMENT_LIMIT);
  });

  it('a marker that is not Ferry\'s is ignored', () => {
    expect(parseMarker('hello')).toBeNull();
    expect(parseMarker('<!-- ferry-plan:{"v":1} -->')).toBeNull();
    expect(parseMarker(markerLine({ v: 1, pr: 2, sha: 's', plan: 'p' }))).toEqual({ v: 1, pr: 2, sha: 's', plan: 'p' });
  });
});
