import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../src/model/desired.js';
import type { Problem } from '../../src/model/problem.js';
import type { QueueEntry } from '../../src/engine/status.js';
import { summarize, type BatchDiff, type PrPlan } from '../../src/github/pr-plan.js';
import { COMMENT_LIMIT, renderPlanMarkdown, SUMMARY_LIMIT } from '../../src/github/render.js';
import { conflictBody } from '../../src/github/report.js';
import { benign, elements, hostileText, linked, mermaidLines, strayDollars, toHtml } from '../text/hostile.js';
import { queueEntry } from '../helpers/status.js';

const H = 3600_000;
const T0 = Date.UTC(2026, 11, 2, 0, 0);
const MARKER = { v: 1, pr: 7, sha: 'b'.repeat(40), plan: 'c'.repeat(64) };
const SUMMARY_URL = 'https://github.com/o/r/actions/runs/1';

/** Hands out the generated texts in turn, so every text field of a document gets one. */
function texts(list: string[]): () => string {
  let i = 0;
  return () => list[i++ % list.length]!;
}

function problem(t: () => string, file: string): Problem {
  return { file, line: 3, column: 7, code: t(), severity: 'error', message: t() };
}

function batch(t: () => string, suffix: string, changed: boolean): BatchDiff {
  const name = `${t()}${suffix}`;
  const windows = [
    { name: `${t()}-w1`, start: T0, end: T0 + 4 * H, lockout: T0 + 3 * H, capacity: 2, ended: true },
    { name: `${t()}-w2`, start: T0 + 24 * H, end: T0 + 28 * H, lockout: null, capacity: 0, ended: false },
  ];
  const member = () => ({ name: t(), uuid: t(), status: t(), message: t(), placement: t() });
  const conflict = () => ({ name: t(), uuid: t(), message: t() });
  return {
    name,
    base: { status: t(), state: 'defined' },
    head: { status: t(), state: 'running' },
    entering: [member(), member()],
    leaving: [member()],
    placement_changes: [{ name: t(), uuid: t(), before: t(), after: t() }],
    conflicts_caused: [conflict()],
    conflicts_resolved: [conflict()],
    conflicts_remaining: [conflict()],
    problems: [problem(t, t())],
    windows,
    assignments: [
      { name: t(), status: 'Waiting', window: windows[0]!.name, predicted: true, reason: null },
      { name: t(), status: 'Waiting', window: null, predicted: true, reason: t() },
    ],
    members: 3,
    changed,
  };
}

/** A plan whose every text — names, statuses, messages, notes, problems, refs — comes from `list`. */
function planOf(list: string[]): PrPlan {
  const t = texts(list);
  const batches = [batch(t, '-a', true), batch(t, '-b', true), batch(t, '-c', false)];
  const problems = [problem(t, t()), ...batches.flatMap((b) => b.problems)];
  return {
    format_version: '2',
    kind: 'ferry-pr-plan',
    base: { ref: t(), commit: 'a'.repeat(40) },
    head: { ref: t(), commit: t() },
    status_revision: t(),
    pauses: { campaign: { by: t(), at: T0, reason: t() }, batches: { [t()]: { by: t(), at: T0, reason: t() } } },
    now: T0 - 2 * H,
    virtual_clock: true,
    valid: true,
    problems,
    batches,
    summary: summarize(batches, problems),
    notes: [t(), t()],
    trusted: { ref: t(), commit: 'b'.repeat(40) },
    connection_changes: [
      { kind: 'Source', name: t(), change: 'changed', fields: [t(), t()] },
      { kind: 'Target', name: t(), change: 'added', fields: [] },
    ],
    hash: 'c'.repeat(64),
  };
}

function conflictEntries(list: string[]): { batch: string; entries: QueueEntry[]; desired: DesiredState } {
  const t = texts(list);
  const batch = t();
  const entries = [1, 2].map((n) => {
    const base = queueEntry(n, batch, 'dc1');
    const entry: QueueEntry = { ...base, uuid: t(), name: t(), location: t(), message: t(), status: 'conflict' };
    entry.baseline = { ...base.baseline, name: `${t()}-was`, location: t() };
    entry.placement = { ...base.placement, target_name: t(), target_project: t(), storage_pools: { d: t() }, networks: { [t()]: { network: t(), nictype: 'bridged', vlan_id: t() } } };
    return entry;
  });
  const desired = { batches: [{ meta: { name: batch, origin: { file: t(), line: 1, column: 1 } } }] } as unknown as DesiredState;
  return { batch, entries, desired };
}

const fields = fc.array(hostileText, { minLength: 40, maxLength: 80 });

/** The same page with hostile and benign data: same elements, nothing more that GitHub links, no math. */
function expectInert(render: (list: string[]) => string, list: string[]): void {
  const hostile = render(list);
  const reference = render(list.map(benign));
  const html = toHtml(hostile);
  const referenceHtml = toHtml(reference);
  expect(elements(html)).toEqual(elements(referenceHtml));
  expect(linked(html)).toEqual(linked(referenceHtml));
  expect(strayDollars(hostile, html)).toBe(0);
}

