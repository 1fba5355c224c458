import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ENTRY_STATUS_TEXT, type EntryStatusCode, type StatusState } from '../../engine/status.js';
import type { DesiredState } from '../../model/desired.js';
import { formatProblem } from '../../model/problem.js';
import { crashPoint } from '../../providers/sim/crash.js';
import { desiredAtCommit, desiredErrors, DesiredStateError, gitLocation, resolveCommit, type DesiredAt } from '../../reconcile/desired.js';
import { tick, type TickReport } from '../../reconcile/reconciler.js';
import { runUntilIdle, runWatch, type RunSummary } from '../../reconcile/run.js';
import { simpleGit } from 'simple-git';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { bytes, isoTime, plural } from '../format.js';
import { printJson } from '../io.js';
import { paint } from '../paint.js';
import { CLEAR_LINE } from '../terminal.js';
import { checkApply, evaluationLimitsFor, openForApply, TRUSTED_REF_OPTION } from '../trust.js';
import { PLAN_KIND, reportInvalid, type SavedPlan } from './plan.js';

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Reconcile: decide, record the decision on the status branch, then act',
  usage: 'ferry apply [PLAN] [--once | --until-idle | --watch] [--allow-unmerged] [--repo DIR] [--json]',
  description:
    'Runs ticks against the committed desired state (HEAD; uncommitted edits are not applied), and\n' +
    'only when HEAD is merged into the trusted branch (the remote\'s default branch, or\n' +
    'spec.trust.branch): an unmerged branch is refused. --allow-unmerged lifts that for a repository\n' +
    'whose status branch is local only (spec.status.local: true). Each\n' +
    'tick reads the status branch, observes, decides, commits the new status (compare-and-swap; it\n' +
    're-decides if another reconciler moved the branch) and only then acts. With PLAN (from\n' +
    '"ferry plan --out"), the plan must still be current: same desired commit, same status revision.\n' +
    '--once (default): one tick. --until-idle: tick until nothing can progress; on the simulator the\n' +
    'clock jumps to the next event in between. --watch: like --until-idle, then again whenever the\n' +
    'repository changes (a commit, a merge) or the reconcile interval passes; stop with Ctrl-C.',
  examples: ['ferry apply', 'ferry apply --until-idle', 'ferry plan --out plan.json && ferry apply plan.json', 'ferry apply --watch'],
  options: {
    once: { type: 'boolean', description: 'one tick (the default)' },
    'until-idle': { type: 'boolean', description: 'tick until nothing can progress' },
    watch: { type: 'boolean', description: 'keep reconciling; re-plan when the repository changes' },
    'allow-unmerged': { type: 'boolean', description: 'apply a commit that is not on the trusted branch (local status branch only)' },
    ...TRUSTED_REF_OPTION,
  },
  async run(context) {
    const modes = (['once', 'until-idle', 'watch'] as const).filter((m) => context.options[m] === true);
    if (modes.length > 1) throw new UsageError(`choose one of --once, --until-idle and --watch (got ${modes.map((m) => `--${m}`).join(' and ')})`);
    const mode = modes[0] ?? 'once';
    if (context.positionals.length > 1) throw new UsageError('give at most one plan file');
    const git = await gitLocation(context.repoDir);
    if (git === null) throw new UsageError(`${context.repoDir} is not in a Git repository: apply acts on committed desired state and keeps its status on a Git branch`);

    const load = async (): Promise<DesiredAt> => {
      try {
        return await desiredAtCommit(context.repoDir, 'HEAD', { limits: await evaluationLimitsFor(context) });
      } catch (error) {
        if (error instanceof DesiredStateError) throw new UsageError(`${error.message} (commit the repository first)`);
        throw error;
      }
    };
    const first = await load();
    const errors = desiredErrors(first);
    if (errors.length > 0) return reportInvalid(context, errors);
    const dirty = (await simpleGit({ baseDir: context.repoDir }).raw(['status', '--porcelain', '--', '.'])).trim();
    if (dirty !== '' && !context.json) context.io.stderr.write(`note: uncommitted changes in ${context.repoDir} are not applied; apply acts on HEAD (${first.commit!.slice(0, 12)})\n`);

    const { opened, run } = await openForApply(context, first, { crashPoint });
    try {
      for (const note of run.notes) context.io.stderr.write(`note: ${note}\n`);
      const planFile = context.positionals[0];
      if (planFile !== undefined) await checkPlan(context, planFile, first, opened.store.description, (await opened.store.read()).revision);

      const progress = new Progress(context);
      let current = run.desired;
      let refused: string | null = null;
      // Each tick acts on HEAD; it is loaded and compiled again only when HEAD moves.
      const loadCached = async () => {
        const head = await resolveCommit(context.repoDir, 'HEAD').catch(() => null);
        if (head === null || head === current.commit || head === refused) return current;
        let next = await load();
        // A new HEAD is applied only once it is merged too; a watch keeps acting on the last merged one.
        try {
          next = (await checkApply(context, next)).desired;
        } catch (error) {
          if (mode !== 'watch' || !(error instanceof UsageError)) throw error;
          refused = head;
          progress.note(`${error.message}; still applying ${current.commit!.slice(0, 12)}`);
          return current;
        }
        if (desiredErrors(next).length === 0 || mode !== 'watch') {
          current = next;
          progress.note(`desired state moved to ${next.commit!.slice(0, 12)}`);
        }
        return next;
      };
      const onTick = (report: TickReport) => progress.tick(report, current.state);
      const onAdvance = (from: number, to: number) => progress.advance(from, to);
      let summary: RunSummary;
      if (mode === 'once') {
        const report = await tick(opened.setup, run.desired);
        onTick(report);
        summary = { ticks: 1, commits: report.committed ? 1 : 0, actions: report.acted.length, reason: report.decision === null && report.problems.length ? 'invalid' : 'idle', last: report };
      } else if (mode === 'until-idle') {
        summary = await runUntilIdle(opened.setup, loadCached, { onTick, onAdvance, tickIntervalMs: first.state.project.reconcile.interval_ms });
      } else {
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          summary = await runWatch(opened.setup, loadCached, git.top, first.state.project.reconcile.interval_ms, {
            onTick,
            onAdvance,
            tickIntervalMs: first.state.project.reconcile.interval_ms,
            signal: controller.signal,
            onWait: (why) => progress.note(why),
          });
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      }
      progress.finish(summary);
      return summary.reason === 'invalid' || (summary.last?.problems ?? []).some((p) => p.severity === 'error') ? 1 : 0;
    } finally {
      await opened.close();
    }
  },
};

