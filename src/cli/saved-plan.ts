// The file `ferry plan --out` writes: what the plan was computed from (so `ferry apply PLAN`
// refuses it once stale), what it would do, and the forecast — the same document `ferry plan
// --json` prints and `ferry show PLAN` renders again later. A file is data from disk: it is
// checked before anything trusts its shape, and a newer Ferry's file is refused, not guessed at.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Action } from '../engine/actions.js';
import type { Decision } from '../engine/index.js';
import type { PlannedTransfer } from '../engine/planned-transfers.js';
import type { PrPlan } from '../github/pr-plan.js';
import type { Problem } from '../model/problem.js';
import type { ConnectionChange } from '../trust/connections.js';
import { UsageError, type CommandContext } from './command.js';
import { JSON_FORMAT_VERSION } from './io.js';
import type { PausesJson } from './pause-view.js';

export const PLAN_KIND = 'ferry-plan';

/** A saved plan: what it was computed from (to refuse it once stale) and what it would do. */
export interface SavedPlan {
  format_version: string;
  kind: typeof PLAN_KIND;
  desired_commit: string | null;
  /** How the planned desired state is named on screen (a commit, or the work tree). */
  desired_label: string;
  status_branch: string;
  status_revision: string | null;
  now: string;
  virtual_clock: boolean;
  /** When the next change is due without anything else happening (ISO time), or null. */
  wake_at: string | null;
  changes: Decision['changes'];
  actions: Action[];
  problems: Problem[];
  notes: string[];
  connection_changes: ConnectionChange[];
  /** What each batch would hold against the base revision, as the pull-request comment shows it; null when the file has none (an older Ferry's). */
  forecast: PrPlan | null;
  /** The operators' pauses in force when it was planned; absent in an older Ferry's file. */
  pauses?: PausesJson;
  /** Each entry's coming disk copies (transport, next pass, disks a delta copies whole); absent in an older Ferry's file. */
  transfers?: PlannedTransfer[];
}

const REQUIRED: [keyof SavedPlan, (value: unknown) => boolean][] = [
  ['desired_commit', (v) => v === null || typeof v === 'string'],
  ['status_branch', (v) => typeof v === 'string'],
  ['status_revision', (v) => v === null || typeof v === 'string'],
  ['now', (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v))],
  ['changes', (v) => Array.isArray(v) && v.every((c) => isObject(c) && typeof c.batch === 'string' && typeof c.to === 'string')],
  ['actions', (v) => Array.isArray(v) && v.every((a) => isObject(a) && typeof a.kind === 'string')],
  ['problems', (v) => Array.isArray(v) && v.every((p) => isObject(p) && typeof p.code === 'string' && typeof p.message === 'string')],
];

const BATCH_LISTS = ['entering', 'leaving', 'placement_changes', 'conflicts_caused', 'conflicts_resolved', 'conflicts_remaining', 'problems', 'windows', 'assignments'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

/** Reads and checks a plan file; every failure is one coded line (docs/errors.md, "Saved plans"). */
export async function readSavedPlan(context: Pick<CommandContext, 'io'>, file: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readFile(resolve(context.io.cwd, file), 'utf8');
  } catch {
    throw new UsageError(`${file}: error plan-unreadable: cannot read the plan file`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8 names the offset for most syntax errors; where it does not, its message quotes the spot.
    const at = /position (\d+)/.exec((error as Error).message);
    const where = at ? `${file}:${lineColumn(text, Number(at[1]))}` : file;
    const detail = at ? '' : ` (${(error as Error).message.slice(0, 120)})`;
    throw new UsageError(`${where}: error plan-invalid: not valid JSON${detail}; a plan is the file "ferry plan --out" writes`);
  }
  const plan = value as Partial<SavedPlan> | null;
  if (plan === null || typeof plan !== 'object' || Array.isArray(plan) || plan.kind !== PLAN_KIND) {
    throw new UsageError(`${file}:1:1: error plan-invalid: not a plan written by "ferry plan --out" (its "kind" is not "${PLAN_KIND}")`);
  }
  const major = typeof plan.format_version === 'string' ? /^(\d+)\.\d+$/.exec(plan.format_version)?.[1] : undefined;
  if (major === undefined) throw new UsageError(`${file}: error plan-invalid: its "format_version" is missing or not MAJOR.MINOR`);
  const ours = JSON_FORMAT_VERSION.split('.')[0]!;
  if (Number(major) > Number(ours)) {
    throw new UsageError(`${file}: error plan-newer-format: the plan is in format ${plan.format_version}, written by a newer Ferry; this one reads format ${ours}.x: upgrade Ferry, or plan again with this one`);
  }
  for (const [field, ok] of REQUIRED) {
    if (!ok(plan[field])) throw new UsageError(`${file}: error plan-invalid: the field "${field}" is missing or damaged; run "ferry plan --out ${file}" again`);
  }
  if (plan.transfers !== undefined && !(Array.isArray(plan.transfers) && plan.transfers.every((t) => isObject(t) && typeof t.batch === 'string' && typeof t.instance === 'string' && typeof t.text === 'string'))) {
    throw new UsageError(`${file}: error plan-invalid: the field "transfers" is damaged; run "ferry plan --out ${file}" again`);
  }
  if (plan.forecast !== undefined && plan.forecast !== null && !isForecast(plan.forecast)) {
    throw new UsageError(`${file}: error plan-invalid: the field "forecast" is damaged; run "ferry plan --out ${file}" again`);
  }
  return {
    desired_label: plan.desired_commit ? plan.desired_commit.slice(0, 12) : 'the work tree',
    virtual_clock: false,
    wake_at: null,
    notes: [],
    connection_changes: [],
    ...plan,
    forecast: plan.forecast ?? null,
  } as SavedPlan;
}

/** The forecast's shape as far as rendering relies on it. */
function isForecast(value: unknown): boolean {
  if (!isObject(value) || !isObject(value.summary) || !isObject(value.base) || !Array.isArray(value.batches) || !Array.isArray(value.notes)) return false;
  return value.batches.every((b) => isObject(b) && typeof b.name === 'string' && BATCH_LISTS.every((list) => Array.isArray(b[list])));
}
