// CONFLICTS.md: the entries that wait for a person — Conflict, Error and Blocked — per batch,
// with what to do and, where a Resolution is the fix, the document to merge. Written on every
// status write; never read back. Instance names, locations and messages come from sources and
// providers, so they go through src/text/markup.ts: the report renders as written, whatever they hold.

import { ENTRY_STATUS_TEXT, type EntryStatusCode, type QueueEntry, type StatusState } from '../engine/status.js';
import { formatTimestamp } from '../model/timestamp.js';
import { markdownCode, markdownTableCode, markdownText } from '../text/markup.js';
import { compareCodeUnits } from './shape.js';
import { yamlString } from './yaml-text.js';

/**
 * Entries described in detail, over the whole report, batch by batch; the summary table still
 * counts every one. A campaign with thousands of stuck entries has a systematic cause, and a
 * report nobody can scroll through helps no one (`ferry status` lists them all).
 */
export const REPORT_ENTRY_LIMIT = 200;

const ATTENTION: readonly EntryStatusCode[] = ['conflict', 'error', 'blocked'];

/** A message as Markdown text, or `none` when nothing of it would show. */
function message(text: string, none: string): string {
  return markdownText(text) || none;
}

function fenced(language: string, body: string): string {
  const longest = Math.max(0, ...(body.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${body}${body.endsWith('\n') ? '' : '\n'}${fence}`;
}

/** When the entry entered its current status: its last transition there, else its last update. */
function since(entry: QueueEntry): number {
  for (let i = entry.history.length - 1; i >= 0; i--) {
    if (entry.history[i]!.to === entry.status) return entry.history[i]!.at;
  }
  return entry.updated_at;
}

/** A Resolution's metadata.name: an API name made from the action and the instance name. */
function resolutionName(action: string, entry: QueueEntry): string {
  const slug = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  const base = slug(entry.name) || slug(entry.uuid) || 'entry';
  return `${action}-${base.slice(0, 63 - action.length)}`.replace(/[^A-Za-z0-9]+$/, '');
}

function resolution(action: 'resolve' | 'cancel' | 'retry', entry: QueueEntry): string {
  return fenced(
    'yaml',
    [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Resolution',
      'metadata:',
      `  name: ${yamlString(resolutionName(action, entry))}`,
      'spec:',
      `  batch: ${yamlString(entry.batch)}`,
      `  instance: ${yamlString(entry.uuid)}`,
      `  action: ${action}`,
      '',
    ].join('\n'),
  );
}

interface BlockedRule {
  test: RegExp;
  advice: string;
}

/**
 * What each blocking rule needs, recognised from the entry's message (the engine's sentence
 * names the rule). The last rule catches everything else.
 */
const BLOCKED_RULES: readonly BlockedRule[] = [
  {
    test: /disable_migration|migration is disabled/i,
    advice: 'An InstanceOverride sets `disable_migration: true`. Remove it, or set it to false, to migrate the instance.',
  },
  {
    test: /unknown os|os is unknown|operating system/i,
    advice:
      'The source does not know the guest operating system. Set `allow_unknown_os: true` under the batch\'s `config.instance_restriction_overrides`, or `ignore_restrictions: true` in an InstanceOverride for the instance.',
  },
  {
    test: /ipv4/i,
    advice:
      'The instance reports no IPv4 address (VMware tools not running?). Start its tools, or set `allow_no_ipv4: true` under the batch\'s `config.instance_restriction_overrides`, or `ignore_restrictions: true` in an InstanceOverride.',
  },
  {
    test: /background import/i,
    advice:
      'The instance cannot be imported in the background (no changed block tracking). Enable it on the source, or set `allow_no_background_import: true` under the batch\'s `config.instance_restriction_overrides`, or `ignore_restrictions: true` in an InstanceOverride.',
  },
  {
    test: /disk/i,
    advice: 'A disk cannot be migrated as it is. Change the disk on the source (the message names it), or set `ignore_restrictions: true` in an InstanceOverride.',
  },
  {
    test: /target|project|pool|network|placement|already exists|scriptlet/i,
    advice:
      'The placement does not fit the target. Create what the message names on the target (project, storage pool, network), or change the batch\'s `defaults.placement`, its placement scriptlet, a NetworkOverride, or the target instance name with an InstanceOverride.',
  },
  {
    test: /./s,
    advice:
      'The message names the rule. Change what it needs: the batch\'s `config.instance_restriction_overrides`, an InstanceOverride (`ignore_restrictions: true` skips every rule but `disable_migration`), or the placement.',
  },
];

function blockedRule(entry: QueueEntry): BlockedRule {
  return BLOCKED_RULES.find((rule) => rule.test.test(entry.message))!;
}

function entryFacts(entry: QueueEntry): string[] {
  return [
    `- Location: ${markdownCode(entry.location)} on source ${markdownCode(entry.source)}, UUID ${markdownCode(entry.uuid)}`,
    `- Since: ${formatTimestamp(since(entry))}`,
    `- Message: ${message(entry.message, '(none)')}`,
  ];
}

function conflictSection(entry: QueueEntry): string[] {
  return [
    `#### ${markdownCode(entry.name)} — Conflict`,
    '',
    ...entryFacts(entry),
    '',
    'Fix the cause — the placement scriptlet, an InstanceOverride or NetworkOverride, or the network, pool or project on the target — then merge this Resolution to run the checks again (it does not bypass them):',
    '',
    resolution('resolve', entry),
    '',
  ];
}

function errorSection(entry: QueueEntry): string[] {
  return [
    `#### ${markdownCode(entry.name)} — Error`,
    '',
    ...entryFacts(entry),
    '',
    'Fix the cause the message names, then merge a Resolution that cancels the entry (add `cleanup: true` to its spec to delete the target instance Ferry created):',
    '',
    resolution('cancel', entry),
    '',
    'Once the entry shows Canceled, merge one that queues it again:',
    '',
    resolution('retry', entry),
    '',
  ];
}

function blockedSection(entries: readonly QueueEntry[]): string[] {
  const lines = ['| Instance | Location | Since | Reason |', '|---|---|---|---|'];
  for (const entry of entries) {
    lines.push(`| ${markdownTableCode(entry.name)} | ${markdownTableCode(entry.location)} | ${formatTimestamp(since(entry))} | ${message(entry.message, '(none)')} |`);
  }
  const advice = new Map<BlockedRule, number>();
  for (const entry of entries) {
    const rule = blockedRule(entry);
    advice.set(rule, (advice.get(rule) ?? 0) + 1);
  }
  lines.push('', 'What the blocking rules need (an entry leaves Blocked by itself once its rule passes):', '');
  for (const rule of BLOCKED_RULES) {
    const count = advice.get(rule);
    if (count !== undefined) lines.push(`- ${count === 1 ? '1 entry' : `${count} entries`}: ${rule.advice}`);
  }
  lines.push('');
  return lines;
}

function byName(a: QueueEntry, b: QueueEntry): number {
  return compareCodeUnits(a.name, b.name) || compareCodeUnits(a.uuid, b.uuid);
}

type Group = Record<'conflict' | 'error' | 'blocked', QueueEntry[]>;

/** The Markdown report of every entry in Conflict, Error or Blocked, per batch, sorted: the same status gives the same text. */
export function renderConflictReport(status: StatusState, limit = REPORT_ENTRY_LIMIT): string {
  const groups = new Map<string, Group>();
  const totals = { conflict: 0, error: 0, blocked: 0 };
  for (const uuid in status.entries) {
    const entry = status.entries[uuid]!;
    if (entry.status !== 'conflict' && entry.status !== 'error' && entry.status !== 'blocked') continue;
    let group = groups.get(entry.batch);
    if (!group) groups.set(entry.batch, (group = { conflict: [], error: [], blocked: [] }));
    group[entry.status].push(entry);
    totals[entry.status]++;
  }
  const failedBatches = Object.values(status.batches).filter((batch) => batch.status === 'Error');
  for (const batch of failedBatches) if (!groups.has(batch.name)) groups.set(batch.name, { conflict: [], error: [], blocked: [] });

  const lines = ['# Conflicts and stuck entries', ''];
  const when = status.updated_at === null ? 'by the reconciler' : `by the reconciler at ${formatTimestamp(status.updated_at)}`;
  const commit = status.desired_commit === null ? '' : ` for the desired-state commit ${markdownCode(status.desired_commit)}`;
  lines.push(`Written ${when}${commit}. Nothing here is edited by hand: every fix is a change merged to the campaign repository.`, '');
  const total = totals.conflict + totals.error + totals.blocked;
  if (total === 0 && failedBatches.length === 0) {
    lines.push('Nothing needs attention: no entry is in Conflict, Error or Blocked.');
    return `${lines.join('\n')}\n`;
  }
  if (total > 0) {
    const parts = ATTENTION.filter((code) => totals[code as keyof Group] > 0).map((code) => `${totals[code as keyof Group]} ${ENTRY_STATUS_TEXT[code]}`);
    lines.push(`**${total === 1 ? '1 entry needs' : `${total} entries need`} attention**: ${parts.join(', ')}.`, '');
  }
  const names = [...groups.keys()].sort(compareCodeUnits);
  lines.push('| Batch | Conflict | Error | Blocked |', '|---|---|---|---|');
  for (const name of names) {
    const group = groups.get(name)!;
    const batch = status.batches[name]?.status === 'Error' ? ' (batch in Error)' : '';
    lines.push(`| ${markdownTableCode(name)}${batch} | ${group.conflict.length} | ${group.error.length} | ${group.blocked.length} |`);
  }
  lines.push('');

  let budget = limit;
  const skipped: string[] = [];
  for (const name of names) {
    const group = groups.get(name)!;
    const batch = status.batches[name];
    const count = group.conflict.length + group.error.length + group.blocked.length;
    if (budget <= 0 && count > 0) {
      skipped.push(name);
      continue;
    }
    lines.push(`## Batch ${markdownCode(name)}`, '');
    if (batch?.status === 'Error') lines.push(`The batch is in Error: ${message(batch.message, '(no message)')}`, '');
    for (const status of ATTENTION) {
      const entries = group[status as keyof Group].sort(byName);
      if (entries.length === 0) continue;
      lines.push(`### ${ENTRY_STATUS_TEXT[status]} (${entries.length})`, '');
      const shown = entries.slice(0, Math.max(0, budget));
      budget -= shown.length;
      if (status === 'blocked') {
        if (shown.length > 0) lines.push(...blockedSection(shown));
      } else {
        for (const entry of shown) lines.push(...(status === 'conflict' ? conflictSection(entry) : errorSection(entry)));
      }
      if (entries.length > shown.length) {
        lines.push(`…and ${entries.length - shown.length} more in ${ENTRY_STATUS_TEXT[status]}: \`ferry status\` lists them all.`, '');
      }
    }
  }
  if (skipped.length > 0) {
    lines.push(
      '## Other batches',
      '',
      `This report describes ${limit} entries in detail; the entries of ${skipped.length === 1 ? 'one more batch are' : `${skipped.length} more batches are`} counted in the table above only: ${skipped.map(markdownCode).join(', ')}. \`ferry status\` lists them all.`,
    );
  }
  while (lines[lines.length - 1] === '') lines.pop();
  return `${lines.join('\n')}\n`;
}
