// The example workflows are what people copy, so their security properties are pinned here:
// least privilege per job, never an apply a pull request can trigger, no pull_request_target,
// no expression spliced into a shell, actions pinned by commit, and only inputs the Action has.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { APPLY_EVENTS } from '../../src/github/context.js';
import { EXAMPLE_REPO, PROJECT_ROOT } from '../helpers/cli.js';

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}

interface Job {
  if?: string;
  permissions?: Record<string, string> | string;
  steps: Step[];
}

interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
}

const DIR = join(EXAMPLE_REPO, '.github/workflows');
const FERRY = /^ferry-dev\/ferry@/;
const files = readdirSync(DIR).filter((file) => file.endsWith('.yml')).sort();
const text = (file: string): string => readFileSync(join(DIR, file), 'utf8');
const workflow = (file: string): Workflow => parse(text(file)) as Workflow;
const steps = (w: Workflow): Step[] => Object.values(w.jobs).flatMap((job) => job.steps);
const ferrySteps = (w: Workflow): Step[] => steps(w).filter((step) => FERRY.test(step.uses ?? ''));
const events = (w: Workflow): string[] => Object.keys(w.on);

/** What each job may do, as `scope: level`, sorted. */
function grants(w: Workflow): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(w.jobs).map(([name, job]) => [name, Object.entries(job.permissions as Record<string, string>).map(([scope, level]) => `${scope}: ${level}`).sort()]),
  );
}