const MERMAID_NAME = String.raw`\u200b?[\p{L}\p{M}\p{N} ._,/()+=…-]+`;
const GANTT_LINE = new RegExp(
  String.raw`^(gantt|    dateFormat YYYY-MM-DDTHH:mm|    axisFormat %m-%d %H:%M|    todayMarker off|    title Migration windows \(UTC\) and predicted assignments|    section ${MERMAID_NAME}|    ${MERMAID_NAME} \(\d+(/\d+)?\) :(done, )?(crit, )?w\d+, [0-9T:-]{16}, [0-9T:-]{16})$`,
  'u',
);
const KEYWORD_FIRST = /^ {4}(gantt|click|call|href|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval|includes|excludes|todaymarker|weekday|weekend|title|accdescr|acctitle|\d{4}-\d\d-\d\d)/i;

describe('untrusted text in the pull-request plan', () => {
  it('makes no element, link, mention, reference or math of its own in the comment', () => {
    fc.assert(
      fc.property(fields, (list) => expectInert((l) => renderPlanMarkdown(planOf(l), { marker: MARKER, summaryUrl: SUMMARY_URL, limit: SUMMARY_LIMIT, rowCap: 50 }), list)),
      { numRuns: 40 },
    );
  });

  it('writes Mermaid that only Ferry\'s syntax steers', () => {
    fc.assert(
      fc.property(fields, (list) => {
        const lines = mermaidLines(toHtml(renderPlanMarkdown(planOf(list), { limit: SUMMARY_LIMIT, rowCap: 50 })));
        expect(lines).toHaveLength(mermaidLines(toHtml(renderPlanMarkdown(planOf(list.map(benign)), { limit: SUMMARY_LIMIT, rowCap: 50 }))).length);
        for (const line of lines.slice(1)) {
          expect(line).toMatch(GANTT_LINE);
          if (!line.startsWith('    section ') && !/^ {4}(dateFormat|axisFormat|todayMarker|title) /.test(line)) expect(line).not.toMatch(KEYWORD_FIRST);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('stays inert when the comment is cut to fit: Ferry\'s elements and link only', () => {
    const allowed = new Set(['details', 'summary', 'b', 'sub', 'p', 'ul', 'li', 'strong', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'h3', 'code', 'pre', 'blockquote', 'a']);
    fc.assert(
      fc.property(fields, fc.integer({ min: 2_000, max: COMMENT_LIMIT }), (list, limit) => {
        const markdown = renderPlanMarkdown(planOf(list), { marker: MARKER, summaryUrl: SUMMARY_URL, limit, rowCap: 50 });
        const html = toHtml(markdown);
        const tags = elements(html).filter((tag) => !tag.startsWith('<!--'));
        for (const tag of tags) expect(allowed).toContain(/^<\/?([a-z0-9]+)/i.exec(tag)![1]!.toLowerCase());
        expect(tags.filter((tag) => tag.startsWith('<a ')).every((tag) => tag === `<a href="${SUMMARY_URL}">`)).toBe(true);
        expect(tags.filter((tag) => tag === '<h3>')).toHaveLength(1);
        expect(Object.values(linked(html)).every((n) => n === 0)).toBe(true);
        expect(strayDollars(markdown, html)).toBe(0);
      }),
      { numRuns: 30 },
    );
  });
});

describe('untrusted text in a conflict pull request', () => {
  it('makes no element, link, mention, reference or math of its own in the description', () => {
    fc.assert(
      fc.property(fields, (list) => expectInert((l) => {
        const { batch, entries, desired } = conflictEntries(l);
        return conflictBody(batch, entries, desired, SUMMARY_URL);
      }, list)),
      { numRuns: 60 },
    );
  });
});

describe('a comment cut to fit', () => {
  it('is cut at a line, so no code span is left open for untrusted text after it (a case the property above found)', () => {
    const list = ["","","","","¡𐀀𐀀𐀀𐀀\n𐀀!𐀀𐀀𐀀","","<sub>𐀀𐀀𐀀𐀀`\n* 𐀀𐀀𐀀𐀀𐀀𐀀","</summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary></summary>","owner/repo#123𐀀𐀀𐀀𐀀","𐀀𐀀𐀀",">&#x3C;img&#x3E;","𐀀𐀀𐀀𐀀𐀀𐀀𐀀","𐀀𐀀\n</b>","𐀀𐀀𐀀click w0 href \"javascript:alert(1)\"section x","\n\n__&nbsp;\n","</details>www.evil.example__","","","","","","","","","","","","","","","","","","","","","\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n","<a href=\"https://evil.example\">x</a>𐀀𐀀𐀀𐀀𐀀𐀀","",""];
    const markdown = renderPlanMarkdown(planOf(list), { marker: MARKER, summaryUrl: SUMMARY_URL, limit: 2000, rowCap: 50 });
    expect(markdown).toMatch(/\n> Cut short: see \[the job summary\]/);
    const tags = elements(toHtml(markdown)).filter((tag) => tag.startsWith('<a '));
    expect(tags).toEqual([`<a href="${SUMMARY_URL}">`]);
  });
});
