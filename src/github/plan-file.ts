// The plan file a fork's untrusted job writes and the trusted job publishes. It is data from an
// untrusted run: its whole shape is checked against a closed schema (strings bounded, no extra
// properties) before anything of it is rendered, and nothing in it is ever run.

import { Ajv2020 } from 'ajv/dist/2020.js';
import { GitHubContextError } from './context.js';
import { PR_PLAN_FORMAT, PR_PLAN_KIND, type PrPlan } from './pr-plan.js';

export const PLAN_FILE_KIND = 'ferry-pr-plan-file';

export interface PlanFile {
  kind: typeof PLAN_FILE_KIND;
  pr: number;
  head_sha: string;
  /** Where the repository sits in the Git repository (`""` or `dir/`), for annotation paths. */
  path_prefix: string;
  plan: PrPlan;
}

const text = { type: 'string', maxLength: 4096 };
const nullableText = { type: ['string', 'null'], maxLength: 4096 };
const time = { type: ['integer', 'null'] };
const closed = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({ type: 'object', additionalProperties: false, required, properties });
const list = (items: unknown) => ({ type: 'array', maxItems: 100_000, items });

const problem = closed({ file: text, line: { type: 'integer' }, column: { type: 'integer' }, code: text, severity: { enum: ['error', 'warning', 'info'] }, message: text });
const member = closed({ name: text, uuid: text, status: text, message: text, placement: nullableText });
const conflict = closed({ name: text, uuid: text, message: text });
const statusState = { oneOf: [{ type: 'null' }, closed({ status: text, state: nullableText })] };
const batch = closed({
  name: text,
  base: statusState,
  head: statusState,
  entering: list(member),
  leaving: list(member),
  placement_changes: list(closed({ name: text, uuid: text, before: text, after: text })),
  conflicts_caused: list(conflict),
  conflicts_resolved: list(conflict),
  conflicts_remaining: list(conflict),
  problems: list(problem),
  windows: list(closed({ name: text, start: time, end: time, lockout: time, capacity: { type: 'integer', minimum: 0 }, ended: { type: 'boolean' } })),
  assignments: list(closed({ name: text, status: text, window: nullableText, predicted: { type: 'boolean' } })),
  members: { type: 'integer', minimum: 0 },
  changed: { type: 'boolean' },
});
const count = { type: 'integer', minimum: 0 };
const SCHEMA = closed({
  kind: { const: PLAN_FILE_KIND },
  pr: { type: 'integer', minimum: 1 },
  head_sha: { type: 'string', pattern: '^[0-9a-f]{40}([0-9a-f]{24})?$' },
  path_prefix: { type: 'string', maxLength: 1024, pattern: '^(?!/)(?!.*(^|/)\\.\\.(/|$))(.*/)?$' },
  plan: closed({
    format_version: { const: PR_PLAN_FORMAT },
    kind: { const: PR_PLAN_KIND },
    base: closed({ ref: text, commit: nullableText }),
    head: closed({ ref: text, commit: nullableText }),
    status_revision: nullableText,
    now: { type: 'integer' },
    virtual_clock: { type: 'boolean' },
    valid: { type: 'boolean' },
    problems: list(problem),
    batches: { ...list(batch), maxItems: 10_000 },
    summary: closed({ entering: count, leaving: count, placement_changes: count, conflicts_caused: count, conflicts_resolved: count, conflicts: count, errors: count, warnings: count, batches_changed: count }),
    notes: list(text),
    hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  }),
});

let validate: ReturnType<Ajv2020['compile']> | undefined;

/** Parses and checks a plan file; anything else is refused with one sentence. */
export function parsePlanFile(textIn: string): PlanFile {
  let value: unknown;
  try {
    value = JSON.parse(textIn);
  } catch {
    throw new GitHubContextError('the plan file is not JSON');
  }
  validate ??= new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true }).compile(SCHEMA);
  if (!validate(value)) {
    const first = validate.errors?.[0];
    throw new GitHubContextError(`the plan file is not a Ferry pull-request plan (format ${PR_PLAN_FORMAT}): ${first ? `${first.instancePath || '/'} ${first.message ?? 'is invalid'}` : 'invalid'}`);
  }
  return value as PlanFile;
}
