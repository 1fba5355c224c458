// `ferry sim reset`: forgets the simulated world so the next apply starts the rehearsal afresh
// (docs/simulator.md, "Starting again"). A local status branch of a wholly simulated campaign goes
// with it: it records migrations — target instances, operation ids, times — of the forgotten
// world, and a fresh world with an old status would start in its past.

import { simpleGit } from 'simple-git';
import type { DesiredState } from '../../model/desired.js';
import { readWorld, removeWorldFiles, worldHolder, WorldFileError } from '../../providers/sim/index.js';
import { desiredInWorkTree, gitLocation } from '../../reconcile/desired.js';
import { type CommandContext } from '../command.js';
import { OperatorError } from '../failure.js';
import { isoTime, plural } from '../format.js';
import { printJson } from '../io.js';
import { shownPath, worldFileOf } from './sim-show.js';

interface StatusBranchPlan {
  branch: string;
  /** Kept in this repository only (spec.status.local). */
  local: boolean;
  /** Commits on the local branch; null when it does not exist here. */
  commits: number | null;
  /** Whether reset deletes it, and why not when it does not. */
  deletes: boolean;
  kept: string | null;
}

export async function resetWorld(context: CommandContext): Promise<number> {
  const path = await worldFileOf(context);
  const git = (await gitLocation(context.repoDir))!;
  let summary: string | null = null;
  let damaged: string | null = null;
  try {
    const world = readWorld(path);
    if (world !== undefined) {
      const { state } = world;
      const vms = Object.values(state.sources).reduce((n, s) => n + Object.keys(s.vms).length, 0);
      const instances = Object.values(state.targets).reduce((n, t) => n + Object.values(t.instances).reduce((m, p) => m + Object.keys(p).length, 0), 0);
      summary = `clock at ${isoTime(state.now)} (started ${isoTime(state.start)}), ${plural(vms, 'VM')}, ${plural(instances, 'target instance')}, ${plural(Object.keys(state.ops).length + Object.keys(state.ended).length, 'operation')}`;
    }
  } catch (error) {
    // A damaged world is what reset is for.
    if (!(error instanceof WorldFileError)) throw error;
    damaged = error.message;
  }
  const desired = await desiredInWorkTree(context.repoDir).then((d) => d.state).catch(() => null);
  const status = desired === null ? null : await statusBranchPlan(git.top, desired);
  const holder = worldHolder(path);
  const exists = summary !== null || damaged !== null;
  const forgets = exists || status?.deletes === true;

  const yes = context.options.yes === true;
  if (forgets && holder !== null) {
    throw new OperatorError('sim-world-in-use', `the simulated world is open in process ${holder} (an apply)`, { hint: 'stop it first, then reset' });
  }
  if (yes && forgets) {
    if (exists) removeWorldFiles(path);
    if (status?.deletes) await simpleGit({ baseDir: git.top }).raw(['branch', '-D', status.branch]);
  }

  if (context.json) {
    printJson(context.io, {
      file: path,
      reset: yes && forgets,
      world: exists ? (summary ?? `damaged: ${damaged}`) : null,
      status_branch: status === null ? null : { branch: status.branch, local: status.local, commits: status.commits, deleted: yes && status.deletes, kept: status.kept },
    });
  } else {
    const out = context.io.stdout;
    const verb = yes ? 'forgot' : 'would forget';
    if (!forgets) out.write(`no simulated world to forget (${shownPath(context, path)})\n`);
    if (exists) out.write(`${verb} the simulated world ${shownPath(context, path)}: ${summary ?? `damaged (${damaged})`}\n`);
    if (status?.deletes) out.write(`${verb} the local status branch ${status.branch} (${plural(status.commits ?? 0, 'commit')}): it records migrations in that world\n`);
    if (status?.kept) context.io.stderr.write(`warning: ${status.kept}\n`);
    if (yes && forgets) out.write('the next "ferry apply" builds the world afresh from the repository\n');
  }
  if (forgets && !yes) throw new OperatorError('sim-reset-unconfirmed', 'nothing was changed', { hint: 'run "ferry sim reset --yes" to forget it' });
  return 0;
}

async function statusBranchPlan(top: string, desired: DesiredState): Promise<StatusBranchPlan> {
  const { branch, local, remote } = desired.project.status;
  const git = simpleGit({ baseDir: top });
  const commits = await git.raw(['rev-list', '--count', `refs/heads/${branch}`, '--']).then((n) => Number(n.trim())).catch(() => null);
  const simulatedOnly = desired.sources.every((s) => s.type === 'sim') && desired.targets.every((t) => t.type === 'sim');
  let kept: string | null = null;
  if (!local) {
    kept = `the status branch ${branch} is shared on "${remote}" and is kept: it still records the campaign in the forgotten world; for a fresh start, delete it there too (git push ${remote} --delete ${branch})`;
  } else if (!simulatedOnly && commits !== null) {
    kept = `the local status branch ${branch} is kept: this campaign has real sources or targets, whose migrations it records`;
  }
  return { branch, local, commits, deletes: local && simulatedOnly && commits !== null, kept };
}
