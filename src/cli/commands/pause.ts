import type { Pauses } from '../../engine/status.js';
import { changed, identityText, operatorIdentity, PauseWriteError, recordPauses, UnknownIdentityError, type PauseOutcome, type PauseRequest, type RecordedPauses } from '../../reconcile/pauses.js';
import { didYouMean } from '../../text/suggest.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { printJson } from '../io.js';
import { pauseJson, pausesJson, pauseText, scopeText } from '../pause-view.js';
import { readStatusBranch } from './status.js';
import { quoted } from '../../text/excerpt.js';

/** A reason is for people reading `ferry status` and the pull-request comment at 2 a.m.: a sentence, not an essay. */
const REASON_LIMIT = 1000;

export const pauseCommand: Command = {
  name: 'pause',
  summary: 'Emergency brake: pause the campaign or some batches, on the status branch, until "ferry resume"',
  usage: 'ferry pause [BATCH…] --reason TEXT [--repo DIR] [--json]',
  description:
    'Commits a pause to the status branch (compare-and-swap, like a reconciler\'s tick; retried when\n' +
    'the branch moved): every reconciler reads it at its next tick, before it acts, and drives the\n' +
    'paused batches as if they were state: stopped — nothing new starts, transfers not yet past the\n' +
    'point of no return stop, cutovers already under way complete, a source VM is never left off.\n' +
    'Without BATCH the whole campaign is paused. The commit is authored by you (git config user.name\n' +
    'and user.email, or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL), so Git keeps who paused, when and why.\n' +
    'Pausing what is paused already replaces the reason. Nothing in the repository changes.',
  examples: ['ferry pause --reason "SAN-2 array alarm, hold everything"', 'ferry pause wave-2-db --reason "DBA change freeze"', 'ferry status'],
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'why: shown in ferry status, ferry plan and the pull-request comment (required)' },
  },
  async run(context) {
    const reason = typeof context.options.reason === 'string' ? context.options.reason.trim() : '';
    if (reason === '') throw new UsageError('error pause-needs-reason: say why with --reason TEXT: it is shown to everyone who wonders why nothing moves');
    if (reason.length > REASON_LIMIT) throw new UsageError(`error pause-needs-reason: the reason is ${reason.length} characters long; keep it under ${REASON_LIMIT} (link to the details)`);
    return recordRequest(context, (author) => ({ kind: 'pause', batches: context.positionals, pause: { by: identityText(author), at: Date.now(), reason } }));
  },
};

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'Lift a pause made with "ferry pause": the next tick goes on',
  usage: 'ferry resume [BATCH…] [--reason TEXT] [--repo DIR] [--json]',
  description:
    'Commits the end of a pause to the status branch (compare-and-swap, retried when the branch\n' +
    'moved). Without BATCH the campaign\'s pause is lifted; batches paused one by one stay paused\n' +
    'until they are resumed by name. A resumed batch restarts at the next tick like a Stopped batch\n' +
    'set running again. Resuming what is not paused changes nothing and says so.',
  examples: ['ferry resume', 'ferry resume wave-2-db --reason "freeze lifted"'],
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'why, recorded in the commit message' },
  },
  async run(context) {
    const reason = typeof context.options.reason === 'string' && context.options.reason.trim() !== '' ? context.options.reason.trim() : null;
    return recordRequest(context, () => ({ kind: 'resume', batches: context.positionals, reason }));
  },
};

async function recordRequest(context: CommandContext, request: (author: { name: string; email: string }) => PauseRequest): Promise<number> {
  const { state, store, status } = await readStatusBranch(context.repoDir);
  const known = new Set([...(state?.batches.map((b) => b.meta.name) ?? []), ...Object.keys(status.batches), ...Object.values(status.entries).map((e) => e.batch), ...Object.keys(status.pauses.batches)]);
  for (const batch of context.positionals) {
    if (!known.has(batch)) throw new UsageError(`error unknown-batch: no batch ${quoted(batch)} in the repository or on the status branch${didYouMean(batch, [...known])}`);
  }
  let author;
  try {
    author = await operatorIdentity(context.repoDir, context.io.env);
  } catch (error) {
    if (error instanceof UnknownIdentityError) throw new UsageError(`error pause-no-identity: ${error.message}`);
    throw error;
  }
  const wanted = request(author);
  let recorded: RecordedPauses;
  try {
    recorded = await recordPauses(store, wanted, author);
  } catch (error) {
    if (error instanceof PauseWriteError) throw new UsageError(`error status-busy: ${error.message}`);
    throw error;
  }
  if (context.json) {
    printJson(context.io, {
      action: wanted.kind,
      branch: store.description,
      revision: recorded.revision,
      written: recorded.written,
      changes: recorded.outcomes.map((o) => ({ batch: o.batch, changed: changed(o), was: pauseJson(o.was), now: pauseJson(o.now) })),
      pauses: pausesJson(recorded.pauses),
    });
    return 0;
  }
  const out = context.io.stdout;
  for (const outcome of recorded.outcomes) out.write(`${outcomeLine(wanted.kind, outcome)}\n`);
  if (recorded.written) {
    out.write(`recorded on ${store.description} @ ${recorded.revision!.slice(0, 12)}${recorded.retries > 0 ? ` (after ${recorded.retries} concurrent commit${recorded.retries === 1 ? '' : 's'})` : ''}\n`);
    out.write(wanted.kind === 'pause'
      ? 'every reconciler honours it at its next tick, before it acts: nothing new starts, transfers not yet past the point of no return stop, cutovers under way complete; "ferry resume" lets it go on\n'
      : 'the next tick of a reconciler ("ferry apply", the scheduled Action) goes on\n');
  }
  for (const line of stillPaused(wanted, recorded.pauses)) out.write(`note: ${line}\n`);
  return 0;
}

function outcomeLine(kind: PauseRequest['kind'], o: PauseOutcome): string {
  const scope = scopeText(o.batch);
  if (kind === 'pause') {
    return o.was === null ? `paused ${scope} ${pauseText(o.now!)}` : `${scope} was already paused ${pauseText(o.was)}; now paused ${pauseText(o.now!)}`;
  }
  return o.was === null ? `${scope} is not paused: nothing to resume` : `resumed ${scope} (paused ${pauseText(o.was)})`;
}

/** After a resume, the pauses that still hold the batches named (or any batch, after the campaign's). */
function stillPaused(request: PauseRequest, pauses: Pauses): string[] {
  if (request.kind !== 'resume') return [];
  if (request.batches.length > 0) {
    return pauses.campaign === null ? [] : [`the campaign is still paused ${pauseText(pauses.campaign)}; "ferry resume" without a batch lifts it`];
  }
  return Object.keys(pauses.batches).sort().map((batch) => `batch ${batch} is still paused ${pauseText(pauses.batches[batch]!)}; "ferry resume ${batch}" lifts it`);
}