async function checkPlan(context: CommandContext, file: string, desired: DesiredAt, branch: string, revision: string | null): Promise<void> {
  let text: string;
  try {
    text = await readFile(resolve(context.io.cwd, file), 'utf8');
  } catch {
    throw new UsageError(`${file}: error plan-unreadable: cannot read the plan file`);
  }
  let plan: SavedPlan;
  try {
    plan = JSON.parse(text) as SavedPlan;
  } catch (error) {
    // V8 names the offset for most syntax errors; where it does not, its message quotes the spot.
    const at = /position (\d+)/.exec((error as Error).message);
    const where = at ? `${file}:${lineColumn(text, Number(at[1]))}` : file;
    const detail = at ? '' : ` (${(error as Error).message.slice(0, 120)})`;
    throw new UsageError(`${where}: error plan-invalid: not valid JSON${detail}; a plan is the file "ferry plan --out" writes`);
  }
  if (plan === null || typeof plan !== 'object' || plan.kind !== PLAN_KIND) {
    throw new UsageError(`${file}:1:1: error plan-invalid: not a plan written by "ferry plan --out" (its "kind" is not "${PLAN_KIND}")`);
  }
  if (plan.desired_commit !== desired.commit) {
    throw new UsageError(`the plan is stale: it was made for desired commit ${plan.desired_commit?.slice(0, 12) ?? '(uncommitted)'}, HEAD is ${desired.commit!.slice(0, 12)}; run "ferry plan" again`);
  }
  if (plan.status_branch !== branch || plan.status_revision !== revision) {
    throw new UsageError(`the plan is stale: the status branch moved since it was made (${plan.status_revision?.slice(0, 12) ?? 'empty'} → ${revision?.slice(0, 12) ?? 'empty'}); run "ferry plan" again`);
  }
}

const ORDER: EntryStatusCode[] = ['finished', 'worker_done', 'post_import', 'final_import', 'idle', 'background_import', 'creating', 'waiting', 'blocked', 'conflict', 'error', 'canceled'];

/** Progress: one rewritten line on a terminal, plain lines otherwise; JSON lines with --json. */
class Progress {
  private readonly tty: boolean;
  private readonly moved = new Map<string, number>();
  private lastLine = '';
  private ticks = 0;
  private readonly color;

  constructor(private readonly context: CommandContext) {
    this.tty = context.io.stdout.isTTY === true && !context.json;
    this.color = paint(context.io, 'stdout');
  }

  note(text: string): void {
    this.clear();
    if (this.context.json) printJsonLine(this.context, { event: 'note', message: text });
    else this.context.io.stdout.write(`${text}\n`);
  }

