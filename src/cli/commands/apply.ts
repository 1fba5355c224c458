import type { Change } from '../../engine/decision.js';
import { ENTRY_STATUS_TEXT, type EntryStatusCode, type StatusState } from '../../engine/status.js';
import type { DesiredState } from '../../model/desired.js';
import { formatProblem } from '../../model/problem.js';
import { crashPoint } from '../../providers/sim/crash.js';
import { desiredAtCommit, desiredErrors, DesiredStateError, gitLocation, resolveCommit, type DesiredAt } from '../../reconcile/desired.js';
import { tick, type TickReport } from '../../reconcile/reconciler.js';
import { runUntilIdle, runWatch, type OutageReport, type RunSummary } from '../../reconcile/run.js';
import { simpleGit } from 'simple-git';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { describeFailure, failureJson, OperatorError, warningLine } from '../failure.js';
import { bytes, isoTime, plural, terminalWidth } from '../format.js';
import { printJson } from '../io.js';
import { paint } from '../paint.js';
import { catchInterrupts } from '../interrupt.js';
import { LiveArea, noteKey, problemKey, SaidOnce, someNames } from '../live.js';
import { checkApply, evaluationLimitsFor, openForApply, TRUSTED_REF_OPTION } from '../trust.js';
import { parseUntil, requireSimulated, untilOn } from '../until.js';
import { reportInvalid } from './plan.js';
import { readSavedPlan } from '../saved-plan.js';
import { releasing } from '../../util/first-failure.js';

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Reconcile: decide, record the decision on the status branch, then act',
  usage: 'ferry apply [PLAN] [--once | --until-idle | --until TIME | --watch] [--allow-unmerged] [--repo DIR] [--json]',
  description:
    'Runs ticks against the committed desired state (HEAD; uncommitted edits are not applied), and\n' +
    'only when HEAD is merged into the trusted branch (the remote\'s default branch, or\n' +
    'spec.trust.branch): an unmerged branch is refused. --allow-unmerged lifts that for a repository\n' +
    'whose status branch is local only (spec.status.local: true). Each\n' +
    'tick reads the status branch, observes, decides, commits the new status (compare-and-swap; it\n' +
    're-decides if another reconciler moved the branch) and only then acts. With PLAN (from\n' +
    '"ferry plan --out"), the plan must still be current: same desired commit, same status revision.\n' +
    '--once (default): one tick. --until-idle: tick until nothing can progress; on the simulator the\n' +
    'clock jumps to the next event in between. --until TIME (simulator only): like --until-idle, but\n' +
    'the simulated clock stops at TIME (2026-12-01T23:00:00Z, "2026-12-01 23:00:00" in UTC, or +2h from\n' +
    'where it is); a later apply goes on from there. --watch: like --until-idle, then again whenever the\n' +
    'repository changes (a commit, a merge) or the reconcile interval passes; stop with Ctrl-C.\n' +
    'A status branch that cannot be used (its remote away, a push refused, a file damaged by hand, a\n' +
    'newer Ferry\'s format) is never written over or acted on: --until-idle and --until wait out an\n' +
    'outage of the remote (up to 5 minutes), --watch waits out that and a branch that needs repair,\n' +
    'each said in one line per change of state; otherwise apply ends in one line.\n' +
    'Ctrl-C (any mode) finishes the tick under way, prints the summary and exits 130; a second\n' +
    'Ctrl-C stops at once and says what may be left. "ferry pause" stops every reconciler.',
  examples: ['ferry apply', 'ferry apply --until-idle', 'ferry apply --until +2h', 'ferry plan --out plan.json && ferry apply plan.json', 'ferry apply --watch'],
  options: {
    once: { type: 'boolean', description: 'one tick (the default)' },
    'until-idle': { type: 'boolean', description: 'tick until nothing can progress' },
    until: { type: 'string', value: 'TIME', description: 'simulator: tick until nothing can progress, the simulated clock stopping at TIME (a timestamp, or +2h)' },
    watch: { type: 'boolean', description: 'keep reconciling; re-plan when the repository changes' },
    'allow-unmerged': { type: 'boolean', description: 'apply a commit that is not on the trusted branch (local status branch only)' },
    ...TRUSTED_REF_OPTION,
  },
  async run(context) {
    const modes = (['once', 'until-idle', 'until', 'watch'] as const).filter((m) => context.options[m] === true || (m === 'until' && typeof context.options.until === 'string'));
    if (modes.length > 1) throw new UsageError(`choose one of --once, --until-idle, --until and --watch (got ${modes.map((m) => `--${m}`).join(' and ')})`);
    const mode = modes[0] ?? 'once';
    const untilText = typeof context.options.until === 'string' ? context.options.until : null;
    const untilSpec = untilText === null ? null : parseUntil(untilText);
    if (context.positionals.length > 1) throw new UsageError('give at most one plan file');
    const git = await gitLocation(context.repoDir);
    if (git === null) throw new OperatorError('not-a-git-repository', `${context.repoDir} is not in a Git repository: apply acts on committed desired state and keeps its status on a Git branch`);

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
    if (untilSpec !== null) requireSimulated(first.state);
    const dirty = (await simpleGit({ baseDir: context.repoDir }).raw(['status', '--porcelain', '--', '.'])).trim();
    if (dirty !== '' && !context.json) context.io.stderr.write(`note: uncommitted changes in ${context.repoDir} are not applied; apply acts on HEAD (${first.commit!.slice(0, 12)})\n`);

    // Ctrl-C lets the tick under way finish; a second one stops at once (./interrupt.ts).
    const interrupts = catchInterrupts(context.io);
    const { opened, run } = await openForApply(context, first, { crashPoint: interrupts.track(crashPoint) }).catch((error: unknown) => {
      interrupts.dispose();
      throw error;
    });
    // A failure to close (the simulator's last snapshot on a full disk) does not hide the failure before it.
    const close = async () => {
      // Disk copies that run in this process (real providers) are waited for by close().
      const copies = opened.setup.providers.activity?.();
      copies?.catch(() => {});
      interrupts.closing(copies !== undefined);
      try {
        await opened.close();
      } finally {
        interrupts.dispose();
      }
    };
    return releasing(async () => {
      for (const note of run.notes) context.io.stderr.write(`note: ${note}\n`);
      const planFile = context.positionals[0];
      if (planFile !== undefined) await checkPlan(context, planFile, first, opened.store.description, (await opened.store.read()).revision);

      // Checked against the clock the campaign runs on before anything is done.
      const until = untilSpec === null ? null : untilOn(untilSpec, opened.setup.providers.clock, untilText!);
      const progress = new Progress(context, until);
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
      const onTick = (report: TickReport) => {
        interrupts.tickEnded();
        progress.tick(report, current.state);
      };
      const onAdvance = (from: number, to: number) => progress.advance(from, to);
      // Said once per change of state, not per attempt.
      const onOutage = (outage: OutageReport | null) => progress.outage(outage);
      // A tick that failed on the status branch is over: Ctrl-C during the back-off stops between two ticks.
      const onTickFailed = () => interrupts.tickEnded();
      let summary: RunSummary;
      if (mode === 'once') {
        const report = await tick(opened.setup, run.desired);
        onTick(report);
        summary = { ticks: 1, commits: report.committed ? 1 : 0, actions: report.acted.length, reason: report.decision === null && report.problems.length ? 'invalid' : 'idle', last: report };
      } else if (mode === 'until-idle') {
        summary = await runUntilIdle(opened.setup, loadCached, { onTick, onAdvance, onOutage, onTickFailed, tickIntervalMs: first.state.project.reconcile.interval_ms, signal: interrupts.signal });
      } else if (until !== null) {
        summary = await runUntilIdle(opened.setup, loadCached, { onTick, onAdvance, onOutage, onTickFailed, tickIntervalMs: first.state.project.reconcile.interval_ms, until, signal: interrupts.signal });
      } else {
        summary = await runWatch(opened.setup, loadCached, git.top, first.state.project.reconcile.interval_ms, {
          onTick,
          onAdvance,
          onOutage,
          onTickFailed,
          tickIntervalMs: first.state.project.reconcile.interval_ms,
          signal: interrupts.signal,
          onWait: (why) => progress.waiting(why),
        });
      }
      progress.finish(summary);
      if (interrupts.received !== null) {
        if (!context.json) context.io.stdout.write(`apply: interrupted (${interrupts.received}); every tick it began was finished and recorded on the status branch; "ferry apply" goes on from there\n`);
        return interrupts.exitCode;
      }
      return summary.reason === 'invalid' || (summary.last?.problems ?? []).some((p) => p.severity === 'error') ? 1 : 0;
    }, close, (error) => context.log.debug({ error: error instanceof Error ? error.message : String(error) }, 'closing failed too, after the failure reported'));
  },
};

