// A pull request's plan, contained (docs/security.md, "Budgets"): it evaluates a pull request's
// expressions and scriptlets, so it runs in a worker thread with a heap of its own and a deadline.
// Every evaluation has its budgets inline; this is the last line of defence. A plan that runs out
// of memory or time ends as a failed plan with that error — still published as a comment and a
// check run — and the process that started it goes on.
//
// The worker runs this very module: in the Action's bundle that is the bundle itself (whose entry
// starts the Action only on the main thread), in the CLI the compiled module, in the tests the
// TypeScript source through tsx.

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import type { Problem } from '../model/problem.js';
import { findTrustedRevision, type TrustLocation } from '../trust/revision.js';
import { computePrPlan, PR_PLAN_FORMAT, PR_PLAN_KIND, planHash, summarize, type PrPlan } from './pr-plan.js';

const TASK = 'ferry-pr-plan';

/** What the worker needs: plain data (the trusted revision is found again inside). */
export interface PlanTask {
  repoDir: string;
  baseRef: string;
  headRef?: string;
  statusBranch?: string;
  trust: TrustLocation;
}

export interface PlanContainment {
  timeMs: number;
  memoryBytes: number;
  /** Where the budgets were set, for the message: `spec.budgets.pull_request_plan of origin/main`. */
  setBy: string;
}

type Reply = { ok: true; plan: PrPlan } | { ok: false; message: string };

async function runTask(task: PlanTask): Promise<PrPlan> {
  const trusted = await findTrustedRevision(task.repoDir, task.trust);
  return computePrPlan({
    repoDir: task.repoDir,
    baseRef: task.baseRef,
    ...(task.headRef === undefined ? {} : { headRef: task.headRef }),
    ...(task.statusBranch === undefined ? {} : { statusBranch: task.statusBranch }),
    trusted,
    log: pino({ level: 'silent' }),
  });
}

if (!isMainThread && (workerData as { task?: string } | null)?.task === TASK) {
  const port = parentPort!;
  runTask((workerData as { plan: PlanTask }).plan).then(
    (plan) => port.postMessage({ ok: true, plan } satisfies Reply),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) } satisfies Reply),
  );
}

/** A plan that could not be made, with the reason as its one problem. */
export function failedPlan(task: PlanTask, problem: Problem): PrPlan {
  const body: Omit<PrPlan, 'hash'> = {
    format_version: PR_PLAN_FORMAT,
    kind: PR_PLAN_KIND,
    base: { ref: task.baseRef, commit: null },
    head: { ref: task.headRef ?? 'HEAD', commit: null },
    trusted: null,
    connection_changes: [],
    status_revision: null,
    pauses: { campaign: null, batches: {} },
    now: 0,
    virtual_clock: false,
    valid: false,
    problems: [problem],
    batches: [],
    summary: summarize([], [problem]),
    notes: [],
  };
  return { ...body, hash: planHash(body) };
}

function budgetProblem(message: string): Problem {
  return { file: 'ferry.yaml', line: 1, column: 1, code: 'plan-budget', severity: 'error', message };
}

/**
 * The worker's script: this module. Run from TypeScript sources (the tests), the worker first
 * registers tsx's loader (a development dependency) and then imports it.
 */
function workerScript(): { script: URL | string; eval: boolean } {
  const url = new URL(import.meta.url);
  if (!url.pathname.endsWith('.ts')) return { script: url, eval: false };
  // tsx/esm/api's import condition: index.mjs beside the index.cjs require() resolves to.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return { script: `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`, eval: true };
}

/** Plans the pull request in a worker with `containment`'s heap and deadline. Never throws for what the worker does. */
export function computePrPlanContained(task: PlanTask, containment: PlanContainment): Promise<PrPlan> {
  const { script, eval: evaluate } = workerScript();
  const heapMb = Math.max(1, Math.floor(containment.memoryBytes / (1024 * 1024)));
  return new Promise((resolve) => {
    let settled = false;
    const worker = new Worker(script, {
      eval: evaluate,
      workerData: { task: TASK, plan: task },
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
      stdout: false,
      stderr: false,
    });
    const settle = (plan: PrPlan) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(plan);
    };
    const minutes = containment.timeMs / 60_000;
    const timer = setTimeout(() => {
      settle(failedPlan(task, budgetProblem(`planning this pull request took longer than its time budget of ${minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${containment.timeMs / 1000} s`} (${containment.setBy}); nothing was planned`)));
    }, containment.timeMs);
    worker.on('message', (reply: Reply) => {
      if (reply.ok) settle(reply.plan);
      else settle(failedPlan(task, budgetProblem(`the plan of this pull request failed: ${reply.message}`)));
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const message = error.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `planning this pull request needed more memory than its budget of ${heapMb} MiB (${containment.setBy}); nothing was planned`
        : `the plan of this pull request failed: ${error.message}`;
      settle(failedPlan(task, budgetProblem(message)));
    });
    worker.on('exit', (code) => settle(failedPlan(task, budgetProblem(`the plan of this pull request ended without a result (exit code ${code})`))));
  });
}