describe('the example workflows', () => {
  it('are the four documented ones', () => {
    expect(files).toEqual(['ferry-apply.yml', 'ferry-plan-comment.yml', 'ferry-plan-fork.yml', 'ferry-plan.yml']);
  });

  it.each(files)('%s grants nothing at the top and names each job\'s permissions', (file) => {
    const w = workflow(file);
    expect(w.permissions).toEqual({});
    for (const job of Object.values(w.jobs)) {
      expect(typeof job.permissions).toBe('object');
      for (const level of Object.values(job.permissions as Record<string, string>)) expect(['read', 'write', 'none']).toContain(level);
    }
  });

  it('ask for exactly the permissions each job uses', () => {
    expect(Object.fromEntries(files.map((file) => [file, grants(workflow(file))]))).toEqual({
      'ferry-apply.yml': { apply: ['contents: write', 'issues: write', 'pull-requests: write', 'statuses: write'] },
      'ferry-plan-comment.yml': { plan: ['checks: write', 'contents: read', 'pull-requests: write'] },
      'ferry-plan-fork.yml': { plan: ['contents: read'] },
      'ferry-plan.yml': { plan: ['checks: write', 'contents: read', 'pull-requests: write'] },
    });
  });

  it.each(files)('%s is not triggered by pull_request_target', (file) => {
    expect(events(workflow(file))).not.toContain('pull_request_target');
    expect(text(file)).not.toContain('pull_request_target');
  });

  it.each(files)('%s applies only from events a pull request cannot trigger, and only on the default branch', (file) => {
    const w = workflow(file);
    for (const job of Object.values(w.jobs)) {
      if (!job.steps.some((step) => FERRY.test(step.uses ?? '') && step.with?.command === 'apply')) continue;
      for (const event of events(w)) expect(APPLY_EVENTS.has(event), `${file} applies on ${event}`).toBe(true);
      expect(job.if).toBe("github.ref == 'refs/heads/main'");
    }
  });

  it('apply on push to the default branch, on a schedule and by hand, one at a time and never cancelled', () => {
    const w = workflow('ferry-apply.yml');
    expect(w.on).toMatchObject({ push: { branches: ['main'] }, schedule: [{ cron: expect.any(String) }], workflow_dispatch: null });
    expect(w.concurrency).toEqual({ group: 'ferry-apply', 'cancel-in-progress': false });
    expect(ferrySteps(w).map((step) => step.with?.command)).toEqual(['apply']);
  });

  it('plan pull requests, cancelling the plan of an older push, forks and branches by separate jobs', () => {
    const plan = workflow('ferry-plan.yml');
    const fork = workflow('ferry-plan-fork.yml');
    for (const w of [plan, fork]) {
      expect(events(w)).toEqual(['pull_request']);
      expect(w.concurrency).toEqual({ group: expect.stringContaining('${{ github.event.pull_request.number }}'), 'cancel-in-progress': true });
    }
    expect(plan.jobs.plan!.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(fork.jobs.plan!.if).toBe('github.event.pull_request.head.repo.full_name != github.repository');
    expect(ferrySteps(plan).map((step) => step.with)).toEqual([{ command: 'plan' }]);
    expect(ferrySteps(fork).map((step) => step.with)).toEqual([{ command: 'plan' }]);
  });

  it('check out with the whole history, and keep no token on disk where the pull request\'s content is checked out', () => {
    for (const file of files) {
      for (const step of steps(workflow(file)).filter((s) => s.uses?.startsWith('actions/checkout@'))) {
        expect(step.with?.['fetch-depth'], file).toBe(0);
        // Apply pushes; the fork's trusted stage fetches refs/pull/N/*. Neither checks out a pull request.
        expect(step.with?.['persist-credentials'], file).toBe(['ferry-apply.yml', 'ferry-plan-comment.yml'].includes(file) ? undefined : false);
      }
    }
  });

  it('publish a fork\'s plan from a trusted job that plans the fork\'s commit itself: the default branch checked out, no artifact, no script, no secrets', () => {
    for (const file of ['ferry-plan-fork.yml', 'ferry-plan-comment.yml']) expect(text(file)).not.toMatch(/secrets\.|upload-artifact|download-artifact/);
    const w = workflow('ferry-plan-comment.yml');
    expect(w.on).toEqual({ workflow_run: { workflows: [workflow('ferry-plan-fork.yml').name], types: ['completed'] } });
    expect(steps(w).map((step) => step.uses?.replace(/@.*/, ''))).toEqual(['actions/checkout', 'ferry-dev/ferry']);
    expect(steps(w).some((step) => step.run !== undefined)).toBe(false);
    const [checkout, ferry] = steps(w);
    // No ref: on workflow_run the checkout is the default branch, never the fork's commit.
    expect(Object.keys(checkout!.with ?? {})).toEqual(['fetch-depth']);
    expect(ferry!.with).toEqual({ command: 'plan' });
    expect(w.jobs.plan!.if).toContain("github.event.workflow_run.head_repository.full_name != github.repository");
  });

  it.each(files)('%s splices no expression into a shell script', (file) => {
    for (const step of steps(workflow(file))) {
      if (step.run !== undefined) expect(step.run, `${file}: pass values through env:`).not.toContain('${{');
    }
  });

  it.each(files)('%s pins every third-party action by its full commit SHA with the version beside it', (file) => {
    const lines = text(file).split('\n');
    for (const step of steps(workflow(file))) {
      if (step.uses === undefined || FERRY.test(step.uses)) continue;
      expect(step.uses, file).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      const line = lines.find((l) => l.includes(`uses: ${step.uses}`));
      expect(line, `${file}: ${step.uses}`).toMatch(/ # v\d+(\.\d+)*$/);
    }
  });

  it.each(files)('%s gives the Action only inputs it declares, and a command it knows', async (file) => {
    const action = parse(readFileSync(join(PROJECT_ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> };
    for (const step of ferrySteps(workflow(file))) {
      for (const input of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), `${file}: input ${input}`).toContain(input);
      expect(['plan', 'comment', 'apply', 'report']).toContain(step.with?.command);
    }
  });
});

describe('action.yml', () => {
  it('runs the committed bundle on node24, with the inputs and outputs the Action reads and writes', () => {
    const action = parse(readFileSync(join(PROJECT_ROOT, 'action.yml'), 'utf8')) as {
      runs: unknown;
      inputs: Record<string, { required?: boolean; default?: string }>;
      outputs: Record<string, unknown>;
    };
    expect(action.runs).toEqual({ using: 'node24', main: 'action/index.js' });
    expect(Object.keys(action.inputs)).toEqual(['command', 'repository-path', 'token', 'status-branch', 'plan-file', 'log-level']);
    expect(action.inputs.command!.required).toBe(true);
    expect(action.inputs.token!.default).toBe('${{ github.token }}');
    expect(action.inputs['repository-path']!.default).toBe('.');
    expect(Object.keys(action.outputs)).toEqual(['has-changes', 'conflicts']);
  });
});