async function checkPlan(context: CommandContext, file: string, desired: DesiredAt, branch: string, revision: string | null): Promise<void> {
  const plan = await readSavedPlan(context, file);
  if (plan.desired_commit !== desired.commit) {
    throw new UsageError(`the plan is stale: it was made for desired commit ${plan.desired_commit?.slice(0, 12) ?? '(uncommitted)'}, HEAD is ${desired.commit!.slice(0, 12)}; run "ferry plan" again`);
  }
  if (plan.status_branch !== branch || plan.status_revision !== revision) {
    throw new UsageError(`the plan is stale: the status branch moved since it was made (${plan.status_revision?.slice(0, 12) ?? 'empty'} → ${revision?.slice(0, 12) ?? 'empty'}); run "ferry plan" again`);
  }
}

const ORDER: EntryStatusCode[] = ['finished', 'worker_done', 'post_import', 'final_import', 'idle', 'background_import', 'creating', 'waiting', 'blocked', 'conflict', 'error', 'canceled'];

/**
 * Progress: on a terminal a live area at the bottom (the tick line, the entries that just finished,
 * what a watch waits for) rewritten in place, with what needs an operator printed above it;
 * plain lines otherwise; JSON lines with --json. A warning or note is said once (./live.ts).
 */
class Progress {
  private readonly tty: boolean;
  private readonly moved = new Map<string, number>();
  private ticks = 0;
  private readonly color;
  private readonly live: LiveArea;
  private readonly once = new SaidOnce();
  private commit: string | null | undefined;
  private lastLine = '';
  private justFinished: string[] = [];
  private readonly finished = new Map<string, number>();
  private waitingFor = '';
  private lastWait = '';

