// Check runs and their annotations. GitHub appends the annotations of each create or update
// request (at most 50 per request, which the description's maxItems enforces) to the run's list.
import { notFound, paginate, validationFailed, type FakeContext, type Handler } from './context.js';
import { requireApp } from './identity.js';
import { annotationJson, checkRunJson } from './representations.js';
import type { AnnotationRecord, CheckRunRecord } from './state.js';

interface CheckRunInput {
  name?: string;
  head_sha?: string;
  status?: CheckRunRecord['status'];
  conclusion?: string;
  external_id?: string;
  details_url?: string;
  started_at?: string;
  completed_at?: string;
  output?: { title?: string; summary?: string; text?: string; annotations?: AnnotationRecord[] };
}

function noCommit(ref: string) {
  return validationFailed({ resource: 'CheckRun', field: 'head_sha', code: 'invalid', message: `No commit found for SHA: ${ref}` });
}

function findRun(context: FakeContext, id: unknown): CheckRunRecord {
  const run = context.store.checkRuns.get(Number(id));
  if (!run) throw notFound();
  return run;
}

/** Applies the fields a create or update request sets; a conclusion completes the run. */
function apply(run: CheckRunRecord, input: CheckRunInput, now: string): void {
  if (input.name !== undefined) run.name = input.name;
  if (input.external_id !== undefined) run.external_id = input.external_id;
  if (input.details_url !== undefined) run.details_url = input.details_url;
  if (input.started_at !== undefined) run.started_at = input.started_at;
  if (input.status !== undefined) run.status = input.status;
  if (input.conclusion !== undefined) {
    run.conclusion = input.conclusion;
    run.status = 'completed';
  }
  if (run.status === 'completed' && run.conclusion === null) {
    throw validationFailed({ resource: 'CheckRun', field: 'conclusion', code: 'missing_field', message: 'conclusion must be set when status is completed' });
  }
  if (run.status === 'completed') run.completed_at = input.completed_at ?? run.completed_at ?? now;
  if (input.output) {
    const { title, summary, text, annotations = [] } = input.output;
    if (title !== undefined) run.output.title = title;
    if (summary !== undefined) run.output.summary = summary;
    if (text !== undefined) run.output.text = text;
    run.annotations.push(...annotations.map((annotation) => ({ ...annotation })));
  }
}

const create: Handler = async (request, context) => {
  const app = requireApp(context.app);
  const input = request.body as CheckRunInput & { name: string; head_sha: string };
  if (!/^[0-9a-f]{40}$/.test(input.head_sha) || !(await context.git.resolveCommit(input.head_sha))) throw noCommit(input.head_sha);
  const now = context.now();
  const run: CheckRunRecord = {
    id: context.store.nextId(),
    name: input.name,
    head_sha: input.head_sha,
    status: 'queued',
    conclusion: null,
    external_id: null,
    details_url: null,
    started_at: now,
    completed_at: null,
    output: { title: null, summary: null, text: null },
    annotations: [],
    app,
  };
  apply(run, input, now);
  context.store.checkRuns.set(run.id, run);
  return { status: 201, body: checkRunJson(run, context) };
};

const update: Handler = async (request, context) => {
  requireApp(context.app);
  const run = findRun(context, request.parameters.check_run_id);
  const next = structuredClone(run);
  apply(next, request.body as CheckRunInput, context.now());
  Object.assign(run, next);
  return { status: 200, body: checkRunJson(run, context) };
};

const listForRef: Handler = async (request, context) => {
  const ref = request.parameters.ref as string;
  const sha = await context.git.resolveCommit(ref);
  if (!sha) throw noCommit(ref);
  const { check_name: name, status, filter, app_id: appId } = request.parameters as { check_name?: string; status?: string; filter: string; app_id?: number };
  let runs = [...context.store.checkRuns.values()]
    .filter((run) => run.head_sha === sha && (appId === undefined || appId === run.app.id))
    .filter((run) => (name === undefined || run.name === name) && (status === undefined || run.status === status))
    .sort((a, b) => b.id - a.id);
  if (filter === 'latest') runs = runs.filter((run, index) => runs.findIndex((other) => other.name === run.name) === index);
  const { page, headers } = paginate(runs, request);
  return { status: 200, body: { total_count: runs.length, check_runs: page.map((run) => checkRunJson(run, context)) }, headers };
};

const listAnnotations: Handler = async (request, context) => {
  const run = findRun(context, request.parameters.check_run_id);
  const { page, headers } = paginate(run.annotations, request);
  return { status: 200, body: page.map((annotation) => annotationJson(annotation, run, context)), headers };
};

export const checkHandlers: Record<string, Handler> = {
  'checks/create': create,
  'checks/update': update,
  'checks/list-for-ref': listForRef,
  'checks/list-annotations': listAnnotations,
};