  advance(from: number, to: number): void {
    if (this.context.json) printJsonLine(this.context, { event: 'clock', from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  }

  tick(report: TickReport, desired: DesiredState): void {
    this.ticks++;
    for (const [id, op] of Object.entries(report.observations?.operations ?? {})) {
      if (op.progress) this.moved.set(id, Math.max(this.moved.get(id) ?? 0, op.progress.done));
    }
    const status = report.status;
    if (this.context.json) {
      if (report.committed || report.problems.length > 0) {
        printJsonLine(this.context, {
          event: 'tick',
          at: new Date(report.now).toISOString(),
          committed: report.committed,
          revision: report.revision,
          changes: report.decision?.changes ?? [],
          actions: report.acted,
          counts: status ? counts(status) : {},
          problems: report.problems,
          notes: report.notes,
        });
      }
      return;
    }
    if (report.decision === null && report.problems.length > 0) {
      this.clear();
      for (const p of report.problems) this.context.io.stderr.write(`${formatProblem(p)}\n`);
      return;
    }
    for (const note of report.notes) this.note(note);
    for (const problem of report.problems) this.note(formatProblem(problem));
    const line = this.line(report, desired);
    if (this.tty) {
      this.context.io.stdout.write(`${CLEAR_LINE}${line}`);
      this.lastLine = line;
      // Notable changes (conflicts, errors, finished batches) stay on screen.
      for (const change of report.decision?.changes ?? []) if (notable(change)) this.note(`  ${change.batch} ${change.instance ?? ''}: ${change.to}${change.message ? ` — ${change.message}` : ''}`);
    } else if (report.committed) {
      this.context.io.stdout.write(`${line}\n`);
      for (const change of report.decision?.changes ?? []) if (notable(change)) this.context.io.stdout.write(`  ${change.batch} ${change.instance ?? ''}: ${change.to}${change.message ? ` — ${change.message}` : ''}\n`);
    }
  }

  private line(report: TickReport, desired: DesiredState): string {
    const parts = [`${isoTime(report.now)}`, `tick ${this.ticks}`];
    if (report.decision) parts.push(`${plural(report.decision.changes.length, 'change')}, ${plural(report.acted.length, 'action')}`);
    if (report.status) {
      const c = counts(report.status);
      parts.push(ORDER.filter((code) => c[code]).map((code) => `${ENTRY_STATUS_TEXT[code]} ${c[code]}`).join(' · ') || 'no entries');
    }
    let total = 0;
    for (const n of this.moved.values()) total += n;
    if (total > 0) parts.push(`${bytes(total)} moved`);
    const next = nextWindow(desired, report.now);
    if (next) parts.push(`next window ${next.batch}/${next.name} at ${isoTime(next.start)}`);
    return parts.join('  ');
  }

  private clear(): void {
    if (this.tty && this.lastLine !== '') {
      this.context.io.stdout.write(CLEAR_LINE);
      this.lastLine = '';
    }
  }

  finish(summary: RunSummary): void {
    if (this.tty && this.lastLine !== '') this.context.io.stdout.write('\n');
    const status = summary.last?.status;
    if (this.context.json) {
      printJsonLine(this.context, { event: 'done', reason: summary.reason, ticks: summary.ticks, commits: summary.commits, actions: summary.actions, counts: status ? counts(status) : {} });
      return;
    }
    const why: Record<RunSummary['reason'], string> = {
      idle: 'nothing more can progress',
      invalid: 'the desired state is invalid',
      stalled: 'actions keep failing; see the notes above',
      'max-ticks': 'stopped after too many ticks',
      aborted: 'stopped',
    };
    this.context.io.stdout.write(`${this.color.bold('apply:')} ${plural(summary.ticks, 'tick')}, ${plural(summary.commits, 'status commit')}, ${plural(summary.actions, 'action')}; ${why[summary.reason]}\n`);
    if (status) {
      const trouble = Object.values(status.entries).filter((e) => e.status === 'conflict' || e.status === 'error');
      for (const e of trouble.slice(0, 20)) this.context.io.stdout.write(this.color.yellow(`  ${e.batch} ${e.name}: ${ENTRY_STATUS_TEXT[e.status]} — ${e.message}\n`));
      if (trouble.length > 0) this.context.io.stdout.write('  see "ferry explain INSTANCE"; resolve by merging a Resolution ("ferry resolve BATCH INSTANCE --action resolve")\n');
    }
  }
}

/** Status changes worth a line of their own: an entry or batch reaching a state an operator acts on. */
function notable(change: { from?: string; to: string }): boolean {
  return change.from !== change.to && /^(Conflict|Error|Finished|Blocked|Rejected)$/.test(change.to);
}

function counts(status: StatusState): Partial<Record<EntryStatusCode, number>> {
  const out: Partial<Record<EntryStatusCode, number>> = {};
  for (const uuid in status.entries) {
    const code = status.entries[uuid]!.status;
    out[code] = (out[code] ?? 0) + 1;
  }
  return out;
}

function nextWindow(desired: DesiredState, now: number): { batch: string; name: string; start: number } | null {
  let best: { batch: string; name: string; start: number } | null = null;
  for (const batch of desired.batches) {
    if (batch.state !== 'running') continue;
    for (const w of batch.migration_windows) {
      if (w.start !== null && w.start > now && (best === null || w.start < best.start)) best = { batch: batch.meta.name, name: w.name, start: w.start };
    }
  }
  return best;
}

function printJsonLine(context: CommandContext, document: Record<string, unknown>): void {
  context.io.stdout.write(JSON.stringify({ format_version: '1.0', ...document }) + '\n');
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}