  constructor(private readonly context: CommandContext, private readonly until: number | null = null) {
    this.tty = context.io.stdout.isTTY === true && !context.json;
    this.color = paint(context.io, 'stdout');
    this.live = new LiveArea(context.io.stdout, () => terminalWidth(context));
  }

  note(text: string): void {
    if (this.context.json) printJsonLine(this.context, { event: 'note', message: text });
    else if (this.tty) this.live.print(`${text}\n`);
    else this.context.io.stdout.write(`${text}\n`);
  }

  /** What a watch waits for: part of the live area on a terminal, a line when it changes otherwise. */
  waiting(why: string): void {
    if (this.tty) {
      this.waitingFor = why;
      this.live.show(this.liveLines());
    } else if (why !== this.lastWait) {
      this.note(why);
    }
    this.lastWait = why;
  }

  private liveLines(): string[] {
    return [
      this.lastLine,
      ...(this.justFinished.length > 0 ? [`  finished: ${someNames(this.justFinished)}`] : []),
      ...(this.waitingFor !== '' ? [`  ${this.waitingFor}`] : []),
    ].filter((line) => line !== '');
  }

  /**
   * A status branch the loop waits for (unreachable, refusing pushes, or — under --watch — one
   * that needs repair), or null when it answers again: one line, or one `outage` event with --json.
   */
  outage(outage: OutageReport | null): void {
    if (outage === null) {
      if (this.context.json) printJsonLine(this.context, { event: 'outage', error: null });
      else this.note('the status branch answers again; carrying on');
      return;
    }
    const failure = describeFailure(outage.error) ?? { code: outage.code, message: outage.message };
    if (this.context.json) printJsonLine(this.context, { event: 'outage', error: failureJson(failure), attempts: outage.attempts, retry_in_ms: outage.retryInMs });
    else this.note(warningLine(failure, `trying again in ${Math.round(outage.retryInMs / 1000)} s, then with a growing pause, without acting meanwhile`));
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
    // A watch says again, once, what still stands after the desired state changed.
    if (this.commit !== undefined && report.desiredCommit !== this.commit) this.once.forget();
    this.commit = report.desiredCommit;
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
      const unsaid = report.problems.filter((p) => this.once.first(problemKey(p)));
      if (unsaid.length > 0 && this.tty) this.live.hide();
      for (const p of unsaid) this.context.io.stderr.write(`${formatProblem(p)}\n`);
      return;
    }
    this.waitingFor = '';
    // After a tick that changed something, what a watch waits for is worth saying again.
    if (report.committed) this.lastWait = '';
    for (const note of report.notes) if (this.once.first(noteKey(note))) this.note(note);
    for (const problem of report.problems) if (this.once.first(problemKey(problem))) this.note(formatProblem(problem));
    const changes = (report.decision?.changes ?? []).filter((change) => change.from !== change.to);
    // Entries that finished leave the live area as a count; the rest of what happened stays on screen.
    const finishedNow = changes.filter((change) => change.kind === 'entry' && change.to === 'Finished');
    for (const change of finishedNow) this.finished.set(change.batch, (this.finished.get(change.batch) ?? 0) + 1);
    const stays = changes.filter((change) => change.kind !== 'entry' || change.to !== 'Finished').filter(notable).map(changeLine);
    const line = this.line(report, desired);
    if (this.tty) {
      this.lastLine = line;
      if (finishedNow.length > 0) this.justFinished = finishedNow.map((change) => `${change.batch}/${change.instance ?? change.uuid ?? '?'}`);
      if (stays.length > 0) this.live.print(stays.map((text) => `${text}\n`).join(''));
      this.live.show(this.liveLines());
    } else if (report.committed) {
      this.context.io.stdout.write(`${line}\n`);
      for (const text of stays) this.context.io.stdout.write(`${text}\n`);
      if (finishedNow.length > 0) this.context.io.stdout.write(`  finished: ${someNames(finishedNow.map((change) => `${change.batch}/${change.instance ?? change.uuid ?? '?'}`), 20)}\n`);
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

  finish(summary: RunSummary): void {
    // The live area goes; its last tick line and one line for the finished entries stay.
    if (this.tty) {
      this.live.settle(this.lastLine === '' ? [] : [this.lastLine]);
    }
    if (!this.context.json && this.finished.size > 0) {
      const total = [...this.finished.values()].reduce((n, count) => n + count, 0);
      this.context.io.stdout.write(`finished: ${plural(total, 'entry', 'entries')} (${[...this.finished].map(([batch, count]) => `${batch} ${count}`).join(', ')})\n`);
    }
    const status = summary.last?.status;
    if (this.context.json) {
      printJsonLine(this.context, { event: 'done', reason: summary.reason, ...(this.until !== null ? { until: new Date(this.until).toISOString() } : {}), ticks: summary.ticks, commits: summary.commits, actions: summary.actions, counts: status ? counts(status) : {} });
      return;
    }
    const why: Record<RunSummary['reason'], string> = {
      idle: 'nothing more can progress',
      invalid: 'the desired state is invalid',
      stalled: 'actions keep failing; see the notes above',
      'max-ticks': 'stopped after too many ticks',
      aborted: 'stopped',
      until: `the simulated clock stopped at ${isoTime(this.until)}; "ferry apply --until-idle" or a later --until goes on from there`,
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

function changeLine(change: Change): string {
  const subject = change.kind === 'batch' ? `batch ${change.batch}` : `${change.batch} ${change.instance ?? change.uuid ?? ''}`;
  return `  ${subject}: ${change.to}${change.message && change.message !== change.to ? ` — ${change.message}` : ''}`;
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
