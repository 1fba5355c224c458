// The trust boundary as the commands see it (docs/security.md): which revision is trusted, what a
// plan may contact, and whether apply may act on the commit it was given.

import type { OptionSpec } from './command.js';
import { UsageError, type CommandContext } from './command.js';
import { describeFailure, OperatorError, operatorError } from './failure.js';
import type { CrashStep } from '../model/crash-steps.js';
import type { DesiredAt } from '../reconcile/desired.js';
import { openReconciler, ProviderUnavailableError, type OpenedReconciler } from '../reconcile/open.js';
import { StatusLocationError } from '../reconcile/store.js';
import { applyTrust, planTrust, TrustRefusal, type TrustedRun } from '../trust/policy.js';
import { findTrustedRevision, isTrusted, type NoTrustedRevision, type TrustedRevision } from '../trust/revision.js';
import { DEFAULT_EVALUATION_LIMITS, evaluationLimits, type EvaluationLimits } from '../engine/compiled.js';

export const TRUSTED_REF_OPTION: Record<string, OptionSpec> = {
  'trusted-ref': { type: 'string', value: 'REMOTE/BRANCH', description: 'the branch this machine trusts, when it is not the remote\'s default (also FERRY_TRUSTED_REF)' },
};

export const OFFLINE_OPTION: Record<string, OptionSpec> = {
  offline: { type: 'boolean', description: 'contact no vCenter or Incus: plan from the status branch only' },
};

const found = new WeakMap<CommandContext, Promise<TrustedRevision | NoTrustedRevision>>();

/**
 * The trusted revision of the command's repository, found once per command. `askRemote: false`
 * (commands that contact nothing) takes only what the local repository knows.
 */
export function trustedRevision(context: CommandContext, options: { askRemote?: boolean; fresh?: boolean } = {}): Promise<TrustedRevision | NoTrustedRevision> {
  let pending = options.fresh ? undefined : found.get(context);
  if (pending === undefined) {
    const flag = context.options['trusted-ref'];
    const env = context.io.env.FERRY_TRUSTED_REF;
    const explicit = typeof flag === 'string' ? { ref: flag, how: '--trusted-ref' } : env ? { ref: env, how: 'FERRY_TRUSTED_REF' } : undefined;
    pending = findTrustedRevision(context.repoDir, { ...(explicit ? { explicit } : {}), askRemote: options.askRemote ?? true });
    found.set(context, pending);
  }
  return pending;
}

/** The limits evaluations of this command run within: the trusted revision's budgets, or the defaults without one. */
export async function evaluationLimitsFor(context: CommandContext, options: { askRemote?: boolean } = {}): Promise<EvaluationLimits> {
  const trusted = await trustedRevision(context, options);
  return isTrusted(trusted) ? evaluationLimits(trusted.desired.state.project.budgets) : DEFAULT_EVALUATION_LIMITS;
}

async function open(context: CommandContext, run: TrustedRun, options: { readOnly: boolean; crashPoint?: (step: CrashStep) => void }): Promise<OpenedReconciler> {
  try {
    // Secrets by reference (`env:`) are read from the command's environment, and only for the systems the trust layer lets it contact.
    const opened = await openReconciler(context.repoDir, run.desired.state, run.desired.files, { ...options, log: context.log, env: context.io.env, connections: run.connections });
    // What the simulated world adopted from the repository, or could not (docs/simulator.md).
    for (const note of opened.setup.providers.notes ?? []) context.io.stderr.write(`${note.severity}: sim: ${note.message}\n`);
    return opened;
  } catch (error) {
    if (error instanceof StatusLocationError || error instanceof ProviderUnavailableError) throw operatorError(describeFailure(error)!);
    throw error;
  }
}

/** Opens a read-only reconciler for a plan of `desired`: at most the trusted revision's systems are contacted. */
export async function openForPlan(context: CommandContext, desired: DesiredAt): Promise<{ opened: OpenedReconciler; run: TrustedRun }> {
  const run = planTrust(desired, await trustedRevision(context), { offline: context.options.offline === true });
  return { opened: await open(context, run, { readOnly: true }), run };
}

/** Opens a reconciler to apply `desired`, refusing a commit that was not merged into the trusted branch. */
export async function openForApply(context: CommandContext, desired: DesiredAt, options: { crashPoint?: (step: CrashStep) => void } = {}): Promise<{ opened: OpenedReconciler; run: TrustedRun }> {
  const run = await checkApply(context, desired);
  return { opened: await open(context, run, { readOnly: false, ...options }), run };
}

/** The trust check of an apply, alone (a watch loop repeats it whenever HEAD moves). */
export async function checkApply(context: CommandContext, desired: DesiredAt): Promise<TrustedRun> {
  try {
    // Found again each time: under --watch the trusted branch moves as pull requests are merged.
    return await applyTrust(context.repoDir, desired, await trustedRevision(context, { fresh: true }), { allowUnmerged: context.options['allow-unmerged'] === true });
  } catch (error) {
    if (error instanceof TrustRefusal) throw new OperatorError(error.code, error.message);
    throw error;
  }
}
